//! Helpers for tests that use the in-repo demo server.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use codemode::mcp::{Registry, ServerSpec, ServerState, TransportSpec};

/// The demo server over stdio, run from the test build of the binary, with `faults`.
pub fn stdio_spec(name: &str, faults: &[&str]) -> ServerSpec {
    let mut args = vec!["demo-server".to_string()];
    for f in faults {
        args.push("--fault".into());
        args.push(f.to_string());
    }
    ServerSpec::new(
        name,
        TransportSpec::Stdio {
            command: env!("CARGO_BIN_EXE_codemode").to_string(),
            args,
            env: BTreeMap::new(),
            cwd: None,
            inherit_env: false,
        },
    )
}

/// Connects `specs` and waits (bounded) until every server is ready or failed.
pub async fn connected(specs: Vec<ServerSpec>) -> Registry {
    let registry = Registry::new(specs, vec![]);
    registry.start();
    assert!(
        registry.wait_settled(Duration::from_secs(60)).await,
        "servers did not settle within 60s: {:?}",
        registry
            .servers()
            .iter()
            .map(|s| (&s.name, &s.status))
            .collect::<Vec<_>>()
    );
    registry
}

/// Waits until `server`'s state matches `pred` (bounded).
pub async fn wait_state(
    registry: &Registry,
    server: &str,
    pred: impl Fn(&ServerState) -> bool,
) -> ServerState {
    let mut rx = registry.watch();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let state = registry.server(server).expect("server exists");
        if pred(&state) {
            return state;
        }
        if tokio::time::timeout_at(deadline, rx.changed())
            .await
            .is_err()
        {
            panic!(
                "server `{server}` stayed {:?} ({} reconnects)",
                state.status, state.reconnects
            );
        }
    }
}

/// Whether a process with this id still exists (and is not a zombie we own).
pub fn process_alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    let alive = unsafe { libc::kill(pid as i32, 0) } == 0;
    if !alive {
        return false;
    }
    // A zombie still answers kill(0); read its state.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|s| s.split_whitespace().nth(2).is_none_or(|st| st != "Z"))
}

/// Waits (at most 10 s) for the first event for which `pick` returns `Some`.
pub async fn next_event<T>(
    events: &mut tokio::sync::broadcast::Receiver<codemode::mcp::Event>,
    pick: impl Fn(codemode::mcp::EventKind) -> Option<T>,
) -> Option<T> {
    tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match events.recv().await {
                Ok(e) => {
                    if let Some(t) = pick(e.kind) {
                        return Some(t);
                    }
                }
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(_) => return None,
            }
        }
    })
    .await
    .ok()
    .flatten()
}

/// Picks a stderr line containing `needle`.
pub fn stderr_containing(needle: &str) -> impl Fn(codemode::mcp::EventKind) -> Option<String> + '_ {
    move |kind| match kind {
        codemode::mcp::EventKind::Stderr { line } if line.contains(needle) => Some(line),
        _ => None,
    }
}

/// A runtime and a script invoker over a fresh in-process demo server, for tests that run
/// scripts from a plain (non-async) test. Keep the runtime alive while the invoker is used.
pub fn demo_invoker() -> (
    tokio::runtime::Runtime,
    std::sync::Arc<dyn codemode::script::ToolInvoker>,
) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let registry = runtime.block_on(async {
        let r = Registry::new(vec![codemode::demo::in_process_spec()], vec![]);
        r.start();
        assert!(r.wait_settled(Duration::from_secs(30)).await);
        r
    });
    let invoker = std::sync::Arc::new(codemode::script::RegistryInvoker {
        registry,
        handle: runtime.handle().clone(),
    });
    (runtime, invoker)
}

/// `v` as tool arguments.
pub fn args(v: serde_json::Value) -> Option<serde_json::Map<String, serde_json::Value>> {
    v.as_object().cloned()
}

/// A field of this process's `/proc/self/status` in KiB (`VmRSS`, `VmHWM`).
pub fn memory_kib(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Live (non-zombie) processes whose environment contains `KEY=VALUE`: find a test's
/// children again after they were stopped, whatever their pid.
pub fn processes_with_env(key: &str, value: &str) -> Vec<u32> {
    let needle = format!("{key}={value}");
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    dir.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|kv| kv == needle.as_bytes()))
        })
        .filter(|pid| process_alive(*pid))
        .collect()
}

/// Serves the demo server over streamable HTTP (`mcp::listen`) on a free loopback port,
/// requiring `Authorization: Bearer <token>` when a token is given. Returns the address and
/// the token that stops it.
pub async fn serve_http(
    token: Option<&str>,
) -> (std::net::SocketAddr, tokio_util::sync::CancellationToken) {
    let stop = tokio_util::sync::CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let opts = codemode::mcp::listen::HttpOptions {
        token: token.map(str::to_string),
        ..codemode::mcp::listen::HttpOptions::new("127.0.0.1:0".parse().unwrap())
    };
    tokio::spawn(codemode::mcp::listen::serve(
        codemode::demo::DemoServer::default(),
        opts,
        stop.clone(),
        move |addr| {
            let _ = tx.send(addr);
        },
    ));
    (rx.await.unwrap(), stop)
}

/// Listens on a free loopback port and hands every connection to `handle` (a proxy in
/// front of a server, say). Returns the address.
pub async fn accept_each<F, Fut>(handle: F) -> std::net::SocketAddr
where
    F: Fn(tokio::net::TcpStream) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            tokio::spawn(handle(conn));
        }
    });
    addr
}

/// What a recording proxy saw: per request, the upstream it went to and the request's first
/// bytes (head, and the body when it came in the same read).
pub type Requests = std::sync::Arc<std::sync::Mutex<Vec<(std::net::SocketAddr, String)>>>;

/// Forwards one connection to `upstream`, recording each request into `seen`.
pub async fn forward_recording(
    client: tokio::net::TcpStream,
    upstream: std::net::SocketAddr,
    seen: Requests,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(server) = tokio::net::TcpStream::connect(upstream).await else {
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
                seen.lock().unwrap().push((upstream, text.into_owned()));
            }
            if sw.write_all(&buf[..n]).await.is_err() {
                break;
            }
        }
    });
    let _ = tokio::io::copy(&mut sr, &mut cw).await;
    up.abort();
}
