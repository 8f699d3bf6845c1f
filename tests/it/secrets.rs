//! Planted secrets never come out: env values of a stdio server, HTTP auth headers and
//! token-looking strings are grepped for in every output (stdout and stderr of the headless
//! commands, the log file, the audit log, docs, `servers --json`, error messages). And a
//! stdio child sees only the config's env plus a minimal PATH/HOME/..., unless `inherit_env`.

use crate::sandbox;

use sandbox::Sandbox;
use serde_json::json;

const ENV_SECRET: &str = "planted-env-secret-7f3a9c";
const AUTH_SECRET: &str = "planted-http-secret-5b2e8d";
const HEADER_SECRET: &str = "planted-header-key-91ac";
const GITHUB_TOKEN: &str = "ghp_plantedTokenLooking0123456789abcd";

const ALL: [&str; 4] = [ENV_SECRET, AUTH_SECRET, HEADER_SECRET, GITHUB_TOKEN];

/// A config whose servers print their secrets to stderr (one works, one fails at start) and
/// an HTTP server that cannot be reached with secret headers.
fn leaky_config(sb: &Sandbox) -> std::path::PathBuf {
    let bin = env!("CARGO_BIN_EXE_codemode");
    let say = format!("echo \"starting with $LEAKY_TOKEN and {GITHUB_TOKEN}\" >&2");
    let config = json!({ "mcpServers": {
        "leaky": {
            "command": "sh",
            "args": ["-c", format!("{say}; exec \"$0\" demo-server"), bin],
            "env": { "LEAKY_TOKEN": ENV_SECRET }
        },
        "broken": {
            "command": "sh",
            "args": ["-c", format!("{say}; echo \"token=$LEAKY_TOKEN\"; exit 1")],
            "env": { "LEAKY_TOKEN": ENV_SECRET }
        },
        "remote": {
            "type": "http",
            "url": "http://127.0.0.1:9/mcp",
            "headers": { "Authorization": format!("Bearer {AUTH_SECRET}"), "X-Api-Key": HEADER_SECRET }
        }
    }});
    sb.write("mcp.json", &config.to_string())
}

fn assert_clean(what: &str, text: &str) {
    for secret in ALL {
        assert!(!text.contains(secret), "{what} leaks `{secret}`:\n{text}");
    }
}

#[test]
fn planted_secrets_are_redacted_everywhere() {
    let sb = Sandbox::new();
    let config = leaky_config(&sb);
    let script = format!(
        "print(\"{ENV_SECRET} {GITHUB_TOKEN}\");\n\
         let r = leaky::create_issue(#{{ title: \"{GITHUB_TOKEN}\", body: \"{AUTH_SECRET}\" }});\n\
         try {{ call_tool(\"broken\", \"x\", #{{}}) }} catch (e) {{ print(e.message) }}\n\
         throw \"failing with {HEADER_SECRET}\";"
    );
    let script_path = sb.write("leak.rhai", &script);
    let runs: Vec<Vec<&str>> = vec![
        vec!["servers", "--json"],
        vec!["servers"],
        vec!["tools", "--json"],
        vec!["docs"],
        vec!["lint"],
        vec!["call", "remote", "anything", "{}"],
        vec!["call", "broken", "anything", "{}"],
        vec!["run", script_path.to_str().unwrap()],
        vec!["audit"],
    ];
    let mut saw_redacted = false;
    for args in runs {
        let out = sb
            .std_cmd()
            .args(&args)
            .arg("--config")
            .arg(&config)
            // At `debug`, rmcp's own logging quotes whole messages (unparsable stdout lines
            // included): the log writer must redact every record.
            .env("CODEMODE_LOG", "debug")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        // What a script prints is its own output (it holds the secrets it was given); the
        // audit log's copy of it is checked below.
        if args[0] != "run" {
            assert_clean(&format!("stdout of {args:?}"), &stdout);
        }
        assert_clean(&format!("stderr of {args:?}"), &stderr);
        saw_redacted |= stdout.contains("«redacted»") || stderr.contains("«redacted»");
    }
    assert!(
        saw_redacted,
        "the planted secrets were never even shown (redacted)"
    );
    let files = sb.state_files();
    let names: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    assert!(
        names.iter().any(|n| n.ends_with(".log")),
        "no log file: {names:?}"
    );
    assert!(
        names.iter().any(|n| n.contains("audit")),
        "no audit log: {names:?}"
    );
    for (path, text) in &files {
        assert_clean(&path.display().to_string(), text);
    }
    let audit = files
        .iter()
        .find(|(p, _)| p.display().to_string().contains("audit"))
        .unwrap();
    assert!(audit.1.contains("«redacted»"), "{}", audit.1);
}

