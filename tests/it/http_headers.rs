//! Config `headers` reach every streamable-HTTP request, the `server/discover` probe included, with
//! `${VAR}` and `${VAR:-default}` expanded: the demo server is served over HTTP behind a
//! bearer token (so a request without it would fail) and reached through a proxy that
//! records each request's head.

use crate::cmd;
use crate::demo;

const TOKEN: &str = "tok-b1f0c2a9e7";

#[tokio::test(flavor = "multi_thread")]
async fn config_headers_reach_every_request_including_discover() {
    let (upstream, stop) = demo::serve_http(Some(TOKEN)).await;
    let seen = demo::Requests::default();
    let proxy_addr = {
        let seen = seen.clone();
        demo::accept_each(move |conn| demo::forward_recording(conn, upstream, seen.clone())).await
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
        let out = cmd::codemode(&dir)
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

    let heads: Vec<String> = seen
        .lock()
        .unwrap()
        .iter()
        .map(|(_, request)| {
            request
                .split("\r\n\r\n")
                .next()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    // The demo speaks 2026-07-28: the first request is the `server/discover` probe (no
    // session, so no closing DELETE); every later one is a self-contained POST.
    assert!(
        heads.first().is_some_and(|h| h
            .to_ascii_lowercase()
            .contains("mcp-method: server/discover"))
            && heads.iter().any(|h| h.contains("tools/call")),
        "discover and the call went through the proxy: {heads:#?}"
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
