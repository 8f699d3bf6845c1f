//! A test authorization server and protected MCP endpoint on one loopback port (hyper,
//! HTTP/1.1). The endpoint is our demo server (rmcp's streamable HTTP service) behind a
//! bearer check. What it serves is set by [`Options`]: where the protected-resource metadata
//! is found, RFC 8414 or only `OpenID` configuration, dynamic registration, client-ID metadata
//! documents, the token endpoint's auth method, scopes needing a step-up. It checks what a
//! real server checks (PKCE S256 against the verifier, the `resource` indicator, the client's
//! authentication) and records every request in [`Seen`] for the tests to assert on.
#![allow(dead_code)]

mod endpoints;

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// Where the client finds the protected-resource metadata.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Discovery {
    /// Only through the challenge's `resource_metadata` (at a non-standard path).
    Challenge,
    /// Only at the path-based well-known URL (`/.well-known/oauth-protected-resource/mcp`).
    PathWellKnown,
    /// Only at the root well-known URL (`/.well-known/oauth-protected-resource`).
    RootWellKnown,
}

/// How the token endpoint authenticates clients.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum AuthMethod {
    /// `client_secret_basic`.
    Basic,
    /// `client_secret_post`.
    Post,
    /// `none` (public clients).
    None,
    /// `private_key_jwt`: a signed assertion checked against the client's P-256 public key.
    PrivateKeyJwt,
}

impl AuthMethod {
    /// The metadata name of the method.
    pub fn name(self) -> &'static str {
        match self {
            AuthMethod::Basic => "client_secret_basic",
            AuthMethod::Post => "client_secret_post",
            AuthMethod::None => "none",
            AuthMethod::PrivateKeyJwt => "private_key_jwt",
        }
    }
}

/// What the server offers.
#[derive(Clone, Debug)]
pub struct Options {
    /// Where the protected-resource metadata is.
    pub discovery: Discovery,
    /// Serve RFC 8414 metadata (else only `/.well-known/openid-configuration`).
    pub rfc8414: bool,
    /// Offer dynamic client registration.
    pub dcr: bool,
    /// Advertise client-ID metadata document support.
    pub cimd: bool,
    /// The only token endpoint auth method advertised and accepted.
    pub auth_method: AuthMethod,
    /// Pre-registered clients: id and secret.
    pub clients: Vec<(String, Option<String>)>,
    /// Clients authenticating by `private_key_jwt`: id and P-256 public key (uncompressed).
    pub jwt_clients: Vec<(String, Vec<u8>)>,
    /// `scopes_supported` of the protected resource.
    pub resource_scopes: Vec<String>,
    /// The `scope` of the 401 challenge.
    pub challenge_scope: Option<String>,
    /// Tools that need a scope (403 `insufficient_scope` without it).
    pub tool_scopes: Vec<(String, String)>,
    /// Tools answered 403 `insufficient_scope` whatever the token (the retry limit).
    pub always_forbidden: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            discovery: Discovery::Challenge,
            rfc8414: true,
            dcr: true,
            cimd: false,
            auth_method: AuthMethod::None,
            clients: vec![],
            jwt_clients: vec![],
            resource_scopes: vec!["mcp:read".into()],
            challenge_scope: None,
            tool_scopes: vec![],
            always_forbidden: vec![],
        }
    }
}

/// One `/authorize` request.
#[derive(Clone, Debug)]
pub struct Authorize {
    /// Its query parameters.
    pub query: HashMap<String, String>,
}

/// One `/token` request that succeeded.
#[derive(Clone, Debug)]
pub struct TokenGrant {
    /// `authorization_code`, `refresh_token` or `client_credentials`.
    pub grant_type: String,
    /// The client.
    pub client_id: String,
    /// How the client authenticated (`client_secret_basic`, `client_secret_post`, `none`,
    /// `private_key_jwt`).
    pub auth_used: String,
    /// The scope granted.
    pub scope: String,
}

/// Everything the server saw.
#[derive(Default, Debug)]
pub struct Seen {
    /// Metadata paths requested, in order.
    pub metadata_paths: Vec<String>,
    /// `/register` bodies.
    pub registrations: Vec<Value>,
    /// `/authorize` requests that got a code.
    pub authorizations: Vec<Authorize>,
    /// Refused requests to `/authorize` or `/token`, with the reason.
    pub refusals: Vec<String>,
    /// Successful token requests.
    pub grants: Vec<TokenGrant>,
    /// 403s sent for a missing scope.
    pub forbidden: usize,
    /// Every access token and refresh token issued.
    pub issued: Vec<String>,
}

