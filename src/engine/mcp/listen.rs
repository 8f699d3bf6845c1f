//! Serving an MCP server over streamable HTTP (`codemode serve --http ADDR`): rmcp's
//! streamable HTTP service behind hyper (HTTP/1.1), at `/mcp`, loopback-only unless allowed,
//! with an optional bearer token; a browser `Origin` that is not loopback is refused (403).
//! Here because `mcp/` is the only room that opens sockets.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use tokio_util::sync::CancellationToken;

use super::listen_sessions::{SESSION_HEADER, Sessions};

/// The endpoint path.
pub const PATH: &str = "/mcp";

/// The browser origins allowed to call the endpoint (any port).
pub const LOOPBACK_ORIGINS: [&str; 6] = [
    "http://localhost:*",
    "http://127.0.0.1:*",
    "http://[::1]:*",
    "https://localhost:*",
    "https://127.0.0.1:*",
    "https://[::1]:*",
];

/// How to listen.
#[derive(Clone, Debug)]
pub struct HttpOptions {
    /// The address to bind (port 0 picks a free port).
    pub addr: SocketAddr,
    /// Allow a non-loopback address (then a token is required).
    pub allow_remote: bool,
    /// `Authorization: Bearer` token every request must carry.
    pub token: Option<String>,
    /// Open sessions at most ([`Sessions`]).
    pub max_sessions: usize,
    /// A session unused this long is closed.
    pub session_idle: std::time::Duration,
}

impl HttpOptions {
    /// Loopback-style options for `addr`: no remote access, no token, 64 sessions closed
    /// after 10 minutes idle.
    pub fn new(addr: SocketAddr) -> Self {
        HttpOptions {
            addr,
            allow_remote: false,
            token: None,
            max_sessions: 64,
            session_idle: std::time::Duration::from_secs(600),
        }
    }
}

/// Checks the options before binding: a non-loopback address needs `allow_remote` and a
/// token (the endpoint runs tools with the user's rights).
pub fn check(opts: &HttpOptions) -> Result<(), String> {
    if opts.addr.ip().is_loopback() {
        return Ok(());
    }
    if !opts.allow_remote {
        return Err(format!(
            "refusing to listen on {}: not a loopback address (anyone who can reach it could \
             run tools as you); use 127.0.0.1, or pass --allow-remote with a token",
            opts.addr
        ));
    }
    if opts.token.as_deref().unwrap_or("").is_empty() {
        return Err(format!(
            "listening on {} (not loopback) needs a bearer token: --token-env VAR or [serve] token",
            opts.addr
        ));
    }
    Ok(())
}

/// Compares in time independent of where the strings differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn authorized(req: &Request<Incoming>, token: &str) -> bool {
    req.headers()
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| same(given.trim().as_bytes(), token.as_bytes()))
}

fn plain(status: StatusCode, text: &str) -> Response<BoxBody<Bytes, Infallible>> {
    let mut r = Response::new(Full::new(Bytes::from(text.to_string())).boxed());
    *r.status_mut() = status;
    r.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    r
}

