//! `codemode serve` driven by a client nobody here wrote: the official Python SDK (`mcp` on
//! `PyPI`, installed by `scripts/test`), over stdio and over streamable HTTP, against real
//! third-party servers (time, memory) and our demo server.
#![cfg(feature = "external-servers")]

use crate::servers;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const BIN: &str = env!("CARGO_BIN_EXE_codemode");

/// A temp dir with a codemode.toml naming `servers` (TOML `[servers.X]` tables) and
/// `extra` (more TOML), and private config/state dirs.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(toml: &str) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("codemode.toml"), toml).unwrap();
        Setup { dir }
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("codemode.toml")
    }

    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    /// The env `codemode serve` runs with: private XDG dirs.
    fn env(&self) -> Vec<(String, String)> {
        vec![
            ("XDG_STATE_HOME".into(), self.state().display().to_string()),
            (
                "XDG_CONFIG_HOME".into(),
                self.dir.path().join("config").display().to_string(),
            ),
            ("HOME".into(), self.dir.path().display().to_string()),
            ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ]
    }

    /// Every audit record so far.
    fn audit(&self) -> Vec<Value> {
        let path = self.state().join("codemode/audit.jsonl");
        std::fs::read_to_string(path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

/// TOML for a stdio server.
fn server_toml(name: &str, argv: &[String], env: &[(&str, String)]) -> String {
    let mut t = format!(
        "[servers.{name}]\ncommand = {}\nargs = {}\n",
        json!(argv[0]),
        json!(argv[1..])
    );
    if !env.is_empty() {
        t.push_str(&format!("[servers.{name}.env]\n"));
        for (k, v) in env {
            t.push_str(&format!("{k} = {}\n", json!(v)));
        }
    }
    t
}

fn demo_toml() -> String {
    server_toml("demo", &[BIN.to_string(), "demo-server".into()], &[])
}

/// Runs the Python SDK driver (`tests/fixtures/mcp_client.py`) with `plan`; returns its output.
fn drive(plan: Value) -> Value {
    let python = servers::python_bin("python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mcp_client.py");
    let out = Command::new(python)
        .arg(script)
        .arg(plan.to_string())
        .output()
        .expect("run the Python MCP client");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python client failed ({}):\nstdout: {stdout}\nstderr: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

/// The driven client's user was asked exactly once, a question containing `needle`.
fn asked_once(out: &Value, needle: &str) {
    let asked = out["elicitations"].as_array().unwrap();
    assert_eq!(asked.len(), 1, "{out}");
    assert!(asked[0].as_str().unwrap().contains(needle), "{out}");
}

fn stdio_server(setup: &Setup, args: &[&str]) -> Value {
    let mut argv = vec![
        "--config".to_string(),
        setup.config().display().to_string(),
        "serve".into(),
    ];
    argv.extend(args.iter().map(std::string::ToString::to_string));
    let env: serde_json::Map<String, Value> = setup
        .env()
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    json!({ "command": BIN, "args": argv, "env": env })
}

fn text_of(result: &Value) -> String {
    result["content"]
        .as_array()
        .map(|blocks| {
            blocks
                .iter()
                .filter_map(|b| b["text"].as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn tool_names(list: &Value) -> Vec<String> {
    list["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

/// The search → docs → failing script → fixed script path every agent takes.
fn agent_steps() -> Vec<Value> {
    vec![
        json!({"op": "list_tools"}),
        json!({"op": "call", "name": "search_tools", "args": {"query": "current time in a timezone"}}),
        json!({"op": "call", "name": "get_docs", "args": {"names": ["time::get_current_time", "memory::create_entities", "memory::read_graph"]}}),
        // What a model fluent in JavaScript writes first.
        json!({"op": "call", "name": "run_script", "args": {"code":
            "let t = time::get_current_time(#{ timezone: \"Europe/Paris\" });\nconst city = { name: \"Paris\" };\nt"}}),
        json!({"op": "call", "name": "run_script", "progress": true, "args": {"code":
            "let t = time::get_current_time(#{ timezone: \"Europe/Paris\" });\n\
             memory::create_entities(#{ entities: [#{ name: \"Paris\", entityType: \"city\", observations: [t.timezone] }] });\n\
             print(`stored ${t.timezone}`);\n\
             let g = memory::read_graph();\n\
             #{ tz: t.timezone, entities: g.entities.len() }"}}),
    ]
}

/// Checks the answers to [`agent_steps`] (at `steps[0..5]`).
fn assert_agent_steps(steps: &[Value]) {
    let names = tool_names(&steps[0]);
    for own in ["search_tools", "get_docs", "run_script"] {
        assert!(names.contains(&own.to_string()), "{names:?}");
    }
    let run = steps[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "run_script")
        .unwrap();
    let desc = run["description"].as_str().unwrap();
    assert!(desc.contains("Rhai") && desc.contains("#{"), "{desc}");

    let search = &steps[1];
    assert_eq!(search["isError"], false, "{search}");
    assert_eq!(
        search["structuredContent"]["hits"][0]["rhai_name"], "time::get_current_time",
        "{search}"
    );

    let docs = text_of(&steps[2]);
    assert!(
        docs.contains("time::get_current_time(#{ timezone: string })"),
        "{docs}"
    );
    assert!(
        docs.contains("memory::create_entities(#{ entities:"),
        "{docs}"
    );
    assert!(
        !docs.contains("memory::delete_entities"),
        "only the asked tools: {docs}"
    );

    let failed = &steps[3];
    assert_eq!(failed["isError"], true, "{failed}");
    let err = &failed["structuredContent"]["error"];
    assert_eq!(err["line"], 2, "{failed}");
    let text = text_of(failed);
    assert!(text.contains("line 2"), "{text}");
    assert!(
        text.contains("const city"),
        "the code frame shows the line: {text}"
    );

    let fixed = &steps[4];
    assert_eq!(fixed["isError"], false, "{fixed}");
    assert_eq!(
        fixed["structuredContent"]["result"],
        json!({"tz": "Europe/Paris", "entities": 1}),
        "{fixed}"
    );
    assert_eq!(
        fixed["structuredContent"]["prints"],
        json!(["stored Europe/Paris"])
    );
    assert_eq!(
        fixed["structuredContent"]["calls"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(text_of(fixed).contains("memory::read_graph"), "{fixed}");
}

fn real_servers_toml(memory_file: &Path) -> String {
    let mut t = server_toml("time", &servers::time().argv(), &[]);
    t.push_str(&server_toml(
        "memory",
        &servers::memory().argv(),
        &[(
            servers::MEMORY_FILE_PATH_ENV,
            memory_file.display().to_string(),
        )],
    ));
    t
}

#[test]
fn stdio_agent_searches_reads_docs_fails_then_fixes_a_script() {
    let memory_dir = tempfile::tempdir().unwrap();
    let memory_file = memory_dir.path().join("memory.jsonl");
    let mut toml = real_servers_toml(&memory_file);
    toml.push_str("[serve]\npassthrough = [\"time::get_current_time\"]\n");
    let setup = Setup::new(&toml);
    let mut steps = agent_steps();
    steps.extend([
        json!({"op": "call", "name": "time__get_current_time", "args": {"timezone": "Asia/Tokyo"}}),
        json!({"op": "list_resources"}),
        json!({"op": "read_resource", "uri": "codemode://docs/memory"}),
    ]);
    let out = drive(json!({ "server": stdio_server(&setup, &[]), "steps": steps }));
    let steps = out["steps"].as_array().unwrap();
    assert_agent_steps(steps);

    let instructions = out["instructions"].as_str().unwrap();
    assert!(instructions.contains("run_script"), "{instructions}");
    assert!(instructions.contains("time (2 tools)"), "{instructions}");
    assert!(tool_names(&steps[0]).contains(&"time__get_current_time".to_string()));

    // Progress followed the script's calls.
    let progress = steps[4]["progress"].as_array().unwrap();
    assert_eq!(progress.len(), 3, "{progress:?}");
    assert!(
        progress[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("time::get_current_time ok"),
        "{progress:?}"
    );

    // Hybrid: the direct call reached the real server.
    let direct = &steps[5];
    assert_eq!(direct["isError"], false, "{direct}");
    assert!(text_of(direct).contains("Asia/Tokyo"), "{direct}");

    // The docs as resources.
    let uris: Vec<&str> = steps[6]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["uri"].as_str().unwrap())
        .collect();
    assert_eq!(
        uris,
        [
            "codemode://docs",
            "codemode://docs/time",
            "codemode://docs/memory"
        ]
    );
    let md = steps[7]["contents"][0]["text"].as_str().unwrap();
    assert!(md.contains("memory::create_entities"), "{md}");

    // The real memory server holds what the script stored.
    let stored = std::fs::read_to_string(&memory_file).unwrap();
    assert!(stored.contains("\"Paris\""), "{stored}");

    // Both runs and the direct call are in the audit log.
    let audit = setup.audit();
    let kinds: Vec<&str> = audit.iter().filter_map(|r| r["type"].as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "run_start").count(),
        2,
        "{kinds:?}"
    );
    let ends: Vec<&Value> = audit.iter().filter(|r| r["type"] == "run_end").collect();
    assert_eq!(ends[0]["status"], "error");
    assert_eq!(ends[1]["status"], "ok");
    let direct = audit.iter().find(|r| r["type"] == "direct_call").unwrap();
    assert_eq!(direct["tool"], "get_current_time");
    assert_eq!(direct["ok"], true);
}

/// `codemode serve --http 127.0.0.1:0`: waits for the "listening on" line and returns the
/// child and the endpoint URL.
fn start_http(setup: &Setup, extra: &[&str], env: &[(&str, &str)]) -> (KillOnDrop, String) {
    let mut cmd = Command::new(BIN);
    cmd.arg("--config")
        .arg(setup.config())
        .args(["serve", "--http", "127.0.0.1:0"])
        .args(extra)
        .env_clear()
        .envs(setup.env())
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = KillOnDrop(cmd.spawn().unwrap());
    let stderr = child.0.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(line) => {
                if let Some(url) = line.strip_prefix("codemode serve: listening on ") {
                    return (child, url.to_string());
                }
                seen.push(line);
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
            Err(_) => break,
        }
    }
    drop(child);
    panic!("serve --http did not start: {seen:?}");
}

struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One raw HTTP POST to the endpoint; returns the status code.
fn raw_post(url: &str, auth: Option<&str>) -> u16 {
    let auth = auth
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    raw_post_with(url, &auth)
}

/// A raw POST (a ping) with `extra` header lines (each ending in CRLF); the status code.
fn raw_post_with(url: &str, extra: &str) -> u16 {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\n{extra}Content-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut head = [0u8; 12];
    s.read_exact(&mut head).unwrap();
    String::from_utf8_lossy(&head[9..12]).parse().unwrap()
}

#[test]
fn http_with_a_bearer_token_serves_the_same_agent_path() {
    let memory_dir = tempfile::tempdir().unwrap();
    let setup = Setup::new(&real_servers_toml(&memory_dir.path().join("m.jsonl")));
    let token = "tok-3f9a0c11d2e84b7f";
    let (_server, url) = start_http(
        &setup,
        &["--token-env", "SERVE_TOKEN"],
        &[("SERVE_TOKEN", token)],
    );
    assert!(
        url.starts_with("http://127.0.0.1:") && url.ends_with("/mcp"),
        "{url}"
    );
    assert_eq!(raw_post(&url, None), 401);
    assert_eq!(raw_post(&url, Some("wrong")), 401);
    // The 2025-11-25 lifecycle (initialize) here; the stdio tests negotiate 2026-07-28.
    let out = drive(json!({
        "server": { "url": url, "token": token }, "mode": "legacy", "steps": agent_steps()
    }));
    assert_agent_steps(out["steps"].as_array().unwrap());
    let log =
        std::fs::read_to_string(setup.state().join("codemode/codemode.log")).unwrap_or_default();
    assert!(!log.contains(token), "the token is never logged");
}

#[test]
fn a_foreign_browser_origin_is_refused_with_403() {
    let setup = Setup::new(&demo_toml());
    let (_server, url) = start_http(&setup, &[], &[]);
    // A page on another site (DNS rebinding, a malicious tab) may not drive local tools.
    assert_eq!(raw_post_with(&url, "Origin: https://evil.example\r\n"), 403);
    assert_eq!(raw_post_with(&url, "Origin: null\r\n"), 403);
    // A loopback page (a local inspector) and non-browser clients (no Origin) get through
    // the check (a ping without a session is then answered by the MCP layer, not 403).
    assert_ne!(
        raw_post_with(&url, "Origin: http://localhost:6274\r\n"),
        403
    );
    assert_ne!(raw_post_with(&url, ""), 403);
}

#[test]
fn non_loopback_http_is_refused_without_allow_remote() {
    let setup = Setup::new(&demo_toml());
    let out = Command::new(BIN)
        .arg("--config")
        .arg(setup.config())
        .args(["serve", "--http", "0.0.0.0:0"])
        .envs(setup.env())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a loopback address"), "{err}");
}

#[test]
fn downstream_list_changed_and_client_cancel_reach_through() {
    let mut toml = demo_toml();
    toml.push_str("[serve]\npassthrough = [\"demo::*\"]\n");
    let setup = Setup::new(&toml);
    let steps = vec![
        json!({"op": "list_tools"}),
        json!({"op": "call", "name": "run_script", "args": {"code": "demo::toggle_archive_tools(#{ enabled: true })"}}),
        json!({"op": "sleep", "seconds": 1.0}),
        json!({"op": "list_tools"}),
        // The client gives up after 1 s and sends notifications/cancelled.
        json!({"op": "call", "name": "run_script", "timeout": 1.0, "args": {"code": "demo::wait(#{ ms: 60000, steps: 100 })"}}),
        json!({"op": "call", "name": "run_script", "args": {"code": "1 + 1"}}),
    ];
    // notifications/tools/list_changed needs a session: the 2025-11-25 lifecycle.
    let out =
        drive(json!({ "server": stdio_server(&setup, &[]), "mode": "legacy", "steps": steps }));
    let steps = out["steps"].as_array().unwrap();
    let before = tool_names(&steps[0]);
    let after = tool_names(&steps[3]);
    assert!(
        !before.contains(&"demo__archive_closed_issues".to_string()),
        "{before:?}"
    );
    assert!(
        after.contains(&"demo__archive_closed_issues".to_string()),
        "{after:?}"
    );
    let notes = out["notifications"].as_array().unwrap();
    assert!(
        notes
            .iter()
            .any(|n| n == "notifications/tools/list_changed"),
        "{notes:?}"
    );
    assert!(
        steps[4]["exception"].is_string(),
        "the call timed out on the client: {}",
        steps[4]
    );
    // The server is still there and answers the next run.
    assert_eq!(steps[5]["structuredContent"]["result"], 2, "{}", steps[5]);
    // The cancelled run stopped as cancelled, long before its 60 s.
    let ends: Vec<Value> = setup
        .audit()
        .into_iter()
        .filter(|r| r["type"] == "run_end")
        .collect();
    assert_eq!(ends.len(), 3, "{ends:?}");
    // The next run may end first: find the one that waited.
    let waited = ends
        .iter()
        .find(|e| {
            e["tools_used"]
                .as_array()
                .is_some_and(|t| t.contains(&json!("demo::wait")))
        })
        .unwrap_or_else(|| panic!("{ends:?}"));
    assert_eq!(waited["status"], "cancelled", "{ends:?}");
    assert!(waited["elapsed_ms"].as_u64().unwrap() < 20_000, "{ends:?}");
}

#[test]
fn the_mcp_inspector_cli_lists_and_calls_the_served_tools() {
    let setup = Setup::new(&demo_toml());
    let inspector = |method_args: &[&str]| -> Value {
        let out = Command::new(servers::node_bin("mcp-inspector"))
            .arg("--cli")
            .arg(BIN)
            .arg("serve")
            // codemode finds ./codemode.toml (the inspector takes `--config` for itself).
            .current_dir(setup.dir.path())
            .args(method_args)
            .envs(setup.env())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "inspector failed: {stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
    };
    let list = inspector(&["--method", "tools/list"]);
    assert_eq!(
        tool_names(&list),
        ["search_tools", "get_docs", "run_script"]
    );
    let call = inspector(&[
        "--method",
        "tools/call",
        "--tool-name",
        "run_script",
        "--tool-arg",
        "code=demo::calculate(#{ op: \"multiply\", a: 6, b: 7 }).result",
    ]);
    assert_eq!(call["isError"], false, "{call}");
    assert_eq!(call["structuredContent"]["result"], 42.0, "{call}");
}

#[test]
fn calls_needing_approval_are_asked_of_the_user_or_refused_with_the_plan() {
    let setup = Setup::new(&demo_toml());
    let delete = json!({"op": "call", "name": "run_script", "args": {"code":
        "let r = demo::delete_issue(#{ id: 1 });\nlet left = demo::list_issues(#{ status: \"all\" });\nleft.total"}});
    // A client that can ask its user: the user allows this one call.
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "legacy", "elicit": "once", "steps": [delete]
    }));
    asked_once(&out, "demo::delete_issue (destructive)");
    let ok = &out["steps"][0];
    assert_eq!(ok["isError"], false, "{ok}");
    let total = ok["structuredContent"]["result"].as_u64().unwrap();

    // The user denies: the script sees a catchable policy error, nothing is deleted.
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "legacy", "elicit": "deny", "steps": [delete]
    }));
    let denied = &out["steps"][0];
    assert_eq!(denied["isError"], true, "{denied}");
    assert!(
        text_of(denied).contains("was not approved by the user"),
        "{denied}"
    );

    // A client without elicitation: refused with what to do, and the script's plan.
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "legacy", "steps": [delete]
    }));
    let refused = &out["steps"][0];
    let text = text_of(refused);
    assert!(text.contains("cannot ask its user"), "{text}");
    assert!(text.contains("Calls this script can make"), "{text}");
    assert!(text.contains("demo::list_issues"), "{text}");
    assert!(
        refused["structuredContent"]["plan"]["calls"].is_array(),
        "{refused}"
    );
    // Each stdio session starts its own demo server: only the first run deleted an issue.
    assert!(total >= 1);
}

