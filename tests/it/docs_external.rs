//! Snapshots of the docs of real third-party servers (pinned in tests/servers, installed by
//! `scripts/test`), and their token table. Temp paths are replaced by `<TMP>` and tools are
//! sorted by name, so the output only changes when a server's definitions change.
//! Update with `INSTA_UPDATE=always cargo nextest run --features external-servers -E
//! 'test(docs_external::)'`, then review the `.snap` files.
#![cfg(feature = "external-servers")]

use crate::real_catalog;

use std::path::Path;

use codemode::catalog::{Catalog, lint, render_md, render_prompt, tokens};
use codemode::script::{Limits, script_api};
use real_catalog::real_catalog;

fn scrub(text: &str, tmp: &Path) -> String {
    let canon = tmp.canonicalize().unwrap();
    text.replace(&*canon.to_string_lossy(), "<TMP>")
        .replace(&*tmp.to_string_lossy(), "<TMP>")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_servers_docs_and_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let cat = real_catalog(dir.path()).await;
    let api = script_api(&Limits::default());
    for s in &cat.servers {
        let one = Catalog {
            servers: vec![s.clone()],
        };
        insta::assert_snapshot!(
            format!("{}_markdown", s.name),
            scrub(&render_md::server(s), dir.path())
        );
        insta::assert_snapshot!(
            format!("{}_prompt", s.name),
            scrub(&render_prompt::catalog(&one, &api), dir.path())
        );
    }
    let rows = tokens::stats(&cat, &api);
    // The token goal, text samples included: each server's prompt form costs at most half its
    // raw tools/list JSON.
    for r in rows.iter().filter(|r| r.tools > 0 && r.server != "total") {
        assert!(
            r.prompt * 2 <= r.raw_json,
            "{}: the prompt form costs {} tokens, over half the tools/list JSON ({})",
            r.server,
            r.prompt,
            r.raw_json
        );
    }
    let table = tokens::render_table(&rows);
    // The command that produced the README table: this test, with --nocapture.
    println!("{table}");
    insta::assert_snapshot!("token_table", table);
    insta::assert_snapshot!(
        "lint",
        scrub(&lint::render(&lint::lint(&cat, None)), dir.path())
    );
}
