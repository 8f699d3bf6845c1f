//! Snapshots of the docs of real third-party servers (pinned in tests/servers, installed by
//! `scripts/test`), and their token table. Temp paths are replaced by `<TMP>` and tools are
//! sorted by name, so the output only changes when a server's definitions change.
//! Update with `INSTA_UPDATE=always cargo nextest run --features external-servers --test
//! docs_external`, then review the `.snap` files.
#![cfg(feature = "external-servers")]

#[path = "common/demo.rs"]
mod demo;
#[path = "common/servers.rs"]
mod servers;

use std::path::Path;

use codemode::catalog::{Catalog, lint, render_md, render_prompt, tokens};
use codemode::mcp::ServerStatus;
use codemode::script::{Limits, script_api};

/// The five servers' catalog, tools sorted by name, with the temp dir they were given.
async fn real_catalog(tmp: &Path) -> Catalog {
    let root = tmp.join("files");
    std::fs::create_dir_all(&root).unwrap();
    let repo = tmp.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let ok = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(&repo)
        .status()
        .unwrap();
    assert!(ok.success());
    let memory_file = tmp.join("memory.jsonl").to_string_lossy().to_string();
    let registry = demo::connected(vec![
        servers::everything().spec("everything", &[]),
        servers::filesystem(&root).spec("filesystem", &[]),
        servers::memory().spec("memory", &[(servers::MEMORY_FILE_PATH_ENV, memory_file)]),
        servers::time().spec("time", &[]),
        servers::git(&repo).spec("git", &[]),
    ])
    .await;
    // server-everything announces a tools/list_changed right after start; let it land.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let states = registry.servers();
    for s in &states {
        assert_eq!(
            s.status,
            ServerStatus::Ready,
            "{}: {:?}",
            s.name,
            s.stderr_tail
        );
    }
    let mut cat = Catalog::from_states(&states);
    registry.shutdown().await;
    for s in &mut cat.servers {
        s.tools.sort_by(|a, b| a.name.cmp(&b.name));
        s.resources.sort_by(|a, b| a.uri.cmp(&b.uri));
    }
    cat
}

fn scrub(text: &str, tmp: &Path) -> String {
    let canon = tmp.canonicalize().unwrap();
    text.replace(&*canon.to_string_lossy(), "<TMP>")
        .replace(&*tmp.to_string_lossy(), "<TMP>")
}

#[tokio::test]
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
    let table = tokens::render_table(&tokens::stats(&cat, &api));
    // The command that produced the README table: this test, with --nocapture.
    println!("{table}");
    insta::assert_snapshot!("token_table", table);
    insta::assert_snapshot!(
        "lint",
        scrub(&lint::render(&lint::lint(&cat, None)), dir.path())
    );
}
