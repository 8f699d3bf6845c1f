//! The `[llm]` table of `codemode.toml`: which model writes scripts, and where it is.
//!
//! ```toml
//! [llm]
//! provider = "openai"                     # or "anthropic"
//! base_url = "http://localhost:11434/v1"  # default: the provider's public API
//! model = "qwen2.5-coder:7b"
//! api_key_env = "OPENAI_API_KEY"          # the variable holding the key (none: no key sent)
//! max_tokens = 2048                       # optional
//! temperature = 0.2                       # optional
//! timeout = "120s"                        # optional: longest silence while streaming
//! ```
//!
//! The key itself is never in the file: only the name of the environment variable.

use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::config::{ConfigError, Tables};

/// The API dialect.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// `OpenAI` Chat Completions (also Ollama, llama.cpp, vLLM and most gateways).
    Openai,
    /// Anthropic Messages.
    Anthropic,
}

impl Provider {
    /// The provider's public API, used when `base_url` is not set.
    pub fn default_base_url(self) -> &'static str {
        match self {
            Provider::Openai => "https://api.openai.com/v1",
            Provider::Anthropic => "https://api.anthropic.com/v1",
        }
    }

    /// Its config spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Openai => "openai",
            Provider::Anthropic => "anthropic",
        }
    }
}

/// Default `max_tokens` (Anthropic requires one; OpenAI-style servers get it too).
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// Default `timeout`: the longest wait for the next bytes of an answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// What to say when no `[llm]` table exists.
pub const NOT_CONFIGURED: &str = "no model is configured: add an [llm] table to codemode.toml, e.g.\n\n  [llm]\n  provider = \"openai\"                     # or \"anthropic\"\n  base_url = \"http://localhost:11434/v1\"  # a local Ollama; omit for the provider's API\n  model = \"qwen2.5-coder:7b\"\n  api_key_env = \"OPENAI_API_KEY\"          # omit for a local server without a key\n\n(see README, \"Ask a model\")";

/// The `[llm]` table as written (see the module docs); [`LlmConfig`] is what it means.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LlmTable {
    /// `openai` (also Ollama, llama.cpp, vLLM, most gateways) or `anthropic`.
    pub provider: Provider,
    /// The API root, e.g. `http://localhost:11434/v1` (default: the provider's public API).
    pub base_url: Option<String>,
    /// The model name sent with every request.
    pub model: String,
    /// The environment variable holding the API key (the key itself is never in the file).
    pub api_key_env: Option<String>,
    /// Longest answer, in tokens (default 4096).
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Longest silence while streaming, e.g. `"120s"`.
    pub timeout: Option<String>,
}

/// A configured model.
#[derive(Clone, Debug, PartialEq)]
pub struct LlmConfig {
    /// The API dialect.
    pub provider: Provider,
    /// The API root, without a trailing `/` (`.../v1`).
    pub base_url: String,
    /// The model name sent with every request.
    pub model: String,
    /// The environment variable holding the API key, if one is needed.
    pub api_key_env: Option<String>,
    /// Longest answer, in tokens.
    pub max_tokens: u32,
    /// Sampling temperature, if set.
    pub temperature: Option<f32>,
    /// Longest silence while waiting for the answer.
    pub timeout: Duration,
}