#[test]
fn a_2026_client_is_asked_through_input_required_results_and_the_run_goes_on() {
    let setup = Setup::new(&demo_toml());
    // Two calls that need approval, each asked in its own round; the run waits in between.
    let code = "let a = demo::delete_issue(#{ id: 1 });\nlet b = demo::delete_issue(#{ id: 2 });\nlet left = demo::list_issues(#{ status: \"all\" });\nleft.total";
    let delete = json!({"op": "call", "name": "run_script", "args": {"code": code}});
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "auto", "elicit": "once",
        "steps": [delete, {"op": "call", "name": "run_script", "args": {"code": "demo::list_issues(#{ status: \"all\" }).total"}}]
    }));
    let asked = out["elicitations"].as_array().unwrap();
    assert_eq!(asked.len(), 2, "{out}");
    for (q, id) in asked.iter().zip([1, 2]) {
        let q = q.as_str().unwrap();
        assert!(q.contains("demo::delete_issue (destructive)"), "{q}");
        assert!(q.contains(&format!("{{\"id\":{id}}}")), "{q}");
    }
    let ok = &out["steps"][0];
    assert_eq!(ok["isError"], false, "{ok}");
    let left = ok["structuredContent"]["result"].as_u64().unwrap();
    // The same session: the issues are gone for the next run.
    assert_eq!(
        out["steps"][1]["structuredContent"]["result"], left,
        "{out}"
    );

    // The user denies the first: the script sees the policy error, nothing is deleted.
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "auto", "elicit": "deny",
        "steps": [{"op": "call", "name": "run_script", "args": {"code":
            "let r = \"deleted\";\ntry { demo::delete_issue(#{ id: 1 }); } catch (e) { r = e.message; }\nr"}}]
    }));
    assert_eq!(out["elicitations"].as_array().unwrap().len(), 1, "{out}");
    let denied = &out["steps"][0];
    assert_eq!(denied["isError"], false, "{denied}");
    let said = denied["structuredContent"]["result"]
        .as_str()
        .unwrap_or_default();
    assert!(said.contains("was not approved by the user"), "{denied}");

    // Without elicitation: refused with what to do, as for older clients.
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "auto",
        "steps": [{"op": "call", "name": "run_script", "args": {"code": code}}]
    }));
    assert!(
        text_of(&out["steps"][0]).contains("cannot ask its user"),
        "{out}"
    );
}

