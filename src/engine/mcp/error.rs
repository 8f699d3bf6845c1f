//! Errors of the connection layer. A tool that reports `isError` is not an error here: it
//! is a [`CallOutcome`](super::CallOutcome) with `is_error` set.

use std::time::Duration;

/// Why a server could not be connected.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{message}{}", stderr_suffix(.stderr_tail))]
pub struct ConnectError {
    /// What went wrong (secrets redacted).
    pub message: String,
    /// The last lines the server wrote to stderr, if any.
    pub stderr_tail: Vec<String>,
}

fn stderr_suffix(tail: &[String]) -> String {
    if tail.is_empty() {
        String::new()
    } else {
        format!(
            "\n  server stderr (last {} lines):\n    {}",
            tail.len(),
            tail.join("\n    ")
        )
    }
}

/// Why a request (`tools/call`, a list, a ping...) did not produce a result.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum CallError {
    /// No server by that name is configured.
    #[error("unknown server `{server}` (configured: {known})")]
    UnknownServer {
        /// The name asked for.
        server: String,
        /// The configured names, comma-separated.
        known: String,
    },
    /// The server exists but is not connected.
    #[error("server `{server}` is not connected ({status})")]
    NotConnected {
        /// The server.
        server: String,
        /// Its state.
        status: String,
    },
    /// The server has no such tool.
    #[error("server `{server}` has no tool `{tool}`{}", suggestion_suffix(.suggestion.as_ref()))]
    UnknownTool {
        /// The server.
        server: String,
        /// The tool asked for.
        tool: String,
        /// The closest existing name.
        suggestion: Option<String>,
    },
    /// The arguments do not match the tool's `inputSchema`.
    #[error("invalid arguments for {server}::{tool}: {message}")]
    InvalidArguments {
        /// The server.
        server: String,
        /// The tool.
        tool: String,
        /// Which field and why.
        message: String,
    },
    /// No reply within the timeout; `notifications/cancelled` was sent.
    #[error("{server}::{what} timed out after {}", humantime::format_duration(*.timeout))]
    Timeout {
        /// The server.
        server: String,
        /// The tool or request.
        what: String,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// Cancelled by the caller; `notifications/cancelled` was sent.
    #[error("{server}::{what} was cancelled")]
    Cancelled {
        /// The server.
        server: String,
        /// The tool or request.
        what: String,
    },
    /// The connection closed before the reply (the server exited or dropped the stream).
    #[error("server `{server}` closed the connection during {what}{}", detail_suffix(.detail))]
    Disconnected {
        /// The server.
        server: String,
        /// The tool or request.
        what: String,
        /// Exit status / last stderr lines, when known.
        detail: String,
    },
    /// The server answered with a JSON-RPC error.
    #[error("server `{server}` rejected {what}: {message} (JSON-RPC error {code})")]
    Protocol {
        /// The server.
        server: String,
        /// The tool or request.
        what: String,
        /// JSON-RPC error code.
        code: i32,
        /// The server's message.
        message: String,
    },
    /// Any other transport failure.
    #[error("transport error talking to `{server}` during {what}: {message}")]
    Transport {
        /// The server.
        server: String,
        /// The tool or request.
        what: String,
        /// What failed.
        message: String,
    },
}

fn suggestion_suffix(s: Option<&String>) -> String {
    s.map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

impl CallError {
    /// A stable short name for the kind of error (for `--json` and script error maps).
    pub fn kind(&self) -> &'static str {
        match self {
            CallError::UnknownServer { .. } => "unknown_server",
            CallError::NotConnected { .. } => "not_connected",
            CallError::UnknownTool { .. } => "unknown_tool",
            CallError::InvalidArguments { .. } => "invalid_arguments",
            CallError::Timeout { .. } => "timeout",
            CallError::Cancelled { .. } => "cancelled",
            CallError::Disconnected { .. } => "disconnected",
            CallError::Protocol { .. } => "protocol",
            CallError::Transport { .. } => "transport",
        }
    }
}
