//! OAuth 2.1 for protected streamable HTTP servers, on rmcp's `auth` feature: its
//! `AuthorizationManager` does discovery (protected-resource metadata from the
//! `WWW-Authenticate` challenge, then the path-based and root well-known URLs; RFC 8414, then
//! `OpenID` configuration), client identification, PKCE S256, the `resource` indicator, scope
//! selection, the token endpoint's auth method, refresh and scope upgrades; its `AuthClient`
//! adds the bearer token to every request and refreshes a rejected one once.
//!
//! We add what an application must: [`client::OAuthHttpClient`] wraps `AuthClient` and, on a
//! 401, runs a login ([`Authorizer::login`]); on a 403 `insufficient_scope`, a step-up
//! ([`Authorizer::step_up`], at most [`MAX_STEP_UPS`] per request); the code comes back on a
//! loopback redirect listener, or from the redirect's `Location` with `--oauth-auto-approve`
//! ([`redirect`]); tokens live in a 0600 file per server ([`store`]) and are added to the
//! log's redaction set.

mod client;
mod clock;
mod credentials;
mod jwt;
mod redirect;
mod store;

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::auth::{
    AuthClient, AuthError, AuthorizationCallback, AuthorizationManager, AuthorizationMetadata,
    AuthorizationRequest, AuthorizationSession, OAuthClientConfig,
};
use tokio::sync::broadcast;

use super::events::{Event, EventKind};
use crate::config::{OAuthConfig, OAuthGrant};
pub use client::OAuthHttpClient;
use clock::LoginClock;
pub use clock::timeout_excluding_logins;
pub use store::FileStore;

/// Step-up authorizations tried for one request before its 403 `insufficient_scope` is
/// returned as an error.
pub const MAX_STEP_UPS: u32 = 2;

/// Called with the server name and the URL the user must open.
pub type UrlNotice = Arc<dyn Fn(&str, &str) + Send + Sync>;

/// How this process authorizes with protected servers (set on the registry by the front end).
#[derive(Clone, Default)]
pub struct OAuthSettings {
    /// Fetch the authorization URL ourselves and read the code from the redirect's
    /// `Location` (`--oauth-auto-approve`: CI, servers that redirect without a user).
    pub auto_approve: bool,
    /// Try to open the browser for an interactive login.
    pub open_browser: bool,
    /// Also told the URL to open (the CLI prints it on stderr). It is always sent as a
    /// `Log` event (logger `oauth`), which the TUI shows in its log pane.
    pub on_url: Option<UrlNotice>,
    /// Where tokens are stored (default `<state dir>/oauth`).
    pub store_dir: Option<PathBuf>,
}

impl std::fmt::Debug for OAuthSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthSettings")
            .field("auto_approve", &self.auto_approve)
            .field("open_browser", &self.open_browser)
            .field("store_dir", &self.store_dir)
            .finish_non_exhaustive()
    }
}

impl OAuthSettings {
    fn store_dir(&self) -> PathBuf {
        self.store_dir
            .clone()
            .unwrap_or_else(|| crate::logging::state_dir().join("oauth"))
    }
}

/// The streamable HTTP transport for `url` with OAuth: a token from the store (refreshed
/// when expired) on every request, a login on 401, a step-up on 403 `insufficient_scope`.
pub async fn transport(
    server: &str,
    url: &str,
    config: rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig,
    oauth: &OAuthConfig,
    settings: &OAuthSettings,
    events: broadcast::Sender<Event>,
) -> Result<
    (
        StreamableHttpClientTransport<OAuthHttpClient>,
        Arc<Authorizer>,
    ),
    String,
> {
    super::http::ensure_crypto_provider();
    let authorizer = Arc::new(Authorizer {
        server: server.to_string(),
        url: url.to_string(),
        config: oauth.clone(),
        settings: settings.clone(),
        events,
        store: FileStore::new(&settings.store_dir(), url),
        login: tokio::sync::Mutex::new(()),
        generation: AtomicU64::new(0),
        clock: std::sync::Mutex::new(LoginClock::default()),
    });
    let manager = authorizer.manager().await.map_err(|e| e.to_string())?;
    let client = OAuthHttpClient::new(
        AuthClient::new(reqwest::Client::default(), manager),
        authorizer.clone(),
    );
    Ok((
        StreamableHttpClientTransport::with_client(client, config),
        authorizer,
    ))
}