#[test]
fn a_2026_client_over_http_is_asked_in_rounds_across_requests() {
    let setup = Setup::new(&demo_toml());
    let (_server, url) = start_http(&setup, &[], &[]);
    // Each round is its own HTTP request; the run waits in codemode between them.
    let code = "let a = demo::delete_issue(#{ id: 1 });\nlet b = demo::delete_issue(#{ id: 2 });\ndemo::list_issues(#{ status: \"all\" }).total";
    let out = drive(json!({
        "server": { "url": url }, "mode": "auto", "elicit": "once",
        "steps": [{"op": "call", "name": "run_script", "args": {"code": code}}]
    }));
    let asked = out["elicitations"].as_array().unwrap();
    assert_eq!(asked.len(), 2, "{out}");
    let ok = &out["steps"][0];
    assert_eq!(ok["isError"], false, "{ok}");
    assert!(ok["structuredContent"]["result"].is_u64(), "{ok}");
    let deleted = setup
        .audit()
        .into_iter()
        .filter(|r| r["type"] == "call" && r["tool"] == "delete_issue" && r["ok"] == true)
        .count();
    assert_eq!(deleted, 2, "both approved calls ran");
    // The same by hand: the question is the call's answer, the retry another request.
    let args = json!({"code": "demo::delete_issue(#{ id: 3 });\n\"done\""});
    let out = drive(json!({
        "server": { "url": url }, "mode": "auto", "elicit": "once",
        "steps": [
            {"op": "round", "name": "run_script", "args": args},
            {"op": "round", "name": "run_script", "args": args, "state_from": 0, "answer": "once"},
        ]
    }));
    assert_eq!(out["steps"][0]["resultType"], "input_required", "{out}");
    assert_eq!(
        out["steps"][1]["structuredContent"]["result"], "done",
        "{out}"
    );
}

