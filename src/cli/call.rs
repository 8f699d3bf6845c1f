//! `codemode call`: one tool, directly.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio_util::sync::CancellationToken;

use super::Exit;
use super::sandbox::{PolicyArgs, SandboxArgs, check_flag_patterns, server_names};
use super::setup;
use crate::mcp::{CallError, CallOptions, Registry};
use crate::script::approval::{
    ApprovalRequest, ApprovalStore, Approver, PreApproved, gate, settle,
};
use crate::script::{Decision, Policy};

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
    /// `--allow`, `--allow-destructive`, `--deny` on top of the config's `[policy]`.
    pub policy: PolicyArgs,
    /// `--approve`: calls the policy asks about that may go ahead.
    pub approve: Vec<String>,
}

/// Runs the command.
pub async fn run(ctx: &setup::Context, mut req: Request) -> Exit {
    let args = match crate::mcp::parse_args(&req.args) {
        Ok(a) => a,
        Err(e) => {
            errln!("error: --args: {e}");
            return Exit::Usage;
        }
    };
    let loaded = match ctx.load() {
        Ok(l) => l,
        Err(code) => return code,
    };
    // The same [policy] and approvals as scripts; the [audit] log records the call.
    let flags = SandboxArgs {
        policy: std::mem::take(&mut req.policy),
        ..Default::default()
    };
    let settings = match super::sandbox::settings(&loaded, &flags) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(e) = check_flag_patterns("--approve", &req.approve, &server_names(&loaded.config)) {
        errln!("error: {e}");
        return Exit::Usage;
    }
    let audit = super::sandbox::open_audit(settings.audit, loaded.config.secrets());
    let wait = Duration::from_secs(120);
    let registry = match ctx.connect_to(&loaded, Some(&req.server), wait).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(why) = approve(&registry, &settings.policy, &req, &args) {
        errln!("error: {why}");
        registry.shutdown().await;
        return Exit::RequestFailed;
    }
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
    let started = Instant::now();
    let result = registry
        .call_tool(&req.server, &req.tool, Some(args.clone()), &opts)
        .await;
    ctrl_c.abort();
    if let Some(log) = &audit {
        log.direct_call(
            &req.server,
            &req.tool,
            Some(&args),
            &result,
            started.elapsed(),
        );
    }
    let code = match result {
        Ok(outcome) => {
            if req.json {
                outln!(
                    "{}",
                    serde_json::to_string_pretty(&outcome).unwrap_or_default()
                );
            } else if outcome.is_error {
                errln!(
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
            errln!("error: {e}");
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

/// The policy gate for the one call, as for a script's calls: denied by `[policy]` or
/// `--deny`, or asked about (destructive, changed since approved, `[policy] ask`) and not
/// approved by `--approve`, it is refused with the way out. A tool the server does not list
/// is left to the call itself to report.
fn approve(
    registry: &Registry,
    policy: &Policy,
    req: &Request,
    args: &Map<String, Value>,
) -> Result<(), String> {
    let Some(def) = registry
        .servers()
        .into_iter()
        .find(|s| s.name == req.server)
        .and_then(|s| s.tools.iter().find(|t| t.name == req.tool).cloned())
    else {
        return Ok(());
    };
    let store = ApprovalStore::open(&ApprovalStore::default_path())
        .map_err(|e| tracing::warn!("approvals are not tracked for this call: {e}"))
        .ok()
        .map(Arc::new);
    let store = store.as_deref();
    let reasons = match gate(policy, store, &req.server, &def) {
        Decision::Allow => return Ok(()),
        Decision::Deny(m) => return Err(m),
        Decision::Ask(reasons) => reasons,
    };
    let ask = ApprovalRequest {
        index: 0,
        server: req.server.clone(),
        tool: req.tool.clone(),
        args: Value::Object(args.clone()),
        reasons,
    };
    let answer = PreApproved(req.approve.clone()).approve(&ask, &CancellationToken::new());
    settle(store, &req.server, &def, answer).map(|_| ())
}
