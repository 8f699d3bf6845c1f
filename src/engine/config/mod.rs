//! MCP server configuration: reading it and finding it.
//!
//! Three formats are read:
//!
//! 1. the de-facto `mcpServers` JSON of Claude Desktop, Cursor and
//!    `.mcp.json` files;
//! 2. VS Code's variant, with a top-level `servers` object (its `inputs`,
//!    and a `$schema` key in either JSON format, are accepted and ignored);
//! 3. our own `codemode.toml`, with `[servers.NAME]` tables and the optional
//!    top-level tables `[limits]`, `[policy]`, `[audit]`, `[tui]`, `[llm]`
//!    and `[serve]`, kept in [`Config::tables`] for their rooms to decode
//!    ([`Tables::decode`], errors at <file:line:col>; `crate::settings` decodes them all).
//!
//! Every format accepts the same per-server fields: `command`, `args`,
//! `env`, `cwd` (stdio) or `url`, `headers` (HTTP), plus `type`, `disabled`,
//! `inherit_env`, `timeout`, `connect_timeout`, `roots`, `capabilities` and `oauth`
//! (HTTP: `client_id`, `client_secret`, `scopes`, `client_metadata_url`, `client_name`,
//! `redirect_port`). `${VAR}`,
//! `${VAR:-default}` and `${env:VAR}` are expanded in `command`, `args`,
//! `env` and `headers` values, `url`, `cwd` and the `oauth` strings. Unknown fields are warnings,
//! not errors. See [`Config::discover`] for where the file is looked for.

mod duration;
mod error;
mod expand;
mod locate;
mod oauth;
mod parse;
mod raw;
pub(crate) use raw::RawServer;
mod redact;
mod tables;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_formats;
#[cfg(test)]
mod tests_oauth;
mod validate;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use duration::{DurationError, parse_duration};
pub use error::{ConfigError, ConfigWarning};
pub use oauth::{OAuthConfig, OAuthGrant, SIGNING_ALGORITHMS};
pub use redact::{REDACTED, redact, redact_json, redact_known};
pub use tables::Tables;

/// Values shorter than this are not returned by [`Config::secrets`]: an env
/// value such as `1`, `true` or `UTC` is not a secret, and redacting it
/// everywhere would garble all output.
pub const MIN_SECRET_LEN: usize = 6;

/// The servers to connect to, and where that list came from.
#[derive(Clone, PartialEq)]
pub struct Config {
    /// The enabled servers, in file order (disabled ones are removed).
    pub servers: Vec<ServerConfig>,
    /// Where the configuration came from.
    pub source: ConfigSource,
    /// Things that were ignored (unknown fields etc.), for the user to see.
    pub warnings: Vec<ConfigWarning>,
    /// The `limits`, `policy`, `audit`, `tui`, `llm` and `serve` tables that are present
    /// (TOML converted to JSON, datetimes as strings), with where they came from.
    pub tables: Tables,
}

/// Where a [`Config`] came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigSource {
    /// Read from this file.
    File(PathBuf),
    /// No configuration file was found: the embedded demo server is used.
    Embedded,
}

/// One MCP server to connect to.
#[derive(Clone, PartialEq)]
pub struct ServerConfig {
    /// The server's name: its key in the configuration file.
    pub name: String,
    /// How to reach it.
    pub transport: TransportConfig,
    /// Whether a stdio child inherits the whole environment. When false (the
    /// default) it gets only its `env` plus a minimal `PATH`/`HOME`.
    pub inherit_env: bool,
    /// Per-call timeout, if set.
    pub timeout: Option<Duration>,
    /// Timeout for connecting and initializing, if set.
    pub connect_timeout: Option<Duration>,
    /// Roots declared to this server (`None`: the working directory); relative paths were
    /// resolved against the config file's directory.
    pub roots: Option<Vec<PathBuf>>,
    /// Declare the roots capability (default true).
    pub declare_roots: bool,
    /// Declare the elicitation capability (default true).
    pub declare_elicitation: bool,
    /// Declare the sampling capability (default false; needs an `[llm]` table).
    pub declare_sampling: bool,
    /// How to authorize with a protected HTTP server (the `oauth` table; all optional).
    pub oauth: OAuthConfig,
}

