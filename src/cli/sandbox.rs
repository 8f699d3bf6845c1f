//! Sandbox flags shared by `run` and `serve`: limits and the tool policy on top of the
//! config's `[limits]` / `[policy]`, and opening the audit log.

use std::sync::Arc;

use crate::script::Settings;
use crate::script::audit::{AuditConfig, AuditLog};

/// Limit and policy flags.
#[derive(Debug, Default, clap::Args)]
pub struct SandboxArgs {
    /// Set any limit by its config key, e.g. max_memory=100000000 or timeout=5s; repeatable.
    #[arg(long = "limit", value_name = "KEY=VALUE")]
    pub limits: Vec<String>,
    /// Allow a tool even if destructive: `server::tool` (`*` at the end allowed); repeatable.
    #[arg(long, value_name = "SERVER::TOOL")]
    pub allow: Vec<String>,
    /// Allow every tool annotated destructive.
    #[arg(long)]
    pub allow_destructive: bool,
    /// Refuse a tool: `server::tool` (`*` at the end allowed); repeatable; wins over --allow.
    #[arg(long, value_name = "SERVER::TOOL")]
    pub deny: Vec<String>,
}

impl SandboxArgs {
    /// Applies the flags to the config's settings (a bad flag is a usage error message).
    pub fn apply(&self, settings: &mut Settings) -> Result<(), String> {
        settings.limits = settings.limits.with_overrides(&self.limits)?;
        let policy = &mut settings.policy;
        policy.allow_destructive |= self.allow_destructive;
        policy.allow.extend(self.allow.iter().cloned());
        for entry in &self.deny {
            let Some((server, tool)) = entry.split_once("::") else {
                return Err(format!(
                    "--deny takes server::tool (e.g. demo::delete_*), not `{entry}`"
                ));
            };
            let sp = policy.servers.entry(server.to_string()).or_default();
            sp.deny.push(tool.to_string());
        }
        Ok(())
    }
}

/// Opens the audit log when `[audit]` enables it (the default); a failure is a warning on
/// stderr, never a reason not to run.
pub fn open_audit(config: AuditConfig, secrets: Vec<String>) -> Option<Arc<AuditLog>> {
    if !config.enabled {
        return None;
    }
    match AuditLog::open(config, secrets) {
        Ok(log) => Some(Arc::new(log)),
        Err(e) => {
            eprintln!("warning: no audit log: {e}");
            None
        }
    }
}