#[test]
fn a_round_resumes_only_its_own_run_with_its_own_arguments() {
    let setup = Setup::new(&demo_toml());
    let args = json!({"code": "demo::delete_issue(#{ id: 1 });\n\"done\""});
    let other = json!({"code": "demo::delete_issue(#{ id: 2 });\n\"done\""});
    let round = |args: &Value, extra: Value| {
        let mut step = json!({"op": "round", "name": "run_script", "args": args});
        step.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        step
    };
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "auto", "elicit": "once",
        "steps": [
            round(&args, json!({})),
            round(&other, json!({"state_from": 0, "answer": "once"})),
            round(&args, json!({"state_from": 0, "answer": "once"})),
            round(&args, json!({"state_from": 0, "answer": "once"})),
        ]
    }));
    let steps = out["steps"].as_array().unwrap();
    // The question: one elicitation, and the state to come back with.
    assert_eq!(steps[0]["resultType"], "input_required", "{out}");
    let asked = &steps[0]["inputRequests"]["approval"];
    assert_eq!(asked["method"], "elicitation/create", "{asked}");
    let message = asked["params"]["message"].as_str().unwrap();
    assert!(
        message.contains("demo::delete_issue (destructive)"),
        "{message}"
    );
    assert!(steps[0]["requestState"].is_string(), "{out}");
    // Another call's arguments do not resume it; the right retry then does, once.
    assert!(
        text_of(&steps[1]).contains("must repeat the tool and the arguments"),
        "{out}"
    );
    assert_eq!(steps[2]["isError"], false, "{out}");
    assert_eq!(steps[2]["structuredContent"]["result"], "done", "{out}");
    assert!(text_of(&steps[3]).contains("no longer waiting"), "{out}");
    // A retry naming another tool does not resume it either.
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "auto", "elicit": "once",
        "steps": [
            round(&args, json!({})),
            {"op": "round", "name": "search_tools", "args": args, "state_from": 0, "answer": "once"},
        ]
    }));
    assert!(
        text_of(&out["steps"][1]).contains("must repeat the tool"),
        "{out}"
    );

    // A direct call asked about waits at most the configured timeout for the retry.
    let mut toml = demo_toml();
    toml.push_str("[limits]\ntimeout = \"1s\"\n[serve]\npassthrough = [\"demo::*\"]\n");
    let setup = Setup::new(&toml);
    let delete = json!({"id": 1});
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "auto", "elicit": "once",
        "steps": [
            {"op": "round", "name": "demo__delete_issue", "args": delete},
            {"op": "sleep", "seconds": 1.5},
            {"op": "round", "name": "demo__delete_issue", "args": delete, "state_from": 0, "answer": "once"},
        ]
    }));
    assert_eq!(out["steps"][0]["resultType"], "input_required", "{out}");
    assert!(
        text_of(&out["steps"][2]).contains("no longer waiting"),
        "{out}"
    );
}

