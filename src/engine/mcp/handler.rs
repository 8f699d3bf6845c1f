//! The client side of each connection: answers server requests we support and turns
//! notifications into [`Event`]s.

use std::future::Future;

use rmcp::ErrorData;
#[allow(deprecated)]
use rmcp::model::ListRootsResult;
use rmcp::model::{
    ClientCapabilities, ClientConfig, ElicitRequestParams, ElicitResult, Implementation,
    ProgressNotificationParam, ProtocolVersion,
};
use rmcp::service::{NotificationContext, RequestContext, RoleClient};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use super::elicit::{ClientFeatures, ElicitReply, ElicitRequest, Elicitor, file_uri};
use super::events::{Event, EventKind};
use super::sampling::{Sampler, SamplingError, SamplingRequest};

/// Why a connection's lists should be reloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListChange {
    /// `notifications/tools/list_changed`.
    Tools,
    /// Resources or prompts changed.
    Other,
}

/// Forwards one server's notifications and answers its requests (on a 2025-11-25 stream, or
/// as the input requests of a 2026-07-28 `input_required` result: [`super::mrtr`]).
#[derive(Clone)]
pub struct Handler {
    server: String,
    events: broadcast::Sender<Event>,
    changes: mpsc::UnboundedSender<ListChange>,
    features: ClientFeatures,
    elicitor: Elicitor,
    sampler: Sampler,
}

impl Handler {
    /// A handler for `server`; list changes are sent to `changes`; `features` says what we
    /// declare, `elicitor` answers elicitation requests, `sampler` sampling requests.
    pub fn new(
        server: String,
        events: broadcast::Sender<Event>,
        changes: mpsc::UnboundedSender<ListChange>,
        features: ClientFeatures,
        elicitor: Elicitor,
        sampler: Sampler,
    ) -> Self {
        Handler {
            server,
            events,
            changes,
            features,
            elicitor,
            sampler,
        }
    }

    /// A line in the server's log, from us (`logger: codemode`).
    fn note(&self, text: String) {
        self.emit(EventKind::Log {
            level: "info".into(),
            logger: Some("codemode".into()),
            data: Value::String(text),
        });
    }

    fn emit(&self, kind: EventKind) {
        let _ = self.events.send(Event {
            server: self.server.clone(),
            kind,
        });
    }
}

/// The client identity and capabilities we announce for a server: roots and elicitation
/// (form and URL mode) and sampling as `features` says; never one we do not implement.
pub fn client_config(features: &ClientFeatures) -> ClientConfig {
    let mut caps = json!({});
    if features.roots.is_some() {
        caps["roots"] = json!({ "listChanged": true });
    }
    if features.sampling {
        caps["sampling"] = json!({});
    }
    if features.elicitation {
        // URL mode too: every front end handles it (the TUI shows the link, `--elicit ask`
        // prints it, the policies decline).
        caps["elicitation"] = json!({ "form": {}, "url": {} });
    }
    // Built above from known fields: a failure here is a bug in this function.
    let caps: ClientCapabilities =
        serde_json::from_value(caps).expect("client capabilities are well-formed");
    ClientConfig::new(
        caps,
        Implementation::new("codemode", env!("CARGO_PKG_VERSION")),
    )
    .with_protocol_version(ProtocolVersion::V_2025_11_25)
}

fn token_text(token: &rmcp::model::ProgressToken) -> String {
    match &token.0 {
        rmcp::model::NumberOrString::Number(n) => n.to_string(),
        rmcp::model::NumberOrString::String(s) => s.to_string(),
    }
}

impl Handler {
    /// The roots we declare, as a `roots/list` result.
    #[allow(deprecated)]
    pub(super) fn roots(&self) -> Result<ListRootsResult, ErrorData> {
        let roots: Vec<Value> = self
            .features
            .roots
            .iter()
            .flatten()
            .map(|p| {
                let name = p.file_name().map_or_else(
                    || p.display().to_string(),
                    |n| n.to_string_lossy().to_string(),
                );
                json!({ "uri": file_uri(p), "name": name })
            })
            .collect();
        serde_json::from_value(json!({ "roots": roots }))
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }

