//! `codemode run` end to end against the embedded demo server: output and exit codes.

use crate::cmd;
use cmd::*;
use predicates::prelude::*;
use serde_json::Value;

#[test]
fn prints_then_the_result_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let f = script(
        &dir,
        "ok.rhai",
        "print(\"step 1\");\nlet r = demo::calculate(#{ op: \"multiply\", a: 6, b: 7 });\nprint(\"step 2\");\n#{ answer: r.result }",
    );
    codemode(&dir)
        .arg("run")
        .arg(&f)
        .assert()
        .code(0)
        .stdout("step 1\nstep 2\n{\n  \"answer\": 42.0\n}\n");
}

#[test]
fn json_flag_prints_one_report_object() {
    let dir = tempfile::tempdir().unwrap();
    let out = codemode(&dir)
        .args(["run", "-", "--json"])
        .write_stdin("print(\"x\"); demo::list_issues().total")
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let report: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(report["prints"], serde_json::json!(["x"]));
    assert!(report["result"].as_i64().unwrap() > 0);
    assert_eq!(report["calls"][0]["tool"], "list_issues");
    assert_eq!(report["error"], Value::Null);
}

#[test]
fn parse_errors_exit_6_with_a_code_frame() {
    let dir = tempfile::tempdir().unwrap();
    let f = script(&dir, "bad.rhai", "let a = 1;\nlet m = { a: 1 };\n");
    codemode(&dir)
        .arg("run")
        .arg(&f)
        .assert()
        .code(6)
        .stderr(predicate::str::contains("2 | let m = { a: 1 };"))
        .stderr(predicate::str::contains("#{ key: value }"));
}

#[test]
fn limits_exit_7_naming_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    codemode(&dir)
        .args(["run", "-", "--max-ops", "5000"])
        .write_stdin("let i = 0; loop { i += 1; }")
        .assert()
        .code(7)
        .stderr(predicate::str::contains("max_operations"));
    codemode(&dir)
        .args(["run", "-", "--timeout", "300ms"])
        .write_stdin("demo::wait(#{ ms: 60000 })")
        .assert()
        .code(7)
        .stderr(predicate::str::contains("timeout"));
}

#[test]
fn deeply_nested_closures_end_as_a_limit_not_an_abort() {
    let dir = tempfile::tempdir().unwrap();
    // Each closure captures the previous one; the chain grows until the memory limit. Its
    // recursive drop used to overflow the script thread's stack: SIGABRT, exit 134.
    codemode(&dir)
        .args(["run", "-", "--max-ops", "1000000000"])
        .args(["--limit", "max_memory=64000000"])
        .write_stdin("let f = || 1;\nloop { let g = f; f = || g.call(); }")
        .assert()
        .code(7)
        .stderr(predicate::str::contains("limit `max_memory` reached"));
    // A chain that fits in memory is dropped at the end of a run that succeeds.
    codemode(&dir)
        .args(["run", "-"])
        .write_stdin("let f = || 1;\nfor i in 0..60000 { let g = f; f = || g.call(); }\n7")
        .assert()
        .code(0)
        .stdout("7\n");
}

#[test]
fn any_limit_can_be_set_by_key() {
    let dir = tempfile::tempdir().unwrap();
    codemode(&dir)
        .args(["run", "-", "--limit", "max_array_size=10"])
        .write_stdin("let a = []; for i in 0..20 { a.push(i); } a")
        .assert()
        .code(7)
        .stderr(predicate::str::contains("max_array_size"));
    codemode(&dir)
        .args(["run", "-", "--limit", "max_arrray_size=10"])
        .write_stdin("1")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("max_arrray_size"));
}

#[test]
fn destructive_tools_need_allow() {
    let dir = tempfile::tempdir().unwrap();
    let src = "demo::delete_issue(#{ id: 1 }); \"done\"";
    codemode(&dir)
        .args(["run", "-"])
        .write_stdin(src)
        .assert()
        .code(6)
        .stderr(predicate::str::contains("--allow demo::delete_issue"));
    codemode(&dir)
        .args(["run", "-", "--allow", "demo::delete_issue"])
        .write_stdin(src)
        .assert()
        .code(0)
        .stdout("\"done\"\n");
}

#[test]
fn patterns_that_can_never_match_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    for (flag, pattern, why) in [
        ("--deny", " demo::delete_issue", "spaces around it"),
        ("--deny", "Demo::delete_issue", "did you mean `demo`"),
        ("--deny", "demo::", "names no tool"),
        ("--deny", "::", "names no server"),
        ("--allow", "demo::get_issue,demo::delete_issue", "is a list"),
        ("--allow", "demo::delete*issue", "`*` before its end"),
        ("--approve", "demo ::delete_issue", "did you mean `demo`"),
        ("--approve", "demo::delete issue", "contains a space"),
    ] {
        codemode(&dir)
            .args(["run", "-", flag, pattern])
            .write_stdin("1")
            .assert()
            .code(2)
            .stderr(predicate::str::contains(format!(
                "{flag} `{pattern}` can never match"
            )))
            .stderr(predicate::str::contains(why));
    }
    // The same slip in the config's [policy] is a config error naming the file.
    std::fs::write(
        dir.path().join("codemode.toml"),
        format!(
            "[servers.demo]\ncommand = {:?}\nargs = [\"demo-server\"]\n[policy]\nask = [\"Demo::wait\"]\n",
            env!("CARGO_BIN_EXE_codemode")
        ),
    )
    .unwrap();
    codemode(&dir)
        .args(["run", "-"])
        .write_stdin("1")
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "codemode.toml:5:1: `Demo::wait` can never match",
        ))
        .stderr(predicate::str::contains("(field `policy.ask`)"));
}

#[test]
fn deny_refuses_tools_even_when_allowed() {
    let dir = tempfile::tempdir().unwrap();
    codemode(&dir)
        .args([
            "run",
            "-",
            "--deny",
            "demo::calc*",
            "--allow",
            "demo::calculate",
        ])
        .write_stdin("demo::calculate(#{ a: 1, b: 1 })")
        .assert()
        .code(6)
        .stderr(predicate::str::contains("denied by policy"));
    codemode(&dir)
        .args(["run", "-", "--deny", "calculate"])
        .write_stdin("1")
        .assert()
        .code(2);
}

#[test]
fn result_schema_is_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let schema = script(
        &dir,
        "schema.json",
        r#"{"type": "object", "required": ["total"]}"#,
    );
    codemode(&dir)
        .args(["run", "-", "--result-schema"])
        .arg(&schema)
        .write_stdin("#{ count: 1 }")
        .assert()
        .code(6)
        .stderr(predicate::str::contains("total"));
    let bad = script(&dir, "bad.json", r#"{"type": 12}"#);
    codemode(&dir)
        .args(["run", "-", "--result-schema"])
        .arg(&bad)
        .write_stdin("1")
        .assert()
        .code(2);
}

#[test]
fn missing_file_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    codemode(&dir)
        .args(["run", "nope.rhai"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nope.rhai"));
}

#[test]
fn ctrl_c_cancels_the_run_with_130() {
    use std::io::BufRead;
    use std::process::Stdio;
    let dir = tempfile::tempdir().unwrap();
    let f = script(
        &dir,
        "slow.rhai",
        "print(\"started\");\ndemo::wait(#{ ms: 60000 });\nsleep(60000);",
    );
    let cmd = codemode(&dir);
    let mut child = std::process::Command::new(cmd.get_program())
        .arg("run")
        .arg(&f)
        .current_dir(dir.path())
        .envs(cmd.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "started");
    // SAFETY: sending SIGINT to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
}