#[test]
fn direct_calls_go_through_the_same_approvals() {
    let mut toml = demo_toml();
    toml.push_str("[serve]\npassthrough = [\"demo::*\"]\n");
    let setup = Setup::new(&toml);
    let delete = json!({"op": "call", "name": "demo__delete_issue", "args": {"id": 1}});
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "legacy", "elicit": "once", "steps": [delete]
    }));
    asked_once(
        &out,
        "The agent (a direct call) wants to call demo::delete_issue",
    );
    assert_eq!(out["steps"][0]["isError"], false, "{out}");
    // A 2026-07-28 client is asked in a round: the same question, the same call.
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "auto", "elicit": "once", "steps": [delete]
    }));
    asked_once(
        &out,
        "The agent (a direct call) wants to call demo::delete_issue",
    );
    assert_eq!(out["steps"][0]["isError"], false, "{out}");

    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "legacy", "steps": [delete]
    }));
    let refused = &out["steps"][0];
    assert_eq!(refused["isError"], true, "{refused}");
    assert!(
        text_of(refused).contains("cannot ask its user"),
        "{refused}"
    );
    let direct: Vec<Value> = setup
        .audit()
        .into_iter()
        .filter(|r| r["type"] == "direct_call")
        .collect();
    assert_eq!(direct.len(), 2, "only the approved calls ran: {direct:?}");
    assert!(direct.iter().all(|d| d["ok"] == true), "{direct:?}");
}

