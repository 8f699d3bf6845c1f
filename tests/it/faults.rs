//! The connection layer against every fault `codemode demo-server --fault ...` can inject.
//! For each: a clear error naming the server and what happened, within the configured
//! timeout; memory bounded; a healthy server in the same registry keeps working; the faulty
//! server can be reconnected; and no process is left behind.

use crate::demo;

use std::time::{Duration, Instant};

use codemode::mcp::{CallError, CallOptions, EventKind, Registry, ServerSpec, ServerStatus};
use demo::args;
use serde_json::{Value, json};

const MARK: &str = "CODEMODE_FAULT_TEST";

/// The fault server as `name`, with a short call timeout and a marker in its environment.
fn faulty(name: &str, faults: &[&str]) -> ServerSpec {
    let mut spec = demo::stdio_spec(name, faults);
    spec.call_timeout = Duration::from_secs(2);
    spec.connect_timeout = Duration::from_secs(10);
    if let codemode::mcp::TransportSpec::Stdio { env, .. } = &mut spec.transport {
        env.insert(MARK.into(), name.into());
    }
    spec
}

/// `spec` next to a healthy stdio demo server, both settled.
async fn with_healthy(spec: ServerSpec) -> Registry {
    demo::connected(vec![spec, demo::stdio_spec("healthy", &[])]).await
}

async fn call(r: &Registry, server: &str, tool: &str, a: Value) -> Result<String, CallError> {
    r.call_tool(server, tool, args(a), &CallOptions::default())
        .await
        .map(|out| out.text())
}

