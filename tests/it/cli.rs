//! The headless commands as a user runs them: the real binary, a temp working directory, and
//! no user config (XDG dirs point into the temp dir).

use crate::sandbox;

use assert_cmd::Command;
use predicates::prelude::*;
use sandbox::Sandbox;
use serde_json::Value;

fn demo_bin() -> &'static str {
    env!("CARGO_BIN_EXE_codemode")
}

#[test]
fn no_config_lists_the_embedded_demo_tools() {
    let sb = Sandbox::new();
    sb.cmd()
        .arg("tools")
        .assert()
        .success()
        .stdout(predicate::str::contains("demo (9 tools)"))
        .stdout(
            predicate::str::contains("delete_issue").and(predicate::str::contains("[destructive]")),
        );
    // The log goes to the state dir, not the terminal.
    assert!(sb.dir.path().join("state/codemode/codemode.log").exists());
}

#[test]
fn call_prints_structured_content_and_uses_distinct_exit_codes() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args([
            "call",
            "demo",
            "calculate",
            "--args",
            r#"{"op":"multiply","a":6,"b":7}"#,
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["result"], 42.0);

    sb.cmd()
        .args([
            "call",
            "demo",
            "calculate",
            "--args",
            r#"{"op":"divide","a":1,"b":0}"#,
        ])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "demo::calculate failed: division by zero",
        ));
    sb.cmd()
        .args([
            "call",
            "demo",
            "create_issue",
            "--args",
            r#"{"title":"x","priority":"urgent"}"#,
        ])
        .assert()
        .code(5)
        .stderr(
            predicate::str::contains("invalid arguments for demo::create_issue")
                .and(predicate::str::contains("`priority`")),
        );
    sb.cmd()
        .args(["call", "demo", "calculate", "--args", "{\n\"a\": 1,\n}"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 3"));
    sb.cmd()
        .args(["call", "dmeo", "calculate"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `demo`?"));
    sb.cmd()
        .args([
            "call",
            "demo",
            "wait",
            "--args",
            r#"{"ms": 20000}"#,
            "--timeout",
            "300ms",
        ])
        .assert()
        .code(5)
        .stderr(predicate::str::contains("timed out after 300ms"));
}

#[test]
fn call_goes_through_the_same_policy_and_approvals_as_scripts() {
    let sb = Sandbox::new();
    let del = ["call", "demo", "delete_issue", "--args", r#"{"id": 1}"#];
    // Destructive: refused headless without --approve / --allow, nothing deleted.
    sb.cmd()
        .args(del)
        .assert()
        .code(5)
        .stderr(predicate::str::contains("needs approval (destructive)"))
        .stderr(predicate::str::contains("--approve demo::delete_issue"));
    sb.cmd()
        .args(del)
        .args(["--approve", "demo::delete_issue"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"deleted\": 1"));
    // --deny wins, and patterns that can never match are usage errors.
    sb.cmd()
        .args(["call", "demo", "get_issue", "--args", r#"{"id": 2}"#])
        .args(["--deny", "demo::get_*"])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "demo::get_issue is denied by policy",
        ));
    sb.cmd()
        .args(["call", "demo", "get_issue", "--deny", "Demo::get_issue"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("can never match"));
    // A configured [policy] deny applies, and a [policy] that `run` rejects is rejected too.
    let config = |policy: &str| {
        format!(
            "[servers.demo]\ncommand = {:?}\nargs = [\"demo-server\"]\n{policy}",
            demo_bin()
        )
    };
    let path = sb.write(
        "deny.toml",
        &config("[policy.servers.demo]\ndeny = [\"calculate\"]\n"),
    );
    sb.cmd()
        .arg("--config")
        .arg(&path)
        .args(["call", "demo", "calculate", "--args", r#"{"a": 1, "b": 2}"#])
        .assert()
        .code(5)
        .stderr(predicate::str::contains(
            "demo::calculate is denied by policy",
        ));
    let path = sb.write("bad.toml", &config("[policy]\nallow = [\"demo::\"]\n"));
    sb.cmd()
        .arg("--config")
        .arg(&path)
        .args(["call", "demo", "calculate", "--args", r#"{"a": 1, "b": 2}"#])
        .assert()
        .code(3)
        .stderr(predicate::str::contains("`demo::` can never match"));
    // Every direct call is in the audit log, refused ones not (nothing was sent).
    let audit = std::fs::read_to_string(sb.dir.path().join("state/codemode/audit.jsonl")).unwrap();
    let calls: Vec<Value> = audit
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .filter(|r| r["type"] == "direct_call")
        .collect();
    assert_eq!(calls.len(), 1, "{audit}");
    assert_eq!(calls[0]["tool"], "delete_issue");
    assert_eq!(calls[0]["ok"], true);
}

#[test]
fn call_json_keeps_the_whole_result() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args([
            "call",
            "demo",
            "get_issue",
            "--args",
            r#"{"id": 1}"#,
            "--json",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["isError"], false);
    assert_eq!(v["structuredContent"]["id"], 1);
    assert_eq!(v["content"][0]["type"], "text");
}

#[test]
fn invalid_config_names_file_line_column_and_field() {
    let sb = Sandbox::new();
    let bad = sb.write(
        "bad.json",
        "{\n  \"mcpServers\": {\n    \"a\": { \"command\": 5 }\n  }\n}\n",
    );
    sb.cmd()
        .args(["tools", "--config"])
        .arg(&bad)
        .assert()
        .code(3)
        .stderr(
            predicate::str::contains("bad.json:3:")
                .and(predicate::str::contains("mcpServers.a.command")),
        );
    let toml = sb.write(
        "codemode.toml",
        "[servers.x]\ncommand = \"a\"\nargs = [1, \n",
    );
    sb.cmd().arg("servers").assert().code(3).stderr(
        predicate::str::contains(toml.display().to_string()).and(predicate::str::contains(":3:")),
    );
}

#[test]
fn servers_json_reports_failures_with_stderr_and_no_secrets() {
    let sb = Sandbox::new();
    let config = format!(
        r#"{{ "mcpServers": {{
            "demo": {{ "command": "{bin}", "args": ["demo-server"], "env": {{ "API_TOKEN": "s3cret-value-123456" }}, "comand": "typo" }},
            "broken": {{ "command": "{bin}", "args": ["demo-server", "--fault", "exit-at-start"], "env": {{ "KEY": "another-s3cret-987" }} }},
            "remote": {{ "url": "http://127.0.0.1:9/mcp", "headers": {{ "Authorization": "Bearer tok-abcdefghijklmnop" }} }}
        }} }}"#,
        bin = demo_bin()
    );
    sb.write(".mcp.json", &config);
    let assert = sb.cmd().args(["servers", "--json"]).assert().code(4);
    let out = assert.get_output();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    for secret in [
        "s3cret-value-123456",
        "another-s3cret-987",
        "tok-abcdefghijklmnop",
    ] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "secret {secret} leaked"
        );
    }
    assert!(
        stderr.contains("unknown field `comand`") && stderr.contains("did you mean `command`?"),
        "{stderr}"
    );
    let v: Value = serde_json::from_str(&stdout).unwrap();
    let by_name = |n: &str| {
        v.as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(by_name("demo")["status"]["state"], "ready");
    assert_eq!(by_name("demo")["tools"], 9);
    let broken = by_name("broken");
    assert_eq!(broken["status"]["state"], "failed");
    assert!(
        broken["stderrTail"][0]
            .as_str()
            .unwrap()
            .contains("exit-at-start")
    );
    assert_eq!(by_name("remote")["status"]["state"], "failed");
}

/// A codemode.toml with the demo server over stdio as `tracker`.
fn tracker_toml() -> String {
    format!(
        "[servers.tracker]\ncommand = \"{}\"\nargs = [\"demo-server\"]\n",
        demo_bin()
    )
}

#[test]
fn config_flag_works_after_the_subcommand_and_xdg_config_is_found() {
    let sb = Sandbox::new();
    let toml = tracker_toml();
    let path = sb.write("elsewhere/my.toml", &toml);
    sb.cmd()
        .args(["tools", "--config"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("tracker (9 tools)"));
    sb.write("config/codemode/codemode.toml", &toml);
    sb.cmd()
        .arg("tools")
        .assert()
        .success()
        .stdout(predicate::str::contains("tracker (9 tools)"));
}

#[test]
fn global_flags_before_the_subcommand_keep_its_flags() {
    let sb = Sandbox::new();
    let toml = tracker_toml();
    let path = sb.write("my.toml", &toml);
    let out = sb
        .cmd()
        .arg("--config")
        .arg(&path)
        .args(["tools", "--json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert!(v.to_string().contains("create_issue"), "{v}");
    // A script path (workbench) with a command is a usage error, not a silent choice.
    sb.cmd()
        .args(["x.rhai", "tools"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("codemode run x.rhai"));
}

#[test]
fn help_shows_examples() {
    Command::cargo_bin("codemode")
        .unwrap()
        .arg("--help")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Examples:")
                .and(predicate::str::contains("codemode call demo calculate")),
        );
}

/// Child processes of `pid`, whichever of its threads spawned them.
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return vec![];
    };
    tasks
        .flatten()
        .flat_map(|t| {
            std::fs::read_to_string(t.path().join("children"))
                .unwrap_or_default()
                .split_whitespace()
                .filter_map(|p| p.parse().ok())
                .collect::<Vec<u32>>()
        })
        .collect()
}

#[test]
fn sigterm_while_connecting_stops_the_children() {
    let sb = Sandbox::new();
    let config = format!(
        r#"{{ "mcpServers": {{ "h": {{ "command": "{}", "args": ["demo-server", "--fault", "hang-at-start"] }} }} }}"#,
        demo_bin()
    );
    sb.write(".mcp.json", &config);
    let mut child = sb
        .std_cmd()
        .arg("servers")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut kids = vec![];
    for _ in 0..200 {
        kids = children_of(child.id());
        if !kids.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!kids.is_empty(), "the server child never started");
    // SAFETY: sending a signal to our own child process.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    std::thread::sleep(std::time::Duration::from_millis(200));
    for kid in kids {
        let alive = std::fs::read_to_string(format!("/proc/{kid}/stat"))
            .is_ok_and(|s| s.split_whitespace().nth(2) != Some("Z"));
        assert!(!alive, "server process {kid} outlived codemode");
    }
}

#[test]
fn a_closed_stdout_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let sb = Sandbox::new();
    // About 1 MB of output: far more than a pipe buffers, so writes hit the closed pipe.
    let script = sb.write(
        "loud.rhai",
        "for i in 0..20000 { print(\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"); }\n42\n",
    );
    let mut child = sb
        .std_cmd()
        .arg("run")
        .arg(&script)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("xxx"));
    // The reader is dropped here: the pipe is closed like `| head -1` does.
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_ne!(out.status.code(), Some(101), "{stderr}");
}

#[test]
fn state_files_are_private_to_the_user() {
    use std::os::unix::fs::PermissionsExt;
    let sb = Sandbox::new();
    let state = sb.dir.path().join("state/codemode");
    // A log file left world-readable by an older version is narrowed too.
    std::fs::create_dir_all(&state).unwrap();
    std::fs::set_permissions(&state, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(state.join("codemode.log"), "old\n").unwrap();
    std::fs::set_permissions(
        state.join("codemode.log"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    // A run writes the audit log and pins the tool it used.
    sb.cmd()
        .args(["run", "-"])
        .write_stdin("demo::get_issue(#{ id: 1 }).id")
        .assert()
        .success();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&state), 0o700, "{}", state.display());
    for file in ["codemode.log", "audit.jsonl", "pins.json"] {
        assert_eq!(mode(&state.join(file)), 0o600, "{file}");
    }
}

#[test]
fn serve_refuses_a_blank_or_padded_token() {
    let sb = Sandbox::new();
    for token in ["", "   ", " s3cret "] {
        sb.cmd()
            .args(["serve", "--http", "127.0.0.1:0", "--token-env", "CM_TOKEN"])
            .env("CM_TOKEN", token)
            .assert()
            .code(2)
            .stderr(predicate::str::contains("--token-env CM_TOKEN: the token"));
    }
    let config = sb.write(
        "codemode.toml",
        &format!(
            "[servers.demo]\ncommand = {:?}\nargs = [\"demo-server\"]\n[serve]\ntoken = \"  \"\n",
            demo_bin()
        ),
    );
    sb.cmd()
        .arg("--config")
        .arg(&config)
        .args(["serve", "--http", "127.0.0.1:0"])
        .assert()
        .code(3)
        .stderr(predicate::str::contains(
            "[serve] token is empty or only whitespace",
        ));
}