#[test]
fn a_huge_run_answer_stays_within_the_output_budget() {
    let mut toml = demo_toml();
    toml.push_str("[limits]\nmax_output_tokens = 2000\n");
    let setup = Setup::new(&toml);
    let step = json!({"op": "call", "name": "run_script", "args": {"code":
        "for i in 0..100000 { print(`line ${i} of a long log`); }\nlet s = \"x\"; s.pad(500000, 'y'); s"}});
    let out = drive(json!({ "server": stdio_server(&setup, &[]), "steps": [step] }));
    let r = &out["steps"][0];
    assert_eq!(r["isError"], false, "{}", text_of(r));
    let text = text_of(r);
    let structured = r["structuredContent"].to_string();
    // o200k averages ~4 bytes per token on this text; the whole answer must be far below
    // what 100 000 lines and a 500 kB result would take.
    assert!(
        text.len() + structured.len() < 2000 * 8,
        "{} + {}",
        text.len(),
        structured.len()
    );
    assert_eq!(text.matches("cut here]").count(), 1, "one marker: {text}");
    assert!(text.contains("line 0 of a long log"), "head kept");
    assert!(
        text.contains("line 99999 of a long log") || text.contains("yyyy"),
        "tail kept"
    );
}

#[test]
fn a_deeply_nested_value_cannot_abort_serve_for_other_calls() {
    let mut toml = demo_toml();
    toml.push_str("[limits]\nmax_memory = 64_000_000\nmax_operations = 1_000_000_000\n");
    let setup = Setup::new(&toml);
    // A chain of closures each capturing the previous one, grown until the memory limit:
    // dropping it used to overflow the script thread's stack and abort the whole server.
    let chain = json!({"op": "call", "name": "run_script", "args": {"code":
        "let f = || 1;\nloop { let g = f; f = || g.call(); }"}});
    let next = json!({"op": "call", "name": "run_script", "args": {"code":
        "demo::calculate(#{ a: 20, b: 22 }).result"}});
    let out = drive(json!({ "server": stdio_server(&setup, &[]), "steps": [chain, next] }));
    let (first, second) = (&out["steps"][0], &out["steps"][1]);
    assert_eq!(first["isError"], true, "{first}");
    assert!(text_of(first).contains("max_memory"), "{}", text_of(first));
    assert!(
        text_of(first).contains("whoever runs codemode serve")
            && !text_of(first).contains("--limit"),
        "the agent is not told of flags it cannot pass: {}",
        text_of(first)
    );
    assert_eq!(second["isError"], false, "the server survived: {second}");
    assert!(text_of(second).contains("42"), "{}", text_of(second));
}

