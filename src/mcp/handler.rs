//! The client side of each connection: answers server requests we support and turns
//! notifications into [`Event`]s.

use std::future::Future;

use rmcp::model::{
    ClientCapabilities, ClientConfig, Implementation, ProgressNotificationParam, ProtocolVersion,
};
use rmcp::service::{NotificationContext, RoleClient};
use tokio::sync::{broadcast, mpsc};

use super::events::{Event, EventKind};

/// Why a connection's lists should be reloaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListChange {
    /// `notifications/tools/list_changed`.
    Tools,
    /// Resources or prompts changed.
    Other,
}

/// Forwards one server's notifications.
pub struct Handler {
    server: String,
    events: broadcast::Sender<Event>,
    changes: mpsc::UnboundedSender<ListChange>,
}

impl Handler {
    /// A handler for `server`; list changes are sent to `changes`.
    pub fn new(
        server: String,
        events: broadcast::Sender<Event>,
        changes: mpsc::UnboundedSender<ListChange>,
    ) -> Self {
        Handler {
            server,
            events,
            changes,
        }
    }

    fn emit(&self, kind: EventKind) {
        let _ = self.events.send(Event {
            server: self.server.clone(),
            kind,
        });
    }
}

/// The client identity and capabilities we announce. We declare no optional capability we
/// do not implement (no sampling, no elicitation, no roots yet).
pub fn client_config() -> ClientConfig {
    ClientConfig::new(
        ClientCapabilities::default(),
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

impl rmcp::ClientHandler for Handler {
    fn get_info(&self) -> ClientConfig {
        client_config()
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