/// One server's authorization: settings, store, and the login flows.
pub struct Authorizer {
    server: String,
    url: String,
    config: OAuthConfig,
    settings: OAuthSettings,
    events: broadcast::Sender<Event>,
    store: FileStore,
    /// One login or step-up at a time.
    login: tokio::sync::Mutex<()>,
    /// Bumped by every successful login or step-up: a request refused before one finished
    /// just tries again.
    generation: AtomicU64,
    clock: std::sync::Mutex<LoginClock>,
}

impl Authorizer {
    /// A manager over the file store, with the client configured from it when tokens were
    /// saved (so an expired token refreshes without discovery).
    async fn manager(&self) -> Result<AuthorizationManager, AuthError> {
        let mut manager = AuthorizationManager::new_allowing_private_addresses(&self.url).await?;
        manager.set_credential_store(self.store.clone());
        if let (Some(metadata), Some(client_id)) = (self.store.metadata(), self.store.client_id()) {
            manager.set_metadata(metadata);
            manager
                .configure_client(self.client_config(&client_id, "http://127.0.0.1/callback"))?;
        }
        Ok(manager)
    }

    /// The client config for `client_id` (with the configured secret when it is the
    /// configured client).
    fn client_config(&self, client_id: &str, redirect_uri: &str) -> OAuthClientConfig {
        let mut config = OAuthClientConfig::new(client_id, redirect_uri)
            .with_application_type("native")
            .with_scopes(self.config.scopes.clone());
        if self.config.client_id.as_deref() == Some(client_id)
            && let Some(secret) = &self.config.client_secret
        {
            config = config.with_client_secret(secret.clone());
        }
        config
    }

