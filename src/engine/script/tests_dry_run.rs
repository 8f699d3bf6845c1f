//! Dry runs against the in-process demo server: nothing reaches it.

use std::sync::Arc;

use super::dry_run::{DryRunInvoker, synthesize};
use super::tests::demo;
use super::*;

/// Runs `src` dry over `inner` with `recorded` calls, destructive tools allowed (nothing
/// reaches a server).
fn dry_run(
    inner: &Arc<dyn ToolInvoker>,
    recorded: Vec<replay::RecordedCall>,
    src: &str,
) -> RunReport {
    let dry = Arc::new(DryRunInvoker {
        inner: inner.clone(),
        recorded,
    });
    let policy = Policy {
        allow_destructive: true,
        ..Default::default()
    };
    run(
        src,
        dry,
        RunOptions {
            policy,
            ..Default::default()
        },
    )
}

#[test]
fn a_dry_run_never_reaches_the_server() {
    let d = demo();
    let src = "demo::delete_issue(#{ id: 1 }); demo::create_issue(#{ title: \"dry\" }); demo::list_issues()";
    let r = dry_run(&d.invoker, vec![], src);
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

#[test]
fn a_dry_run_answers_recorded_calls_with_their_newest_recorded_result() {
    let d = demo();
    let call = |title: &str| {
        serde_json::json!({"type": "call", "run_id": "r", "index": 0, "server": "demo",
            "tool": "delete_issue", "args": {"id": 1},
            "result": {"content": [{"type": "text", "text": title}], "isError": false}})
    };
    let records = vec![
        call("older"),
        serde_json::json!({"type": "call", "server": "demo", "tool": "delete_issue",
            "args": {"id": 1}, "ok": true, "result_bytes": 10}),
        call("newer"),
    ];
    let recorded = replay::recorded_calls(&records);
    assert_eq!(
        recorded.len(),
        2,
        "a call without a result is not a recording"
    );
    let src = "[demo::delete_issue(#{ id: 1 }), demo::delete_issue(#{ id: 2 })]";
    let r = dry_run(&d.invoker, recorded, src);
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.result[0], "newer", "{}", r.result);
    assert_ne!(
        r.result[1], "newer",
        "other arguments are not the recorded call"
    );
    let real = d.run("demo::list_issues().issues");
    let issues = real.result.as_array().unwrap();
    assert!(issues.iter().any(|i| i["id"] == 1), "{issues:?}");
}
