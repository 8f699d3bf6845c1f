//! The authorization server's endpoints: `/register`, `/authorize` (redirects at once with a
//! code after checking PKCE, `resource` and the client) and `/token` (client authentication
//! by the configured method, PKCE verification, code and refresh grants).

use std::collections::HashMap;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    AuthMethod, Authorize, Body, Code, Shared, TokenGrant, base64, form, json_response,
    oauth_error, random,
};

impl Shared {
    pub(super) async fn register(&self, req: Request<Incoming>) -> Response<Body> {
        let body = req.into_body().collect().await.unwrap().to_bytes();
        let Ok(doc) = serde_json::from_slice::<Value>(&body) else {
            return oauth_error("invalid_client_metadata", "not JSON");
        };
        let mut state = self.state.lock().unwrap();
        state.seen.registrations.push(doc.clone());
        let client_id = random("dcr");
        state.clients.insert(client_id.clone(), None);
        json_response(
            StatusCode::CREATED,
            json!({
                "client_id": client_id,
                "redirect_uris": doc["redirect_uris"],
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code", "refresh_token"],
            }),
        )
    }

    fn refuse(&self, why: String) -> Response<Body> {
        self.state.lock().unwrap().seen.refusals.push(why.clone());
        oauth_error("invalid_request", &why)
    }

    /// Redirects at once with a code (no user), after checking the request.
    pub(super) fn authorize(&self, req: &Request<Incoming>) -> Response<Body> {
        let query = form(req.uri().query().unwrap_or(""));
        let get = |k: &str| query.get(k).cloned().unwrap_or_default();
        let client_id = get("client_id");
        let known = self.state.lock().unwrap().clients.contains_key(&client_id)
            || (self.options.cimd && client_id.starts_with("https://"));
        if !known {
            return self.refuse(format!("authorize: unknown client `{client_id}`"));
        }
        if get("response_type") != "code" {
            return self.refuse("authorize: response_type is not code".into());
        }
        if get("code_challenge_method") != "S256" || get("code_challenge").len() != 43 {
            return self.refuse(format!(
                "authorize: PKCE method `{}` is not S256",
                get("code_challenge_method")
            ));
        }
        if get("resource") != self.resource() {
            return self.refuse(format!("authorize: resource `{}`", get("resource")));
        }
        let redirect_uri = get("redirect_uri");
        if !redirect_uri.starts_with("http://127.0.0.1:") {
            return self.refuse(format!("authorize: redirect_uri `{redirect_uri}`"));
        }
        let code = random("code");
        let mut state = self.state.lock().unwrap();
        state.codes.insert(
            code.clone(),
            Code {
                client_id,
                redirect_uri: redirect_uri.clone(),
                challenge: get("code_challenge"),
                scope: get("scope"),
            },
        );
        state.seen.authorizations.push(Authorize {
            query: query.clone(),
        });
        let mut location = url::Url::parse(&redirect_uri).unwrap();
        location
            .query_pairs_mut()
            .append_pair("code", &code)
            .append_pair("state", &get("state"))
            .append_pair("iss", &self.base);
        Response::builder()
            .status(StatusCode::FOUND)
            .header(http::header::LOCATION, location.as_str())
            .body(Full::new(Bytes::new()).boxed())
            .unwrap()
    }

    /// The client's authentication, checked against the configured method: its id and the
    /// method it used.
    fn client_auth(
        &self,
        headers: &http::HeaderMap,
        params: &HashMap<String, String>,
    ) -> Result<(String, String), String> {
        let basic = headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Basic "))
            .map(str::to_string);
        if let Some(assertion) = params.get("client_assertion") {
            return self.jwt_client(params, assertion);
        }
        let used = match (&basic, params.contains_key("client_secret")) {
            (Some(_), _) => AuthMethod::Basic,
            (None, true) => AuthMethod::Post,
            (None, false) => AuthMethod::None,
        };
        if used != self.options.auth_method {
            return Err(format!(
                "token: client used {} but the server accepts only {}",
                used.name(),
                self.options.auth_method.name()
            ));
        }
        let clients = self.state.lock().unwrap().clients.clone();
        let (id, secret) = match used {
            AuthMethod::Basic => {
                let header = basic.unwrap_or_default();
                let found = clients.iter().find(|(id, secret)| {
                    let pair = format!("{}:{}", id, secret.as_deref().unwrap_or(""));
                    base64(pair.as_bytes(), false) == header
                });
                match found {
                    Some((id, secret)) => (id.clone(), secret.clone()),
                    None => return Err("token: bad client_secret_basic credentials".into()),
                }
            }
            AuthMethod::Post | AuthMethod::None | AuthMethod::PrivateKeyJwt => {
                let id = params.get("client_id").cloned().unwrap_or_default();
                (id.clone(), params.get("client_secret").cloned())
            }
        };
        let cimd = self.options.cimd && id.starts_with("https://");
        match clients.get(&id) {
            Some(expected) if *expected == secret => Ok((id, used.name().to_string())),
            None if cimd && secret.is_none() => Ok((id, used.name().to_string())),
            _ => Err(format!("token: client `{id}` failed to authenticate")),
        }
    }

