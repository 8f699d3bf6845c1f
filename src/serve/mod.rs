//! `codemode serve`: Code Mode itself as one MCP server for any agent.
//!
//! The agent sees three tools over the configured downstream servers — `search_tools`
//! (progressive disclosure), `get_docs` (the prompt form of chosen tools) and `run_script`
//! (Rhai in the sandbox, with the configured limits, policy and audit log) — plus, when
//! configured, pass-through tools (`server__tool`) for one-step jobs (hybrid). The full docs
//! are resources (`codemode://docs`, `codemode://docs/{server}`). Progress notifications
//! follow a script's tool calls, a client's cancellation stops the script, and a downstream
//! `tools/list_changed` becomes ours.
//!
//! Transports: stdio (the default) and streamable HTTP ([`crate::mcp::listen`]),
//! loopback-only unless explicitly allowed, with an optional bearer token.

mod approve;
mod handler;
mod passthrough;
mod rounds;
mod run_script;
mod tools;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::catalog::Catalog;
use crate::mcp::Registry;
use crate::script::audit::AuditLog;
use crate::script::{Limits, Policy};

pub use handler::CodeModeServer;
pub use passthrough::exposed_name;

/// Everything the served tools need, shared by every session.
pub struct Engine {
    /// The downstream servers.
    pub registry: Registry,
    /// Limits of every `run_script` (a call may ask for a shorter timeout, never a longer one).
    pub limits: Limits,
    /// Which downstream tools scripts and pass-through calls may use.
    pub policy: Policy,
    /// Where runs and direct calls are recorded.
    pub audit: Option<Arc<AuditLog>>,
    /// The approved tool definitions (pins), shared with `lint` and `run`.
    pub approvals: Option<Arc<crate::script::approval::ApprovalStore>>,
    /// Pass-through patterns (`server::tool`, `server::*`).
    pub passthrough: Vec<String>,
    /// How long a request waits for servers that are still starting.
    pub settle: Duration,
    /// Slots for `run_script` calls running at once (`[serve] max_concurrent_runs`).
    pub runs: RunSlots,
    /// Runs waiting for their client's answer (protocol 2026-07-28 approvals).
    paused: rounds::Paused,
    catalog: Mutex<Option<(u64, Arc<Catalog>)>>,
}

/// The `run_script` calls that may run at once, over every session: each run may use the
/// whole memory limit, so without a global bound concurrent calls multiply it.
pub struct RunSlots {
    slots: Arc<tokio::sync::Semaphore>,
    max: usize,
}

impl RunSlots {
    /// `max` runs at once (at least one).
    pub fn new(max: usize) -> Self {
        let max = max.max(1);
        RunSlots {
            slots: Arc::new(tokio::sync::Semaphore::new(max)),
            max,
        }
    }

    /// Waits for a slot, at most `wait` and until `cancel`; the slot is freed when the permit
    /// drops. Otherwise, the sentence to answer with.
    pub async fn acquire(
        &self,
        wait: Duration,
        cancel: &tokio_util::sync::CancellationToken,
    ) -> Result<tokio::sync::OwnedSemaphorePermit, String> {
        tokio::select! {
            permit = self.slots.clone().acquire_owned() => permit.map_err(|e| format!("internal error: {e}")),
            () = cancel.cancelled() => Err("cancelled while waiting for a free run slot".into()),
            () = tokio::time::sleep(wait) => Err(format!(
                "serve is busy: {} scripts are running (`[serve] max_concurrent_runs` = {}) and \
                 none finished within this run's timeout ({}); try again later",
                self.max,
                self.max,
                humantime::format_duration(wait)
            )),
        }
    }
}

impl Engine {
    /// An engine over `registry` (already started).
    pub fn new(
        registry: Registry,
        limits: Limits,
        policy: Policy,
        audit: Option<Arc<AuditLog>>,
        passthrough: Vec<String>,
    ) -> Self {
        Engine {
            registry,
            limits,
            policy,
            audit,
            approvals: None,
            passthrough,
            settle: Duration::from_secs(30),
            runs: RunSlots::new(crate::settings::ServeSettings::default().max_concurrent_runs),
            paused: rounds::Paused::default(),
            catalog: Mutex::new(None),
        }
    }

    /// The catalog of the ready servers, rebuilt only when the registry changed.
    pub async fn catalog(&self) -> Arc<Catalog> {
        self.registry.wait_settled(self.settle).await;
        let version = *self.registry.watch().borrow();
        let mut cached = self
            .catalog
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((v, cat)) = cached.as_ref()
            && *v == version
        {
            return cat.clone();
        }
        let cat = Arc::new(Catalog::from_registry(&self.registry));
        *cached = Some((version, cat.clone()));
        cat
    }
}
