//! The per-server `oauth` table: its type, expansion and the checks a wrong table fails at
//! load.

use std::fmt;

use super::error::{ConfigError, ConfigWarning};
use super::raw::RawOAuth;
use super::validate::Ctx;
use super::{Redacted, TransportConfig};

/// The per-server `oauth` table. Every field is optional: with none, a server answering 401
/// is authorized by discovery and dynamic client registration.
#[derive(Clone, Default, PartialEq)]
pub struct OAuthConfig {
    /// A pre-registered client id (used when the authorization server supports neither a
    /// client-ID metadata document nor dynamic registration, or when given).
    pub client_id: Option<String>,
    /// The pre-registered client's secret (a secret: never logged).
    pub client_secret: Option<String>,
    /// Scopes to request instead of those the server's challenge or metadata names.
    pub scopes: Vec<String>,
    /// An `https://` URL of our client-ID metadata document, used as the client id when the
    /// authorization server supports such documents.
    pub client_metadata_url: Option<String>,
    /// The client name sent with dynamic registration (default `codemode`).
    pub client_name: Option<String>,
    /// A fixed port for the loopback redirect listener (default: any free port).
    pub redirect_port: Option<u16>,
    /// How tokens are obtained (`grant`, default `authorization_code`).
    pub grant: OAuthGrant,
    /// `client_credentials` with `private_key_jwt`: the client's PKCS#8 PEM private key, read
    /// from `private_key_path` or the variable `private_key_env` names (a secret).
    pub private_key: Option<String>,
    /// The JWT signing algorithm for `private_key` (`ES256`, `ES384`, `RS256`; default:
    /// the first the key can sign with).
    pub signing_algorithm: Option<String>,
}

/// How a client obtains tokens (`oauth.grant`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OAuthGrant {
    /// A user authorizes in the browser (PKCE); the default.
    #[default]
    AuthorizationCode,
    /// No user: the client authenticates as itself (`client_secret_basic`/`_post` with
    /// `client_secret`, or `private_key_jwt` with a private key), for CI and ssh.
    ClientCredentials,
}

/// The JWT signing algorithms `oauth.signing_algorithm` accepts.
pub const SIGNING_ALGORITHMS: [&str; 3] = ["ES256", "ES384", "RS256"];

impl fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| Redacted),
            )
            .field("scopes", &self.scopes)
            .field("client_metadata_url", &self.client_metadata_url)
            .field("client_name", &self.client_name)
            .field("redirect_port", &self.redirect_port)
            .field("grant", &self.grant)
            .field("private_key", &self.private_key.as_ref().map(|_| Redacted))
            .field("signing_algorithm", &self.signing_algorithm)
            .finish()
    }
}

