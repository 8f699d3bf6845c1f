//! [`OAuthHttpClient`]: rmcp's `AuthClient` (bearer token, one silent refresh) plus the
//! reactions an application owns: a login on 401 and a step-up on 403 `insufficient_scope`,
//! then the request again.

use std::collections::HashMap;
use std::sync::Arc;

use futures::stream::BoxStream;
use http::{HeaderName, HeaderValue};
use rmcp::model::{ClientJsonRpcMessage, JsonRpcMessage};
use rmcp::transport::auth::{AuthClient, AuthError};
use rmcp::transport::streamable_http_client::{
    StreamableHttpClient, StreamableHttpError, StreamableHttpPostResponse,
    StreamableHttpResponseLimits,
};

use super::{Authorizer, MAX_STEP_UPS};

type Error = StreamableHttpError<reqwest::Error>;
type Headers = HashMap<HeaderName, HeaderValue>;

/// The HTTP client of a protected server's transport.
#[derive(Clone)]
pub struct OAuthHttpClient {
    inner: AuthClient<reqwest::Client>,
    auth: Arc<Authorizer>,
}

impl OAuthHttpClient {
    /// Wraps `inner`; `auth` runs logins and step-ups.
    pub fn new(inner: AuthClient<reqwest::Client>, auth: Arc<Authorizer>) -> Self {
        OAuthHttpClient { inner, auth }
    }

    /// Posts `message` with `call`, reacting to 401 and 403 (see [`Self::reacting`]). When
    /// our login or step-up fails for a request, the request gets a JSON-RPC error with the
    /// reason (so the call fails with it and the session stays open, like any tool error).
    async fn posting<F, Fut>(
        &self,
        message: &ClientJsonRpcMessage,
        call: F,
    ) -> Result<StreamableHttpPostResponse, Error>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<StreamableHttpPostResponse, Error>>,
    {
        match self.reacting(call).await {
            Ok(r) => Ok(r),
            Err(Failure::Http(e)) => Err(e),
            Err(Failure::Ours(reason)) => match message {
                JsonRpcMessage::Request(request) => {
                    let reply = serde_json::json!({
                        "jsonrpc": "2.0",
                        "id": request.id,
                        "error": { "code": AUTH_ERROR_CODE, "message": reason },
                    });
                    serde_json::from_value(reply)
                        .map(|reply| StreamableHttpPostResponse::Json(reply, None))
                        .map_err(Error::Deserialize)
                }
                _ => Err(Failure::Ours(reason).into()),
            },
        }
    }

    /// Runs `call`; after a 401 logs in and runs it once more; after a 403
    /// `insufficient_scope` steps up and runs it again, at most [`MAX_STEP_UPS`] times.
    async fn reacting<T, F, Fut>(&self, call: F) -> Result<T, Failure>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let failed = Failure::Ours;
        let mut logged_in = false;
        let mut step_ups = 0;
        loop {
            let seen = self.auth.generation();
            match call().await {
                Err(StreamableHttpError::AuthRequired(challenge)) if !logged_in => {
                    logged_in = true;
                    self.auth
                        .login(&self.inner, &challenge.www_authenticate_header, seen)
                        .await
                        .map_err(failed)?;
                }
                Err(StreamableHttpError::InsufficientScope(e)) => {
                    let Some(scope) = e.get_required_scope().map(str::to_string) else {
                        return Err(failed(format!(
                            "the server answered 403 insufficient_scope without naming a \
                             scope: {}",
                            e.www_authenticate_header
                        )));
                    };
                    if step_ups >= MAX_STEP_UPS {
                        return Err(failed(format!(
                            "the server still answers 403 insufficient_scope (scope `{scope}`) \
                             after {MAX_STEP_UPS} step-up authorizations"
                        )));
                    }
                    step_ups += 1;
                    self.auth
                        .step_up(&self.inner, &scope, seen)
                        .await
                        .map_err(failed)?;
                }
                other => return other.map_err(Failure::Http),
            }
        }
    }
}

/// The JSON-RPC error code of a request our authorization failed (implementation-defined
/// server-error range).
const AUTH_ERROR_CODE: i32 = -32001;

/// Why [`OAuthHttpClient::reacting`] failed.
enum Failure {
    /// The request failed as it would without OAuth.
    Http(Error),
    /// Our login or step-up failed, for this reason.
    Ours(String),
}

impl From<Failure> for Error {
    fn from(f: Failure) -> Error {
        match f {
            Failure::Http(e) => e,
            Failure::Ours(reason) => Error::Auth(AuthError::AuthorizationFailed(reason)),
        }
    }
}

impl StreamableHttpClient for OAuthHttpClient {
    type Error = reqwest::Error;

    async fn post_message(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: Headers,
    ) -> Result<StreamableHttpPostResponse, Error> {
        self.posting(&message, || {
            self.inner.post_message(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                auth_header.clone(),
                custom_headers.clone(),
            )
        })
        .await
    }

    async fn post_message_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: Headers,
        max_sse_event_size: usize,
    ) -> Result<StreamableHttpPostResponse, Error> {
        self.posting(&message, || {
            self.inner.post_message_with_max_sse_event_size(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                auth_header.clone(),
                custom_headers.clone(),
                max_sse_event_size,
            )
        })
        .await
    }

    async fn post_message_with_response_limits(
        &self,
        uri: Arc<str>,
        message: ClientJsonRpcMessage,
        session_id: Option<Arc<str>>,
        auth_header: Option<String>,
        custom_headers: Headers,
        limits: StreamableHttpResponseLimits,
    ) -> Result<StreamableHttpPostResponse, Error> {
        self.posting(&message, || {
            self.inner.post_message_with_response_limits(
                uri.clone(),
                message.clone(),
                session_id.clone(),
                auth_header.clone(),
                custom_headers.clone(),
                limits,
            )
        })
        .await
    }

    async fn delete_session(
        &self,
        uri: Arc<str>,
        session_id: Arc<str>,
        auth_header: Option<String>,
        custom_headers: Headers,
    ) -> Result<(), Error> {
        // Closing never starts a login.
        self.inner
            .delete_session(uri, session_id, auth_header, custom_headers)
            .await
    }

    async fn get_stream(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: Headers,
    ) -> Result<BoxStream<'static, Result<sse_stream::Sse, sse_stream::Error>>, Error> {
        self.inner
            .get_stream(uri, session_id, last_event_id, auth_header, custom_headers)
            .await
    }

    async fn get_stream_with_max_sse_event_size(
        &self,
        uri: Arc<str>,
        session_id: Option<Arc<str>>,
        last_event_id: Option<String>,
        auth_header: Option<String>,
        custom_headers: Headers,
        max_sse_event_size: usize,
    ) -> Result<BoxStream<'static, Result<sse_stream::Sse, sse_stream::Error>>, Error> {
        self.inner
            .get_stream_with_max_sse_event_size(
                uri,
                session_id,
                last_event_id,
                auth_header,
                custom_headers,
                max_sse_event_size,
            )
            .await
    }
}
