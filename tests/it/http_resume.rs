//! Streamable HTTP resumability: the demo server served over HTTP (`mcp::listen`, rmcp's
//! server side), reached through a proxy that ends the SSE stream of a `tools/call` right
//! after the server's priming event (`id:` + `retry: 3000`). The client must reconnect with
//! `GET` and `Last-Event-ID` and receive the result there: at once when the stream broke,
//! after exactly the server's `retry:` interval when it ended gracefully.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::demo;

use codemode::mcp::{CallOptions, Lifecycle, Registry, ServerSpec, ServerStatus, TransportSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How the proxy ends the first `tools/call` stream.
#[derive(Clone, Copy, PartialEq)]
enum Cut {
    /// Drop the connection mid-body (a network failure).
    Break,
    /// Send the last chunk of the chunked body, then close (a proxy timing out).
    Graceful,
}

/// What the proxy saw.
#[derive(Default)]
struct Seen {
    /// When the stream was cut.
    cut_at: std::sync::Mutex<Option<Instant>>,
    /// When the client came back with `Last-Event-ID`.
    resumed_at: std::sync::Mutex<Option<Instant>>,
}

/// Forwards one connection; ends the first response to a `tools/call` right after passing
/// on the chunk holding `retry:` (the server's priming event, with an event id).
async fn forward(client: TcpStream, upstream: std::net::SocketAddr, how: Cut, seen: Arc<Seen>) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let calling = Arc::new(AtomicBool::new(false));
    let up = {
        let calling = calling.clone();
        let seen = seen.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 64 * 1024];
            while let Ok(n) = cr.read(&mut buf).await {
                if n == 0 {
                    break;
                }
                let text = String::from_utf8_lossy(&buf[..n]);
                if text.contains("\"method\":\"tools/call\"") {
                    calling.store(true, Ordering::SeqCst);
                }
                if text.starts_with("GET ") && text.to_ascii_lowercase().contains("last-event-id:")
                {
                    seen.resumed_at
                        .lock()
                        .unwrap()
                        .get_or_insert_with(Instant::now);
                }
                if sw.write_all(&buf[..n]).await.is_err() {
                    break;
                }
            }
        })
    };
    let mut buf = vec![0u8; 64 * 1024];
    while let Ok(n) = sr.read(&mut buf).await {
        if n == 0 || cw.write_all(&buf[..n]).await.is_err() {
            break;
        }
        let text = String::from_utf8_lossy(&buf[..n]);
        if calling.load(Ordering::SeqCst) && text.contains("retry:") {
            let first = {
                let mut cut_at = seen.cut_at.lock().unwrap();
                let first = cut_at.is_none();
                cut_at.get_or_insert_with(Instant::now);
                first
            };
            if first {
                if how == Cut::Graceful {
                    assert!(text.contains("chunked"), "a chunked SSE response: {text}");
                    let _ = cw.write_all(b"0\r\n\r\n").await;
                }
                break;
            }
        }
    }
    up.abort();
}

/// Serves the demo over HTTP behind a cutting proxy, calls `wait` for `ms`, and returns
/// the call's duration and what the proxy saw.
async fn call_through_cut(how: Cut, ms: u64) -> (Duration, Arc<Seen>) {
    let (upstream, stop) = demo::serve_http(None).await;
    let seen = Arc::new(Seen::default());
    let proxy_addr = {
        let seen = seen.clone();
        demo::accept_each(move |conn| forward(conn, upstream, how, seen.clone())).await
    };
    let spec = ServerSpec::new(
        "demo",
        TransportSpec::Http {
            url: format!("http://{proxy_addr}/mcp"),
            headers: Default::default(),
            legacy_sse: false,
        },
    );
    // Sessions are a 2025-11-25 feature (2026-07-28 has none).
    let spec = ServerSpec {
        lifecycle: Lifecycle::Initialize,
        ..spec
    };
    let registry = Registry::new(vec![spec], vec![]);
    registry.start();
    registry.wait_settled(Duration::from_secs(20)).await;
    assert_eq!(registry.server("demo").unwrap().status, ServerStatus::Ready);
    let started = Instant::now();
    let args = serde_json::json!({ "ms": ms, "steps": 2 });
    let out = registry
        .call_tool(
            "demo",
            "wait",
            args.as_object().cloned(),
            &CallOptions::default(),
        )
        .await
        .expect("the call completes over the resumed stream");
    let took = started.elapsed();
    assert!(!out.is_error, "{}", out.text());
    assert_eq!(out.structured_content.unwrap()["waited_ms"], ms);
    registry.shutdown().await;
    stop.cancel();
    (took, seen)
}

fn gap(seen: &Seen) -> Duration {
    let cut = seen
        .cut_at
        .lock()
        .unwrap()
        .expect("the proxy cut the stream");
    let back = seen
        .resumed_at
        .lock()
        .unwrap()
        .expect("the client resumed with Last-Event-ID");
    back - cut
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_stream_is_resumed_at_once() {
    let (took, seen) = call_through_cut(Cut::Break, 1000).await;
    assert!(gap(&seen) < Duration::from_millis(1500), "{:?}", gap(&seen));
    assert!(took < Duration::from_secs(8), "{took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gracefully_ended_stream_is_resumed_after_the_servers_retry_interval() {
    // The result comes after the client is back (rmcp's server does not replay a response
    // produced while no stream was attached: see ARCHITECTURE.md).
    let (_, seen) = call_through_cut(Cut::Graceful, 5000).await;
    let gap = gap(&seen);
    assert!(
        gap >= Duration::from_millis(2950) && gap < Duration::from_secs(4),
        "waited {gap:?} for a `retry: 3000`"
    );
}
