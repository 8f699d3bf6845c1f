//! List changes from a 2026-07-28 server. The stateless revision sends
//! `notifications/*/list_changed` only on a `subscriptions/listen` stream the client keeps
//! open (rmcp's `Peer::listen`); 2025-11-25 servers send them on the session, where
//! [`super::handler::Handler`] hears them. Either way they end up as [`ListChange`]s for
//! the registry's throttled refresh. Progress and log messages still arrive with the
//! request they belong to, through the handler.

use rmcp::model::{ServerNotification, SubscriptionFilter};
use rmcp::service::{Peer, RoleClient};
use serde_json::Value;
use tokio::sync::mpsc;

use super::handler::ListChange;
use super::model::ServerDetails;

/// The list changes a server can announce (its capabilities' `listChanged`), or `None`.
fn filter(details: &ServerDetails) -> Option<SubscriptionFilter> {
    let announces = |cap: &str| details.capabilities[cap]["listChanged"] == Value::Bool(true);
    let mut filter = SubscriptionFilter::builder();
    let mut any = false;
    if announces("tools") {
        filter = filter.tools_list_changed();
        any = true;
    }
    if announces("resources") {
        filter = filter.resources_list_changed();
        any = true;
    }
    if announces("prompts") {
        filter = filter.prompts_list_changed();
        any = true;
    }
    any.then(|| filter.build())
}

/// For a 2026-07-28 server that announces list changes: opens the listen stream and
/// forwards what it carries to `changes` until the stream or the connection ends (a
/// reconnect opens a new one).
pub(super) fn spawn(
    server: &str,
    peer: &Peer<RoleClient>,
    details: &ServerDetails,
    changes: mpsc::UnboundedSender<ListChange>,
) {
    let modern = rmcp::model::ProtocolVersion::V_2026_07_28.as_str();
    if details.protocol_version.as_str() < modern {
        return;
    }
    let Some(filter) = filter(details) else {
        return;
    };
    let (server, peer) = (server.to_string(), peer.clone());
    tokio::spawn(async move {
        let mut subscription = match peer.listen(filter).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(%server, "subscriptions/listen refused: {e}");
                return;
            }
        };
        // A change between the first listing and now was announced to nobody: list again
        // once the stream is open (the refresh is throttled and coalesced).
        for change in [ListChange::Tools, ListChange::Other] {
            if changes.send(change).is_err() {
                return;
            }
        }
        loop {
            let change = match subscription.next().await {
                Ok(Some(ServerNotification::ToolListChangedNotification(_))) => ListChange::Tools,
                Ok(Some(_)) => ListChange::Other,
                Ok(None) => break,
                Err(e) => {
                    tracing::warn!(%server, "subscriptions/listen stream failed: {e}");
                    break;
                }
            };
            if changes.send(change).is_err() {
                break;
            }
        }
        tracing::debug!(%server, "subscriptions/listen ended: {:?}", subscription.end());
    });
}
