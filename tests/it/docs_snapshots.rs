//! Snapshots of the docs of the demo server (in-process), as `codemode docs` renders them.
//! Update with `INSTA_UPDATE=always cargo nextest run -E 'test(docs_snapshots::)'`, then review
//! the `.snap` files.

use crate::demo;

use codemode::catalog::{Catalog, lint, render_lines, render_md, render_prompt, tokens};
use codemode::script::{Limits, script_api};

async fn demo_catalog() -> Catalog {
    let registry = demo::connected(vec![codemode::demo::in_process_spec()]).await;
    let cat = Catalog::from_states(&registry.servers());
    registry.shutdown().await;
    cat
}

#[tokio::test]
async fn demo_markdown() {
    let cat = demo_catalog().await;
    insta::assert_snapshot!(render_md::catalog(&cat, &script_api(&Limits::default())));
}

#[tokio::test]
async fn demo_prompt() {
    let cat = demo_catalog().await;
    insta::assert_snapshot!(render_prompt::catalog(
        &cat,
        &script_api(&Limits::default())
    ));
}

#[tokio::test]
async fn demo_lines_of_one_tool() {
    let cat = demo_catalog().await;
    let t = cat.server("demo").unwrap().tool("update_issue").unwrap();
    let text: Vec<String> = render_lines::tool(t)
        .iter()
        .map(|l| format!("{:<9} {}", format!("{:?}", l.kind), l.text))
        .collect();
    insta::assert_snapshot!(text.join("\n"));
}

#[tokio::test]
async fn demo_lint_and_tokens() {
    let cat = demo_catalog().await;
    let reports = lint::lint(&cat, None);
    assert!(reports[0].score >= 90);
    insta::assert_snapshot!(format!(
        "{}\n{}",
        lint::render(&reports),
        tokens::render_table(&tokens::stats(&cat, &script_api(&Limits::default())))
    ));
}
