//! `codemode run --plan`, approvals, the output budget, record/replay and dry runs, through
//! the binary against the embedded demo server.

#[path = "common/cli.rs"]
mod cli;
use cli::*;
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn plan_lists_calls_without_running_them() {
    let dir = tempfile::tempdir().unwrap();
    let f = script(
        &dir,
        "plan.rhai",
        "let i = demo::get_issue(#{ id: 1 });\ndemo::delete_issue(#{ id: i.id });\nlet t = \"list_\" + \"issues\";\ncall_tool(\"demo\", t);\n",
    );
    codemode(&dir)
        .arg("run")
        .arg(&f)
        .arg("--plan")
        .assert()
        .code(0)
        .stdout(
            "line 1    demo::get_issue  {\"id\":1}  [read-only]\n\
             line 2    demo::delete_issue  {\"id\":\"<expr>\"}  [destructive]\n\
             line 4    demo::?  {}  [dynamic]\n",
        );
    // Nothing ran: no run in the audit log.
    let audit = std::fs::read_to_string(audit_file(&dir)).unwrap_or_default();
    assert!(!audit.contains("run_start"), "{audit}");

    let out = codemode(&dir)
        .arg("run")
        .arg(&f)
        .args(["--plan", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let plan: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(plan["calls"][1]["tool"], "delete_issue");
    assert_eq!(
        plan["calls"][1]["flags"],
        serde_json::json!(["destructive"])
    );
    assert_eq!(plan["calls"][2]["tool"], Value::Null);
    assert_eq!(plan["calls"][2]["flags"], serde_json::json!(["dynamic"]));
}

#[test]
fn plan_of_a_broken_script_is_a_script_error() {
    let dir = tempfile::tempdir().unwrap();
    codemode(&dir)
        .args(["run", "-", "--plan"])
        .write_stdin("let x = ;")
        .assert()
        .code(6)
        .stderr(predicate::str::contains("1 | let x = ;"));
}
