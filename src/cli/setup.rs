//! Shared start-up of the headless commands: config → server specs → connected registry.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::Exit;
use crate::config::Config;
use crate::mcp::oauth::OAuthSettings;
use crate::mcp::{Registry, ServerSpec};

/// Loads the config (printing its warnings to stderr). Errors are printed and turned into an
/// exit code.
pub fn load_config(path: Option<&Path>) -> Result<Config, Exit> {
    match Config::discover(path) {
        Ok(config) => {
            for w in &config.warnings {
                errln!("{w}");
            }
            crate::logging::add_secrets(&config.secrets());
            super::sampling::set_model(
                crate::llm::LlmConfig::from_tables(&config.extra)
                    .ok()
                    .flatten(),
            );
            Ok(config)
        }
        Err(e) => {
            errln!("error: {e}");
            Err(Exit::Config)
        }
    }
}

/// The specs to connect to: the config's servers, or the embedded demo server when no config
/// exists. `only` keeps one server (an unknown name is an error listing the known ones).
pub fn specs(config: &Config, only: Option<&str>) -> Result<Vec<ServerSpec>, Exit> {
    let mut specs: Vec<ServerSpec> = crate::demo::specs_for(config);
    if let Some(name) = only {
        let known: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
        specs.retain(|s| s.name == name);
        if specs.is_empty() {
            let hint = crate::util::closest(name, known.iter().map(String::as_str))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            errln!(
                "error: no server named `{name}`{hint}; configured: {}",
                known.join(", ")
            );
            return Err(Exit::Usage);
        }
    }
    Ok(specs)
}

/// Loads the config and connects to its servers (or just `only`), waiting until each is
/// ready or failed, at most `wait`.
pub async fn connect(
    config_path: Option<&Path>,
    only: Option<&str>,
    wait: Duration,
) -> Result<Registry, Exit> {
    let config = load_config(config_path)?;
    connect_to(&config, only, wait).await
}

/// Connects to the servers of a loaded `config` (or just `only`), like [`connect`].
pub async fn connect_to(
    config: &Config,
    only: Option<&str>,
    wait: Duration,
) -> Result<Registry, Exit> {
    let specs = specs(config, only)?;
    let registry = new_registry(specs, config.secrets());
    registry.start();
    registry.wait_settled(wait).await;
    Ok(registry)
}

/// Warns on stderr about every server that is not ready; returns [`Exit::Connection`] if one
/// is not, else [`Exit::Ok`].
pub fn warn_unavailable(states: &[crate::mcp::ServerState]) -> Exit {
    let mut code = Exit::Ok;
    for s in states
        .iter()
        .filter(|s| s.status != crate::mcp::ServerStatus::Ready)
    {
        errln!(
            "warning: server `{}` is not available: {}",
            s.name,
            s.status
        );
        code = Exit::Connection;
    }
    code
}

/// A registry (not started) whose servers' elicitation requests are answered by `--elicit`,
/// sampling requests by `--sampling`, and whose OAuth logins follow `--oauth-auto-approve`
/// (else the URL goes to stderr).
pub fn new_registry(specs: Vec<ServerSpec>, secrets: Vec<String>) -> Registry {
    let registry = Registry::new(specs, secrets);
    registry.set_elicitor(super::elicit::elicitor());
    registry.set_sampler(super::sampling::sampler());
    registry.set_oauth(oauth_settings(true));
    registry
}

static OAUTH_AUTO_APPROVE: AtomicBool = AtomicBool::new(false);

/// Sets `--oauth-auto-approve` for this process.
pub fn set_oauth_auto_approve(on: bool) {
    OAUTH_AUTO_APPROVE.store(on, Ordering::Relaxed);
}

/// OAuth settings for this process: auto-approve from the flag; otherwise the browser is
/// opened (unless `CODEMODE_NO_BROWSER` is set) and, when `to_stderr` (headless commands;
/// never in the TUI, where the URL goes to the log pane), the URL is printed on stderr.
pub fn oauth_settings(to_stderr: bool) -> OAuthSettings {
    let on_url: Option<crate::mcp::oauth::UrlNotice> = to_stderr.then(|| {
        Arc::new(|server: &str, url: &str| {
            errln!("server `{server}` needs authorization: open {url}");
        }) as crate::mcp::oauth::UrlNotice
    });
    OAuthSettings {
        auto_approve: OAUTH_AUTO_APPROVE.load(Ordering::Relaxed),
        open_browser: std::env::var_os("CODEMODE_NO_BROWSER").is_none(),
        on_url,
        store_dir: None,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_workbench_never_gets_the_url_on_stderr() {
        assert!(super::oauth_settings(false).on_url.is_none());
        assert!(super::oauth_settings(true).on_url.is_some());
    }
}
