//! List changes from a 2026-07-28 server. The stateless revision sends
//! `notifications/*/list_changed` only on a `subscriptions/listen` stream the client keeps
//! open (rmcp's `Peer::listen`); 2025-11-25 servers send them on the session, where
//! [`super::handler::Handler`] hears them. Either way they end up as [`ListChange`]s for
//! the registry's throttled refresh. Progress and log messages still arrive with the
//! request they belong to, through the handler.

use std::time::{Duration, Instant};

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

/// The first pause before a listen stream that ended is opened again; it doubles after each
/// stream that ends soon, up to [`REOPEN_MAX`].
const REOPEN_FIRST: Duration = Duration::from_secs(1);
/// The longest pause before reopening.
const REOPEN_MAX: Duration = Duration::from_secs(60);
/// A stream that lived this long starts the pauses over.
const REOPEN_RESET: Duration = Duration::from_secs(60);

/// For a 2026-07-28 server that announces list changes: keeps a listen stream open and
/// forwards what it carries to `changes` until the connection ends (a reconnect opens a new
/// one). A stream the server ends (or that breaks) while the connection lives is opened again
/// after a pause, so list changes are not missed until the next reconnect.
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
        let mut pause = REOPEN_FIRST;
        loop {
            let opened = Instant::now();
            if !listen(&server, &peer, filter.clone(), &changes).await {
                return;
            }
            if peer.is_transport_closed() || changes.is_closed() {
                return;
            }
            if opened.elapsed() >= REOPEN_RESET {
                pause = REOPEN_FIRST;
            }
            tracing::debug!(%server, "subscriptions/listen: opening again in {pause:?}");
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                () = changes.closed() => return,
            }
            pause = (pause * 2).min(REOPEN_MAX);
        }
    });
}

/// One listen stream, forwarded until it ends. False when there is no point opening another:
/// the server refused it, or nobody takes the changes any more.
async fn listen(
    server: &str,
    peer: &Peer<RoleClient>,
    filter: SubscriptionFilter,
    changes: &mpsc::UnboundedSender<ListChange>,
) -> bool {
    let mut subscription = match peer.listen(filter).await {
        Ok(s) => s,
        Err(e) if peer.is_transport_closed() => {
            tracing::debug!(%server, "subscriptions/listen: the connection ended ({e})");
            return false;
        }
        Err(e) => {
            tracing::warn!(%server, "subscriptions/listen refused: {e}");
            return false;
        }
    };
    // A change between the last listing and now was announced to nobody: list again once
    // the stream is open (the refresh is throttled and coalesced).
    for change in [ListChange::Tools, ListChange::Other] {
        if changes.send(change).is_err() {
            return false;
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
            return false;
        }
    }
    tracing::debug!(%server, "subscriptions/listen ended: {:?}", subscription.end());
    true
}
