//! Sandbox flags shared by `run`, `ask`, `serve` and `call`: limits and the tool policy on top
//! of the config's `[limits]` / `[policy]`, and opening the audit log (`[audit]`).

use std::sync::Arc;
use std::time::Duration;

use super::Exit;
use super::setup::Loaded;
use crate::config::Config;
use crate::script::RunOptions;
use crate::script::audit::{AuditConfig, AuditLog};
use crate::settings::Settings;

/// A sandbox flag that cannot be applied (a usage error).
#[derive(Debug, thiserror::Error)]
pub enum FlagError {
    /// A `--limit` or limit flag.
    #[error(transparent)]
    Limit(#[from] crate::script::LimitError),
    /// A policy pattern that can never match.
    #[error("{flag} {problem}")]
    Pattern {
        /// `--allow`, `--deny` or `--approve`.
        flag: &'static str,
        /// Why it cannot match.
        problem: String,
    },
    /// `--deny` without `server::`.
    #[error("--deny takes server::tool (e.g. demo::delete_*), not `{0}`")]
    DenyForm(String),
}

/// Limit and policy flags.
#[derive(Debug, Default, clap::Args)]
pub struct SandboxArgs {
    /// Stop the run after this long, tool calls included (default 30s).
    #[arg(long, value_parser = super::duration_arg)]
    pub timeout: Option<Duration>,
    /// Stop after this many Rhai operations (default 10000000).
    #[arg(long, value_name = "N")]
    pub max_ops: Option<u64>,
    /// Stop after this many tool calls (default 200).
    #[arg(long, value_name = "N")]
    pub max_tool_calls: Option<usize>,
    /// Set any limit by its config key, e.g. `max_memory=100000000` or timeout=5s; repeatable.
    #[arg(long = "limit", value_name = "KEY=VALUE")]
    pub limits: Vec<String>,
    /// The tool policy flags.
    #[command(flatten)]
    pub policy: PolicyArgs,
}

/// Tool policy flags, shared by `run`, `ask`, `serve` (through [`SandboxArgs`]) and `call`.
#[derive(Debug, Default, clap::Args)]
pub struct PolicyArgs {
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
    pub fn apply(&self, settings: &mut Settings) -> Result<(), FlagError> {
        let limits = &mut settings.limits;
        *limits = limits.with_overrides(&self.limits)?;
        if let Some(t) = self.timeout {
            limits.timeout = t;
        }
        if let Some(n) = self.max_ops {
            limits.max_operations = n;
        }
        if let Some(n) = self.max_tool_calls {
            limits.max_tool_calls = n;
        }
        self.policy.apply(&mut settings.policy)
    }
}

impl PolicyArgs {
    /// Refuses `--allow` / `--deny` patterns that can never match (usage error message).
    pub fn check_patterns(&self, servers: &[String]) -> Result<(), FlagError> {
        check_flag_patterns("--allow", &self.allow, servers)?;
        check_flag_patterns("--deny", &self.deny, servers)
    }

    /// Applies the flags to the config's policy (a bad flag is a usage error message).
    pub fn apply(&self, policy: &mut crate::script::Policy) -> Result<(), FlagError> {
        policy.allow_destructive |= self.allow_destructive;
        policy.allow.extend(self.allow.iter().cloned());
        for entry in &self.deny {
            let Some((server, tool)) = entry.split_once("::") else {
                return Err(FlagError::DenyForm(entry.clone()));
            };
            let sp = policy.servers.entry(server.to_string()).or_default();
            sp.deny.push(tool.to_string());
        }
        Ok(())
    }
}

/// The config file's name for messages.
pub fn config_name(config: &Config) -> String {
    match &config.source {
        crate::config::ConfigSource::File(p) => p.display().to_string(),
        crate::config::ConfigSource::Embedded => "built-in defaults".into(),
    }
}

/// The config's settings with `flags` applied (the config's own tables were checked at
/// load). A flag that can never match is printed and turned into [`Exit::Usage`].
pub fn settings(loaded: &Loaded, flags: &SandboxArgs) -> Result<Settings, Exit> {
    let mut settings = loaded.settings.clone();
    let servers = server_names(&loaded.config);
    if let Err(e) = flags
        .policy
        .check_patterns(&servers)
        .and_then(|()| flags.apply(&mut settings))
    {
        errln!("error: {e}");
        return Err(Exit::Usage);
    }
    Ok(settings)
}

/// The names of the servers the config starts (the embedded demo when there is no file).
pub fn server_names(config: &Config) -> Vec<String> {
    crate::demo::specs_for(config)
        .into_iter()
        .map(|s| s.name)
        .collect()
}

/// A usage error for the first of `flag`'s patterns that can never match, if one cannot.
pub fn check_flag_patterns(
    flag: &'static str,
    patterns: &[String],
    servers: &[String],
) -> Result<(), FlagError> {
    match patterns
        .iter()
        .find_map(|p| crate::script::policy::pattern_problem(p, servers, flag != "--deny", true))
    {
        Some(problem) => Err(FlagError::Pattern { flag, problem }),
        None => Ok(()),
    }
}

/// The run options from the config's settings with `flags` on top, and the audit log opened
/// (redacting the config's secrets and `extra_secrets`).
pub fn sandbox_options(
    loaded: &Loaded,
    flags: &SandboxArgs,
    extra_secrets: Vec<String>,
) -> Result<RunOptions, Exit> {
    let settings = settings(loaded, flags)?;
    let mut secrets = loaded.config.secrets();
    secrets.extend(extra_secrets);
    Ok(RunOptions {
        limits: settings.limits,
        policy: settings.policy,
        audit: open_audit(settings.audit, secrets),
        ..Default::default()
    })
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
            errln!("warning: no audit log for this run: {e}");
            None
        }
    }
}