/// Binds, reports the bound address through `on_bound`, and serves until `stop` is
/// cancelled.
pub async fn serve<S>(
    server: S,
    opts: HttpOptions,
    stop: CancellationToken,
    on_bound: impl FnOnce(SocketAddr),
) -> Result<(), String>
where
    S: rmcp::ServerHandler + Clone + Send + Sync + 'static,
{
    check(&opts)?;
    let listener = tokio::net::TcpListener::bind(opts.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", opts.addr))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    // A browser page may call us only from a loopback origin: any other `Origin` gets 403
    // (the MCP spec's DNS-rebinding defence; requests without `Origin` are not browsers').
    let mut config = StreamableHttpServerConfig::default()
        .with_allowed_origins(LOOPBACK_ORIGINS)
        .enforce_origin_validation();
    config.cancellation_token = stop.child_token();
    if opts.allow_remote {
        // Any Host: the token guards the endpoint.
        config.allowed_hosts.clear();
    }
    let sessions = Sessions::new(opts.max_sessions, opts.session_idle);
    sessions.spawn_sweeper(stop.clone());
    let service = Arc::new(StreamableHttpService::new(
        move || Ok(server.clone()),
        sessions.manager.clone(),
        config,
    ));
    let token: Option<Arc<str>> = opts.token.filter(|t| !t.is_empty()).map(Arc::from);
    on_bound(bound);
    loop {
        let (stream, peer) = tokio::select! {
            () = stop.cancelled() => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("serve: accept failed: {e}");
                    continue;
                }
            },
        };
        let service = service.clone();
        let token = token.clone();
        let sessions = sessions.clone();
        let handler = hyper::service::service_fn(move |req: Request<Incoming>| {
            let service = service.clone();
            let token = token.clone();
            let sessions = sessions.clone();
            async move {
                if req.uri().path() != PATH {
                    return Ok::<_, Infallible>(plain(
                        StatusCode::NOT_FOUND,
                        "not found: the MCP endpoint is /mcp\n",
                    ));
                }
                if let Some(t) = &token
                    && !authorized(&req, t)
                {
                    let mut r = plain(StatusCode::UNAUTHORIZED, "missing or wrong bearer token\n");
                    r.headers_mut().insert(
                        http::header::WWW_AUTHENTICATE,
                        http::HeaderValue::from_static("Bearer realm=\"codemode\""),
                    );
                    return Ok(r);
                }
                Ok(bounded(&service, &sessions, req).await)
            }
        });
        let stop = stop.clone();
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), handler);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!("serve: connection from {peer}: {e}");
                    }
                }
                () = stop.cancelled() => conn.as_mut().graceful_shutdown(),
            }
        });
    }
}

/// Hands `req` to rmcp's service within the session bound: a request of a session marks it
/// used; a POST opening a session (no session header) is refused with 503 past the cap.
async fn bounded<S>(
    service: &StreamableHttpService<S, LocalSessionManager>,
    sessions: &Sessions,
    req: Request<Incoming>,
) -> Response<BoxBody<Bytes, Infallible>>
where
    S: rmcp::ServerHandler + Send + 'static,
{
    match req
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        Some(id) => sessions.touch(id),
        None if req.method() == http::Method::POST => {
            if let Err(why) = sessions.admit().await {
                return plain(StatusCode::SERVICE_UNAVAILABLE, &format!("{why}\n"));
            }
        }
        None => {}
    }
    let response = service.handle(req).await;
    if let Some(id) = response
        .headers()
        .get(SESSION_HEADER)
        .and_then(|v| v.to_str().ok())
    {
        sessions.touch(id);
    }
    response.map(http_body_util::BodyExt::boxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opts(addr: &str, allow_remote: bool, token: Option<&str>) -> HttpOptions {
        HttpOptions {
            allow_remote,
            token: token.map(String::from),
            ..HttpOptions::new(addr.parse().unwrap())
        }
    }

    #[test]
    fn only_loopback_unless_allowed_with_a_token() {
        assert!(check(&opts("127.0.0.1:0", false, None)).is_ok());
        assert!(check(&opts("[::1]:0", false, None)).is_ok());
        let err = check(&opts("0.0.0.0:8080", false, Some("t"))).unwrap_err();
        assert!(err.contains("not a loopback address"), "{err}");
        let err = check(&opts("0.0.0.0:8080", true, None)).unwrap_err();
        assert!(err.contains("needs a bearer token"), "{err}");
        assert!(check(&opts("0.0.0.0:8080", true, Some("t"))).is_ok());
    }

    #[test]
    fn token_comparison() {
        assert!(same(b"abc", b"abc"));
        assert!(!same(b"abc", b"abd"));
        assert!(!same(b"abc", b"abcd"));
    }
}