/// After the fault: the healthy server still answers; the faulty one reconnects (and then
/// answers `probe`) or fails again with `reconnect_error`; shutdown leaves no process of
/// either behind.
async fn survives(r: Registry, server: &str, probe: Option<(&str, Value)>) {
    assert_eq!(
        call(&r, "healthy", "calculate", json!({"a": 1, "b": 2}))
            .await
            .unwrap(),
        "{\n  \"result\": 3.0\n}"
    );
    let mut pids: Vec<u32> = r.pid("healthy").await.into_iter().collect();
    pids.extend(r.pid(server).await);
    let reconnected = tokio::time::timeout(Duration::from_secs(30), r.reconnect(server))
        .await
        .expect("reconnect must not hang");
    match probe {
        Some((tool, a)) => {
            reconnected.unwrap();
            call(&r, server, tool, a).await.unwrap();
        }
        None => assert!(reconnected.is_err(), "{server} reconnected"),
    }
    pids.extend(r.pid(server).await);
    r.shutdown().await;
    for pid in pids {
        assert!(!demo::process_alive(pid), "pid {pid} alive after shutdown");
    }
    // Children of failed starts have no pid in the registry: find them by their marker.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !demo::processes_with_env(MARK, server).is_empty() {
        assert!(
            Instant::now() < deadline,
            "processes of `{server}` left behind"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn echo() -> Option<(&'static str, Value)> {
    Some(("echo", json!({"text": "hi"})))
}

fn failed_reason(r: &Registry, server: &str) -> String {
    match r.server(server).unwrap().status {
        ServerStatus::Failed { reason } => reason,
        other => panic!("{server} is {other:?}"),
    }
}

#[tokio::test]
async fn crash_mid_call() {
    let r = with_healthy(faulty("crashy", &["crash-on-call=boom", "hang-on-call=x"])).await;
    let err = call(&r, "crashy", "boom", json!({})).await.unwrap_err();
    assert_eq!(err.kind(), "disconnected");
    let msg = err.to_string();
    assert!(
        msg.starts_with("server `crashy` closed the connection during boom"),
        "{msg}"
    );
    survives(r, "crashy", echo()).await;
}

#[tokio::test]
async fn hang_forever_on_call_times_out() {
    let r = with_healthy(faulty("stuck", &["hang-on-call=wait_forever"])).await;
    let started = Instant::now();
    let err = call(&r, "stuck", "wait_forever", json!({}))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "stuck::wait_forever timed out after 2s");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // Other calls on the same connection still work.
    assert_eq!(
        call(&r, "stuck", "echo", json!({"text": "still"}))
            .await
            .unwrap(),
        "still"
    );
    survives(r, "stuck", echo()).await;
}

#[tokio::test]
async fn reply_after_n_seconds() {
    let r = with_healthy(faulty("slow", &["slow-call=nap:4"])).await;
    let err = call(&r, "slow", "nap", json!({})).await.unwrap_err();
    assert!(matches!(err, CallError::Timeout { .. }), "{err}");
    let opts = CallOptions {
        timeout: Some(Duration::from_secs(20)),
        ..Default::default()
    };
    let out = r
        .call_tool("slow", "nap", args(json!({"text": "late"})), &opts)
        .await
        .unwrap();
    assert_eq!(out.text(), "late");
    survives(r, "slow", echo()).await;
}

#[tokio::test]
async fn garbage_on_stdout_is_skipped() {
    let r = with_healthy(faulty("noisy", &["garbage-on-call=junk"])).await;
    let err = call(&r, "noisy", "junk", json!({})).await.unwrap_err();
    assert_eq!(err.to_string(), "noisy::junk timed out after 2s");
    assert_eq!(r.server("noisy").unwrap().status, ServerStatus::Ready);
    assert_eq!(
        call(&r, "noisy", "echo", json!({"text": "after"}))
            .await
            .unwrap(),
        "after"
    );
    survives(r, "noisy", echo()).await;
}

#[tokio::test]
async fn duplicate_and_unknown_response_ids_are_ignored() {
    let r = with_healthy(faulty("dup", &["duplicate-ids-on-call=twice"])).await;
    assert_eq!(
        call(&r, "dup", "twice", json!({"text": "first"}))
            .await
            .unwrap(),
        "first"
    );
    for i in 0..3 {
        let text = format!("next {i}");
        assert_eq!(
            call(&r, "dup", "echo", json!({"text": text}))
                .await
                .unwrap(),
            text
        );
    }
    assert_eq!(r.server("dup").unwrap().status, ServerStatus::Ready);
    survives(r, "dup", echo()).await;
}

#[tokio::test]
async fn stderr_flood_stays_bounded() {
    let r = with_healthy(faulty("flood", &["flood-stderr-on-call=shout"])).await;
    let before = demo::memory_kib("VmRSS");
    let mut events = r.subscribe();
    call(&r, "flood", "shout", json!({})).await.unwrap();
    // Let it flood (each line 6 000 bytes) while the server keeps answering on stdout.
    let mut flooded = 0usize;
    let until = Instant::now() + Duration::from_secs(3);
    while Instant::now() < until {
        match tokio::time::timeout(Duration::from_millis(100), events.recv()).await {
            Ok(Ok(e)) => {
                if let EventKind::Stderr { line } = e.kind {
                    assert!(
                        line.len() <= 2048 + 8,
                        "a stderr line of {} bytes",
                        line.len()
                    );
                    flooded += 1;
                }
            }
            Ok(Err(tokio::sync::broadcast::error::RecvError::Lagged(n))) => flooded += n as usize,
            _ => {}
        }
    }
    assert!(flooded > 100, "only {flooded} stderr lines arrived");
    assert_eq!(
        call(&r, "flood", "echo", json!({"text": "heard"}))
            .await
            .unwrap(),
        "heard"
    );
    let tail = r.server("flood").unwrap().stderr_tail;
    assert!(tail.len() <= 40, "{} stderr lines kept", tail.len());
    let grown = demo::memory_kib("VmRSS").saturating_sub(before);
    assert!(grown < 64 * 1024, "RSS grew {grown} KiB during the flood");
    survives(r, "flood", echo()).await;
}

#[tokio::test]
async fn a_100_mb_result_is_refused_with_a_clear_error() {
    let r = with_healthy(faulty("huge", &["huge-result=big:100"])).await;
    let before = demo::memory_kib("VmHWM");
    let opts = CallOptions {
        timeout: Some(Duration::from_secs(60)),
        ..Default::default()
    };
    let err = r.call_tool("huge", "big", None, &opts).await.unwrap_err();
    assert_eq!(err.kind(), "transport");
    let msg = err.to_string();
    assert!(
        msg.contains("`huge` during big: the server sent a reply of 1048576")
            && msg.contains("over the 16 MiB message limit"),
        "{msg}"
    );
    let peak = demo::memory_kib("VmHWM").saturating_sub(before);
    assert!(
        peak < 80 * 1024,
        "peak RSS grew {peak} KiB for a refused 100 MB reply"
    );
    assert_eq!(
        call(&r, "huge", "echo", json!({"text": "small"}))
            .await
            .unwrap(),
        "small"
    );
    survives(r, "huge", echo()).await;
}

#[tokio::test]
async fn slow_start_within_and_past_the_connect_timeout() {
    let mut late = faulty("late", &["slow-start=3"]);
    late.connect_timeout = Duration::from_secs(1);
    let r = with_healthy(late).await;
    assert_eq!(
        failed_reason(&r, "late"),
        "no answer to `initialize` within 1s"
    );
    r.shutdown().await;
    let r = with_healthy(faulty("late", &["slow-start=1"])).await;
    assert_eq!(r.server("late").unwrap().status, ServerStatus::Ready);
    survives(r, "late", Some(("calculate", json!({"a": 2, "b": 2})))).await;
}

#[tokio::test]
async fn wrong_protocol_version_is_refused() {
    let r = with_healthy(faulty("ancient", &["wrong-protocol"])).await;
    let reason = failed_reason(&r, "ancient");
    assert!(
        reason.starts_with("the server answered `initialize` with protocol version `1999-01-01`"),
        "{reason}"
    );
    assert!(reason.contains("2025-11-25"), "{reason}");
    survives(r, "ancient", None).await;
}

#[tokio::test]
async fn exit_at_start_and_right_after_initialize() {
    let r = with_healthy(faulty("gone", &["exit-at-start"])).await;
    let reason = failed_reason(&r, "gone");
    assert!(
        reason.contains("exited during start-up (exit status: 2)"),
        "{reason}"
    );
    survives(r, "gone", None).await;

    // The server answers `initialize` and exits (status 4) at once: depending on whether
    // the exit is seen before our `initialized` notification went out, the failure is the
    // start-up's or the first listing's. Either way it says what happened.
    let r = with_healthy(faulty("brief", &["exit-after-init"])).await;
    let reason = failed_reason(&r, "brief");
    let during_listing = reason
        .starts_with("listing failed: server `brief` closed the connection during tools/list")
        && reason.contains("exiting after initialize");
    let during_start = reason.contains("exited during start-up (exit status: 4)");
    assert!(during_listing || during_start, "{reason}");
    survives(r, "brief", None).await;
}

#[tokio::test]
async fn malformed_input_schemas_do_not_break_the_server_or_its_docs() {
    let r = with_healthy(faulty("odd", &["malformed-schema"])).await;
    let state = r.server("odd").unwrap();
    assert_eq!(state.status, ServerStatus::Ready);
    let names: Vec<&str> = state.tools.iter().map(|t| t.name.as_str()).collect();
    assert!(names.contains(&"echo"), "{names:?}");
    let catalog = codemode::catalog::Catalog::from_states(std::slice::from_ref(&state));
    let doc = codemode::catalog::render_md::server(catalog.server("odd").unwrap());
    assert!(doc.contains("echo"), "{doc}");
    for tool in names.iter().filter(|n| n.ends_with("schema")) {
        let err = call(&r, "odd", tool, json!({})).await;
        assert!(
            err.is_ok() || err.as_ref().unwrap_err().kind() == "invalid_arguments",
            "{err:?}"
        );
    }
    survives(r, "odd", echo()).await;
}

#[tokio::test]
async fn a_tool_list_that_changes_on_every_call_is_refreshed_at_a_bounded_rate() {
    let r = with_healthy(faulty("shifty", &["changing-tools"])).await;
    let mut events = r.subscribe();
    let mut changes = 0;
    let until = tokio::time::Instant::now() + Duration::from_secs(3);
    while let Ok(Ok(e)) = tokio::time::timeout_at(until, events.recv()).await {
        changes += u32::from(matches!(e.kind, EventKind::ToolsChanged { .. }));
    }
    assert!((1..=5).contains(&changes), "{changes} refreshes in 3 s");
    let tools = r.server("shifty").unwrap().tools;
    let generation: u32 = tools
        .iter()
        .find_map(|t| t.name.strip_prefix("generation_")?.parse().ok())
        .expect("a generation tool");
    assert!((2..=7).contains(&generation), "listed {generation} times");
    assert_eq!(
        call(&r, "shifty", "echo", json!({"text": "steady"}))
            .await
            .unwrap(),
        "steady"
    );
    survives(r, "shifty", echo()).await;
}
