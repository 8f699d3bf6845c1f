//! Connection lifecycle: connect, supervise (`list_changed` refreshes, drop detection) and
//! reconnect with exponential backoff. Every step checks the slot's generation so a stale
//! task never overwrites newer state.

use std::sync::Arc;

use futures::FutureExt;
use futures::future::BoxFuture;

use super::connection::Connection;
use super::error::CallError;
use super::events::ServerStatus;
use super::handler::ListChange;
use super::registry::{FIRST_RECONNECT_DELAY, Inner, MAX_RECONNECT_ATTEMPTS};

/// The shortest time between two refreshes caused by `list_changed` notifications.
pub const REFRESH_MIN_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Connects (or reconnects) one server. `attempt` is 0 for a first or manual connect.
pub(super) fn connect(
    inner: Arc<Inner>,
    name: String,
    attempt: u32,
) -> BoxFuture<'static, Result<(), CallError>> {
    async move {
        let (spec, generation, old) = {
            let mut slots = inner.lock();
            let slot = slots
                .get_mut(&name)
                .ok_or_else(|| CallError::UnknownServer {
                    server: name.clone(),
                    known: String::new(),
                })?;
            slot.generation += 1;
            if attempt == 0 {
                slot.state.reconnects = 0;
            }
            (slot.spec.clone(), slot.generation, slot.conn.take())
        };
        if let Some(old) = old {
            old.close().await;
        }
        inner.set_status(&name, generation, ServerStatus::Connecting);
        let not_connected = |reason: &str| CallError::NotConnected {
            server: name.clone(),
            status: reason.to_string(),
        };
        let opened = match Connection::open(
            &spec,
            inner.events.clone(),
            inner.secrets.clone(),
            inner.elicitor(),
            &inner.oauth(),
            inner.sampler(),
        )
        .await
        {
            Ok(opened) => opened,
            Err(e) => {
                inner.fail(&name, generation, attempt, e.message.clone(), e.stderr_tail);
                return Err(not_connected(&e.message));
            }
        };
        let conn = opened.connection;
        let lists = match conn.list_all(spec.call_timeout).await {
            Ok(lists) => lists,
            Err(e) => {
                let tail = conn.stderr_tail();
                conn.close().await;
                inner.fail(
                    &name,
                    generation,
                    attempt,
                    format!("listing failed: {e}"),
                    tail,
                );
                return Err(not_connected(&e.to_string()));
            }
        };
        {
            let mut slots = inner.lock();
            if let Some(slot) = slots.get_mut(&name)
                && slot.generation == generation
            {
                slot.conn = Some(conn.clone());
                slot.state.details = Some(conn.details.clone());
                slot.state.stderr_tail = conn.stderr_tail();
            }
        }
        inner.store_lists(&name, Some(generation), lists);
        inner.set_status(&name, generation, ServerStatus::Ready);
        tokio::spawn(supervise(
            inner.clone(),
            name.clone(),
            generation,
            conn,
            opened.changes,
        ));
        Ok(())
    }
    .boxed()
}

impl Inner {
    /// Marks a failed connect; a reconnect attempt that failed schedules the next one.
    fn fail(
        self: &Arc<Self>,
        name: &str,
        generation: u64,
        attempt: u32,
        reason: String,
        tail: Vec<String>,
    ) {
        {
            let mut slots = self.lock();
            if let Some(slot) = slots.get_mut(name)
                && slot.generation == generation
            {
                slot.state.stderr_tail = tail;
            }
        }
        if attempt == 0 {
            self.set_status(name, generation, ServerStatus::Failed { reason });
        } else {
            schedule_reconnect(
                self.clone(),
                name.to_string(),
                generation,
                attempt + 1,
                reason,
            );
        }
    }
}

/// Watches a live connection: reloads lists on `list_changed`, and reconnects with backoff
/// when the connection drops unexpectedly.
fn supervise(
    inner: Arc<Inner>,
    name: String,
    generation: u64,
    conn: Arc<Connection>,
    mut changes: tokio::sync::mpsc::UnboundedReceiver<ListChange>,
) -> BoxFuture<'static, ()> {
    async move {
        let mut ended = conn.ended.clone();
        let mut changes_open = true;
        let mut last_refresh: Option<tokio::time::Instant> = None;
        loop {
            tokio::select! {
                change = changes.recv(), if changes_open => {
                    if change.is_none() { changes_open = false; continue; }
                    // A server announcing list_changed on every list would keep us refreshing
                    // in a loop: refresh at most once per interval, coalescing what came meanwhile.
                    if let Some(last) = last_refresh {
                        tokio::time::sleep_until(last + REFRESH_MIN_INTERVAL).await;
                    }
                    while changes.try_recv().is_ok() {}
                    last_refresh = Some(tokio::time::Instant::now());
                    let timeout = inner.lock().get(&name).map(|s| s.spec.call_timeout).unwrap_or_default();
                    match conn.list_all(timeout).await {
                        Ok(lists) => inner.store_lists(&name, Some(generation), lists),
                        Err(e) => tracing::warn!(server = %name, "refresh after list_changed failed: {e}"),
                    }
                }
                reason = async { ended.wait_for(Option::is_some).await.ok().and_then(|r| r.clone()) } => {
                    let reason = reason.unwrap_or_else(|| "connection ended".into());
                    let tail = conn.stderr_tail();
                    let still_current = {
                        let mut slots = inner.lock();
                        match slots.get_mut(&name) {
                            Some(slot) if slot.generation == generation => {
                                slot.conn = None;
                                slot.state.stderr_tail = tail;
                                true
                            }
                            _ => false,
                        }
                    };
                    conn.close().await;
                    if still_current {
                        schedule_reconnect(inner.clone(), name.clone(), generation, 1, reason);
                    }
                    return;
                }
            }
        }
    }
    .boxed()
}

fn schedule_reconnect(
    inner: Arc<Inner>,
    name: String,
    generation: u64,
    attempt: u32,
    reason: String,
) {
    if attempt > MAX_RECONNECT_ATTEMPTS {
        let reason = format!("gave up after {MAX_RECONNECT_ATTEMPTS} reconnect attempts: {reason}");
        inner.set_status(&name, generation, ServerStatus::Failed { reason });
        return;
    }
    let delay = FIRST_RECONNECT_DELAY * 2u32.pow(attempt - 1);
    let status = ServerStatus::Reconnecting {
        reason,
        attempt,
        delay_ms: delay.as_millis() as u64,
    };
    if !inner.set_status(&name, generation, status) {
        return;
    }
    tokio::spawn(async move {
        tokio::time::sleep(delay).await;
        let current = inner.lock().get(&name).map(|s| s.generation);
        if current != Some(generation) {
            return; // someone reconnected or shut down meanwhile
        }
        if let Some(slot) = inner.lock().get_mut(&name) {
            slot.state.reconnects += 1;
        }
        let _ = connect(inner, name, attempt).await;
    });
}
