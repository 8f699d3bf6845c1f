//! `codemode call`: one tool, directly.

use std::path::Path;
use std::time::Duration;

use super::Exit;
use super::setup;
use crate::mcp::{CallError, CallOptions};

/// What to call.
pub struct Request {
    /// Server name.
    pub server: String,
    /// Tool name.
    pub tool: String,
    /// Arguments, as JSON text.
    pub args: String,
    /// Print the whole result as JSON.
    pub json: bool,
    /// Overrides the configured timeout.
    pub timeout: Option<Duration>,
    /// Check the arguments against inputSchema first.
    pub validate: bool,
}

/// Runs the command.
pub async fn run(config: Option<&Path>, req: Request) -> Exit {
    let args = match crate::mcp::parse_args(&req.args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: --args: {e}");
            return Exit::Usage;
        }
    };
    let registry = match setup::connect(config, Some(&req.server), Duration::from_secs(120)).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let opts = CallOptions {
        timeout: req.timeout,
        skip_validation: !req.validate,
        ..Default::default()
    };
    let cancel = opts.cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.cancel();
        }
    });
    let result = registry
        .call_tool(&req.server, &req.tool, Some(args), &opts)
        .await;
    ctrl_c.abort();
    let code = match result {
        Ok(outcome) => {
            if req.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&outcome).unwrap_or_default()
                );
            } else if outcome.is_error {
                eprintln!(
                    "error: {}::{} failed: {}",
                    req.server,
                    req.tool,
                    outcome.text()
                );
            } else if let Some(structured) = &outcome.structured_content {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(structured).unwrap_or_default()
                );
            } else {
                outln!("{}", outcome.text());
            }
            if outcome.is_error {
                Exit::ToolError
            } else {
                Exit::Ok
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                CallError::Cancelled { .. } => Exit::Interrupted,
                CallError::NotConnected { .. } | CallError::UnknownServer { .. } => {
                    Exit::Connection
                }
                _ => Exit::RequestFailed,
            }
        }
    };
    registry.shutdown().await;
    code
}
