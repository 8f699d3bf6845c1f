//! The connection layer against the in-repo demo server: in-process and over stdio, with
//! faults (failed start, crash mid-call, hang), timeouts, cancellation and `list_changed`.

use crate::demo;

use std::time::Duration;

use codemode::mcp::{CallError, CallOptions, EventKind, ServerStatus};
use serde_json::{Map, Value, json};

fn args(v: Value) -> Option<Map<String, Value>> {
    v.as_object().cloned()
}

#[tokio::test]
async fn in_process_demo_lists_and_calls() {
    let registry = demo::connected(vec![codemode::demo::in_process_spec()]).await;
    let state = registry.server("demo").unwrap();
    assert_eq!(state.status, ServerStatus::Ready);
    assert_eq!(
        state.details.as_ref().unwrap().name.as_deref(),
        Some("codemode-demo")
    );
    assert!(
        state
            .tools
            .iter()
            .any(|t| t.name == "delete_issue" && t.is_destructive())
    );
    assert_eq!(state.resources.len(), 2);
    assert_eq!(state.templates.len(), 1);
    assert_eq!(state.prompts.len(), 1);

    let out = registry
        .call_tool(
            "demo",
            "calculate",
            args(json!({"op": "multiply", "a": 6, "b": 7})),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    assert!(!out.is_error);
    assert_eq!(out.structured_content.unwrap()["result"], 42.0);

    // A tool error is a result with is_error, carrying the server's message.
    let out = registry
        .call_tool(
            "demo",
            "get_issue",
            args(json!({"id": 999})),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    assert!(out.is_error);
    assert_eq!(out.text(), "issue #999 not found");

    let res = registry
        .read_resource("demo", "tracker://issues/1")
        .await
        .unwrap();
    assert!(
        res["contents"][0]["text"]
            .as_str()
            .unwrap()
            .contains("Login page")
    );
    let prompt = registry
        .get_prompt("demo", "triage", args(json!({"focus": "bug"})).unwrap())
        .await
        .unwrap();
    assert!(
        prompt["messages"][0]["content"]["text"]
            .as_str()
            .unwrap()
            .contains("`bug`")
    );
    registry.shutdown().await;
}

#[tokio::test]
async fn tool_pages_are_followed_past_the_first() {
    use rmcp::ServiceExt;
    // The demo server really paginates: a raw first page is short and carries a cursor...
    let (client_end, server_end) = tokio::io::duplex(1 << 16);
    tokio::spawn(async move {
        if let Ok(s) = codemode::demo::DemoServer::default()
            .serve(server_end)
            .await
        {
            let _ = s.waiting().await;
        }
    });
    let raw = ().serve(client_end).await.unwrap();
    let first = raw.list_tools(None).await.unwrap();
    assert_eq!(first.tools.len(), codemode::demo::TOOLS_PAGE_SIZE);
    assert!(first.next_cursor.is_some());
    let _ = raw.cancel().await;
    // ...and the registry still sees every tool.
    let registry = demo::connected(vec![codemode::demo::in_process_spec()]).await;
    let names: Vec<String> = registry
        .server("demo")
        .unwrap()
        .tools
        .iter()
        .map(|t| t.name.clone())
        .collect();
    assert_eq!(names.len(), 9, "{names:?}");
    assert_eq!(
        names.last().map(String::as_str),
        Some("toggle_archive_tools")
    );
    registry.shutdown().await;
}

#[tokio::test]
async fn arguments_are_validated_before_sending() {
    let registry = demo::connected(vec![codemode::demo::in_process_spec()]).await;
    let err = registry
        .call_tool(
            "demo",
            "create_issue",
            args(json!({"title": "", "priority": "urgent"})),
            &CallOptions::default(),
        )
        .await
        .unwrap_err();
    let CallError::InvalidArguments { message, .. } = &err else {
        panic!("{err:?}")
    };
    assert!(message.contains("`priority`"), "{message}");
    assert!(message.contains("`title`"), "{message}");

    let err = registry
        .call_tool("demo", "calculte", args(json!({})), &CallOptions::default())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "server `demo` has no tool `calculte` (did you mean `calculate`?)"
    );
    let err = registry
        .call_tool("nope", "x", None, &CallOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), "unknown_server");
    registry.shutdown().await;
}