    /// `private_key_jwt`: the assertion's type, signature (the client's key), `iss` = `sub`
    /// = a registered client, `aud` = our issuer, and not expired.
    fn jwt_client(
        &self,
        params: &HashMap<String, String>,
        assertion: &str,
    ) -> Result<(String, String), String> {
        let method = AuthMethod::PrivateKeyJwt;
        if self.options.auth_method != method {
            return Err("token: private_key_jwt is not accepted".into());
        }
        if params.get("client_assertion_type").map(String::as_str)
            != Some("urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            return Err("token: wrong client_assertion_type".into());
        }
        let parts: Vec<&str> = assertion.split('.').collect();
        let [head, body, sig] = parts[..] else {
            return Err("token: the assertion is not a JWT".into());
        };
        let decode = |p: &str| {
            base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, p)
                .map_err(|_| "token: bad base64url in the assertion".to_string())
        };
        let claims: Value = serde_json::from_slice(&decode(body)?).map_err(|e| e.to_string())?;
        let id = claims["iss"].as_str().unwrap_or_default().to_string();
        let Some((_, key)) = self.options.jwt_clients.iter().find(|(c, _)| *c == id) else {
            return Err(format!("token: unknown assertion issuer `{id}`"));
        };
        let key =
            ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, key);
        key.verify(format!("{head}.{body}").as_bytes(), &decode(sig)?)
            .map_err(|_| "token: the assertion's signature does not verify".to_string())?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        if claims["sub"] != claims["iss"]
            || claims["aud"] != json!(self.base)
            || claims["exp"].as_u64().unwrap_or(0) < now
        {
            return Err(format!("token: bad assertion claims {claims}"));
        }
        Ok((id, method.name().to_string()))
    }

    pub(super) async fn token(&self, req: Request<Incoming>) -> Response<Body> {
        let headers = req.headers().clone();
        let body = req.into_body().collect().await.unwrap().to_bytes();
        let params = form(&String::from_utf8_lossy(&body));
        let get = |k: &str| params.get(k).cloned().unwrap_or_default();
        let (client_id, auth_used) = match self.client_auth(&headers, &params) {
            Ok(c) => c,
            Err(why) => {
                self.state.lock().unwrap().seen.refusals.push(why.clone());
                return json_response(
                    StatusCode::UNAUTHORIZED,
                    json!({"error": "invalid_client", "error_description": why}),
                );
            }
        };
        let grant_type = get("grant_type");
        let scope = match grant_type.as_str() {
            "authorization_code" => {
                let Some(code) = self.state.lock().unwrap().codes.remove(&get("code")) else {
                    return self.refuse("token: unknown or used code".into());
                };
                let verifier_hash = Sha256::digest(get("code_verifier").as_bytes());
                if base64(&verifier_hash, true) != code.challenge {
                    return self.refuse("token: PKCE verifier does not match".into());
                }
                if code.client_id != client_id || code.redirect_uri != get("redirect_uri") {
                    return self.refuse("token: client or redirect_uri differs".into());
                }
                if get("resource") != self.resource() {
                    return self.refuse(format!("token: resource `{}`", get("resource")));
                }
                code.scope
            }
            "refresh_token" => {
                let found = self
                    .state
                    .lock()
                    .unwrap()
                    .refresh
                    .remove(&get("refresh_token"));
                match found {
                    Some((owner, scope)) if owner == client_id => scope,
                    _ => {
                        return json_response(
                            StatusCode::BAD_REQUEST,
                            json!({"error": "invalid_grant"}),
                        );
                    }
                }
            }
            "client_credentials" => {
                if get("resource") != self.resource() {
                    return self.refuse(format!("token: resource `{}`", get("resource")));
                }
                get("scope")
            }
            other => return self.refuse(format!("token: grant_type `{other}`")),
        };
        let access = random("at");
        let refresh = random("rt");
        let mut state = self.state.lock().unwrap();
        state.access.insert(access.clone(), scope.clone());
        state
            .refresh
            .insert(refresh.clone(), (client_id.clone(), scope.clone()));
        state.seen.issued.extend([access.clone(), refresh.clone()]);
        state.seen.grants.push(TokenGrant {
            grant_type,
            client_id,
            auth_used,
            scope: scope.clone(),
        });
        json_response(
            StatusCode::OK,
            json!({
                "access_token": access,
                "token_type": "Bearer",
                "expires_in": 3600,
                "refresh_token": refresh,
                "scope": scope,
            }),
        )
    }
}
