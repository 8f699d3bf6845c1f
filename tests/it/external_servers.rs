//! The connection layer against real third-party MCP servers (npm and `PyPI` packages pinned
//! in tests/servers and installed by `scripts/test`). Enabled by the `external-servers`
//! feature; a missing server is a failure that says to run `scripts/test`.
#![cfg(feature = "external-servers")]

use crate::demo;
use crate::servers;

use std::collections::BTreeMap;

use codemode::mcp::{CallOptions, Registry, ServerSpec, ServerStatus, TransportSpec};
use serde_json::{Map, Value, json};

fn args(v: Value) -> Option<Map<String, Value>> {
    v.as_object().cloned()
}

async fn call(
    registry: &Registry,
    server: &str,
    tool: &str,
    a: Value,
) -> codemode::mcp::CallOutcome {
    let out = registry
        .call_tool(server, tool, args(a), &CallOptions::default())
        .await
        .unwrap_or_else(|e| panic!("{server}::{tool}: {e}"));
    assert!(
        !out.is_error,
        "{server}::{tool} reported an error: {}",
        out.text()
    );
    out
}

fn assert_ready(registry: &Registry, name: &str) {
    let s = registry.server(name).unwrap();
    assert_eq!(
        s.status,
        ServerStatus::Ready,
        "{name}: {} / stderr: {:?}",
        s.status,
        s.stderr_tail
    );
}

#[tokio::test]
async fn everything_over_stdio_echo_and_hyphenated_get_sum() {
    let registry = demo::connected(vec![servers::everything().spec("everything", &[])]).await;
    assert_ready(&registry, "everything");
    let state = registry.server("everything").unwrap();
    let names: Vec<&str> = state.tools.iter().map(|t| t.name.as_str()).collect();
    assert!(
        names.contains(&"echo") && names.contains(&"get-sum"),
        "{names:?}"
    );
    let out = call(
        &registry,
        "everything",
        "echo",
        json!({"message": "hello codemode"}),
    )
    .await;
    assert!(out.text().contains("hello codemode"), "{}", out.text());
    let out = call(
        &registry,
        "everything",
        "get-sum",
        json!({"a": 19, "b": 23}),
    )
    .await;
    assert!(out.text().contains("42"), "{}", out.text());
    registry.shutdown().await;
}

#[tokio::test]
async fn time_converts_across_zones() {
    let registry = demo::connected(vec![servers::time().spec("time", &[])]).await;
    assert_ready(&registry, "time");
    let out = call(
        &registry,
        "time",
        "get_current_time",
        json!({"timezone": "Europe/Paris"}),
    )
    .await;
    let text = out.text();
    assert!(text.contains("Europe/Paris"), "{text}");
    let out = call(
        &registry,
        "time",
        "convert_time",
        json!({"source_timezone": "UTC", "time": "12:00", "target_timezone": "Asia/Tokyo"}),
    )
    .await;
    assert!(out.text().contains("21:00"), "{}", out.text());
    registry.shutdown().await;
}

#[tokio::test]
async fn filesystem_reads_a_temp_dir() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("notes.txt"), "first line\nsecond line\n").unwrap();
    let registry = demo::connected(vec![servers::filesystem(&root).spec("fs", &[])]).await;
    assert_ready(&registry, "fs");
    let path = root.join("notes.txt").to_string_lossy().to_string();
    let out = call(&registry, "fs", "read_text_file", json!({"path": path})).await;
    assert!(out.text().contains("second line"), "{}", out.text());
    let out = call(
        &registry,
        "fs",
        "list_directory",
        json!({"path": root.to_string_lossy()}),
    )
    .await;
    assert!(out.text().contains("notes.txt"), "{}", out.text());
    // Outside the allowed root: a tool error, not a transport failure.
    let denied = registry
        .call_tool(
            "fs",
            "read_text_file",
            args(json!({"path": "/etc/hostname"})),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    assert!(
        denied.is_error,
        "reading outside the root must fail: {}",
        denied.text()
    );
    registry.shutdown().await;
}

