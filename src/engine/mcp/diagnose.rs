//! Turning failures into sentences a user can act on: start-up failures with exit status and
//! stderr, error chains without rmcp's type-name wrappers, missing programs.

use std::time::Duration;

use serde_json::Value;

use super::model::ServerDetails;
use super::stdio::ChildProcess;

pub(super) fn details_from_json(v: Value) -> ServerDetails {
    let info = v.get("serverInfo").cloned().unwrap_or_default();
    let text = |o: &Value, k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
    ServerDetails {
        protocol_version: text(&v, "protocolVersion").unwrap_or_default(),
        name: text(&info, "name"),
        version: text(&info, "version"),
        title: text(&info, "title"),
        instructions: text(&v, "instructions"),
        capabilities: v.get("capabilities").cloned().unwrap_or_default(),
    }
}

/// An error's message with its causes, leaving out rmcp's wrapper layers that only name
/// Rust types (e.g. "Send message error Transport [`rmcp::transport::worker::`...]").
pub(super) fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut next = Some(e);
    while let Some(err) = next {
        let msg = err.to_string();
        if !msg.contains("rmcp::") && !parts.iter().any(|p| p.contains(&msg)) {
            parts.push(msg);
        }
        next = err.source();
    }
    if parts.is_empty() {
        e.to_string()
    } else {
        parts.join(": ")
    }
}

pub(super) fn spawn_message(
    command: &str,
    cwd: Option<&std::path::Path>,
    e: &std::io::Error,
) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound if cwd.is_some_and(|d| !d.is_dir()) => format!(
            "could not start `{command}`: working directory {} does not exist",
            cwd.unwrap_or(std::path::Path::new("")).display()
        ),
        std::io::ErrorKind::NotFound => {
            format!("could not start `{command}`: program not found (is it installed and on PATH?)")
        }
        _ => format!("could not start `{command}`: {e}"),
    }
}

/// Collects why a child failed during start-up: its exit status and last stderr lines.
pub(super) async fn explain_startup_failure(
    child: Option<&mut ChildProcess>,
    error: &str,
) -> (String, Vec<String>) {
    let Some(child) = child else {
        return (format!("initialize failed: {error}"), vec![]);
    };
    let status = child.settle(Duration::from_millis(500)).await;
    let tail = child.stderr_tail.lines();
    let why = match status {
        Some(status) => format!("the server exited during start-up ({status})"),
        None if error.is_empty() => String::new(),
        None => format!("initialize failed: {error}"),
    };
    (why, tail)
}
