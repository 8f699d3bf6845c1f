//! Every table of the config besides the servers, decoded once, right after the file is read,
//! into typed sections: [`Settings::load`]. A mistake anywhere is a [`ConfigError`] at its
//! `file:line:col` with the field's path, like a mistake in a server entry. The front ends
//! take their section from here and never decode a table again.
//!
//! | table | type | read by |
//! |---|---|---|
//! | `[limits]` | [`Limits`] | every run (`run`, `ask`, `serve`, the workbench) |
//! | `[policy]` | [`Policy`] | every run and direct call |
//! | `[audit]` | [`AuditConfig`] | every run and direct call |
//! | `[llm]` | [`LlmConfig`] | `ask`, the workbench, sampling |
//! | `[serve]` | [`ServeSettings`] | `serve` |
//! | `[tui]` | [`TuiSettings`] | the workbench |

use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::{Config, ConfigError};
use crate::llm::LlmConfig;
use crate::script::audit::AuditConfig;
use crate::script::{Limits, Policy};

/// The typed tables of one config.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// `[limits]`.
    pub limits: Limits,
    /// `[policy]`.
    pub policy: Policy,
    /// `[audit]`.
    pub audit: AuditConfig,
    /// `[llm]`, when present.
    pub llm: Option<LlmConfig>,
    /// `[serve]`.
    pub serve: ServeSettings,
    /// `[tui]`.
    pub tui: TuiSettings,
}

impl Settings {
    /// Decodes every table of `config` (absent ones take their defaults) and checks what a
    /// type cannot: policy patterns that could never match a configured server.
    pub fn load(config: &Config) -> Result<Settings, ConfigError> {
        let t = &config.tables;
        let settings = Settings {
            limits: t.decode("limits")?,
            policy: t.decode("policy")?,
            audit: t.decode("audit")?,
            llm: LlmConfig::from_tables(t)?,
            serve: t.decode("serve")?,
            tui: t.decode("tui")?,
        };
        let servers: Vec<String> = crate::demo::specs_for(config)
            .into_iter()
            .map(|s| s.name)
            .collect();
        if let Some((path, problem)) = settings.policy.pattern_error(&servers, false) {
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            return Err(t.error(&path, problem));
        }
        Ok(settings)
    }
}

/// The `[serve]` table: what `codemode serve` offers and how far it stretches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct ServeSettings {
    /// Downstream tools also offered for direct calls, as `server::tool` patterns (`*` at
    /// the end of the tool allowed, `server::*` for all of a server's tools).
    pub passthrough: Vec<String>,
    /// Bearer token required by the HTTP transport (use `${VAR}` to read it from the
    /// environment).
    pub token: Option<String>,
    /// `run_script` calls running at once, over every session (each may use the whole of
    /// `[limits] max_memory`); more wait for a slot, within their own timeout.
    pub max_concurrent_runs: usize,
    /// Open HTTP sessions at most; a new one past it first closes idle ones, else is
    /// refused (503).
    pub max_sessions: usize,
    /// An HTTP session unused this long is closed and its memory freed (e.g. `"10m"`).
    #[serde(with = "crate::script::duration_text")]
    #[schemars(with = "String")]
    pub session_idle: Duration,
}

impl Default for ServeSettings {
    fn default() -> Self {
        ServeSettings {
            passthrough: Vec::new(),
            token: None,
            max_concurrent_runs: 4,
            max_sessions: 64,
            session_idle: Duration::from_secs(600),
        }
    }
}

/// The `[tui]` table: the workbench's look and input.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct TuiSettings {
    /// `dark` (default) or `light`; `--theme` wins.
    pub theme: Option<String>,
    /// Use the mouse (click to focus and select, wheel to scroll). Default true; false keeps
    /// the terminal's own text selection.
    pub mouse: bool,
}

impl Default for TuiSettings {
    fn default() -> Self {
        TuiSettings {
            theme: None,
            mouse: true,
        }
    }
}

