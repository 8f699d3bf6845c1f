//! What codemode declares to real servers and how it answers their requests: roots and
//! elicitation against `server-everything` over streamable HTTP and `server-filesystem`;
//! sampling is never declared.
#![cfg(feature = "external-servers")]

#[path = "common/servers.rs"]
mod servers;

use std::collections::BTreeMap;

use codemode::mcp::elicit::{ElicitPolicy, policy_elicitor};
use codemode::mcp::{CallOptions, Registry, ServerSpec, ServerStatus, TransportSpec};

fn http_spec(url: &str) -> ServerSpec {
    ServerSpec::new(
        "everything",
        TransportSpec::Http {
            url: url.to_string(),
            headers: BTreeMap::new(),
            legacy_sse: false,
        },
    )
}

async fn connect(spec: ServerSpec, policy: ElicitPolicy) -> Registry {
    let registry = Registry::new(vec![spec], vec![]);
    registry.set_elicitor(policy_elicitor(policy));
    registry.start();
    registry
        .wait_settled(std::time::Duration::from_secs(30))
        .await;
    for s in registry.servers() {
        assert_eq!(s.status, ServerStatus::Ready, "{}: {}", s.name, s.status);
    }
    registry
}

fn tool_names(registry: &Registry, server: &str) -> Vec<String> {
    let state = registry.server(server).unwrap();
    state.tools.iter().map(|t| t.name.clone()).collect()
}

async fn call_text(registry: &Registry, server: &str, tool: &str) -> String {
    let out = registry
        .call_tool(
            server,
            tool,
            Some(Default::default()),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    assert!(!out.is_error, "{}", out.text());
    out.text()
}

#[tokio::test]
async fn everything_sees_our_roots_and_elicitation_but_no_sampling() {
    let (_child, url) = servers::start_everything_http().await;
    let root = tempfile::tempdir().unwrap();
    let mut spec = http_spec(&url);
    spec.client.roots = Some(vec![root.path().to_path_buf()]);
    let registry = connect(spec, ElicitPolicy::AcceptDefaults).await;
    let tools = tool_names(&registry, "everything");
    assert!(tools.contains(&"get-roots-list".to_string()), "{tools:?}");
    assert!(
        tools.contains(&"trigger-elicitation-request".to_string()),
        "{tools:?}"
    );
    // Not declared, so the server does not offer it: nothing to decline at call time.
    assert!(
        !tools.iter().any(|t| t.starts_with("trigger-sampling")),
        "{tools:?}"
    );

    let roots = call_text(&registry, "everything", "get-roots-list").await;
    let uri = codemode::mcp::elicit::file_uri(root.path());
    assert!(roots.contains(&uri), "{uri} in {roots}");

    // Accept with defaults: every field with a default, typed (integer 42, number 3.14).
    let text = call_text(&registry, "everything", "trigger-elicitation-request").await;
    assert!(
        text.contains("User provided the requested information"),
        "{text}"
    );
    assert!(text.contains("Favorite Integer: 42"), "{text}");
    assert!(text.contains("Favorite Number: 3.14"), "{text}");
    assert!(
        text.contains("\"firstLine\": \"It was a dark and stormy night.\""),
        "{text}"
    );
    assert!(
        text.contains("\"untitledSingleSelectEnum\": \"Monica\""),
        "{text}"
    );
    assert!(!text.contains("\"name\""), "no default, left out: {text}");
    registry.shutdown().await;
}

#[tokio::test]
async fn elicitation_is_declined_by_default_and_can_be_switched_off() {
    let (_child, url) = servers::start_everything_http().await;
    let registry = connect(http_spec(&url), ElicitPolicy::Decline).await;
    let text = call_text(&registry, "everything", "trigger-elicitation-request").await;
    assert!(text.contains("User declined"), "{text}");
    registry.shutdown().await;

    let mut spec = http_spec(&url);
    spec.client.elicitation = false;
    spec.client.roots = None;
    let registry = connect(spec, ElicitPolicy::AcceptDefaults).await;
    let tools = tool_names(&registry, "everything");
    assert!(
        !tools.contains(&"trigger-elicitation-request".to_string()),
        "{tools:?}"
    );
    assert!(!tools.contains(&"get-roots-list".to_string()), "{tools:?}");
    registry.shutdown().await;
}

#[tokio::test]
async fn the_filesystem_server_adopts_the_declared_roots() {
    let started_with = tempfile::tempdir().unwrap();
    let declared = tempfile::tempdir().unwrap();
    let mut spec = servers::filesystem(started_with.path()).spec("fs", &[]);
    spec.client.roots = Some(vec![declared.path().to_path_buf()]);
    let registry = connect(spec, ElicitPolicy::Decline).await;
    let wanted = declared.path().canonicalize().unwrap();
    let mut text = String::new();
    // The server reads the roots asynchronously after initialization.
    for _ in 0..50 {
        text = call_text(&registry, "fs", "list_allowed_directories").await;
        if text.contains(&*wanted.to_string_lossy()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(text.contains(&*wanted.to_string_lossy()), "{text}");
    registry.shutdown().await;
}

#[test]
fn headless_commands_answer_elicitation_by_the_elicit_flag() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("codemode.toml");
    let argv = servers::everything().argv();
    std::fs::write(
        &config,
        format!(
            "[servers.everything]\ncommand = {:?}\nargs = {:?}\n",
            argv[0],
            &argv[1..]
        ),
    )
    .unwrap();
    let call = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
            .arg("--config")
            .arg(&config)
            .args(extra)
            .args(["call", "everything", "trigger-elicitation-request"])
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, out, err) = call(&["--elicit", "accept-defaults"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Favorite Integer: 42"), "{out}");
    let (code, out, _) = call(&[]);
    assert_eq!(code, Some(0));
    assert!(out.contains("User declined"), "{out}");
    let (code, _, err) = call(&["--elicit", "maybe"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("decline, accept-defaults, ask"), "{err}");
}
