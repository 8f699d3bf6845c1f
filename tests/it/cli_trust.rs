//! `codemode run --plan`, approvals, the output budget, record/replay and dry runs, through
//! the binary against the embedded demo server.

use crate::cmd;
use cmd::*;
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

/// A script printing 100 000 lines and returning a 10 MB result.
const FLOOD: &str =
    "for i in 0..100000 { print(`line ${i}`); }\nlet a = [];\na.pad(1000000, \"0123456789\");\na";
const FLOOD_LIMITS: [&str; 6] = [
    "--limit",
    "max_array_size=2000000",
    "--limit",
    "max_string_size=67108864",
    "--limit",
    "max_output_bytes=67108864",
];

#[test]
fn the_output_budget_bounds_prints_and_result_together() {
    let dir = tempfile::tempdir().unwrap();
    let out = codemode(&dir)
        .args(["run", "-"])
        .args(FLOOD_LIMITS)
        .write_stdin(FLOOD)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let tokens = codemode::catalog::tokens::count(&text);
    assert!(tokens <= 10_000, "{tokens} tokens");
    assert!(tokens > 5_000, "the budget is used: {tokens} tokens");
    assert!(text.starts_with("line 0\nline 1\n"), "{}", &text[..40]);
    assert!(
        text.ends_with("  \"0123456789\"\n]\n"),
        "{}",
        &text[text.len() - 40..]
    );
    assert_eq!(text.matches("[output budget 10000 tokens: ").count(), 1);
    // Set the budget by key, like every limit.
    let out = codemode(&dir)
        .args(["run", "-", "--limit", "max_output_tokens=500"])
        .write_stdin("for i in 0..1000 { print(`line ${i}`); }\n42")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(codemode::catalog::tokens::count(&text) <= 500, "{text}");
    assert!(text.contains("[output budget 500 tokens: "), "{text}");
    assert!(text.ends_with("line 999\n42\n"), "{text}");
}

#[test]
fn the_json_report_stays_within_the_budget() {
    let dir = tempfile::tempdir().unwrap();
    let out = codemode(&dir)
        .args(["run", "-", "--json"])
        .args(FLOOD_LIMITS)
        .write_stdin(FLOOD)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(codemode::catalog::tokens::count(&text) <= 10_000);
    let report: Value = serde_json::from_str(&text).unwrap();
    let output = report["output"].as_str().unwrap();
    assert!(output.starts_with("line 0\n"));
    assert_eq!(output.matches("[output budget 10000 tokens: ").count(), 1);
    assert!(report["cut"]["lines"].as_u64().unwrap() > 1_000_000);
    assert_eq!(report["error"], Value::Null);
}

#[test]
fn approve_lets_one_destructive_tool_through() {
    let dir = tempfile::tempdir().unwrap();
    let src = "let r = (); try { demo::delete_issue(#{ id: 2 }); r = \"deleted\"; } catch (e) { r = e.kind + \": \" + e.message; } r";
    let out = codemode(&dir)
        .args(["run", "-"])
        .write_stdin(src)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains("policy: demo::delete_issue needs approval (destructive)")
            && text.contains("--approve demo::delete_issue"),
        "{text}"
    );
    codemode(&dir)
        .args(["run", "-", "--approve", "demo::delete_*"])
        .write_stdin(src)
        .assert()
        .code(0)
        .stdout("\"deleted\"\n");
}

/// A config with the demo server over stdio, its tool list changed by `--fault`.
fn demo_config(dir: &tempfile::TempDir, faults: &[&str]) {
    let mut args = vec!["\"demo-server\"".to_string()];
    for f in faults {
        args.push("\"--fault\"".into());
        args.push(format!("\"{f}\""));
    }
    let toml = format!(
        "[servers.demo]\ncommand = \"{}\"\nargs = [{}]\n",
        env!("CARGO_BIN_EXE_codemode"),
        args.join(", ")
    );
    std::fs::write(dir.path().join("codemode.toml"), toml).unwrap();
}

#[test]
fn a_changed_definition_is_refused_until_approved_again() {
    let dir = tempfile::tempdir().unwrap();
    demo_config(&dir, &[]);
    let src = "demo::list_issues().total";
    codemode(&dir)
        .args(["run", "-"])
        .write_stdin(src)
        .assert()
        .code(0)
        .stdout("3\n");
    let pins: Value =
        serde_json::from_str(&std::fs::read_to_string(pins_file(&dir)).unwrap()).unwrap();
    assert!(pins["servers"]["demo"]["list_issues"].is_string(), "{pins}");
    // The server now describes list_issues differently: a rug pull.
    demo_config(&dir, &["rug-pull=list_issues"]);
    codemode(&dir)
        .args(["run", "-"])
        .write_stdin(src)
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "demo::list_issues needs approval (definition changed since approved)",
        ));
    codemode(&dir)
        .args(["lint", "--server", "demo"])
        .assert()
        .stdout(predicate::str::contains("definition-changed"));
    codemode(&dir)
        .args(["run", "-", "--approve", "demo::list_issues"])
        .write_stdin(src)
        .assert()
        .code(0);
    codemode(&dir)
        .args(["run", "-"])
        .write_stdin(src)
        .assert()
        .code(0);
}

fn pins_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("state/codemode/pins.json")
}

