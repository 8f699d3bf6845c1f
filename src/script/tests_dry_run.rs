//! Dry runs against the in-process demo server: nothing reaches it.

use std::sync::Arc;

use super::dry_run::{DryRunInvoker, synthesize};
use super::tests::demo;
use super::*;

#[test]
fn a_dry_run_never_reaches_the_server() {
    let d = demo();
    let dry = Arc::new(DryRunInvoker {
        inner: d.invoker.clone(),
        recorded: vec![],
    });
    let policy = Policy {
        allow_destructive: true,
        ..Default::default()
    };
    let src = "demo::delete_issue(#{ id: 1 }); demo::create_issue(#{ title: \"dry\" }); demo::list_issues()";
    let r = run(
        src,
        dry,
        RunOptions {
            policy,
            ..Default::default()
        },
    );
    assert!(r.ok(), "{:?}", r.error);
    // The synthesized list_issues result is valid against its outputSchema.
    let tools = d.invoker.servers()[0].tools.clone();
    let list = tools.iter().find(|t| t.name == "list_issues").unwrap();
    assert!(crate::mcp::check_args(list.output_schema.as_ref().unwrap(), &r.result).is_ok());
    // The server's own state: issue 1 is still there and no issue titled "dry" exists.
    let real = d.run("demo::list_issues().issues");
    let issues = real.result.as_array().unwrap();
    assert!(issues.iter().any(|i| i["id"] == 1), "{issues:?}");
    assert!(!issues.iter().any(|i| i["title"] == "dry"));
    assert!(synthesize(list).is_some());
    assert_eq!(real.calls.len(), 1);
}
