//! Streamable HTTP: transport construction (headers from config reach every request) and
//! session start-up (lifecycle negotiation).

use std::collections::{BTreeMap, HashMap};

use rmcp::model::ProtocolVersion;
use rmcp::service::{
    ClientInitializeError, ClientLifecycleMode, ClientServiceExt, RoleClient, RunningService,
};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use tokio::sync::broadcast;

use super::events::Event;
use super::handler::Handler;
use super::spec::{Lifecycle, ServerSpec};

/// A start-up's outcome: `Err` when it took longer than the spec's connect timeout.
pub type Started = Result<
    Result<RunningService<RoleClient, Handler>, ClientInitializeError>,
    tokio::time::error::Elapsed,
>;

/// How we start an HTTP session: rmcp's `Auto` lifecycle probes `server/discover` for the
/// stateless `2026-07-28` revision and falls back to `initialize` (with the version in
/// [`super::handler::client_config`], `2025-11-25`) when the server answers as a legacy
/// one. Stdio and in-process servers keep the `initialize` handshake: every stdio SDK
/// still answers it, and a probe costs a server that ignores unknown requests 10 s.
fn lifecycle(spec: &ServerSpec) -> ClientLifecycleMode {
    match spec.lifecycle {
        Lifecycle::Negotiate => ClientLifecycleMode::Auto {
            preferred_versions: vec![ProtocolVersion::V_2026_07_28],
            legacy_version: None,
        },
        Lifecycle::Initialize => ClientLifecycleMode::Initialize,
    }
}

/// What starting a session with the HTTP server `url` needs.
pub struct Start<'a> {
    /// The server.
    pub spec: &'a ServerSpec,
    /// Its endpoint.
    pub url: &'a str,
    /// The configured headers (an `Authorization` one turns OAuth off).
    pub headers: &'a BTreeMap<String, String>,
    /// Answers the server's requests.
    pub handler: &'a Handler,
    /// How this process authorizes.
    pub oauth: &'a super::oauth::OAuthSettings,
    /// Where OAuth notices go.
    pub events: &'a broadcast::Sender<Event>,
}

impl Start<'_> {
    /// Starts the session (OAuth unless the config gives an `Authorization` header), within
    /// the spec's connect timeout (logins excluded).
    ///
    /// Some legacy servers answer every method they do not know, `server/discover`
    /// included, with an empty result instead of an error; rmcp's `Auto` lifecycle takes
    /// that reply as fatal (`ExpectedInitResult`), so such a server is started again with
    /// `initialize`.
    pub async fn run(&self) -> Result<Started, String> {
        match self.with(lifecycle(self.spec)).await? {
            Ok(Err(ClientInitializeError::ExpectedInitResult(reply)))
                if self.spec.lifecycle == Lifecycle::Negotiate =>
            {
                tracing::info!(
                    server = %self.spec.name,
                    "`server/discover` answered with {reply:?}: starting with `initialize`"
                );
                self.with(ClientLifecycleMode::Initialize).await
            }
            other => Ok(other),
        }
    }

    async fn with(&self, lifecycle: ClientLifecycleMode) -> Result<Started, String> {
        let handler = self.handler.clone();
        let timeout = self.spec.connect_timeout;
        if has_authorization(self.headers) {
            let transport = transport(self.url, self.headers)?;
            let serve = handler.serve_with_lifecycle(transport, lifecycle);
            return Ok(tokio::time::timeout(timeout, serve).await);
        }
        let config = config(self.url, self.headers)?;
        let (transport, auth) = super::oauth::transport(
            &self.spec.name,
            self.url,
            config,
            &self.spec.oauth,
            self.oauth,
            self.events.clone(),
        )
        .await?;
        let serve = handler.serve_with_lifecycle(transport, lifecycle);
        Ok(super::oauth::timeout_excluding_logins(timeout, &auth, serve).await)
    }
}

/// Builds the transport for `url` with the configured headers. An `Authorization: Bearer`
/// header is passed through rmcp's auth slot; the others as custom headers.
pub fn transport(
    url: &str,
    headers: &BTreeMap<String, String>,
) -> Result<StreamableHttpClientTransport<reqwest::Client>, String> {
    ensure_crypto_provider();
    Ok(StreamableHttpClientTransport::from_config(config(
        url, headers,
    )?))
}

/// Whether the config gives an `Authorization` header (then OAuth is not used).
pub fn has_authorization(headers: &BTreeMap<String, String>) -> bool {
    headers
        .keys()
        .any(|name| name.eq_ignore_ascii_case("authorization"))
}

/// The transport config for `url` with the configured headers.
pub fn config(
    url: &str,
    headers: &BTreeMap<String, String>,
) -> Result<StreamableHttpClientTransportConfig, String> {
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_string());
    let mut custom = HashMap::new();
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("authorization")
            && let Some(token) = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        {
            config = config.auth_header(token.to_string());
            continue;
        }
        let header = http::HeaderName::try_from(name.as_str())
            .map_err(|_| format!("invalid HTTP header name `{name}` in config"))?;
        let value = http::HeaderValue::try_from(value.as_str())
            .map_err(|_| format!("invalid value for HTTP header `{name}` in config"))?;
        custom.insert(header, value);
    }
    Ok(config.custom_headers(custom))
}

/// Installs rustls' `ring` provider once (we build reqwest without a default provider to
/// avoid the C/cmake build of aws-lc). Every reqwest client needs it first (`llm` too).
pub fn ensure_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