#[test]
fn concurrent_runs_share_a_bounded_number_of_slots() {
    let mut toml = demo_toml();
    toml.push_str("[serve]\nmax_concurrent_runs = 1\n");
    let setup = Setup::new(&toml);
    let run = |code: &str, timeout: f64| json!({"op": "call", "name": "run_script", "args": {"code": code, "timeout": timeout}});
    let slow = run("demo::wait(#{ ms: 3000 }).waited_ms", 20.0);
    let late = |timeout| {
        vec![
            json!({"op": "sleep", "seconds": 0.5}),
            run("1 + 1", timeout),
        ]
    };
    // The second run finds the only slot taken: with a short timeout it is refused clearly,
    // with a long one it waits for the slot and runs after the first.
    let out = drive(json!({ "server": stdio_server(&setup, &[]), "steps": [
        {"op": "together", "branches": [[slow.clone()], late(1.0)]},
        {"op": "together", "branches": [[slow], late(20.0)]},
    ]}));
    let refused = &out["steps"][0][1][1];
    assert_eq!(refused["isError"], true, "{refused}");
    let text = text_of(refused);
    assert!(
        text.contains("serve is busy") && text.contains("max_concurrent_runs"),
        "{text}"
    );
    assert!(
        text_of(&out["steps"][0][0][0]).contains("3000"),
        "the first run finished"
    );
    let queued = &out["steps"][1][1][1];
    assert_eq!(queued["isError"], false, "{queued}");
    assert!(text_of(queued).contains('2'), "{}", text_of(queued));
}