#[tokio::test]
async fn memory_creates_entities_and_reads_the_graph() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir
        .path()
        .join("memory.jsonl")
        .to_string_lossy()
        .to_string();
    let env = [(servers::MEMORY_FILE_PATH_ENV, file)];
    let registry = demo::connected(vec![servers::memory().spec("memory", &env)]).await;
    assert_ready(&registry, "memory");
    call(
        &registry,
        "memory",
        "create_entities",
        json!({"entities": [
            {"name": "codemode", "entityType": "project", "observations": ["written in Rust"]},
            {"name": "rhai", "entityType": "language", "observations": ["embedded scripting"]}
        ]}),
    )
    .await;
    call(
        &registry,
        "memory",
        "create_relations",
        json!({"relations": [{"from": "codemode", "to": "rhai", "relationType": "scripts in"}]}),
    )
    .await;
    let graph = call(&registry, "memory", "read_graph", json!({})).await;
    let value = graph
        .structured_content
        .clone()
        .unwrap_or_else(|| serde_json::from_str(&graph.text()).expect("read_graph returns JSON"));
    assert_eq!(value["entities"].as_array().unwrap().len(), 2, "{value}");
    assert_eq!(value["relations"][0]["relationType"], "scripts in");
    registry.shutdown().await;
}

#[tokio::test]
async fn git_status_on_a_temp_repo() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().canonicalize().unwrap();
    let git = |a: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(a)
            .current_dir(&repo)
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "git {a:?}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
    };
    git(&["init", "-q"]);
    std::fs::write(repo.join("untracked.txt"), "hi").unwrap();
    let registry = demo::connected(vec![servers::git(&repo).spec("git", &[])]).await;
    assert_ready(&registry, "git");
    let out = call(
        &registry,
        "git",
        "git_status",
        json!({"repo_path": repo.to_string_lossy()}),
    )
    .await;
    assert!(out.text().contains("untracked.txt"), "{}", out.text());
    registry.shutdown().await;
}

#[tokio::test]
async fn everything_over_streamable_http() {
    let (mut child, url) = servers::start_everything_http().await;
    let http = ServerSpec::new(
        "everything-http",
        TransportSpec::Http {
            url,
            headers: BTreeMap::from([("X-Codemode-Test".to_string(), "1".to_string())]),
            legacy_sse: false,
        },
    );
    let registry = demo::connected(vec![http]).await;
    assert_ready(&registry, "everything-http");
    let state = registry.server("everything-http").unwrap();
    assert!(state.tools.iter().any(|t| t.name == "get-sum"));
    let out = call(
        &registry,
        "everything-http",
        "echo",
        json!({"message": "over http"}),
    )
    .await;
    assert!(out.text().contains("over http"), "{}", out.text());
    registry.shutdown().await;
    let _ = child.kill().await;
}

#[tokio::test]
async fn many_real_servers_at_once_with_one_dead() {
    let dir = tempfile::tempdir().unwrap();
    let env = [(
        servers::MEMORY_FILE_PATH_ENV,
        dir.path().join("m.jsonl").to_string_lossy().to_string(),
    )];
    let mut dead = servers::time().spec("dead", &[]);
    if let TransportSpec::Stdio { args, .. } = &mut dead.transport {
        args.push("--no-such-flag".into());
    }
    let registry = demo::connected(vec![
        servers::everything().spec("everything", &[]),
        servers::memory().spec("memory", &env),
        servers::time().spec("time", &[]),
        dead,
    ])
    .await;
    for name in ["everything", "memory", "time"] {
        assert_ready(&registry, name);
    }
    let dead = registry.server("dead").unwrap();
    assert!(
        matches!(dead.status, ServerStatus::Failed { .. }),
        "{:?}",
        dead.status
    );
    assert!(
        !dead.stderr_tail.is_empty(),
        "the failed server's stderr should be kept"
    );
    let pids: Vec<u32> =
        futures::future::join_all(["everything", "memory", "time"].map(|n| registry.pid(n)))
            .await
            .into_iter()
            .map(|p| p.expect("pid"))
            .collect();
    registry.shutdown().await;
    for pid in pids {
        assert!(!demo::process_alive(pid), "pid {pid} survived shutdown");
    }
}
