//! Tools that must run as tasks (MCP 2025-11-25): `server-everything`'s
//! `simulate-research-query` declares `execution.taskSupport: "required"`, refuses a plain
//! call and reports its stages as task status. Over streamable HTTP and stdio.
#![cfg(feature = "external-servers")]

use crate::servers;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use codemode::mcp::{
    CallError, CallOptions, EventKind, Registry, ServerSpec, ServerStatus, TransportSpec,
};
use serde_json::{Map, Value, json};

const TOOL: &str = "simulate-research-query";

async fn connect(spec: ServerSpec) -> Registry {
    let registry = Registry::new(vec![spec], vec![]);
    registry.start();
    registry.wait_settled(Duration::from_secs(30)).await;
    let state = registry.server("everything").unwrap();
    assert_eq!(state.status, ServerStatus::Ready, "{}", state.status);
    registry
}

fn args(topic: &str) -> Option<Map<String, Value>> {
    json!({ "topic": topic }).as_object().cloned()
}

/// Calls the research tool and returns its text with the task statuses reported meanwhile.
async fn research(registry: &Registry, topic: &str) -> (String, Vec<(String, Option<String>)>) {
    let mut events = registry.subscribe();
    let out = registry
        .call_tool("everything", TOOL, args(topic), &CallOptions::default())
        .await
        .expect("the task-required tool runs as a task");
    assert!(!out.is_error, "{}", out.text());
    let mut statuses = Vec::new();
    while let Ok(event) = events.try_recv() {
        if let EventKind::Task {
            tool,
            status,
            message,
            ..
        } = event.kind
        {
            assert_eq!(tool, TOOL);
            statuses.push((status, message));
        }
    }
    (out.text(), statuses)
}

fn assert_research(text: &str, statuses: &[(String, Option<String>)], topic: &str) {
    assert!(
        text.contains(&format!("# Research Report: {topic}")),
        "{text}"
    );
    let names: Vec<&str> = statuses.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(names.first(), Some(&"working"), "{statuses:?}");
    assert_eq!(names.last(), Some(&"completed"), "{statuses:?}");
    // Stages are seen by polling at the server's interval: under load one may pass between
    // two polls, but the progress is reported as it goes (several distinct stages).
    let mut messages: Vec<&str> = statuses.iter().filter_map(|(_, m)| m.as_deref()).collect();
    messages.dedup();
    assert!(
        messages.len() >= 2 && messages.iter().all(|m| m.ends_with("...")),
        "stages are reported: {statuses:?}"
    );
}

#[tokio::test]
async fn a_task_required_tool_runs_as_a_task_over_http_with_its_stages_reported() {
    let (_child, url) = servers::start_everything_http().await;
    let spec = ServerSpec::new(
        "everything",
        TransportSpec::Http {
            url,
            headers: BTreeMap::new(),
            legacy_sse: false,
        },
    );
    let registry = connect(spec).await;
    let (text, statuses) = research(&registry, "rust").await;
    assert_research(&text, &statuses, "rust");
    // The second call goes straight to a task; other tools stay plain calls.
    let (text, statuses) = research(&registry, "tokio").await;
    assert_research(&text, &statuses, "tokio");
    let echo = registry
        .call_tool(
            "everything",
            "echo",
            json!({"message": "plain"}).as_object().cloned(),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(echo.text(), "Echo: plain");
    registry.shutdown().await;
}

#[tokio::test]
async fn a_task_runs_over_stdio_and_a_timeout_stops_waiting_for_it() {
    let registry = connect(servers::everything().spec("everything", &[])).await;
    let (text, statuses) = research(&registry, "stdio").await;
    assert_research(&text, &statuses, "stdio");
    // The research takes four seconds; a 1.5 s call timeout ends the wait (and cancels
    // the task) instead of hanging.
    let started = Instant::now();
    let opts = CallOptions {
        timeout: Some(Duration::from_millis(1500)),
        ..Default::default()
    };
    let err = registry
        .call_tool("everything", TOOL, args("slow"), &opts)
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::Timeout { .. }), "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
    registry.shutdown().await;
}
