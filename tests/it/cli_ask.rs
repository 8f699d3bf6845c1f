//! `codemode ask` end to end: the real binary, the demo server over stdio as the MCP side, and
//! a loopback stub standing in for the model API (OpenAI-style and Anthropic-style, streamed).
//! The stub answers a broken script first and a fixed one second.

use crate::cmd;
use crate::llm_stub;

use cmd::codemode;
use llm_stub::{Dialect, INPUT_TOKENS, OUTPUT_TOKENS, Reply, Stub};
use predicates::prelude::*;
use serde_json::{Value, json};

const KEY_VAR: &str = "CODEMODE_TEST_LLM_KEY";
const KEY: &str = "sk-test-8f3kq2LLMSECRETzz91";

const BROKEN: &str = "Here is the script:\n```rhai\nlet r = demo::calculate(#{ op: \"multiply\", a: 6, b: 7 });\nlet m = { answer: r.result };\nm\n```\n";
const FIXED: &str = "Fixed:\n```rhai\nlet r = demo::calculate(#{ op: \"multiply\", a: 6, b: 7 });\nprint(\"got it\");\n#{ answer: r.result }\n```";

/// A temp dir with a codemode.toml: the demo server (this build's binary over stdio), the
/// `[llm]` table pointing at `stub`, and the audit log in the dir.
fn setup(provider: &str, stub: &Stub) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let toml = format!(
        "[servers.demo]\ncommand = {bin:?}\nargs = [\"demo-server\"]\n\n[llm]\nprovider = {provider:?}\nbase_url = {url:?}\nmodel = \"stub-model\"\napi_key_env = \"{KEY_VAR}\"\n\n[audit]\npath = {audit:?}\n",
        bin = env!("CARGO_BIN_EXE_codemode"),
        url = stub.base_url,
        audit = dir.path().join("audit.jsonl").display().to_string(),
    );
    std::fs::write(dir.path().join("codemode.toml"), toml).unwrap();
    dir
}

fn ask(dir: &tempfile::TempDir, args: &[&str]) -> assert_cmd::assert::Assert {
    codemode(dir)
        .env(KEY_VAR, KEY)
        .env("CODEMODE_LOG", "debug")
        .arg("ask")
        .args(args)
        .assert()
}

/// The API key appears in no output, log or audit record.
fn assert_key_nowhere(dir: &tempfile::TempDir, out: &std::process::Output) {
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stdout.contains(KEY), "key in stdout: {stdout}");
    assert!(!stderr.contains(KEY), "key in stderr: {stderr}");
    let log = std::fs::read_to_string(dir.path().join("state/codemode/codemode.log"))
        .expect("the log file exists");
    assert!(
        log.contains("llm request"),
        "debug log has the request: {log}"
    );
    assert!(!log.contains(KEY), "key in the log: {log}");
    if let Ok(audit) = std::fs::read_to_string(dir.path().join("audit.jsonl")) {
        assert!(!audit.contains(KEY), "key in the audit log");
    }
}