impl LlmConfig {
    /// Reads the `[llm]` table: `Ok(None)` when there is none, an error at the offending key
    /// when it is malformed.
    pub fn from_tables(tables: &Tables) -> Result<Option<LlmConfig>, ConfigError> {
        let Some(raw) = tables.decode_present::<LlmTable>("llm")? else {
            return Ok(None);
        };
        let base_url = raw
            .base_url
            .unwrap_or_else(|| raw.provider.default_base_url().to_string())
            .trim_end_matches('/')
            .to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(tables.error(
                &["llm", "base_url"],
                format!("base_url must start with http:// or https://, not `{base_url}`"),
            ));
        }
        if raw.model.trim().is_empty() {
            return Err(tables.error(&["llm", "model"], "model is empty"));
        }
        let timeout = match raw.timeout {
            None => DEFAULT_TIMEOUT,
            Some(t) => crate::config::parse_duration(&t)
                .map_err(|e| tables.error(&["llm", "timeout"], e.to_string()))?,
        };
        Ok(Some(LlmConfig {
            provider: raw.provider,
            base_url,
            model: raw.model,
            api_key_env: raw.api_key_env.filter(|s| !s.is_empty()),
            max_tokens: raw.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
            temperature: raw.temperature,
            timeout,
        }))
    }

    /// The API key from the environment: `Ok(None)` when no variable is configured, an error
    /// naming the variable (never its value) when it is unset or empty.
    pub fn api_key(&self) -> Result<Option<String>, String> {
        let Some(var) = &self.api_key_env else {
            return Ok(None);
        };
        match std::env::var(var) {
            Ok(v) if !v.trim().is_empty() => Ok(Some(v.trim().to_string())),
            _ => Err(format!(
                "[llm] api_key_env names `{var}`, but that environment variable is not set"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(v: serde_json::Value) -> Result<Option<LlmConfig>, String> {
        let tables = Tables::from_values(v.as_object().unwrap().clone());
        LlmConfig::from_tables(&tables).map_err(|e| e.to_string())
    }

    #[test]
    fn no_table_is_none_and_defaults_fill_the_rest() {
        assert_eq!(read(json!({})).unwrap(), None);
        let c = read(json!({"llm": {"provider": "anthropic", "model": "claude-x"}}))
            .unwrap()
            .unwrap();
        assert_eq!(c.base_url, "https://api.anthropic.com/v1");
        assert_eq!(c.max_tokens, DEFAULT_MAX_TOKENS);
        assert_eq!(c.api_key_env, None);
        assert_eq!(c.api_key().unwrap(), None);
        let c = read(json!({"llm": {"provider": "openai", "model": "m",
            "base_url": "http://localhost:11434/v1/", "timeout": "5s", "temperature": 0.5}}))
        .unwrap()
        .unwrap();
        assert_eq!(c.base_url, "http://localhost:11434/v1");
        assert_eq!(c.timeout, Duration::from_secs(5));
        assert_eq!(c.temperature, Some(0.5));
    }

    #[test]
    fn bad_tables_are_errors_that_name_the_problem() {
        let e = read(json!({"llm": {"provider": "gemini", "model": "m"}})).unwrap_err();
        assert!(e.contains("`llm.provider`") && e.contains("gemini"), "{e}");
        let e =
            read(json!({"llm": {"provider": "openai", "model": "m", "api_key": "x"}})).unwrap_err();
        assert!(e.contains("api_key"), "{e}");
        let e = read(json!({"llm": {"provider": "openai", "model": "m", "base_url": "localhost"}}))
            .unwrap_err();
        assert!(e.contains("base_url"), "{e}");
        let e = read(json!({"llm": {"provider": "openai", "model": " "}})).unwrap_err();
        assert!(e.contains("model"), "{e}");
    }

    #[test]
    fn a_missing_key_variable_is_named_without_a_value() {
        let c = read(json!({"llm": {"provider": "openai", "model": "m",
            "api_key_env": "CODEMODE_TEST_SURELY_UNSET_KEY"}}))
        .unwrap()
        .unwrap();
        let e = c.api_key().unwrap_err();
        assert!(e.contains("CODEMODE_TEST_SURELY_UNSET_KEY"), "{e}");
    }
}

#[cfg(test)]
mod readme {
    use super::LlmConfig;

    /// Every `[llm]` example in the README is a valid table.
    #[test]
    fn the_readme_examples_parse() {
        let readme = include_str!("../../../README.md");
        let blocks: Vec<&str> = readme
            .split("```toml\n")
            .skip(1)
            .filter_map(|b| b.split("\n```").next())
            .filter(|b| b.contains("[llm]"))
            .collect();
        assert!(
            blocks.len() >= 2,
            "the README shows a local and a hosted model"
        );
        for b in blocks {
            let table: toml::Table = toml::from_str(b).unwrap();
            let extra = serde_json::to_value(table).unwrap();
            let tables = crate::config::Tables::from_values(extra.as_object().unwrap().clone());
            let c = LlmConfig::from_tables(&tables);
            assert!(matches!(c, Ok(Some(_))), "{b}: {c:?}");
        }
    }
}