/// How to reach a server.
#[derive(Clone, PartialEq)]
pub enum TransportConfig {
    /// A child process speaking MCP on its stdin/stdout.
    Stdio {
        /// The program to run.
        command: String,
        /// Its arguments (variables expanded).
        args: Vec<String>,
        /// Environment variables to set (values expanded).
        env: BTreeMap<String, String>,
        /// Working directory, absolute or relative to the process's; a
        /// relative `cwd` in the file has already been resolved against the
        /// config file's directory.
        cwd: Option<PathBuf>,
    },
    /// A remote server over HTTP.
    Http {
        /// `http://` or `https://` endpoint.
        url: String,
        /// Headers sent with every request (values expanded).
        headers: BTreeMap<String, String>,
        /// Which HTTP transport.
        kind: HttpKind,
    },
}

/// The HTTP transport flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HttpKind {
    /// Streamable HTTP (`"type": "http"` or `"streamable-http"`; the default).
    #[default]
    StreamableHttp,
    /// The older HTTP+SSE transport (`"type": "sse"`).
    Sse,
}

/// Prints `«redacted»` in place of a value.
struct Redacted;

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// Prints a map's keys with redacted values.
struct RedactedMap<'a>(&'a BTreeMap<String, String>);

impl fmt::Debug for RedactedMap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|k| (k, Redacted)))
            .finish()
    }
}

/// Env and header values are printed as `«redacted»`; args and url go
/// through [`redact`]'s token patterns.
impl fmt::Debug for TransportConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportConfig::Stdio {
                command,
                args,
                env,
                cwd,
            } => {
                let args: Vec<String> = args.iter().map(|a| redact(a, &[])).collect();
                f.debug_struct("Stdio")
                    .field("command", command)
                    .field("args", &args)
                    .field("env", &RedactedMap(env))
                    .field("cwd", cwd)
                    .finish()
            }
            TransportConfig::Http { url, headers, kind } => f
                .debug_struct("Http")
                .field("url", &redact(url, &[]))
                .field("headers", &RedactedMap(headers))
                .field("kind", kind)
                .finish(),
        }
    }
}

/// Like a derived `Debug`, with the transport's secrets redacted.
impl fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServerConfig")
            .field("name", &self.name)
            .field("transport", &self.transport)
            .field("inherit_env", &self.inherit_env)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("roots", &self.roots)
            .field("declare_roots", &self.declare_roots)
            .field("declare_elicitation", &self.declare_elicitation)
            .field("oauth", &self.oauth)
            .field("declare_sampling", &self.declare_sampling)
            .finish()
    }
}

/// Shows only the names of the tables, which may hold credentials.
impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("servers", &self.servers)
            .field("source", &self.source)
            .field("warnings", &self.warnings)
            .field("tables", &self.tables.names().collect::<Vec<_>>())
            .finish()
    }
}

/// The process environment, as a variable lookup.
fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

impl Config {
    /// Finds and loads the configuration: the `explicit` path if given (an
    /// error if it does not exist), else `./codemode.toml`, else
    /// `./.mcp.json`, else `codemode/codemode.toml` in the user's config
    /// directory (`$XDG_CONFIG_HOME` or `~/.config` on Linux, via
    /// [`dirs::config_dir`]), else [`ConfigSource::Embedded`] with no servers.
    pub fn discover(explicit: Option<&Path>) -> Result<Config, ConfigError> {
        let cwd = std::env::current_dir().map_err(|e| {
            ConfigError::new(
                Path::new("."),
                format!("cannot read the current directory: {e}"),
            )
        })?;
        Config::discover_in(explicit, &cwd, dirs::config_dir().as_deref())
    }

