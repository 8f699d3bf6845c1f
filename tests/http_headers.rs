//! Config `headers` reach every streamable-HTTP request, `initialize` included, with
//! `${VAR}` and `${VAR:-default}` expanded: the demo server is served over HTTP behind a
//! bearer token (so a request without it would fail) and reached through a proxy that
//! records each request's head.

#[path = "common/cli.rs"]
mod cli;
#[path = "common/demo.rs"]
mod demo;

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const TOKEN: &str = "tok-b1f0c2a9e7";

/// Forwards one connection, recording every request head the client sends.
async fn forward(
    client: TcpStream,
    upstream: std::net::SocketAddr,
    heads: Arc<Mutex<Vec<String>>>,
) {
    let Ok(server) = TcpStream::connect(upstream).await else {
        return;
    };
    let (mut cr, mut cw) = client.into_split();
    let (mut sr, mut sw) = server.into_split();
    let up = tokio::spawn(async move {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = cr.read(&mut buf).await {
            if n == 0 {
                break;
            }
            let text = String::from_utf8_lossy(&buf[..n]);
            if ["POST ", "GET ", "DELETE "]
                .iter()
                .any(|m| text.starts_with(m))
            {
                let head = text.split("\r\n\r\n").next().unwrap_or_default();
                heads.lock().unwrap().push(head.to_string());
            }
            if sw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    });
    let _ = tokio::io::copy(&mut sr, &mut cw).await;
    up.abort();
}

#[tokio::test(flavor = "multi_thread")]
async fn config_headers_reach_every_request_including_initialize() {
    let (upstream, stop) = demo::serve_http(Some(TOKEN)).await;
    let heads = Arc::new(Mutex::new(Vec::new()));
    let proxy_addr = {
        let heads = heads.clone();
        demo::accept_each(move |conn| forward(conn, upstream, heads.clone())).await
    };

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("codemode.toml"),
        format!(
            "[servers.demo]\nurl = \"http://{proxy_addr}/mcp\"\n\
             headers = {{ Authorization = \"Bearer ${{DEMO_TOKEN}}\", \
             X-Client-Trace = \"${{TRACE_ID:-trace-default}}\" }}\n"
        ),
    )
    .unwrap();
    let output = tokio::task::spawn_blocking(move || {
        let out = cli::codemode(&dir)
            .env("DEMO_TOKEN", TOKEN)
            .env_remove("TRACE_ID")
            .args([
                "call",
                "demo",
                "calculate",
                "--args",
                r#"{"op": "multiply", "a": 6, "b": 7}"#,
            ])
            .output()
            .unwrap();
        (out, dir)
    })
    .await
    .unwrap()
    .0;
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("42"),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        !stdout.contains(TOKEN),
        "the token is never printed: {stdout}"
    );

    let heads = heads.lock().unwrap().clone();
    assert!(
        heads.iter().any(|h| h.starts_with("POST "))
            && heads.iter().any(|h| h.starts_with("DELETE ")),
        "initialize, calls and the closing DELETE went through the proxy: {heads:#?}"
    );
    for head in &heads {
        let lower = head.to_ascii_lowercase();
        assert!(
            lower.contains(&format!(
                "authorization: bearer {}",
                TOKEN.to_ascii_lowercase()
            )),
            "{head}"
        );
        assert!(lower.contains("x-client-trace: trace-default"), "{head}");
    }
    stop.cancel();
}