/// A raw `initialize` POST (the 2025-11-25 lifecycle opens a session); the status and the
/// session id it answered with.
fn raw_initialize(url: &str) -> (u16, Option<String>) {
    let rest = url.strip_prefix("http://").unwrap();
    let (host, path) = rest.split_once('/').unwrap();
    let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"raw","version":"1"}}}"#;
    let mut s = std::net::TcpStream::connect(host).unwrap();
    write!(
        s,
        "POST /{path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
         Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut reader = BufReader::new(s);
    let mut status = String::new();
    reader.read_line(&mut status).unwrap();
    let code = status.split(' ').nth(1).unwrap().parse().unwrap();
    let mut session = None;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if line.trim().is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("mcp-session-id")
        {
            session = Some(v.trim().to_string());
        }
    }
    (code, session)
}

#[test]
fn http_sessions_are_capped_and_idle_ones_closed() {
    let mut toml = demo_toml();
    toml.push_str("[serve]\nmax_sessions = 2\nsession_idle = \"1s\"\n");
    let setup = Setup::new(&toml);
    let (_server, url) = start_http(&setup, &[], &[]);
    let (a, first) = raw_initialize(&url);
    let (b, second) = raw_initialize(&url);
    assert_eq!((a, b), (200, 200));
    assert!(first.is_some() && second.is_some() && first != second);
    // A third session past the cap is refused while the two are in use.
    let (c, none) = raw_initialize(&url);
    assert_eq!((c, none), (503, None));
    // Unused for longer than `session_idle`, they are closed and a new session opens.
    std::thread::sleep(Duration::from_millis(1600));
    let (d, third) = raw_initialize(&url);
    assert_eq!(d, 200);
    assert!(third.is_some() && third != first && third != second);
}

#[test]
fn echoed_secrets_never_reach_the_agent() {
    let secret = "planted-serve-secret-61b0";
    let argv = [
        BIN.to_string(),
        "demo-server".into(),
        "--fault".into(),
        "hostile".into(),
    ];
    let setup = Setup::new(&server_toml(
        "demo",
        &argv,
        &[("API_KEY", secret.to_string())],
    ));
    let run = json!({"op": "call", "name": "run_script", "args": {"code":
        "let r = demo::echo_env(#{ name: \"API_KEY\" });\nprint(r);\nr"}});
    let out = drive(json!({ "server": stdio_server(&setup, &[]), "steps": [run] }));
    let r = &out["steps"][0];
    assert_eq!(r["isError"], false, "{r}");
    assert!(text_of(r).contains("«redacted»"), "{}", text_of(r));
    assert!(!r.to_string().contains(secret), "{r}");
}

#[test]
fn get_docs_shows_the_text_a_tool_returned_once_a_run_called_it() {
    let setup = Setup::new(&demo_toml());
    let docs = json!({"op": "call", "name": "get_docs", "args": {"names": ["demo::add_comment"]}});
    let run = json!({"op": "call", "name": "run_script", "args": {
        "code": "demo::add_comment(#{ issue_id: 1, text: \"looks good\" })"
    }});
    let out = drive(json!({
        "server": stdio_server(&setup, &[]), "mode": "legacy", "steps": [docs.clone(), run, docs]
    }));
    let (before, after) = (text_of(&out["steps"][0]), text_of(&out["steps"][2]));
    assert!(!before.contains('→'), "{before}");
    // The cached catalog follows the new sample.
    assert!(
        after.contains("  → JSON (parse_json): { \"issue_id\": 1, \"comments\": 1 }\n"),
        "{after}"
    );
}