#[derive(Clone)]
struct Code {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scope: String,
}

#[derive(Default)]
struct State {
    seen: Seen,
    clients: HashMap<String, Option<String>>,
    codes: HashMap<String, Code>,
    /// Access token → scope.
    access: HashMap<String, String>,
    /// Refresh token → (client, scope).
    refresh: HashMap<String, (String, String)>,
}

/// A running server.
pub struct OAuthServer {
    /// `http://127.0.0.1:PORT` (the issuer).
    pub base: String,
    /// The protected MCP endpoint.
    pub url: String,
    state: Arc<Mutex<State>>,
    stop: CancellationToken,
}

impl Drop for OAuthServer {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

impl OAuthServer {
    /// Starts a server on a free loopback port.
    pub async fn start(options: Options) -> OAuthServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let state = Arc::new(Mutex::new(State {
            clients: options.clients.iter().cloned().collect(),
            ..State::default()
        }));
        let stop = CancellationToken::new();
        let mut config = StreamableHttpServerConfig::default();
        config.cancellation_token = stop.child_token();
        let mcp = Arc::new(StreamableHttpService::new(
            || Ok(codemode::demo::DemoServer::default()),
            Arc::new(LocalSessionManager::default()),
            config,
        ));
        let shared = Arc::new(Shared {
            options,
            base: base.clone(),
            state: state.clone(),
            mcp,
        });
        let stopped = stop.clone();
        tokio::spawn(async move {
            loop {
                let stream = tokio::select! {
                    () = stopped.cancelled() => return,
                    accepted = listener.accept() => match accepted {
                        Ok((s, _)) => s,
                        Err(_) => continue,
                    },
                };
                let shared = shared.clone();
                let handler = hyper::service::service_fn(move |req: Request<Incoming>| {
                    let shared = shared.clone();
                    async move { Ok::<_, Infallible>(shared.handle(req).await) }
                });
                tokio::spawn(
                    hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), handler),
                );
            }
        });
        OAuthServer {
            url: format!("{base}/mcp"),
            base,
            state,
            stop,
        }
    }

    /// Runs `f` on what the server saw.
    pub fn seen<T>(&self, f: impl FnOnce(&Seen) -> T) -> T {
        f(&self.state.lock().unwrap().seen)
    }

    /// Forgets every access token (as if they expired): the next request with one gets a
    /// 401 `invalid_token`, and the client must refresh.
    pub fn expire_access_tokens(&self) {
        self.state.lock().unwrap().access.clear();
    }
}

type Body = BoxBody<Bytes, Infallible>;

fn respond(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(http::header::CONTENT_TYPE, content_type)
        .body(Full::new(body.into()).boxed())
        .unwrap()
}

fn json_response(status: StatusCode, value: Value) -> Response<Body> {
    respond(status, "application/json", value.to_string())
}

fn not_found() -> Response<Body> {
    respond(StatusCode::NOT_FOUND, "text/plain", "not found")
}

fn oauth_error(error: &str, description: &str) -> Response<Body> {
    json_response(
        StatusCode::BAD_REQUEST,
        json!({"error": error, "error_description": description}),
    )
}

fn form(text: &str) -> HashMap<String, String> {
    url::form_urlencoded::parse(text.as_bytes())
        .into_owned()
        .collect()
}

fn random(prefix: &str) -> String {
    format!("{prefix}-{}", uuid::Uuid::new_v4().simple())
}

/// Base64 (standard alphabet with padding, or URL-safe without).
pub fn base64(bytes: &[u8], url_safe: bool) -> String {
    let alphabet: &[u8] = if url_safe {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
        if !url_safe {
            out.push_str(&"=".repeat(3 - chunk.len()));
        }
    }
    out
}

struct Shared {
    options: Options,
    base: String,
    state: Arc<Mutex<State>>,
    mcp: Arc<StreamableHttpService<codemode::demo::DemoServer, LocalSessionManager>>,
}

impl Shared {
    fn resource(&self) -> String {
        format!("{}/mcp", self.base)
    }