/// The environment a stdio child sees, as `KEY` names, for a config entry's extra fields.
fn child_env_keys(extra: serde_json::Value) -> Vec<String> {
    let sb = Sandbox::new();
    let out_file = sb.dir.path().join("env.txt");
    let mut server = json!({
        "command": "sh",
        "args": ["-c", "env > \"$ENV_OUT\"; exec \"$0\" demo-server", env!("CARGO_BIN_EXE_codemode")],
        "env": { "ENV_OUT": out_file.to_str().unwrap(), "GIVEN_BY_CONFIG": "yes" }
    });
    server
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    let config = sb.write(
        "mcp.json",
        &json!({ "mcpServers": { "probe": server } }).to_string(),
    );
    let out = sb
        .std_cmd()
        .args(["servers", "--json", "--config"])
        .arg(&config)
        .env("PARENT_ONLY_SECRET", ENV_SECRET)
        .env("LC_MESSAGES", "C")
        .env("PATH", std::env::var("PATH").unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let env = std::fs::read_to_string(out_file).unwrap();
    let mut keys: Vec<String> = env
        .lines()
        .filter_map(|l| l.split_once('=').map(|(k, _)| k.to_string()))
        .collect();
    keys.sort();
    keys
}

#[test]
fn stdio_children_get_only_the_config_env_and_a_minimal_base() {
    let keys = child_env_keys(json!({}));
    // `sh` itself adds PWD, SHLVL and `_`.
    let allowed = [
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "LANG",
        "TMPDIR",
        "TZ",
        "SHELL",
        "ENV_OUT",
        "GIVEN_BY_CONFIG",
        "PWD",
        "SHLVL",
        "_",
        "OLDPWD",
    ];
    for key in &keys {
        assert!(
            allowed.contains(&key.as_str()) || key.starts_with("LC_"),
            "the child saw `{key}`: {keys:?}"
        );
    }
    for key in ["PATH", "HOME", "GIVEN_BY_CONFIG", "LC_MESSAGES"] {
        assert!(keys.iter().any(|k| k == key), "`{key}` missing: {keys:?}");
    }
    let inherited = child_env_keys(json!({ "inherit_env": true }));
    for key in ["PARENT_ONLY_SECRET", "XDG_STATE_HOME", "GIVEN_BY_CONFIG"] {
        assert!(
            inherited.iter().any(|k| k == key),
            "`{key}` missing with inherit_env: {inherited:?}"
        );
    }
}

const ECHOED_SECRET: &str = "planted-echoed-secret-3c1d";
const URL_PASSWORD: &str = "planted-url-password-8e0f";

/// What must never reach a terminal raw: ESC, BEL, CR and the right-to-left override.
fn assert_no_controls(what: &str, text: &str) {
    for (c, name) in [
        ('\u{1b}', "ESC"),
        ('\u{7}', "BEL"),
        ('\r', "CR"),
        ('\u{202e}', "RLO"),
    ] {
        assert!(!text.contains(c), "{what} has a raw {name}:\n{text}");
    }
}

#[test]
fn hostile_server_text_and_echoed_secrets_never_reach_the_terminal() {
    let sb = Sandbox::new();
    let bin = env!("CARGO_BIN_EXE_codemode");
    // A server whose title, instructions, tool description, results and stderr carry
    // terminal escapes, and which echoes the secret it was given in its env; plus an HTTP
    // server with a password in its URL (not reachable: it shows up in errors).
    let config = sb.write(
        "codemode.toml",
        &format!(
            "[servers.demo]\ncommand = {bin:?}\nargs = [\"demo-server\", \"--fault\", \"hostile\"]\n\
             [servers.demo.env]\nAPI_KEY = \"{ECHOED_SECRET}\"\n\
             [servers.remote]\nurl = \"http://user:{URL_PASSWORD}@127.0.0.1:9/mcp\"\n"
        ),
    );
    let script = sb.write(
        "echo.rhai",
        "let r = demo::echo_env(#{ name: \"API_KEY\" });\nprint(r);\n\
         try { call_tool(\"remote\", \"x\", #{}) } catch (e) { print(e.message) }\n\
         print(\"from the script: \\x1b[2J\\x07\");\nr",
    );
    // A script with an escape on the line of its error: the code frame quotes it.
    let broken = sb.write("broken.rhai", "let a = 1;\nlet b = \"\u{1b}[31m\" +;\n");
    let (s, b) = (script.to_str().unwrap(), broken.to_str().unwrap());
    let echo = r#"{"name": "API_KEY"}"#;
    let runs: Vec<Vec<&str>> = vec![
        vec!["servers"],
        vec!["servers", "--json"],
        vec!["tools"],
        vec!["docs"],
        vec!["docs", "--format", "prompt"],
        vec!["lint"],
        vec!["call", "demo", "echo_env", "--args", echo],
        vec!["call", "demo", "echo_env", "--args", echo, "--json"],
        vec!["run", s],
        vec!["run", s, "--json"],
        vec!["run", s, "--plan"],
        vec!["run", b],
        vec!["audit"],
        vec!["audit", "--json"],
    ];
    let mut saw_escaped = false;
    for args in runs {
        let out = sb
            .std_cmd()
            .arg("--config")
            .arg(&config)
            .args(&args)
            .output()
            .unwrap();
        for (name, bytes) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
            let text = String::from_utf8_lossy(bytes);
            let what = format!("{name} of {args:?}");
            assert_no_controls(&what, &text);
            for secret in [ECHOED_SECRET, URL_PASSWORD] {
                assert!(!text.contains(secret), "{what} leaks `{secret}`:\n{text}");
            }
            saw_escaped |= text.contains("\\u001b");
        }
    }
    assert!(saw_escaped, "the escapes were never even shown (escaped)");
    // The script itself never sees the echoed secret (it could pass it on to another tool).
    let out = sb
        .std_cmd()
        .arg("--config")
        .arg(&config)
        .args(["run", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            let probe = format!(
                "demo::echo_env(#{{ name: \"API_KEY\" }}).contains(\"{}\")",
                &ECHOED_SECRET[..12]
            );
            child.stdin.take().unwrap().write_all(probe.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "false");
    for (path, text) in sb.state_files() {
        for secret in [ECHOED_SECRET, URL_PASSWORD] {
            assert!(
                !text.contains(secret),
                "{} leaks `{secret}`",
                path.display()
            );
        }
    }
}
