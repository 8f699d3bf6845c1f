//! `codemode docs` and `codemode lint` as a user runs them: the real binary against the
//! embedded demo server, in a temp working directory with no user config.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn cmd(dir: &tempfile::TempDir) -> Command {
    let d = dir.path();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_codemode"));
    cmd.current_dir(d)
        .env("HOME", d)
        .env("XDG_CONFIG_HOME", d.join("config"))
        .env("XDG_STATE_HOME", d.join("state"))
        .env_remove("CODEMODE_LOG_FILE");
    cmd
}

#[test]
fn docs_markdown_prompt_and_json() {
    let dir = tempfile::tempdir().unwrap();
    cmd(&dir)
        .args(["docs", "--tool", "get_issue"])
        .assert()
        .success()
        .stdout(predicate::str::contains("## Rhai primer"))
        .stdout(predicate::str::contains("### `demo::get_issue`"))
        .stdout(predicate::str::contains("demo::create_issue").not());
    cmd(&dir)
        .args(["docs", "--format", "prompt"])
        .assert()
        .success()
        .stdout(predicate::str::contains("Type Issue = #{ id: int,"))
        .stdout(predicate::str::contains(
            "demo::get_issue(#{ id: int }) -> Issue\n",
        ));
    let out = cmd(&dir)
        .args(["docs", "--format", "json", "--server", "demo"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let tools = v["servers"][0]["tools"].as_array().unwrap();
    assert_eq!(tools.len(), 9);
    assert_eq!(tools[0]["function"], "calculate");
    assert_eq!(tools[0]["input"]["ty"]["kind"], "object");
}

#[test]
fn docs_unknown_tool_suggests_a_name() {
    let dir = tempfile::tempdir().unwrap();
    cmd(&dir)
        .args(["docs", "--tool", "get_isue"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `get_issue`?"));
}

#[test]
fn docs_search_and_stats() {
    let dir = tempfile::tempdir().unwrap();
    cmd(&dir)
        .args(["docs", "--search", "delete issue"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("demo::delete_issue"));
    cmd(&dir)
        .args(["docs", "--stats"])
        .assert()
        .success()
        .stdout(predicate::str::is_match(r"(?m)^demo\s+9\s+\d+\s+\d+\s+\d+\s+\d+$").unwrap())
        .stdout(predicate::str::contains("Tokens counted with o200k_base."));
}

#[test]
fn lint_scores_and_pins() {
    let dir = tempfile::tempdir().unwrap();
    let out = cmd(&dir).args(["lint", "--json"]).output().unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["server"], "demo");
    let score = v[0]["score"].as_u64().unwrap();
    assert!(
        (90..100).contains(&score),
        "the demo has a few findings: {score}"
    );
    cmd(&dir)
        .args(["lint", "--fail-under", &score.to_string()])
        .assert()
        .success();
    cmd(&dir)
        .args(["lint", "--fail-under", "100"])
        .assert()
        .code(8)
        .stderr(predicate::str::contains(format!(
            "below --fail-under 100: demo ({score})"
        )));
    let pins = dir.path().join("state/codemode/pins.json");
    assert!(!pins.exists());
    cmd(&dir)
        .args(["lint", "--pin"])
        .assert()
        .success()
        .stderr(predicate::str::contains("pinned 9 tools of 1 servers"));
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&pins).unwrap()).unwrap();
    assert_eq!(saved["servers"]["demo"].as_object().unwrap().len(), 9);
    // Tamper with one pin: the tool now reads as changed.
    let text = std::fs::read_to_string(&pins).unwrap();
    let hash = saved["servers"]["demo"]["calculate"].as_str().unwrap();
    std::fs::write(&pins, text.replace(hash, &"0".repeat(64))).unwrap();
    cmd(&dir)
        .arg("lint")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "error   definition-changed: the definition changed since it was pinned",
        ));
}

#[test]
fn docs_primer_shows_the_configured_limits_and_workflows() {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[servers.demo]\ncommand = \"{}\"\nargs = [\"demo-server\"]\n\n[limits]\nmax_tool_calls = 7\ntimeout = \"5s\"\n",
        env!("CARGO_BIN_EXE_codemode").replace('\\', "\\\\")
    );
    let path = dir.path().join("codemode.toml");
    std::fs::write(&path, toml).unwrap();
    cmd(&dir)
        .args(["docs", "--config"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("`max_tool_calls` 7, "))
        .stdout(predicate::str::contains("`timeout` 5s"))
        .stdout(predicate::str::contains("### Sample workflows"))
        .stdout(predicate::str::contains("```rhai\n// try/catch"));
    std::fs::write(&path, "[limits]\nmax_tool_cals = 7\n").unwrap();
    cmd(&dir)
        .args(["docs", "--config"])
        .arg(&path)
        .assert()
        .failure()
        .stderr(predicate::str::contains("max_tool_cals"));
}