    async fn handle(&self, req: Request<Incoming>) -> Response<Body> {
        let path = req.uri().path().to_string();
        if path.starts_with("/.well-known/") || path == "/meta/resource.json" {
            self.state
                .lock()
                .unwrap()
                .seen
                .metadata_paths
                .push(path.clone());
        }
        match path.as_str() {
            "/meta/resource.json" if self.options.discovery == Discovery::Challenge => {
                self.resource_metadata()
            }
            "/.well-known/oauth-protected-resource/mcp"
                if self.options.discovery == Discovery::PathWellKnown =>
            {
                self.resource_metadata()
            }
            "/.well-known/oauth-protected-resource"
                if self.options.discovery == Discovery::RootWellKnown =>
            {
                self.resource_metadata()
            }
            "/.well-known/oauth-authorization-server" if self.options.rfc8414 => {
                self.server_metadata()
            }
            "/.well-known/openid-configuration" if !self.options.rfc8414 => self.server_metadata(),
            "/register" if self.options.dcr => self.register(req).await,
            "/authorize" => self.authorize(&req),
            "/token" => self.token(req).await,
            "/mcp" => self.mcp(req).await,
            _ => not_found(),
        }
    }

    fn resource_metadata(&self) -> Response<Body> {
        json_response(
            StatusCode::OK,
            json!({
                "resource": self.resource(),
                "authorization_servers": [self.base],
                "scopes_supported": self.options.resource_scopes,
                "bearer_methods_supported": ["header"],
            }),
        )
    }

    fn server_metadata(&self) -> Response<Body> {
        let mut scopes = self.options.resource_scopes.clone();
        scopes.extend(self.options.tool_scopes.iter().map(|(_, s)| s.clone()));
        let mut doc = json!({
            "issuer": self.base,
            "authorization_endpoint": format!("{}/authorize", self.base),
            "token_endpoint": format!("{}/token", self.base),
            "scopes_supported": scopes,
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": [self.options.auth_method.name()],
            "client_id_metadata_document_supported": self.options.cimd,
        });
        if self.options.dcr {
            doc["registration_endpoint"] = json!(format!("{}/register", self.base));
        }
        json_response(StatusCode::OK, doc)
    }

    fn challenge(&self, status: StatusCode, params: &str) -> Response<Body> {
        let mut value = format!("Bearer {params}");
        if self.options.discovery == Discovery::Challenge {
            value.push_str(&format!(
                ", resource_metadata=\"{}/meta/resource.json\"",
                self.base
            ));
        }
        let mut r = respond(status, "text/plain", "authorization needed");
        r.headers_mut()
            .insert(http::header::WWW_AUTHENTICATE, value.parse().unwrap());
        r
    }

    /// The bearer check in front of the demo server.
    async fn mcp(&self, req: Request<Incoming>) -> Response<Body> {
        let token = req
            .headers()
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string);
        let scope = token.and_then(|t| self.state.lock().unwrap().access.get(&t).cloned());
        let Some(scope) = scope else {
            let mut params = "error=\"invalid_token\"".to_string();
            if let Some(s) = &self.options.challenge_scope {
                params.push_str(&format!(", scope=\"{s}\""));
            }
            return self.challenge(StatusCode::UNAUTHORIZED, &params);
        };
        let (parts, body) = req.into_parts();
        let body = body.collect().await.unwrap().to_bytes();
        let message: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if message["method"] == "tools/call" {
            let tool = message["params"]["name"].as_str().unwrap_or("");
            let granted: HashSet<&str> = scope.split_whitespace().collect();
            let needed = self
                .options
                .tool_scopes
                .iter()
                .find(|(t, s)| t == tool && !granted.contains(s.as_str()))
                .map(|(_, s)| s.clone())
                .or_else(|| {
                    self.options
                        .always_forbidden
                        .iter()
                        .any(|t| t == tool)
                        .then(|| "admin".to_string())
                });
            if let Some(needed) = needed {
                self.state.lock().unwrap().seen.forbidden += 1;
                return self.challenge(
                    StatusCode::FORBIDDEN,
                    &format!("error=\"insufficient_scope\", scope=\"{needed}\""),
                );
            }
        }
        let req = Request::from_parts(parts, Full::new(body));
        self.mcp.handle(req).await
    }
}
