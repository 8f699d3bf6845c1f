//! Multi-round-trip requests (2026-07-28, SEP-2322). A stateless server cannot send us
//! requests on a stream; it answers `tools/call`, `prompts/get` or `resources/read` with an
//! `input_required` result listing what it needs (elicitation, sampling, roots) and an
//! opaque `requestState`. We answer each input request through the connection's
//! [`Handler`] — the same `Elicitor`, `Sampler` and roots that answer a 2025-11-25 server's
//! requests, so the TUI form, `--elicit`, `--sampling` work unchanged — and send the
//! request again with `inputResponses` and the state echoed as received. Each request runs
//! its own rounds: nothing carries over to another request.
//!
//! rmcp has this loop (`RunningService::call_tool`), but only on the `RunningService`
//! (which our connection task owns) and without our timeouts, cancellation and raw list
//! replies; the pieces it leaves public (`InputRequiredResult`, `InputRequest`) are used.

use std::time::Duration;

use rmcp::ErrorData;
use rmcp::model::{
    ClientRequest, DEFAULT_MRTR_MAX_ROUNDS, InputRequest, InputRequests, InputResponses,
    ServerResult,
};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::connection::Connection;
use super::error::CallError;
use super::handler::Handler;

/// What a retry carries: the answers to the last round's input requests (absent when the
/// server asked none) and its `requestState`, unchanged.
#[derive(Clone, Debug, Default)]
pub struct Retry {
    /// `inputResponses`.
    pub input_responses: Option<InputResponses>,
    /// `requestState`.
    pub request_state: Option<String>,
}

impl Connection {
    /// Sends the request `make` builds and drives `input_required` rounds to the final
    /// result, at most [`DEFAULT_MRTR_MAX_ROUNDS`]. Each round has the whole `timeout`
    /// (time the user spends answering is not a request in flight).
    pub(super) async fn request_rounds(
        &self,
        what: &str,
        make: impl Fn(Retry) -> ClientRequest,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<ServerResult, CallError> {
        let mut retry = Retry::default();
        for _round in 0..DEFAULT_MRTR_MAX_ROUNDS {
            let reply = self.request(what, make(retry), timeout, cancel).await?;
            let ServerResult::InputRequiredResult(needed) = reply else {
                return Ok(reply);
            };
            let requests = needed.input_requests.unwrap_or_default();
            if requests.is_empty() && needed.request_state.is_none() {
                return Err(self.input_error(what, "an `input_required` result asking nothing"));
            }
            let answers = tokio::select! {
                answers = answer(self.input_handler(), requests) => answers,
                () = cancel.cancelled() => {
                    return Err(CallError::Cancelled {
                        server: self.server().to_string(),
                        what: what.to_string(),
                    });
                }
            };
            let answers = answers.map_err(|e| self.input_error(what, &e.message))?;
            retry = Retry {
                input_responses: (!answers.is_empty()).then_some(answers),
                request_state: needed.request_state,
            };
        }
        Err(self.input_error(
            what,
            &format!("still `input_required` after {DEFAULT_MRTR_MAX_ROUNDS} rounds"),
        ))
    }

    fn input_error(&self, what: &str, why: &str) -> CallError {
        CallError::Transport {
            server: self.server().to_string(),
            what: what.to_string(),
            message: format!("could not answer the server's input requests: {why}"),
        }
    }
}

/// Answers one round's input requests, all at once, keyed as the server keyed them.
pub(super) async fn answer(
    handler: &Handler,
    requests: InputRequests,
) -> Result<InputResponses, ErrorData> {
    let answers = requests
        .into_iter()
        .map(|(key, request)| async move { Ok((key, answer_one(handler, request).await?)) });
    futures::future::try_join_all(answers)
        .await
        .map(|pairs| pairs.into_iter().collect())
}

async fn answer_one(handler: &Handler, request: InputRequest) -> Result<Value, ErrorData> {
    let json = |r: Result<Value, serde_json::Error>| {
        r.map_err(|e| ErrorData::internal_error(e.to_string(), None))
    };
    match request {
        InputRequest::Elicitation(r) => json(serde_json::to_value(handler.elicit(r.params).await?)),
        InputRequest::CreateMessage(r) => {
            json(serde_json::to_value(handler.sample(r.params).await?))
        }
        InputRequest::ListRoots(_) => json(serde_json::to_value(handler.roots()?)),
        other => Err(ErrorData::invalid_request(
            format!(
                "unsupported input request {}",
                serde_json::to_value(&other).unwrap_or_default()["method"]
            ),
            None,
        )),
    }
}