#[test]
fn record_keeps_full_results_in_the_audit_log() {
    let dir = tempfile::tempdir().unwrap();
    let src = "demo::get_issue(#{ id: 1 }).title";
    codemode(&dir)
        .args(["run", "-"])
        .write_stdin(src)
        .assert()
        .code(0);
    codemode(&dir)
        .args(["run", "-", "--record"])
        .write_stdin(src)
        .assert()
        .code(0);
    let calls: Vec<Value> = std::fs::read_to_string(audit_file(&dir))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["type"] == "call")
        .collect();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[0].get("result"),
        None,
        "not recorded without --record"
    );
    let result = &calls[1]["result"];
    assert_eq!(result["structuredContent"]["id"], 1, "{result}");
    assert_eq!(result["isError"], false);
}

#[test]
fn replay_reproduces_a_recorded_run_and_reports_divergence() {
    let dir = tempfile::tempdir().unwrap();
    let src = "let i = demo::get_issue(#{ id: 1 });\nlet c = demo::calculate(#{ op: \"add\", a: 40, b: 2 });\n#{ title: i.title, sum: c.result }";
    let out = codemode(&dir)
        .args(["run", "-", "--record", "--json"])
        .write_stdin(src)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let recorded: Value = serde_json::from_slice(&out).unwrap();
    let id = &recorded["run_id"].as_str().unwrap()[..8];
    let out = codemode(&dir)
        .args(["run", "-", "--json", "--replay", id])
        .write_stdin(src)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let replayed: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(replayed["result"], recorded["result"]);
    // The script changed: the first call now has other arguments.
    codemode(&dir)
        .args(["run", "-", "--replay", id])
        .write_stdin(src.replace("id: 1", "id: 2"))
        .assert()
        .code(6)
        .stderr(predicate::str::contains(
            "replay: diverged at call 0: demo::get_issue {\"id\":2} (recorded: demo::get_issue {\"id\":1})",
        ));
    // A run recorded without --record cannot be replayed.
    let out = codemode(&dir)
        .args(["run", "-", "--json"])
        .write_stdin(src)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let plain: Value = serde_json::from_slice(&out).unwrap();
    codemode(&dir)
        .args(["run", "-", "--replay", plain["run_id"].as_str().unwrap()])
        .write_stdin(src)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("run it with --record"));
}

#[test]
fn dry_run_calls_nothing_and_needs_no_approval() {
    let dir = tempfile::tempdir().unwrap();
    codemode(&dir)
        .args(["run", "-", "--dry-run"])
        .write_stdin("demo::delete_issue(#{ id: 1 })")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("dry run"));
    codemode(&dir)
        .args(["run", "-", "--dry-run", "--plan"])
        .write_stdin("1")
        .assert()
        .code(2);
}

#[test]
fn dry_run_answers_recorded_calls_with_the_recorded_result() {
    let dir = tempfile::tempdir().unwrap();
    let src = "let t = demo::get_issue(#{ id: 2 }).title; demo::delete_issue(#{ id: 2 }); t";
    let before = codemode(&dir)
        .args(["run", "-", "--dry-run"])
        .write_stdin(src)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    codemode(&dir)
        .args(["run", "-", "--record"])
        .write_stdin("demo::get_issue(#{ id: 2 }).title")
        .assert()
        .code(0)
        .stdout("\"Add dark mode to settings\"\n");
    assert_ne!(before, b"\"Add dark mode to settings\"\n");
    // Now the dry run answers get_issue as recorded; delete_issue is still not called.
    codemode(&dir)
        .args(["run", "-", "--dry-run"])
        .write_stdin(src)
        .assert()
        .code(0)
        .stdout("\"Add dark mode to settings\"\n");
}

#[test]
fn run_warns_about_tools_changed_since_the_script_was_saved() {
    use codemode::script::{ServerTools, tool_hashes};
    let dir = tempfile::tempdir().unwrap();
    demo_config(&dir, &[]);
    // The header as the workbench saves it, from the definitions the server has now.
    let out = codemode(&dir)
        .args(["tools", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let tools: Vec<Value> = serde_json::from_slice(&out).unwrap();
    let defs = tools
        .into_iter()
        .map(|mut t| {
            t.as_object_mut().unwrap().remove("server");
            serde_json::from_value(t).unwrap()
        })
        .collect();
    let servers = [ServerTools {
        name: "demo".into(),
        tools: std::sync::Arc::new(defs),
    }];
    let saved = tool_hashes::with_header("demo::list_issues().total\n", &servers);
    assert!(
        saved.starts_with("// codemode-tools: demo::list_issues="),
        "{saved}"
    );
    let file = script(&dir, "saved.rhai", &saved);
    codemode(&dir)
        .arg("run")
        .arg(&file)
        .assert()
        .code(0)
        .stdout("3\n")
        .stderr(predicate::str::contains("changed since").not());
    // The server now describes list_issues differently.
    demo_config(&dir, &["rug-pull=list_issues"]);
    codemode(&dir)
        .args(["run", "--approve", "demo::list_issues"])
        .arg(&file)
        .assert()
        .code(0)
        .stdout("3\n")
        .stderr(predicate::str::contains(
            "warning: demo::list_issues changed since this script was saved (definition hash ",
        ));
}