/// `codemode.toml` as a whole, for the JSON Schema editors validate it with.
#[derive(JsonSchema)]
#[schemars(title = "codemode.toml", deny_unknown_fields)]
#[allow(dead_code)] // only its schema is used
struct ConfigFile {
    /// The MCP servers to connect to, by name (`[servers.NAME]`).
    servers: std::collections::BTreeMap<String, crate::config::RawServer>,
    /// Limits of every script run.
    limits: Option<Limits>,
    /// Which tools scripts and direct calls may use, and which need approval.
    policy: Option<Policy>,
    /// The audit log of runs and calls.
    audit: Option<AuditConfig>,
    /// The model that writes scripts (`codemode ask`, the workbench) and answers sampling.
    llm: Option<crate::llm::config::LlmTable>,
    /// `codemode serve`.
    serve: Option<ServeSettings>,
    /// The workbench.
    tui: Option<TuiSettings>,
}

/// The JSON Schema of `codemode.toml` (published as `src/engine/codemode.schema.json`; a
/// test keeps the file equal to this).
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ConfigFile)).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn load(text: &str) -> Result<Settings, ConfigError> {
        let config = Config::from_toml_str(text, Path::new("codemode.toml")).unwrap();
        Settings::load(&config)
    }

    #[test]
    fn every_table_is_typed_once_and_mistakes_keep_their_position() {
        let s = load(
            "[servers.demo]\ncommand = \"x\"\n[limits]\ntimeout = \"5s\"\nmax_tool_calls = 7\n\
             [policy.servers.demo]\ndeny = [\"wait\"]\n[audit]\nenabled = false\n\
             [serve]\nmax_sessions = 3\n[tui]\ntheme = \"light\"\n",
        )
        .unwrap();
        assert_eq!(s.limits.timeout, Duration::from_secs(5));
        assert_eq!(s.limits.max_tool_calls, 7);
        assert_eq!(s.policy.servers["demo"].deny, ["wait"]);
        assert!(!s.audit.enabled);
        assert_eq!(s.serve.max_sessions, 3);
        assert_eq!(s.tui.theme.as_deref(), Some("light"));
        assert_eq!(s.llm, None);

        let e = load("[servers.demo]\ncommand = \"x\"\n[limits]\nmax_opps = 1\n").unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(4), Some("limits.max_opps")),
            "{e}"
        );
        let e = load("[servers.demo]\ncommand = \"x\"\n\n[serve]\nsession_idle = \"soon\"\n")
            .unwrap_err();
        assert_eq!(e.line, Some(5), "{e}");
        let e = load("[servers.demo]\ncommand = \"x\"\n[llm]\nprovider = \"openai\"\nmodel = \"m\"\nbase_url = \"localhost\"\n")
            .unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(6), Some("llm.base_url")),
            "{e}"
        );
        let e = load("[servers.demo]\ncommand = \"x\"\n[policy]\nask = [\"Demo::wait\"]\n")
            .unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(4), Some("policy.ask")),
            "{e}"
        );
        assert!(e.message.contains("did you mean `demo`"), "{e}");
    }

    #[test]
    fn the_published_schema_is_the_generated_one() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/codemode.schema.json");
        let generated = serde_json::to_string_pretty(&json_schema()).unwrap() + "\n";
        if std::env::var_os("CODEMODE_WRITE_SCHEMA").is_some() {
            std::fs::write(path, &generated).unwrap();
        }
        let published = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            published == generated,
            "{path} is out of date: regenerate with CODEMODE_WRITE_SCHEMA=1 cargo nextest run -p codemode-engine the_published_schema"
        );
        // It describes every table and rejects a typo.
        let schema = json_schema();
        for table in [
            "servers", "limits", "policy", "audit", "llm", "serve", "tui",
        ] {
            assert!(schema["properties"][table].is_object(), "{table}");
        }
        let validator = jsonschema::validator_for(&schema).unwrap();
        let good: toml::Table = toml::from_str(
            "[servers.demo]\ncommand = \"x\"\ntimeout = \"5s\"\n[limits]\nmax_tool_calls = 5\n[serve]\nsession_idle = \"1m\"\n",
        )
        .unwrap();
        assert!(validator.is_valid(&serde_json::to_value(good).unwrap()));
        let bad: toml::Table = toml::from_str("[limits]\nmax_tool_cals = 5\n").unwrap();
        assert!(!validator.is_valid(&serde_json::to_value(bad).unwrap()));
    }
}
