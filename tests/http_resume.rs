//! Streamable HTTP resumability: the demo server served over HTTP (`mcp::listen`, rmcp's
//! server side), reached through a proxy that cuts the SSE stream of a `tools/call` right
//! after the server's priming event. The client must reconnect with `GET` and
//! `Last-Event-ID` after the server's `retry:` interval and receive the result there.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use codemode::mcp::listen::{self, HttpOptions};
use codemode::mcp::{CallOptions, Registry, ServerSpec, ServerStatus, TransportSpec};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::sync::CancellationToken;

/// Forwards one connection; when `cut` is still armed and this connection carried a
/// `tools/call`, drops the connection right after passing on the chunk holding `retry:`
/// (the server's priming event, with an event id): the stream breaks before the response.
async fn forward(
    client: TcpStream,
    upstream: std::net::SocketAddr,
    cut: Arc<AtomicBool>,
    seen: Arc<AtomicBool>,
) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let calling = Arc::new(AtomicBool::new(false));
    let up = {
        let calling = calling.clone();
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
                    seen.store(true, Ordering::SeqCst);
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
        if calling.load(Ordering::SeqCst)
            && text.contains("retry:")
            && cut.swap(false, Ordering::SeqCst)
        {
            break;
        }
    }
    up.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_call_survives_its_sse_stream_closing_before_the_response() {
    let stop = CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let opts = HttpOptions {
        addr: "127.0.0.1:0".parse().unwrap(),
        allow_remote: false,
        token: None,
    };
    tokio::spawn(listen::serve(
        codemode::demo::DemoServer::default(),
        opts,
        stop.clone(),
        move |addr| {
            let _ = tx.send(addr);
        },
    ));
    let upstream = rx.await.unwrap();

    let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_addr = proxy.local_addr().unwrap();
    let cut = Arc::new(AtomicBool::new(true));
    let resumed = Arc::new(AtomicBool::new(false));
    {
        let (cut, resumed) = (cut.clone(), resumed.clone());
        tokio::spawn(async move {
            while let Ok((conn, _)) = proxy.accept().await {
                tokio::spawn(forward(conn, upstream, cut.clone(), resumed.clone()));
            }
        });
    }

    let spec = ServerSpec::new(
        "demo",
        TransportSpec::Http {
            url: format!("http://{proxy_addr}/mcp"),
            headers: Default::default(),
            legacy_sse: false,
        },
    );
    let registry = Registry::new(vec![spec], vec![]);
    registry.start();
    registry.wait_settled(Duration::from_secs(20)).await;
    assert_eq!(registry.server("demo").unwrap().status, ServerStatus::Ready);

    let started = Instant::now();
    let args = serde_json::json!({ "ms": 1000, "steps": 2 });
    let out = registry
        .call_tool(
            "demo",
            "wait",
            args.as_object().cloned(),
            &CallOptions::default(),
        )
        .await
        .expect("the call completes over the resumed stream");
    assert!(!out.is_error, "{}", out.text());
    assert_eq!(out.structured_content.unwrap()["waited_ms"], 1000);
    assert!(!cut.load(Ordering::SeqCst), "the proxy cut the stream");
    assert!(
        resumed.load(Ordering::SeqCst),
        "the client resumed with Last-Event-ID"
    );
    // A broken stream is resumed at once (rmcp waits for the server's `retry:` only after a
    // graceful end of the stream), well within the call's timeout.
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    registry.shutdown().await;
    stop.cancel();
}