#[tokio::test]
async fn stdio_server_refreshes_tools_on_list_changed() {
    let registry = demo::connected(vec![demo::stdio_spec("demo", &[])]).await;
    let mut events = registry.subscribe();
    assert_eq!(registry.server("demo").unwrap().tools.len(), 9);
    registry
        .call_tool(
            "demo",
            "toggle_archive_tools",
            args(json!({"enabled": true})),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    let count = demo::next_event(&mut events, |k| match k {
        EventKind::ToolsChanged { count } => Some(count),
        _ => None,
    })
    .await
    .expect("a ToolsChanged event after list_changed");
    assert_eq!(count, 10);
    let tools = registry.server("demo").unwrap().tools;
    assert!(tools.iter().any(|t| t.name == "archive_closed_issues"));
    registry.shutdown().await;
}

#[tokio::test]
async fn server_log_notifications_become_events() {
    let registry = demo::connected(vec![demo::stdio_spec("demo", &[])]).await;
    let mut events = registry.subscribe();
    registry
        .call_tool(
            "demo",
            "create_issue",
            args(json!({"title": "Logged"})),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    let (level, data) = demo::next_event(&mut events, |k| match k {
        EventKind::Log { level, data, .. } => Some((level, data)),
        _ => None,
    })
    .await
    .expect("a Log event");
    assert_eq!(level, "info");
    assert_eq!(data, json!("created issue #4"));
    registry.shutdown().await;
}

#[tokio::test]
async fn call_timeout_cancels_on_the_server_which_stays_usable() {
    let registry = demo::connected(vec![demo::stdio_spec("demo", &[])]).await;
    let mut events = registry.subscribe();
    let opts = CallOptions {
        timeout: Some(Duration::from_millis(300)),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let err = registry
        .call_tool("demo", "wait", args(json!({"ms": 20000})), &opts)
        .await
        .unwrap_err();
    assert!(matches!(err, CallError::Timeout { .. }), "{err:?}");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "timeout did not stop the wait"
    );
    // On timeout the client sends notifications/cancelled; the server stops waiting.
    let saw = demo::next_event(
        &mut events,
        demo::stderr_containing("cancelled by the client"),
    )
    .await;
    assert!(
        saw.is_some(),
        "no notifications/cancelled after the timeout"
    );
    let out = registry
        .call_tool(
            "demo",
            "calculate",
            args(json!({"a": 1, "b": 2})),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(out.structured_content.unwrap()["result"], 3.0);
    registry.shutdown().await;
}

#[tokio::test]
async fn cancellation_stops_a_call_and_progress_arrives() {
    let registry = demo::connected(vec![demo::stdio_spec("demo", &[])]).await;
    let mut events = registry.subscribe();
    let opts = CallOptions::default();
    let cancel = opts.cancel.clone();
    let r2 = registry.clone();
    let call = tokio::spawn(async move {
        r2.call_tool(
            "demo",
            "wait",
            args(json!({"ms": 30000, "steps": 100})),
            &opts,
        )
        .await
    });
    // Wait for the first progress notification, then cancel.
    let progress = demo::next_event(&mut events, |k| match k {
        EventKind::Progress {
            progress, total, ..
        } => Some((progress, total)),
        _ => None,
    })
    .await
    .expect("progress notifications from `wait`");
    assert_eq!(progress, (1.0, Some(100.0)));
    cancel.cancel();
    let err = tokio::time::timeout(Duration::from_secs(10), call)
        .await
        .unwrap()
        .unwrap()
        .unwrap_err();
    assert_eq!(err.kind(), "cancelled");
    // The server saw notifications/cancelled: its `wait` stopped and said so on stderr.
    let saw = demo::next_event(
        &mut events,
        demo::stderr_containing("cancelled by the client"),
    )
    .await;
    assert!(
        saw.is_some(),
        "the server never saw notifications/cancelled"
    );
    assert!(registry.ping("demo").await.is_ok());
    registry.shutdown().await;
}

#[tokio::test]
async fn failed_start_reports_stderr_and_missing_program() {
    let mut missing = demo::stdio_spec("missing", &[]);
    if let codemode::mcp::TransportSpec::Stdio { command, .. } = &mut missing.transport {
        *command = "/nonexistent/mcp-server".into();
    }
    let registry = demo::connected(vec![
        demo::stdio_spec("broken", &["exit-at-start"]),
        missing,
        codemode::demo::in_process_spec(),
    ])
    .await;
    let broken = registry.server("broken").unwrap();
    let ServerStatus::Failed { reason } = &broken.status else {
        panic!("{:?}", broken.status)
    };
    assert!(reason.contains("exited during start-up"), "{reason}");
    assert!(
        broken
            .stderr_tail
            .iter()
            .any(|l| l.contains("exit-at-start"))
    );

    let ServerStatus::Failed { reason } = registry.server("missing").unwrap().status else {
        panic!()
    };
    assert!(reason.contains("program not found"), "{reason}");
    // The healthy server is unaffected.
    assert_eq!(registry.server("demo").unwrap().status, ServerStatus::Ready);
    registry.shutdown().await;
}

#[tokio::test]
async fn connect_timeout_on_a_server_that_never_answers() {
    let mut spec = demo::stdio_spec("hang", &["hang-at-start"]);
    spec.connect_timeout = Duration::from_millis(700);
    let registry = demo::connected(vec![spec]).await;
    let ServerStatus::Failed { reason } = registry.server("hang").unwrap().status else {
        panic!()
    };
    assert!(
        reason.contains("no answer to `initialize` within 700ms"),
        "{reason}"
    );
    registry.shutdown().await;
}

#[tokio::test]
async fn server_exiting_mid_call_is_an_error_then_reconnects() {
    let registry = demo::connected(vec![demo::stdio_spec(
        "crashy",
        &["crash-on-call=delete_issue"],
    )])
    .await;
    let pid = registry.pid("crashy").await.expect("a child pid");
    let mut events = registry.subscribe();
    let err = tokio::time::timeout(
        Duration::from_secs(20),
        registry.call_tool(
            "crashy",
            "delete_issue",
            args(json!({"id": 1})),
            &CallOptions::default(),
        ),
    )
    .await
    .expect("a crash mid-call must not hang")
    .unwrap_err();
    assert_eq!(err.kind(), "disconnected", "{err}");
    // The registry notices, reconnects with backoff, and the server works again.
    let state = demo::wait_state(&registry, "crashy", |s| {
        s.reconnects >= 1 && s.status == ServerStatus::Ready
    })
    .await;
    assert_eq!(state.reconnects, 1);
    let mut saw_stderr = false;
    while let Ok(e) = events.try_recv() {
        if let EventKind::Stderr { line } = e.kind {
            saw_stderr |= line.contains("crashing during `delete_issue`");
        }
    }
    assert!(
        saw_stderr,
        "the server's last stderr line was not reported as an event"
    );
    let new_pid = registry.pid("crashy").await.expect("a new child");
    assert_ne!(pid, new_pid);
    assert!(
        !demo::process_alive(pid),
        "the crashed child was not reaped"
    );
    registry.shutdown().await;
    assert!(
        !demo::process_alive(new_pid),
        "shutdown left the child running"
    );
}

#[tokio::test]
async fn manual_reconnect_and_shutdown_reap_children() {
    let registry =
        demo::connected(vec![demo::stdio_spec("a", &[]), demo::stdio_spec("b", &[])]).await;
    let a1 = registry.pid("a").await.unwrap();
    registry.reconnect("a").await.unwrap();
    let a2 = registry.pid("a").await.unwrap();
    assert_ne!(a1, a2);
    let b = registry.pid("b").await.unwrap();
    registry.shutdown().await;
    for pid in [a1, a2, b] {
        assert!(
            !demo::process_alive(pid),
            "pid {pid} still alive after shutdown"
        );
    }
    assert_eq!(registry.server("a").unwrap().status, ServerStatus::Stopped);
}

#[tokio::test]
async fn reconfigure_adds_removes_and_reconnects_changed_servers() {
    let registry = demo::connected(vec![
        demo::stdio_spec("keep", &[]),
        demo::stdio_spec("change", &[]),
        demo::stdio_spec("drop", &[]),
    ])
    .await;
    let keep_pid = registry.pid("keep").await.unwrap();
    let change_pid = registry.pid("change").await.unwrap();
    let drop_pid = registry.pid("drop").await.unwrap();
    let mut changed = demo::stdio_spec("change", &[]);
    changed.call_timeout = Duration::from_secs(5);
    let report = registry
        .reconfigure(vec![
            demo::stdio_spec("keep", &[]),
            changed,
            codemode::demo::in_process_spec(),
        ])
        .await;
    assert_eq!(report.added, ["demo"]);
    assert_eq!(report.removed, ["drop"]);
    assert_eq!(report.changed, ["change"]);
    assert_eq!(registry.names(), ["keep", "change", "demo"]);
    for name in ["change", "demo"] {
        demo::wait_state(&registry, name, |s| s.status == ServerStatus::Ready).await;
    }
    assert_eq!(
        registry.pid("keep").await,
        Some(keep_pid),
        "unchanged servers keep their process"
    );
    assert_ne!(registry.pid("change").await.unwrap(), change_pid);
    assert!(
        !demo::process_alive(drop_pid),
        "a removed server is stopped"
    );
    assert!(
        !demo::process_alive(change_pid),
        "a changed server's old process is stopped"
    );
    registry.shutdown().await;
}