impl Ctx<'_> {
    /// The `oauth` table, expanded; a warning (and nothing) for a stdio server.
    pub(crate) fn oauth(
        &self,
        name: &str,
        raw: Option<RawOAuth>,
        transport: &TransportConfig,
        warnings: &mut Vec<ConfigWarning>,
    ) -> Result<OAuthConfig, ConfigError> {
        let Some(raw) = raw else {
            return Ok(OAuthConfig::default());
        };
        if matches!(transport, TransportConfig::Stdio { .. }) {
            warnings.push(self.ignored(name, "oauth", "stdio"));
            return Ok(OAuthConfig::default());
        }
        let field = |f: &'static str| [self.root, name, "oauth", f];
        let text = |value: Option<String>, f: &'static str| {
            value
                .map(|v| self.expand(&v, &field(f)))
                .transpose()
                .map(|v| v.filter(|v| !v.is_empty()))
        };
        let config = OAuthConfig {
            client_id: text(raw.client_id, "client_id")?,
            client_secret: text(raw.client_secret, "client_secret")?,
            scopes: raw
                .scopes
                .unwrap_or_default()
                .iter()
                .map(|s| self.expand(s, &field("scopes")))
                .collect::<Result<_, _>>()?,
            client_metadata_url: text(raw.client_metadata_url, "client_metadata_url")?,
            client_name: text(raw.client_name, "client_name")?,
            redirect_port: raw.redirect_port,
            grant: match text(raw.grant, "grant")?.as_deref() {
                None | Some("authorization_code") => OAuthGrant::AuthorizationCode,
                Some("client_credentials") => OAuthGrant::ClientCredentials,
                Some(other) => {
                    return Err(self.error(
                        &field("grant"),
                        format!(
                            "unknown `oauth.grant` `{other}` (authorization_code, \
                             client_credentials)"
                        ),
                    ));
                }
            },
            private_key: self.private_key(
                name,
                text(raw.private_key_path, "private_key_path")?,
                text(raw.private_key_env, "private_key_env")?,
            )?,
            signing_algorithm: text(raw.signing_algorithm, "signing_algorithm")?,
        };
        self.check_client_credentials(name, &config)?;
        if config.client_secret.is_some() && config.client_id.is_none() {
            return Err(self.error(
                &field("client_secret"),
                "`oauth.client_secret` needs `oauth.client_id`".into(),
            ));
        }
        if let Some(url) = &config.client_metadata_url
            && !url.to_ascii_lowercase().starts_with("https://")
        {
            return Err(self.error(
                &field("client_metadata_url"),
                "`oauth.client_metadata_url` must be an https:// URL".into(),
            ));
        }
        Ok(config)
    }

    /// The private key from `private_key_path` (relative to the config file) or the variable
    /// `private_key_env` names; it must be a PKCS#8 PEM (`BEGIN PRIVATE KEY`).
    fn private_key(
        &self,
        name: &str,
        path: Option<String>,
        env: Option<String>,
    ) -> Result<Option<String>, ConfigError> {
        let field = |f: &'static str| [self.root, name, "oauth", f];
        let (pem, at) = match (path, env) {
            (None, None) => return Ok(None),
            (Some(_), Some(_)) => {
                return Err(self.error(
                    &field("private_key_env"),
                    "give `oauth.private_key_path` or `oauth.private_key_env`, not both".into(),
                ));
            }
            (Some(path), None) => {
                let path = self.resolve(path);
                let pem = std::fs::read_to_string(&path).map_err(|e| {
                    self.error(
                        &field("private_key_path"),
                        format!("cannot read the private key {}: {e}", path.display()),
                    )
                })?;
                (pem, "private_key_path")
            }
            (None, Some(var)) => {
                let pem = (self.lookup)(&var).ok_or_else(|| {
                    self.error(
                        &field("private_key_env"),
                        format!("the variable `{var}` (`oauth.private_key_env`) is not set"),
                    )
                })?;
                (pem, "private_key_env")
            }
        };
        if !pem.contains("-----BEGIN PRIVATE KEY-----") {
            return Err(self.error(
                &field(at),
                "the private key must be a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`; convert \
                 with `openssl pkcs8 -topk8 -nocrypt`)"
                    .into(),
            ));
        }
        Ok(Some(pem))
    }

    /// `client_credentials` needs a client id and exactly one way to authenticate; a
    /// private key or signing algorithm needs `client_credentials`.
    fn check_client_credentials(
        &self,
        name: &str,
        config: &OAuthConfig,
    ) -> Result<(), ConfigError> {
        let field = |f: &'static str| [self.root, name, "oauth", f];
        let fail = |f, m: &str| Err(self.error(&field(f), m.into()));
        if config.grant != OAuthGrant::ClientCredentials {
            if config.private_key.is_some() {
                return fail(
                    "grant",
                    "a private key is used only with `oauth.grant = \"client_credentials\"`",
                );
            }
            return Ok(());
        }
        if config.client_id.is_none() {
            return fail("grant", "`client_credentials` needs `oauth.client_id`");
        }
        match (&config.client_secret, &config.private_key) {
            (None, None) => fail(
                "grant",
                "`client_credentials` needs `oauth.client_secret`, or a private key \
                 (`oauth.private_key_path` or `oauth.private_key_env`)",
            ),
            (Some(_), Some(_)) => fail(
                "client_secret",
                "give `oauth.client_secret` or a private key, not both",
            ),
            _ => match &config.signing_algorithm {
                Some(alg) if !SIGNING_ALGORITHMS.contains(&alg.as_str()) => fail(
                    "signing_algorithm",
                    &format!(
                        "unknown `oauth.signing_algorithm` `{alg}` ({})",
                        SIGNING_ALGORITHMS.join(", ")
                    ),
                ),
                _ => Ok(()),
            },
        }
    }
}
