//! Text samples through the binary (issue #21): a tool's text result is kept from its first
//! call (in a private file beside the pins) and shown by `codemode docs`; `--probe` calls the
//! read-only tools within the policy and audits each call. Against the demo server (its
//! `add_comment` answers JSON text); `docs_tasks` covers the real servers.

use predicates::prelude::*;
use serde_json::Value;

use crate::cmd::{audit_file, codemode};

#[test]
fn a_text_result_is_kept_from_the_first_call_and_shown_in_the_docs() {
    let dir = tempfile::tempdir().unwrap();
    codemode(&dir)
        .args(["run", "-"])
        .write_stdin(r#"demo::add_comment(#{ issue_id: 1, text: "looks good" })"#)
        .assert()
        .success();
    let file = dir.path().join("state/codemode/samples.json");
    let mode =
        std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&file).unwrap().permissions());
    assert_eq!(mode & 0o777, 0o600);
    codemode(&dir)
        .args(["docs", "--format", "prompt"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "demo::add_comment(#{ issue_id: int, text: string }) -> string\n  Append a comment to an issue.\n  - issue_id: >= 1; Issue number.\n  - text: 1..5000 chars; The comment.\n  → JSON (parse_json): { \"issue_id\": 1, \"comments\": 1 }\n",
        ))
        .stdout(predicate::str::contains("parse_repr(text) -> value"));
    codemode(&dir)
        .args(["docs", "--tool", "add_comment"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "**Text result**, recorded from a real call (JSON text: read it with `parse_json`):\n\n```text\n{\n  \"issue_id\": 1,\n  \"comments\": 1\n}\n```",
        ));
    let out = codemode(&dir)
        .args(["docs", "--format", "json", "--tool", "add_comment"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let sample = &v["servers"][0]["tools"][0]["sample"];
    assert_eq!(sample["format"], "json");
    assert_eq!(sample["definition"].as_str().unwrap().len(), 64);
    // A later call (of another issue) keeps the first sample.
    codemode(&dir)
        .args(["call", "demo", "add_comment", "--args"])
        .arg(r#"{"issue_id": 2, "text": "again"}"#)
        .assert()
        .success();
    let kept: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert!(
        kept["servers"]["demo"]["add_comment"]["text"]
            .as_str()
            .unwrap()
            .contains("\"issue_id\": 1"),
        "{kept}"
    );
}

#[test]
fn probe_calls_read_only_tools_within_the_policy_and_audits_each_call() {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[servers.demo]\ncommand = \"{}\"\nargs = [\"demo-server\"]\n\n[policy.servers.demo]\ndeny = [\"wait\"]\n",
        env!("CARGO_BIN_EXE_codemode").replace('\\', "\\\\")
    );
    std::fs::write(dir.path().join("codemode.toml"), toml).unwrap();
    let out = codemode(&dir)
        .args(["docs", "--probe", "--format", "prompt"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The demo's read-only tools answer structured content: called, nothing to keep.
    assert!(
        stderr.contains("probe demo::calculate: no text sample"),
        "{stderr}"
    );
    assert!(
        stderr.contains("probe demo::list_issues: no text sample"),
        "{stderr}"
    );
    assert!(
        stderr.contains("probe demo::wait: not called: "),
        "{stderr}"
    );
    // Tools that are not read-only are never probed.
    assert!(!stderr.contains("demo::add_comment"), "{stderr}");
    assert!(!stderr.contains("demo::delete_issue"), "{stderr}");
    let audit = std::fs::read_to_string(audit_file(&dir)).unwrap();
    let called: Vec<String> = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["type"] == "direct_call")
        .map(|r| r["tool"].as_str().unwrap().to_string())
        .collect();
    assert!(called.contains(&"calculate".to_string()), "{called:?}");
    assert!(!called.contains(&"wait".to_string()), "{called:?}");
    assert!(!called.contains(&"add_comment".to_string()), "{called:?}");
}
