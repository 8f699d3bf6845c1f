//! Streamable HTTP sessions: when the server restarts and forgets our session, the client
//! starts a new one — through rmcp's re-initialize on `404`, or, when the restart also ended
//! the event stream first, through the registry's reconnect — and calls succeed again. The
//! demo server is served over HTTP behind a proxy whose upstream is switched to a fresh one.

use crate::demo;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use codemode::mcp::{CallOptions, Lifecycle, ServerSpec, TransportSpec};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_forgotten_session_is_initialized_again() {
    let (first, stop_first) = demo::serve_http(None).await;
    let upstream = Arc::new(Mutex::new(first));
    let seen = demo::Requests::default();
    let proxy = {
        let (upstream, seen) = (upstream.clone(), seen.clone());
        demo::accept_each(move |conn| {
            let to = *upstream.lock().unwrap();
            demo::forward_recording(conn, to, seen.clone())
        })
        .await
    };
    let spec = ServerSpec::new(
        "demo",
        TransportSpec::Http {
            url: format!("http://{proxy}/mcp"),
            headers: BTreeMap::new(),
            legacy_sse: false,
        },
    );
    // Sessions are a 2025-11-25 feature (2026-07-28 has none).
    let spec = ServerSpec {
        lifecycle: Lifecycle::Initialize,
        ..spec
    };
    let registry = demo::connected(vec![spec]).await;
    let add = |a: i64| json!({"op": "add", "a": a, "b": 1}).as_object().cloned();
    let call = |a| {
        let registry = &registry;
        async move {
            registry
                .call_tool("demo", "calculate", add(a), &CallOptions::default())
                .await
        }
    };
    let out = call(1).await.unwrap();
    assert_eq!(out.structured_content.unwrap()["result"], 2.0);

    // The server restarts: a new process knows nothing of our session id.
    stop_first.cancel();
    let (second, stop_second) = demo::serve_http(None).await;
    *upstream.lock().unwrap() = second;
    // Which path recovers depends on whether the old event stream's end is seen first; a
    // call may fail as disconnected meanwhile, never for long.
    let mut answer = call(41).await;
    for _ in 0..40 {
        if answer.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        answer = call(41).await;
    }
    let out = answer.expect("calls succeed again after the server restarted");
    assert_eq!(out.structured_content.unwrap()["result"], 42.0);
    let to_second: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|(to, _)| *to == second)
        .map(|(_, request)| request.clone())
        .collect();
    let initialize = to_second
        .iter()
        .position(|r| r.contains(r#""method":"initialize""#));
    let last_call = to_second
        .iter()
        .rposition(|r| r.contains(r#""method":"tools/call""#));
    // The new server got a new `initialize` before the call it answered.
    assert!(
        matches!((initialize, last_call), (Some(i), Some(c)) if i < c),
        "{to_second:#?}"
    );
    registry.shutdown().await;
    stop_second.cancel();
}