    /// [`Config::discover`] relative to the given working directory and user
    /// config directory (`None`: there is none). A relative `explicit` path
    /// is relative to `cwd`.
    pub fn discover_in(
        explicit: Option<&Path>,
        cwd: &Path,
        config_dir: Option<&Path>,
    ) -> Result<Config, ConfigError> {
        if let Some(path) = explicit {
            let path = cwd.join(path);
            if !path.is_file() {
                return Err(ConfigError::new(&path, "config file not found"));
            }
            return Config::load(&path);
        }
        let candidates = [
            Some(cwd.join("codemode.toml")),
            Some(cwd.join(".mcp.json")),
            config_dir.map(|dir| dir.join("codemode").join("codemode.toml")),
        ];
        for path in candidates.into_iter().flatten() {
            if path.is_file() {
                tracing::debug!(path = %path.display(), "using config file");
                return Config::load(&path);
            }
        }
        tracing::debug!("no config file found: using the embedded demo server");
        Ok(Config {
            servers: Vec::new(),
            source: ConfigSource::Embedded,
            warnings: Vec::new(),
            tables: Tables::default(),
        })
    }

    /// Reads a configuration file: TOML if its name ends in `.toml`, JSON
    /// otherwise. Variables are expanded from the process environment.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::new(path, format!("cannot read config file: {e}")))?;
        let is_toml = path
            .extension()
            .is_some_and(|ext| ext.eq_ignore_ascii_case("toml"));
        if is_toml {
            Config::from_toml_str(&text, path)
        } else {
            Config::from_json_str(&text, path)
        }
    }

    /// Parses the JSON formats (`mcpServers` or VS Code's `servers`); `path`
    /// is used in messages and to resolve a relative `cwd`.
    pub fn from_json_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
        Config::from_json_str_with_env(text, path, &process_env)
    }

    /// Parses `codemode.toml` text; `path` is used in messages and to
    /// resolve a relative `cwd`.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Config, ConfigError> {
        Config::from_toml_str_with_env(text, path, &process_env)
    }

    /// [`Config::from_json_str`], looking `${VAR}`s up with `env` instead of
    /// in the process environment (for tests).
    pub fn from_json_str_with_env(
        text: &str,
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        parse::parse_json(text, path, env)
    }

    /// [`Config::from_toml_str`], looking `${VAR}`s up with `env` instead of
    /// in the process environment (for tests).
    pub fn from_toml_str_with_env(
        text: &str,
        path: &Path,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        parse::parse_toml(text, path, env)
    }

    /// Every secret value the config holds — env values and header values,
    /// after expansion, plus the credential part of `Bearer x`-style header
    /// values — longest first, without duplicates, for [`redact`]. Values
    /// shorter than [`MIN_SECRET_LEN`] are left out.
    pub fn secrets(&self) -> Vec<String> {
        let mut secrets: Vec<String> = Vec::new();
        for server in &self.servers {
            match &server.transport {
                TransportConfig::Stdio { env, .. } => secrets.extend(env.values().cloned()),
                TransportConfig::Http { headers, url, .. } => {
                    // A password in the URL's userinfo, as written and percent-decoded.
                    if let Some(password) = url::Url::parse(url)
                        .ok()
                        .and_then(|u| u.password().map(str::to_string))
                    {
                        secrets.extend(
                            url::form_urlencoded::parse(
                                format!("p={}", password.replace('+', "%2B")).as_bytes(),
                            )
                            .map(|(_, v)| v.into_owned()),
                        );
                        secrets.push(password);
                    }
                    for value in headers.values() {
                        secrets.push(value.clone());
                        if let Some((_, credential)) = value.trim().split_once(' ') {
                            secrets.push(credential.trim().to_string());
                        }
                    }
                }
            }
        }
        for oauth in self.servers.iter().map(|s| &s.oauth) {
            secrets.extend(oauth.client_secret.clone());
            if let Some(key) = &oauth.private_key {
                // The whole PEM and each of its base64 lines.
                secrets.push(key.clone());
                secrets.extend(
                    key.lines()
                        .map(str::trim)
                        .filter(|l| !l.starts_with("-----"))
                        .map(str::to_string),
                );
            }
        }
        secrets.retain(|s| s.chars().count() >= MIN_SECRET_LEN);
        secrets.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        secrets.dedup();
        secrets
    }

    /// The enabled server called `name`.
    pub fn server(&self, name: &str) -> Option<&ServerConfig> {
        self.servers.iter().find(|s| s.name == name)
    }
}
