//! Shared start-up of the commands: the [`Context`] (global flags) → the loaded config and its
//! typed tables → server specs → a connected registry.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::Exit;
use super::sampling::SamplingPolicy;
use crate::config::Config;
use crate::mcp::elicit::ElicitPolicy;
use crate::mcp::oauth::OAuthSettings;
use crate::mcp::{Registry, SampleStore, ServerSpec};
use crate::settings::Settings;

/// What every command starts from: the global flags (one value, passed down; no
/// process-wide state) and, once loaded, the config with its typed tables.
#[derive(Clone, Debug, Default)]
pub struct Context {
    /// `--config`.
    pub config_path: Option<PathBuf>,
    /// `--elicit`: how headless commands answer servers' questions.
    pub elicit: ElicitPolicy,
    /// `--sampling`: whether servers' sampling requests reach the model.
    pub sampling: SamplingPolicy,
    /// `--oauth-auto-approve`: log in without a browser (tests, CI).
    pub oauth_auto_approve: bool,
}

/// A loaded config: the servers and the typed tables ([`Settings`]).
pub struct Loaded {
    /// The file's servers (or the embedded demo).
    pub config: Config,
    /// `[limits]`, `[policy]`, `[audit]`, `[llm]`, `[serve]`, `[tui]`, decoded once.
    pub settings: Settings,
}

impl Context {
    /// Loads the config and decodes its tables (printing warnings to stderr); an error is
    /// printed (with <file:line:col>) and turned into [`Exit::Config`].
    pub fn load(&self) -> Result<Loaded, Exit> {
        let config = match Config::discover(self.config_path.as_deref()) {
            Ok(config) => config,
            Err(e) => {
                errln!("error: {e}");
                return Err(Exit::Config);
            }
        };
        for w in &config.warnings {
            errln!("{w}");
        }
        crate::logging::add_secrets(&config.secrets());
        match Settings::load(&config) {
            Ok(settings) => Ok(Loaded { config, settings }),
            Err(e) => {
                errln!("error: {e}");
                Err(Exit::Config)
            }
        }
    }

    /// A registry (not started) for `specs` whose servers' elicitation requests are
    /// answered by `--elicit`, sampling requests by `--sampling` (with `[llm]`), and whose
    /// OAuth logins follow `--oauth-auto-approve` (else the URL goes to stderr).
    pub fn registry(&self, loaded: &Loaded, specs: Vec<ServerSpec>) -> Registry {
        let registry = Registry::new(specs, loaded.config.secrets());
        registry.set_elicitor(super::elicit::elicitor(self.elicit));
        registry.set_sampler(super::sampling::sampler(
            self.sampling,
            loaded.settings.llm.clone(),
        ));
        registry.set_oauth(self.oauth(true));
        keep_samples(&registry);
        registry
    }

    /// Loads the config and connects to its servers (or just `only`), waiting until each is
    /// ready or failed, at most `wait`.
    pub async fn connect(
        &self,
        only: Option<&str>,
        wait: Duration,
    ) -> Result<(Loaded, Registry), Exit> {
        let loaded = self.load()?;
        let registry = self.connect_to(&loaded, only, wait).await?;
        Ok((loaded, registry))
    }

    /// Connects to the servers of `loaded` (or just `only`), like [`Context::connect`].
    pub async fn connect_to(
        &self,
        loaded: &Loaded,
        only: Option<&str>,
        wait: Duration,
    ) -> Result<Registry, Exit> {
        let specs = specs(&loaded.config, only)?;
        let registry = self.registry(loaded, specs);
        registry.start();
        registry.wait_settled(wait).await;
        Ok(registry)
    }

    /// OAuth settings: auto-approve from the flag; otherwise the browser is opened (unless
    /// `CODEMODE_NO_BROWSER` is set) and, when `to_stderr` (headless commands; never in the
    /// TUI, where the URL goes to the log pane), the URL is printed on stderr.
    pub fn oauth(&self, to_stderr: bool) -> OAuthSettings {
        let on_url: Option<crate::mcp::oauth::UrlNotice> = to_stderr.then(|| {
            Arc::new(|server: &str, url: &str| {
                errln!("server `{server}` needs authorization: open {url}");
            }) as crate::mcp::oauth::UrlNotice
        });
        OAuthSettings {
            auto_approve: self.oauth_auto_approve,
            open_browser: std::env::var_os("CODEMODE_NO_BROWSER").is_none(),
            on_url,
            store_dir: None,
        }
    }
}

/// Keeps the text samples of `registry`'s calls in the state dir's samples file, shown by
/// the docs; a file that cannot be read is logged and samples are not kept.
pub fn keep_samples(registry: &Registry) {
    match SampleStore::open(&SampleStore::default_path()) {
        Ok(store) => registry.set_samples(Arc::new(store)),
        Err(e) => tracing::warn!("text samples are not kept: {e}"),
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

#[cfg(test)]
mod tests {
    #[test]
    fn the_workbench_never_gets_the_url_on_stderr() {
        let ctx = super::Context::default();
        assert!(ctx.oauth(false).on_url.is_none());
        assert!(ctx.oauth(true).on_url.is_some());
    }
}
