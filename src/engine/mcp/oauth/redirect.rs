//! Getting the authorization code back: a loopback redirect listener (the browser is sent to
//! the authorization URL and comes back to `http://127.0.0.1:PORT/callback`), or, with
//! `--oauth-auto-approve`, fetching the authorization URL ourselves and reading `code` from
//! the redirect's `Location` header without following it. Opening the browser is here too
//! (`mcp/` is the only room that spawns processes).

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// The path of the redirect URI.
pub const CALLBACK_PATH: &str = "/callback";

/// How long an interactive login may take before the connection gives up.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

/// A bound loopback listener and its redirect URI.
pub struct Listener {
    listener: TcpListener,
    /// `http://127.0.0.1:PORT/callback`.
    pub uri: String,
}

/// Binds the redirect listener on 127.0.0.1 (`port`, or any free port).
pub async fn bind(port: Option<u16>) -> Result<Listener, String> {
    let addr = format!("127.0.0.1:{}", port.unwrap_or(0));
    let listener = TcpListener::bind(&addr)
        .await
        .map_err(|e| format!("cannot listen for the OAuth redirect on {addr}: {e}"))?;
    let port = listener
        .local_addr()
        .map_err(|e| format!("cannot read the redirect listener's address: {e}"))?
        .port();
    Ok(Listener {
        listener,
        uri: format!("http://127.0.0.1:{port}{CALLBACK_PATH}"),
    })
}

impl Listener {
    /// Waits for the browser to come back with the code; returns the full callback URL.
    /// Requests to other paths get a 404 and are skipped.
    pub async fn receive(self, timeout: Duration) -> Result<String, String> {
        let wait = async {
            loop {
                let (mut stream, _) = self
                    .listener
                    .accept()
                    .await
                    .map_err(|e| format!("the OAuth redirect listener failed: {e}"))?;
                let Some(target) = read_request_target(&mut stream).await else {
                    continue;
                };
                if !target.starts_with(CALLBACK_PATH) {
                    respond(&mut stream, "404 Not Found", "not found").await;
                    continue;
                }
                let callback = format!("{}{}", self.uri, &target[CALLBACK_PATH.len()..]);
                let (status, text) = match query_param(&callback, "error") {
                    Some(error) => (
                        "400 Bad Request",
                        format!("Authorization failed: {error}. You can close this tab."),
                    ),
                    None => (
                        "200 OK",
                        "Authorized: you can close this tab and return to codemode.".to_string(),
                    ),
                };
                respond(&mut stream, status, &text).await;
                return match query_param(&callback, "error") {
                    Some(error) => Err(authorization_error(&callback, &error)),
                    None => Ok(callback),
                };
            }
        };
        tokio::time::timeout(timeout, wait)
            .await
            .unwrap_or_else(|_| {
                Err(format!(
                    "no authorization came back within {}",
                    humantime::format_duration(timeout)
                ))
            })
    }
}

/// The request target of one HTTP/1 request (`GET /callback?code=... HTTP/1.1`).
async fn read_request_target(stream: &mut tokio::net::TcpStream) -> Option<String> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 16 * 1024 {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let text = String::from_utf8_lossy(&buf);
    let mut parts = text.lines().next()?.split_whitespace();
    let _method = parts.next()?;
    parts.next().map(str::to_string)
}

async fn respond(stream: &mut tokio::net::TcpStream, status: &str, text: &str) {
    let body = format!("<!doctype html><title>codemode</title><p>{text}</p>\n");
    let head = format!(
        "HTTP/1.1 {status}\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {}\r\n\
         connection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}

/// One query parameter of `url`, decoded.
fn query_param(url: &str, name: &str) -> Option<String> {
    let url = url::Url::parse(url).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn authorization_error(callback: &str, error: &str) -> String {
    match query_param(callback, "error_description") {
        Some(description) => format!("the authorization server refused: {error} ({description})"),
        None => format!("the authorization server refused: {error}"),
    }
}

/// `--oauth-auto-approve`: GETs the authorization URL without following redirects and
/// returns the redirect's `Location` (the callback URL with `code` and `state`).
pub async fn auto_approve(auth_url: &str) -> Result<String, String> {
    super::super::http::ensure_crypto_provider();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| format!("cannot build an HTTP client: {e}"))?;
    let response = client
        .get(auth_url)
        .send()
        .await
        .map_err(|e| format!("cannot fetch the authorization URL: {e}"))?;
    let status = response.status();
    let location = response
        .headers()
        .get(http::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let Some(location) = location.filter(|_| status.is_redirection()) else {
        return Err(format!(
            "--oauth-auto-approve: the authorization endpoint answered {status} instead of \
             redirecting with a code (it wants a user: run without --oauth-auto-approve)"
        ));
    };
    let base = url::Url::parse(auth_url).map_err(|e| e.to_string())?;
    let callback = base
        .join(&location)
        .map_err(|e| format!("unusable redirect Location: {e}"))?
        .to_string();
    match query_param(&callback, "error") {
        Some(error) => Err(authorization_error(&callback, &error)),
        None => Ok(callback),
    }
}

/// Tries to open `url` in the user's browser; false when there is no graphical session (e.g.
/// over ssh) or no opener.
pub fn open_browser(url: &str) -> bool {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        let graphical =
            std::env::var_os("DISPLAY").is_some() || std::env::var_os("WAYLAND_DISPLAY").is_some();
        if !graphical {
            return false;
        }
        "xdg-open"
    };
    std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|mut child| {
            // Reap it in the background; the opener exits once the browser has the URL.
            std::thread::spawn(move || child.wait());
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_listener_returns_the_callback_url() {
        let listener = bind(None).await.unwrap();
        let uri = listener.uri.clone();
        assert!(uri.starts_with("http://127.0.0.1:") && uri.ends_with(CALLBACK_PATH));
        let port: u16 = uri["http://127.0.0.1:".len()..uri.len() - CALLBACK_PATH.len()]
            .parse()
            .unwrap();
        let waiting = tokio::spawn(listener.receive(Duration::from_secs(30)));
        let mut stray = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        stray
            .write_all(b"GET /favicon.ico HTTP/1.1\r\n\r\n")
            .await
            .unwrap();
        let mut reply = String::new();
        stray.read_to_string(&mut reply).await.unwrap();
        assert!(reply.starts_with("HTTP/1.1 404"), "{reply}");
        let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        conn.write_all(b"GET /callback?code=abc&state=xyz HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut reply = String::new();
        conn.read_to_string(&mut reply).await.unwrap();
        assert!(reply.starts_with("HTTP/1.1 200"), "{reply}");
        let callback = waiting.await.unwrap().unwrap();
        assert_eq!(callback, format!("{uri}?code=abc&state=xyz"));
    }

    #[tokio::test]
    async fn an_error_redirect_is_an_error() {
        let listener = bind(None).await.unwrap();
        let port = listener.uri["http://127.0.0.1:".len()..]
            .split('/')
            .next()
            .unwrap()
            .parse::<u16>()
            .unwrap();
        let waiting = tokio::spawn(listener.receive(Duration::from_secs(30)));
        let mut conn = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .unwrap();
        conn.write_all(b"GET /callback?error=access_denied&error_description=no HTTP/1.1\r\n\r\n")
            .await
            .unwrap();
        let mut reply = String::new();
        conn.read_to_string(&mut reply).await.unwrap();
        let err = waiting.await.unwrap().unwrap_err();
        assert_eq!(err, "the authorization server refused: access_denied (no)");
    }
}