    /// Asks the user (through the [`Elicitor`]) and answers an elicitation request.
    pub(super) async fn elicit(
        &self,
        request: ElicitRequestParams,
    ) -> Result<ElicitResult, ErrorData> {
        if !self.features.elicitation {
            return Err(ErrorData::invalid_request(
                "elicitation is not enabled for this server",
                None,
            ));
        }
        let raw = serde_json::to_value(&request).unwrap_or_default();
        let req = ElicitRequest {
            server: self.server.clone(),
            message: raw["message"].as_str().unwrap_or_default().to_string(),
            schema: raw.get("requestedSchema").cloned(),
            url: raw["url"].as_str().map(str::to_string),
        };
        let message = req.message.clone();
        let url_mode = req.url.is_some();
        let reply = (self.elicitor)(req).await;
        let (action, content) = match reply {
            // URL mode: accepting means "I opened it"; there is no content.
            ElicitReply::Accept(_) if url_mode => ("accept", None),
            ElicitReply::Accept(values) => ("accept", Some(Value::Object(values))),
            ElicitReply::Decline => ("decline", None),
            ElicitReply::Cancel => ("cancel", None),
        };
        self.note(format!("elicitation \"{message}\": {action}"));
        let mut result = json!({ "action": action });
        if let Some(c) = content {
            result["content"] = c;
        }
        serde_json::from_value(result).map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }

    /// Shows a sampling request to the user (through the [`Sampler`]) and answers it.
    #[allow(deprecated)] // SEP-2577 deprecates sampling; servers (everything) still use it
    pub(super) async fn sample(
        &self,
        params: rmcp::model::CreateMessageRequestParams,
    ) -> Result<rmcp::model::CreateMessageResult, ErrorData> {
        if !self.features.sampling {
            return Err(ErrorData::invalid_request(
                "sampling is not enabled for this server",
                None,
            ));
        }
        let raw = serde_json::to_value(&params).unwrap_or_default();
        let req = SamplingRequest::from_params(&self.server, &raw);
        let summary = req.summary();
        // Sizes only: the messages may hold anything the server has seen.
        tracing::info!(server = %self.server, "sampling request: {summary}");
        let answer = (self.sampler)(req).await;
        let result = match answer {
            Ok(sampled) => {
                let note = format!(
                    "sampling ({summary}): answered by {}, {} characters, {}",
                    sampled.model,
                    sampled.text.chars().count(),
                    sampled.stop_reason
                );
                tracing::info!(server = %self.server, "{note}");
                self.note(note);
                sampled.to_result()
            }
            Err(e) => {
                let (why, code) = match e {
                    // The spec's code for a user's rejection.
                    SamplingError::Denied(why) => (format!("sampling denied: {why}"), -1),
                    SamplingError::Failed(why) => (format!("sampling failed: {why}"), -32603),
                };
                tracing::info!(server = %self.server, "{why}");
                self.note(why.clone());
                return Err(ErrorData::new(rmcp::model::ErrorCode(code), why, None));
            }
        };
        serde_json::from_value(result).map_err(|e| ErrorData::internal_error(e.to_string(), None))
    }
}

impl rmcp::ClientHandler for Handler {
    fn get_info(&self) -> ClientConfig {
        client_config(&self.features)
    }

    #[allow(deprecated)] // SEP-2577 deprecates roots; servers (filesystem, everything) use them
    fn list_roots(
        &self,
        _context: RequestContext<RoleClient>,
    ) -> impl Future<Output = Result<ListRootsResult, ErrorData>> + Send + '_ {
        std::future::ready(self.roots())
    }

    async fn create_elicitation(
        &self,
        request: ElicitRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<ElicitResult, ErrorData> {
        self.elicit(request).await
    }

    #[allow(deprecated)] // SEP-2577 deprecates sampling; servers (everything) still use it
    async fn create_message(
        &self,
        params: rmcp::model::CreateMessageRequestParams,
        _context: RequestContext<RoleClient>,
    ) -> Result<rmcp::model::CreateMessageResult, ErrorData> {
        self.sample(params).await
    }

    fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        self.emit(EventKind::Progress {
            token: token_text(&params.progress_token),
            progress: params.progress,
            total: params.total,
            message: params.message,
        });
        std::future::ready(())
    }

    #[allow(deprecated)] // SEP-2577 deprecates logging; servers still send it
    fn on_logging_message(
        &self,
        params: rmcp::model::LoggingMessageNotificationParam,
        _context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        let level = serde_json::to_value(params.level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_else(|| "info".to_string());
        self.emit(EventKind::Log {
            level,
            logger: params.logger,
            data: params.data,
        });
        std::future::ready(())
    }

    fn on_tool_list_changed(
        &self,
        _context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        let _ = self.changes.send(ListChange::Tools);
        std::future::ready(())
    }

    fn on_resource_list_changed(
        &self,
        _context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        let _ = self.changes.send(ListChange::Other);
        std::future::ready(())
    }

    fn on_prompt_list_changed(
        &self,
        _context: NotificationContext<RoleClient>,
    ) -> impl Future<Output = ()> + Send + '_ {
        let _ = self.changes.send(ListChange::Other);
        std::future::ready(())
    }
}
