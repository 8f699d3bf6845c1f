//! Streamable HTTP sessions: when the server forgets our session (it restarted), its `404`
//! makes the client initialize a new session and the call still succeeds. The demo server
//! is served over HTTP behind a proxy whose upstream is switched to a fresh server.

#[path = "common/demo.rs"]
mod demo;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use codemode::mcp::{CallOptions, ServerSpec, TransportSpec};
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
    let out = call(41)
        .await
        .expect("the client starts a new session after the 404");
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
    let calls: Vec<usize> = (0..to_second.len())
        .filter(|&i| to_second[i].contains(r#""method":"tools/call""#))
        .collect();
    // The call reached the new server without a session it knew (404), then again after
    // a new `initialize`.
    assert!(
        matches!((initialize, calls.as_slice()), (Some(i), [first, .., last]) if first < &i && &i < last),
        "{to_second:#?}"
    );
    registry.shutdown().await;
    stop_second.cancel();
}
