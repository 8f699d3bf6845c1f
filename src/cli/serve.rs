//! `codemode serve`: Code Mode as an MCP server (stdio, or streamable HTTP with `--http`).
//! In stdio mode stdout is the protocol: nothing else may be printed there.

use std::net::SocketAddr;
use std::sync::Arc;

use rmcp::ServiceExt;
use tokio_util::sync::CancellationToken;

use super::Exit;
use super::sandbox::{SandboxArgs, open_audit};
use super::setup;
use crate::mcp::listen::{self, HttpOptions};
use crate::serve::{CodeModeServer, Engine};

/// How long `serve` waits for the servers before answering the client at all.
const START_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// How to serve.
#[derive(Debug, clap::Args)]
pub struct Request {
    /// Serve streamable HTTP at <http://ADDR/mcp> instead of stdio, e.g. 127.0.0.1:8931
    /// (port 0 picks a free one; the address is printed on stderr).
    #[arg(long, value_name = "ADDR")]
    pub http: Option<SocketAddr>,
    /// Allow --http on a non-loopback address (a token is then required).
    #[arg(long, requires = "http")]
    pub allow_remote: bool,
    /// Require `Authorization: Bearer <token>` on HTTP, the token read from this
    /// environment variable (overrides `[serve] token`).
    #[arg(long, value_name = "VAR", requires = "http")]
    pub token_env: Option<String>,
    /// Also offer these downstream tools for direct calls, as `server__tool`:
    /// `server::tool`, `server::prefix*` or `server::*`; repeatable (adds to `[serve] passthrough`).
    #[arg(long, value_name = "SERVER::TOOL")]
    pub passthrough: Vec<String>,
    /// `run_script` calls running at once over every session (overrides `[serve]
    /// max_concurrent_runs`, default 4); more wait for a slot within their timeout.
    #[arg(long, value_name = "N")]
    pub max_concurrent_runs: Option<usize>,
    /// Open HTTP sessions at most (overrides `[serve] max_sessions`, default 64); idle ones
    /// are closed after `[serve] session_idle` (default 10m).
    #[arg(long, value_name = "N", requires = "http")]
    pub max_sessions: Option<usize>,
    /// Limits and tool policy for scripts and direct calls.
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

/// Runs the command until the client goes away (stdio) or a stop signal (HTTP).
pub async fn run(ctx: &setup::Context, req: Request) -> Exit {
    let loaded = match ctx.load() {
        Ok(l) => l,
        Err(code) => return code,
    };
    let serve_config = loaded.settings.serve.clone();
    let settings = match super::sandbox::settings(&loaded, &req.sandbox) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let token = match &req.token_env {
        Some(var) => match std::env::var(var).map(|t| token_problem(&t).map_or(Ok(t), Err)) {
            Ok(Ok(t)) => Some(t),
            Ok(Err(why)) => {
                errln!("error: --token-env {var}: the token {why}");
                return Exit::Usage;
            }
            Err(_) => {
                errln!("error: --token-env {var}: the variable is not set");
                return Exit::Usage;
            }
        },
        None => match serve_config.token.clone() {
            Some(t) if let Some(why) = token_problem(&t) => {
                errln!(
                    "error: {}: [serve] token {why}",
                    super::sandbox::config_name(&loaded.config)
                );
                return Exit::Config;
            }
            t => t,
        },
    };
    let http = req.http.map(|addr| HttpOptions {
        addr,
        allow_remote: req.allow_remote,
        token: token.clone(),
        max_sessions: req.max_sessions.unwrap_or(serve_config.max_sessions),
        session_idle: serve_config.session_idle,
    });
    if let Some(h) = &http
        && let Err(e) = listen::check(h)
    {
        errln!("error: {e}");
        return Exit::Usage;
    }
    let specs = match setup::specs(&loaded.config, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut secrets = loaded.config.secrets();
    secrets.extend(token);
    crate::logging::add_secrets(&secrets);
    let registry = ctx.registry(&loaded, specs);
    registry.start();
    let mut passthrough = serve_config.passthrough;
    passthrough.extend(req.passthrough);
    let mut engine = Engine::new(
        registry.clone(),
        settings.limits,
        settings.policy,
        open_audit(settings.audit, secrets),
        passthrough,
    );
    engine.runs = crate::serve::RunSlots::new(
        req.max_concurrent_runs
            .unwrap_or(serve_config.max_concurrent_runs),
    );
    let store = crate::script::approval::ApprovalStore::default_path();
    match crate::script::approval::ApprovalStore::open(&store) {
        Ok(s) => engine.approvals = Some(Arc::new(s)),
        Err(e) => errln!("warning: approvals are not tracked: {e}"),
    }
    let engine = Arc::new(engine);
    // The first answer (instructions, tool list) should name the servers as they are, not
    // as "connecting"; slow servers are waited for per request instead.
    registry.wait_settled(START_WAIT).await;
    let server = CodeModeServer::new(engine);
    let code = match http {
        None => serve_stdio(server).await,
        Some(opts) => {
            let stop = CancellationToken::new();
            let served = listen::serve(server, opts, stop, |addr| {
                errln!("codemode serve: listening on http://{addr}{}", listen::PATH);
            })
            .await;
            match served {
                Ok(()) => Exit::Ok,
                Err(e) => {
                    errln!("error: {e}");
                    Exit::Usage
                }
            }
        }
    };
    registry.shutdown().await;
    code
}

async fn serve_stdio(server: CodeModeServer) -> Exit {
    match server.serve(crate::mcp::own_stdio()).await {
        Ok(running) => match running.waiting().await {
            Ok(_) => Exit::Ok,
            Err(e) => {
                errln!("codemode serve: {e}");
                Exit::Internal
            }
        },
        Err(e) => {
            errln!("codemode serve: the client did not initialize: {e}");
            Exit::Connection
        }
    }
}

/// Why a bearer token cannot protect anything, if it cannot: empty or blank (any client
/// would pass), or with spaces around it (HTTP trims them, so no client could send it).
fn token_problem(token: &str) -> Option<&'static str> {
    if token.trim().is_empty() {
        Some("is empty or only whitespace")
    } else if token.trim() != token {
        Some("has spaces around it (HTTP trims them: no client could send it)")
    } else {
        None
    }
}
