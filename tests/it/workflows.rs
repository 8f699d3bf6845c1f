//! The sample workflows in `scripts/`, each run against a fresh in-process demo server, with
//! the result it must produce.

use crate::demo;

use codemode::script::{self, RunOptions, RunReport};
use serde_json::{Value, json};

fn run_workflow(name: &str) -> RunReport {
    let (_runtime, invoker) = demo::demo_invoker();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name);
    let source = std::fs::read_to_string(&path).unwrap();
    let report = script::run(&source, invoker, RunOptions::default());
    if let Some(e) = &report.error {
        panic!("{name} failed:\n{}", e.render(&source));
    }
    report
}

fn result(name: &str) -> Value {
    run_workflow(name).result
}

#[test]
fn triage_report_extracts_transforms_and_loads() {
    let r = run_workflow("triage_report.rhai");
    assert_eq!(
        r.result,
        json!({
            "report_id": 4,
            "total": 3,
            "by_priority": {"high": 1, "medium": 1, "low": 1},
            "labels": 6,
            "urgent": ["#1 Login page times out on slow networks"]
        })
    );
    assert_eq!(r.prints, ["filed the report as #4"]);
    assert_eq!(r.calls.len(), 2);
}

#[test]
fn retry_or_create_retries_only_not_found_then_creates() {
    assert_eq!(
        result("retry_or_create.rhai"),
        json!({"misses": [41, 42, 43], "created": true, "id": 4, "refetched": "Placeholder for #41"})
    );
}

#[test]
fn label_in_parallel_updates_and_checks_in_batches() {
    let r = run_workflow("label_in_parallel.rhai");
    assert_eq!(r.result, json!({"updated": 3, "triaged": [1, 2, 3]}));
    // 1 list + 3 updates + 3 reads.
    assert_eq!(r.calls.len(), 7);
    assert!(r.calls.iter().all(|c| c.ok));
}

#[test]
fn close_with_try_catch_reports_partial_failure() {
    let r = run_workflow("close_with_try_catch.rhai");
    assert_eq!(
        r.result,
        json!({"closed": [1, 3], "failed": [{"id": 42, "error": "issue #42 not found"}], "still_open": 1})
    );
    assert_eq!(r.prints, ["#42: issue #42 not found"]);
}

#[test]
fn escalate_unassigned_assigns_and_comments() {
    assert_eq!(
        result("escalate_unassigned.rhai"),
        json!({"escalated": [{"id": 1, "comments": 1}], "assignee": "oncall"})
    );
}

#[test]
fn rank_by_score_uses_parallel_calculations() {
    assert_eq!(
        result("rank_by_score.rhai"),
        json!({"ranking": [1, 3, 2], "top_score": 12.0})
    );
}