    /// The current login generation (take it before sending a request).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Waits for any running login; `None` when one finished since `seen` (the caller
    /// retries with the new token), else the held lock.
    async fn take_turn(&self, seen: u64) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        let turn = self.login.lock().await;
        (self.generation() == seen).then_some(turn)
    }

    fn finished(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// Sends the user to `url`: a log event (the TUI's log pane), the front end's notice
    /// (the CLI's stderr) and, when allowed and possible, the browser.
    fn announce(&self, url: &str) {
        let opened = self.settings.open_browser && redirect::open_browser(url);
        let text = if opened {
            format!("authorize codemode in your browser (opened); if it did not open, visit {url}")
        } else {
            format!("authorize codemode: open {url}")
        };
        let _ = self.events.send(Event {
            server: self.server.clone(),
            kind: EventKind::Log {
                level: "notice".into(),
                logger: Some("oauth".into()),
                data: serde_json::Value::String(text),
            },
        });
        if let Some(notice) = &self.settings.on_url {
            notice(&self.server, url);
        }
    }

    /// The callback URL for `auth_url`: fetched (auto-approve) or received on `listener`.
    async fn callback(
        &self,
        auth_url: &str,
        listener: redirect::Listener,
    ) -> Result<String, String> {
        if self.settings.auto_approve {
            drop(listener);
            redirect::auto_approve(auth_url).await
        } else {
            self.announce(auth_url);
            listener.receive(redirect::LOGIN_TIMEOUT).await
        }
    }

    /// A full login after a 401: discovery from `challenge`, client identification (the
    /// configured client, else a client-ID metadata document when supported, else dynamic
    /// registration), the authorization code with PKCE, and the token exchange. The
    /// manager behind `client` is replaced by the logged-in one.
    pub async fn login(
        &self,
        client: &AuthClient<reqwest::Client>,
        challenge: &str,
        seen: u64,
    ) -> Result<(), String> {
        let Some(_turn) = self.take_turn(seen).await else {
            return Ok(());
        };
        let _running = self.start_clock();
        tracing::info!("oauth: server `{}` asks for authorization", self.server);
        let mut guard = client.auth_manager.lock().await;
        let placeholder = self.manager().await.map_err(|e| e.to_string())?;
        let mut manager = std::mem::replace(&mut *guard, placeholder);
        let (manager, result) = if self.config.grant == OAuthGrant::ClientCredentials {
            let result = self
                .client_credentials(&mut manager, Some(challenge), None)
                .await;
            (manager, result)
        } else {
            self.login_with(manager, challenge).await
        };
        *guard = manager;
        if result.is_ok() {
            self.finished();
        }
        result.map_err(|e| format!("OAuth login to `{}` failed: {e}", self.server))
    }

    async fn login_with(
        &self,
        mut manager: AuthorizationManager,
        challenge: &str,
    ) -> (AuthorizationManager, Result<(), String>) {
        let metadata = match manager
            .resolve_metadata_from_challenge(Some(challenge))
            .await
        {
            Ok(resolution) => resolution.metadata,
            Err(e) => return (manager, Err(e.to_string())),
        };
        manager.set_metadata(metadata.clone());
        let listener = match redirect::bind(self.config.redirect_port).await {
            Ok(l) => l,
            Err(e) => return (manager, Err(e)),
        };
        let request = match self.request(&metadata, &listener.uri) {
            Ok(r) => r,
            Err(e) => return (manager, Err(e)),
        };
        let session = match AuthorizationSession::new(manager, request).await {
            Ok(s) => s,
            Err((manager, e)) => return (manager, Err(e.to_string())),
        };
        let result = async {
            let callback = self.callback(&session.auth_url, listener).await?;
            forget_code(&callback);
            session
                .handle_callback_url(&callback)
                .await
                .map_err(|e| e.to_string())?;
            self.store.save_metadata(metadata)
        }
        .await;
        if result.is_ok() {
            tracing::info!("oauth: authorized with server `{}`", self.server);
        }
        (session.auth_manager, result)
    }

    /// The authorization request: scopes and client identification from the config and
    /// the authorization server's metadata.
    fn request(
        &self,
        metadata: &AuthorizationMetadata,
        redirect_uri: &str,
    ) -> Result<AuthorizationRequest, String> {
        let name = self.config.client_name.as_deref().unwrap_or("codemode");
        let mut request = AuthorizationRequest::new(redirect_uri)
            .with_client_name(name)
            .with_application_type("native");
        request = if self.config.scopes.is_empty() {
            // The challenge's scopes, else the resource's `scopes_supported`, else none.
            request.with_initial_scope_selection()
        } else {
            request.with_scopes(self.config.scopes.iter().cloned())
        };
        let cimd = metadata
            .additional_fields
            .get("client_id_metadata_document_supported")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        if let Some(client_id) = &self.config.client_id {
            request = request.with_preregistered_client(client_id.clone());
            if let Some(secret) = &self.config.client_secret {
                request = request.with_client_secret(secret.clone());
            }
        } else if let Some(url) = self.config.client_metadata_url.as_ref().filter(|_| cimd) {
            request = request.with_client_metadata_url(url.clone());
        } else if metadata.registration_endpoint.is_none() {
            return Err(format!(
                "the authorization server {} offers no dynamic client registration (and no \
                 client-ID metadata document is configured or supported): set \
                 `oauth.client_id` (and `client_secret`) for server `{}`",
                metadata
                    .issuer
                    .as_deref()
                    .unwrap_or(&metadata.authorization_endpoint),
                self.server
            ));
        }
        Ok(request)
    }

    /// A step-up after a 403 `insufficient_scope`: a new authorization for the granted
    /// scopes plus `scope`, with the same client.
    pub async fn step_up(
        &self,
        client: &AuthClient<reqwest::Client>,
        scope: &str,
        seen: u64,
    ) -> Result<(), String> {
        let Some(_turn) = self.take_turn(seen).await else {
            return Ok(());
        };
        let _running = self.start_clock();
        tracing::info!(
            "oauth: server `{}` needs scope `{scope}`: asking for it",
            self.server
        );
        let fail = |e: String| format!("OAuth step-up for scope `{scope}` failed: {e}");
        let mut manager = client.auth_manager.lock().await;
        if self.config.grant == OAuthGrant::ClientCredentials {
            self.client_credentials(&mut manager, None, Some(scope))
                .await
                .map_err(fail)?;
            self.finished();
            return Ok(());
        }
        let listener = redirect::bind(self.config.redirect_port)
            .await
            .map_err(fail)?;
        let (client_id, _) = manager
            .get_credentials()
            .await
            .map_err(|e| fail(e.to_string()))?;
        manager
            .configure_client(self.client_config(&client_id, &listener.uri))
            .map_err(|e| fail(e.to_string()))?;
        let auth_url = manager
            .request_scope_upgrade(scope)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let callback = self.callback(&auth_url, listener).await.map_err(fail)?;
        forget_code(&callback);
        let callback =
            AuthorizationCallback::from_redirect_url(&callback).map_err(|e| fail(e.to_string()))?;
        manager
            .exchange_code_for_token_with_issuer(
                &callback.code,
                &callback.csrf_token,
                callback.issuer.as_deref(),
            )
            .await
            .map_err(|e| fail(e.to_string()))?;
        self.finished();
        Ok(())
    }
}

/// Adds the authorization code of `callback` to the log's redaction set (rmcp logs it at
/// debug level).
fn forget_code(callback: &str) {
    if let Ok(cb) = AuthorizationCallback::from_redirect_url(callback) {
        crate::logging::add_secrets(&[cb.code]);
    }
}
