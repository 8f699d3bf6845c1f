//! Helpers for tests that use the in-repo demo server.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::time::Duration;

use codemode::mcp::{Registry, ServerSpec, ServerStatus, TransportSpec};

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

/// Waits until `server` reaches a status matching `pred` (bounded).
pub async fn wait_status(
    registry: &Registry,
    server: &str,
    pred: impl Fn(&ServerStatus) -> bool,
) -> ServerStatus {
    let mut rx = registry.watch();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let status = registry.server(server).expect("server exists").status;
        if pred(&status) {
            return status;
        }
        if tokio::time::timeout_at(deadline, rx.changed())
            .await
            .is_err()
        {
            panic!("server `{server}` stayed {status:?}");
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
        .map(|s| s.split_whitespace().nth(2).is_none_or(|st| st != "Z"))
        .unwrap_or(false)
}
