//! `oauth.grant = "client_credentials"`: tokens without a user (CI, ssh), the client
//! authenticating as itself. With `client_secret`, rmcp's client-credentials exchange
//! (`client_secret_basic` when the server offers only that, else `client_secret_post`);
//! with a private key, a `private_key_jwt` assertion ([`super::jwt`]) sent by us, because
//! rmcp signs only through its `auth-client-credentials-jwt` feature, whose jsonwebtoken
//! builds aws-lc (cmake and C) — the build we avoid with ring. The token lands in the same
//! store as a browser login's, so the transport uses it the same way.

use rmcp::transport::auth::{
    AuthorizationManager, AuthorizationMetadata, ClientCredentialsConfig, CredentialStore,
    OAuthTokenResponse, StoredCredentials,
};
use serde_json::Value;

use super::Authorizer;
use crate::config::OAuthConfig;

/// The assertion type of `private_key_jwt` (RFC 7523).
const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

impl Authorizer {
    /// Obtains a token with the client's own credentials after a 401 (`challenge`) or a
    /// 403 asking for `extra_scope`; the scopes are the configured ones, else those the
    /// challenge or the resource names, plus `extra_scope`.
    pub(super) async fn client_credentials(
        &self,
        manager: &mut AuthorizationManager,
        challenge: Option<&str>,
        extra_scope: Option<&str>,
    ) -> Result<(), String> {
        let metadata = manager
            .resolve_metadata_from_challenge(challenge)
            .await
            .map_err(|e| e.to_string())?
            .metadata;
        manager.set_metadata(metadata.clone());
        let mut scopes = if self.config.scopes.is_empty() {
            manager.select_initial_scopes(&[]).await
        } else {
            self.config.scopes.clone()
        };
        if let Some(extra) = extra_scope {
            scopes.extend(manager.get_current_scopes().await);
            scopes.push(extra.to_string());
            scopes.sort();
            scopes.dedup();
        }
        let client_id = self.config.client_id.clone().unwrap_or_default();
        match (&self.config.private_key, &self.config.client_secret) {
            (Some(key), _) => {
                let token = self
                    .jwt_exchange(&self.config, key, &metadata, &scopes)
                    .await?;
                let granted = token
                    .get("scope")
                    .and_then(Value::as_str)
                    .map(|s| s.split_whitespace().map(str::to_string).collect())
                    .unwrap_or(scopes);
                let token: OAuthTokenResponse = serde_json::from_value(token)
                    .map_err(|e| format!("unreadable token response: {e}"))?;
                let stored = StoredCredentials::new(client_id, Some(token), granted, Some(now()))
                    .with_issuer(metadata.issuer.clone());
                self.store.save(stored).await.map_err(|e| e.to_string())?;
            }
            (None, Some(secret)) => {
                let config = ClientCredentialsConfig::ClientSecret {
                    client_id,
                    client_secret: secret.clone(),
                    scopes,
                    resource: Some(self.url.clone()),
                };
                let fail = |e: rmcp::transport::auth::AuthError| e.to_string();
                manager
                    .validate_client_credentials_metadata(&config)
                    .map_err(fail)?;
                manager
                    .configure_client_credentials(&config)
                    .map_err(fail)?;
                manager
                    .exchange_client_credentials(&config)
                    .await
                    .map_err(fail)?;
            }
            (None, None) => return Err("no client secret or private key configured".into()),
        }
        self.store.save_metadata(metadata)
    }

    /// The `private_key_jwt` token request: the assertion's audience is the authorization
    /// server's issuer; the token endpoint must be HTTPS (or loopback HTTP).
    async fn jwt_exchange(
        &self,
        config: &OAuthConfig,
        key: &str,
        metadata: &AuthorizationMetadata,
        scopes: &[String],
    ) -> Result<Value, String> {
        let endpoint = url::Url::parse(&metadata.token_endpoint)
            .map_err(|e| format!("bad token endpoint {}: {e}", metadata.token_endpoint))?;
        let loopback = matches!(
            endpoint.host_str(),
            Some("localhost" | "127.0.0.1" | "[::1]")
        );
        if endpoint.scheme() != "https" && !loopback {
            return Err(format!(
                "the token endpoint {endpoint} is not HTTPS: refusing to send a client assertion"
            ));
        }
        let client_id = config.client_id.as_deref().unwrap_or_default();
        let audience = metadata
            .issuer
            .clone()
            .unwrap_or_else(|| metadata.token_endpoint.clone());
        let assertion = super::jwt::assertion(
            key,
            config.signing_algorithm.as_deref(),
            client_id,
            &audience,
        )
        .map_err(|e| e.to_string())?;
        let form = {
            let mut form = url::form_urlencoded::Serializer::new(String::new());
            form.append_pair("grant_type", "client_credentials")
                .append_pair("client_assertion_type", JWT_BEARER)
                .append_pair("client_assertion", &assertion)
                .append_pair("resource", &self.url);
            if !scopes.is_empty() {
                form.append_pair("scope", &scopes.join(" "));
            }
            form.finish()
        };
        crate::mcp::ensure_crypto_provider();
        let response = reqwest::Client::new()
            .post(endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(form)
            .send()
            .await
            .map_err(|e| format!("token request failed: {e}"))?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .map_err(|e| format!("unreadable token response (HTTP {status}): {e}"))?;
        if !status.is_success() {
            let text = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or_default();
            return Err(format!(
                "the token endpoint refused the client (HTTP {status}): {} {}",
                text("error"),
                text("error_description")
            ));
        }
        Ok(body)
    }
}

fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default()
}
