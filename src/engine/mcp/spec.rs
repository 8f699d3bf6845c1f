//! What to connect to: a resolved, ready-to-use description of one server.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;

use super::elicit::ClientFeatures;
use crate::config::{HttpKind, OAuthConfig, ServerConfig, TransportConfig};

/// Default per-call timeout when the config names none.
pub const DEFAULT_CALL_TIMEOUT: Duration = Duration::from_secs(60);
/// Default time allowed to start a server and finish `initialize`.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// Environment variables a child keeps from our environment when `inherit_env` is off (plus
/// every locale variable, `LC_*`: see [`keeps_env`]).
pub const MINIMAL_ENV: &[&str] = &[
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "TMPDIR", "TZ", "SHELL",
];

/// Whether a child keeps our variable `key` when `inherit_env` is off.
pub fn keeps_env(key: &str) -> bool {
    MINIMAL_ENV.contains(&key) || key.starts_with("LC_")
}

/// Starts a server inside this process on one end of an in-memory pipe (the embedded demo
/// server). The future runs the server until the pipe closes.
pub type InProcessFactory =
    Arc<dyn Fn(tokio::io::DuplexStream) -> BoxFuture<'static, ()> + Send + Sync>;

/// How to reach a server.
#[derive(Clone)]
pub enum TransportSpec {
    /// A child process speaking JSON-RPC lines on stdin/stdout.
    Stdio {
        /// The program.
        command: String,
        /// Its arguments.
        args: Vec<String>,
        /// Extra environment (values are secrets: never logged).
        env: BTreeMap<String, String>,
        /// Working directory.
        cwd: Option<PathBuf>,
        /// Pass our whole environment instead of [`MINIMAL_ENV`].
        inherit_env: bool,
    },
    /// Streamable HTTP (or legacy SSE) at a URL.
    Http {
        /// The endpoint.
        url: String,
        /// Headers sent with every request (values are secrets: never logged).
        headers: BTreeMap<String, String>,
        /// Whether the config asked for legacy SSE.
        legacy_sse: bool,
    },
    /// A server running in this process (the embedded demo).
    InProcess(InProcessFactory),
}

impl fmt::Debug for TransportSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.summary())
    }
}

impl TransportSpec {
    /// The transport's kind: `stdio`, `http`, `sse` or `in-process`.
    pub fn kind(&self) -> &'static str {
        match self {
            TransportSpec::Stdio { .. } => "stdio",
            TransportSpec::Http {
                legacy_sse: true, ..
            } => "sse",
            TransportSpec::Http { .. } => "http",
            TransportSpec::InProcess(_) => "in-process",
        }
    }

    /// A one-line description without secrets: command and args, or the URL. Env and header
    /// values are never included.
    pub fn summary(&self) -> String {
        match self {
            TransportSpec::Stdio { command, args, .. } => {
                let mut s = command.clone();
                for a in args {
                    s.push(' ');
                    s.push_str(a);
                }
                s
            }
            TransportSpec::Http { url, .. } => url.clone(),
            TransportSpec::InProcess(_) => "embedded".to_string(),
        }
    }
}

/// How a connection starts its protocol lifecycle.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lifecycle {
    /// HTTP servers: probe `server/discover` and speak the stateless `2026-07-28` when the
    /// server offers it, else `initialize`; stdio and in-process servers: `initialize`.
    #[default]
    Negotiate,
    /// Always the `initialize` handshake (`2025-11-25`), e.g. to keep an HTTP session.
    Initialize,
}

/// One server to connect to.
#[derive(Clone, Debug)]
pub struct ServerSpec {
    /// The configured name (the key in `mcpServers`).
    pub name: String,
    /// How to reach it.
    pub transport: TransportSpec,
    /// Default timeout for each request.
    pub call_timeout: Duration,
    /// Time allowed for start-up and `initialize`.
    pub connect_timeout: Duration,
    /// What we declare to this server (roots, elicitation).
    pub client: ClientFeatures,
    /// How to authorize with it when it is a protected HTTP server.
    pub oauth: OAuthConfig,
    /// How the connection starts.
    pub lifecycle: Lifecycle,
}

impl ServerSpec {
    /// A spec with default timeouts.
    pub fn new(name: impl Into<String>, transport: TransportSpec) -> Self {
        ServerSpec {
            name: name.into(),
            transport,
            call_timeout: DEFAULT_CALL_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            client: ClientFeatures::default(),
            oauth: OAuthConfig::default(),
            lifecycle: Lifecycle::default(),
        }
    }

    /// The spec for a server from the config file.
    pub fn from_config(cfg: &ServerConfig) -> Self {
        let transport = match &cfg.transport {
            TransportConfig::Stdio {
                command,
                args,
                env,
                cwd,
            } => TransportSpec::Stdio {
                command: command.clone(),
                args: args.clone(),
                env: env.clone(),
                cwd: cwd.clone(),
                inherit_env: cfg.inherit_env,
            },
            TransportConfig::Http { url, headers, kind } => TransportSpec::Http {
                url: url.clone(),
                headers: headers.clone(),
                legacy_sse: matches!(kind, HttpKind::Sse),
            },
        };
        ServerSpec {
            name: cfg.name.clone(),
            transport,
            call_timeout: cfg.timeout.unwrap_or(DEFAULT_CALL_TIMEOUT),
            connect_timeout: cfg.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            client: ClientFeatures {
                roots: if cfg.declare_roots {
                    cfg.roots
                        .clone()
                        .or_else(|| ClientFeatures::default().roots)
                } else {
                    None
                },
                elicitation: cfg.declare_elicitation,
                sampling: cfg.declare_sampling,
            },
            oauth: cfg.oauth.clone(),
            lifecycle: Lifecycle::default(),
        }
    }
}