fn audit(dir: &tempfile::TempDir) -> Vec<Value> {
    std::fs::read_to_string(dir.path().join("audit.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The second request carries the parse error of the first script with its line, column and
/// offending line.
fn assert_repair_request(stub: &Stub) {
    let got = stub.received();
    assert_eq!(got.len(), 2, "one request per attempt");
    let last = got[1].messages().last().cloned().unwrap();
    assert_eq!(last["role"], "user");
    let feedback = last["content"].as_str().unwrap();
    assert!(feedback.contains("--> line 2, column"), "{feedback}");
    assert!(
        feedback.contains("2 | let m = { answer: r.result };"),
        "{feedback}"
    );
    // The model's broken reply is in the conversation before the feedback.
    let msgs = got[1].messages();
    assert_eq!(msgs[msgs.len() - 2]["role"], "assistant");
    assert!(
        msgs[msgs.len() - 2]["content"]
            .as_str()
            .unwrap()
            .contains("let m = {")
    );
}

#[test]
fn openai_style_broken_then_fixed_script_runs_after_one_repair() {
    let stub = Stub::start(
        Dialect::OpenAi,
        vec![Reply::Text(BROKEN.into()), Reply::Text(FIXED.into())],
    );
    let dir = setup("openai", &stub);
    let out = ask(&dir, &["multiply 6 by 7", "--max-repairs", "2"])
        .code(0)
        .stdout(predicate::str::contains("1. Expecting ';' to terminate"))
        .stdout(predicate::str::contains("at line 2, column"))
        .stdout(predicate::str::contains("2. ok"))
        .stdout(predicate::str::contains(format!(
            "model reported {INPUT_TOKENS} in / {OUTPUT_TOKENS} out"
        )))
        .stdout(predicate::str::contains("Script:\nlet r = demo::calculate"))
        .stdout(predicate::str::contains("Printed:\ngot it\n"))
        .stdout(predicate::str::ends_with(
            "Result:\n{\n  \"answer\": 42.0\n}\n",
        ))
        .get_output()
        .clone();
    assert_repair_request(&stub);
    let first = &stub.received()[0];
    assert_eq!(first.request_line, "POST /v1/chat/completions HTTP/1.1");
    assert_eq!(
        first.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(first.body["model"], "stub-model");
    assert_eq!(first.body["stream"], true);
    let system = first.body["messages"][0]["content"].as_str().unwrap();
    assert!(system.contains("# Rhai scripting"), "the primer: {system}");
    assert!(
        system.contains("demo::calculate("),
        "the tool docs: {system}"
    );
    assert_eq!(
        first.body["messages"][1]["content"],
        "Task: multiply 6 by 7"
    );
    assert_key_nowhere(&dir, &out);
    // Every attempt is audited with prompt size and usage, next to its run's records.
    let records = audit(&dir);
    let attempts: Vec<&Value> = records
        .iter()
        .filter(|r| r["type"] == "ask_attempt")
        .collect();
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0]["status"], "error");
    assert_eq!(attempts[1]["status"], "ok");
    for a in &attempts {
        assert!(a["prompt_tokens"].as_u64().unwrap() > 100, "{a}");
        assert_eq!(
            a["usage"],
            json!({"input_tokens": INPUT_TOKENS, "output_tokens": OUTPUT_TOKENS})
        );
        assert_eq!(a["model"], "stub-model");
        let run_end = records
            .iter()
            .find(|r| r["type"] == "run_end" && r["run_id"] == a["run_id"])
            .expect("the attempt's run is in the log");
        assert_eq!(run_end["status"], a["status"]);
    }
    assert!(
        attempts[1]["prompt_tokens"].as_u64() > attempts[0]["prompt_tokens"].as_u64(),
        "the repair prompt is longer"
    );
}

#[test]
fn anthropic_style_json_output_lists_the_attempts() {
    let stub = Stub::start(
        Dialect::Anthropic,
        vec![Reply::Text(BROKEN.into()), Reply::Text(FIXED.into())],
    );
    let dir = setup("anthropic", &stub);
    let out = ask(&dir, &["multiply 6 by 7", "--json"])
        .code(0)
        .get_output()
        .clone();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ok"], true);
    assert_eq!(v["provider"], "anthropic");
    assert_eq!(v["result"], json!({"answer": 42.0}));
    assert!(
        v["script"]
            .as_str()
            .unwrap()
            .contains("#{ answer: r.result }")
    );
    let attempts = v["attempts"].as_array().unwrap();
    assert_eq!(attempts.len(), 2);
    assert!(
        attempts[0]["error"]
            .as_str()
            .unwrap()
            .contains("--> line 2, column")
    );
    assert_eq!(attempts[0]["report"]["error"]["line"], 2);
    assert_eq!(attempts[1]["report"]["prints"], json!(["got it"]));
    assert_eq!(attempts[1]["usage"]["input_tokens"], INPUT_TOKENS);
    assert_eq!(attempts[1]["usage"]["output_tokens"], OUTPUT_TOKENS);
    assert_repair_request(&stub);
    let first = &stub.received()[0];
    assert_eq!(first.request_line, "POST /v1/messages HTTP/1.1");
    assert_eq!(first.header("x-api-key"), Some(KEY));
    assert!(first.header("anthropic-version").is_some());
    assert!(
        first.body["system"]
            .as_str()
            .unwrap()
            .contains("demo::calculate(")
    );
    assert_key_nowhere(&dir, &out);
}

#[test]
fn a_search_request_is_answered_with_docs_then_the_script_runs() {
    let stub = Stub::start(
        Dialect::OpenAi,
        vec![
            Reply::Text("search: calculator multiply".into()),
            Reply::Text(FIXED.into()),
        ],
    );
    let dir = setup("openai", &stub);
    ask(&dir, &["multiply 6 by 7", "--max-repairs", "0"])
        .code(0)
        .stdout(predicate::str::contains("searched: calculator multiply"));
    let got = stub.received();
    assert_eq!(got.len(), 2);
    let answer = got[1].messages().last().cloned().unwrap();
    let answer = answer["content"].as_str().unwrap();
    assert!(
        answer.starts_with("Tools matching \"calculator multiply\""),
        "{answer}"
    );
    assert!(answer.contains("demo::calculate("), "{answer}");
}

#[test]
fn repairs_run_out_with_exit_6_and_the_last_error() {
    let stub = Stub::start(Dialect::OpenAi, vec![Reply::Text(BROKEN.into())]);
    let dir = setup("openai", &stub);
    ask(&dir, &["multiply 6 by 7", "--max-repairs", "1"])
        .code(6)
        .stdout(predicate::str::contains("2. Expecting ';' to terminate"))
        .stderr(predicate::str::contains(
            "2 | let m = { answer: r.result };",
        ));
    assert_eq!(stub.received().len(), 2);
}

#[test]
fn an_api_error_exits_5_with_the_key_redacted() {
    let stub = Stub::start(
        Dialect::OpenAi,
        vec![Reply::Error(
            401,
            json!({"error": {"message": format!("Incorrect API key provided: {KEY}"),
                "type": "invalid_request_error"}}),
        )],
    );
    let dir = setup("openai", &stub);
    let out = ask(&dir, &["anything"])
        .code(5)
        .stderr(predicate::str::contains("401"))
        .stderr(predicate::str::contains(
            "Incorrect API key provided: «redacted»",
        ))
        .get_output()
        .clone();
    assert_key_nowhere(&dir, &out);
}

#[test]
fn without_an_llm_table_ask_says_how_to_configure_one() {
    let dir = tempfile::tempdir().unwrap();
    codemode(&dir)
        .args(["ask", "anything"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("no model is configured"))
        .stderr(predicate::str::contains("[llm]"))
        .stderr(predicate::str::contains("README"));
    // Nothing else breaks: `run` still works with the same (missing) config.
    codemode(&dir)
        .args(["run", "-"])
        .write_stdin("1 + 1")
        .assert()
        .code(0);
}

#[test]
fn an_unset_key_variable_is_a_config_error_naming_it() {
    let stub = Stub::start(Dialect::OpenAi, vec![Reply::Text(FIXED.into())]);
    let dir = setup("openai", &stub);
    codemode(&dir)
        .env_remove(KEY_VAR)
        .args(["ask", "anything"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(KEY_VAR));
    assert!(stub.received().is_empty());
}
