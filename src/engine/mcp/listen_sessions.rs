//! Bounding `serve --http`'s sessions: rmcp's [`LocalSessionManager`] keeps every session
//! (and, for an idle one, at least its handle) until the client deletes it, so a client
//! opening sessions in a loop grows the process without bound. [`Sessions`] remembers when
//! each session was last used, closes sessions idle longer than `idle` (a sweep every
//! `idle / 4`, and before a new session is refused), and refuses a new session past `max`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rmcp::transport::streamable_http_server::SessionManager;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use tokio_util::sync::CancellationToken;

/// The request header naming a session.
pub const SESSION_HEADER: &str = "mcp-session-id";

/// The sessions of one endpoint, with their last use.
pub struct Sessions {
    /// rmcp's session manager (shared with the service).
    pub manager: Arc<LocalSessionManager>,
    seen: Mutex<HashMap<Arc<str>, Instant>>,
    max: usize,
    idle: Duration,
}

impl Sessions {
    /// At most `max` sessions (at least one), each closed after `idle` without a request.
    pub fn new(max: usize, idle: Duration) -> Arc<Self> {
        let mut manager = LocalSessionManager::default();
        // rmcp's own idle timer ends an idle session's worker; ours also removes its handle.
        manager.session_config.keep_alive = Some(idle);
        Arc::new(Sessions {
            manager: Arc::new(manager),
            seen: Mutex::new(HashMap::new()),
            max: max.max(1),
            idle,
        })
    }

    /// Notes a request of session `id` (a new session's id comes with its first answer).
    pub fn touch(&self, id: &str) {
        self.lock().insert(Arc::from(id), Instant::now());
    }

    /// Whether a new session may open: idle sessions are closed first; `Err` says why not.
    pub async fn admit(&self) -> Result<(), String> {
        if self.manager.sessions.read().await.len() < self.max {
            return Ok(());
        }
        self.sweep().await;
        let open = self.manager.sessions.read().await.len();
        if open < self.max {
            return Ok(());
        }
        Err(format!(
            "too many open sessions ({open}, `[serve] max_sessions` = {}): close one (DELETE) \
             or retry after {} of inactivity frees one",
            self.max,
            humantime::format_duration(self.idle)
        ))
    }

    /// Closes every session unused for `idle` (never-seen ones count from now) and forgets
    /// sessions that are gone.
    pub async fn sweep(&self) {
        let now = Instant::now();
        let open: Vec<Arc<str>> = self.manager.sessions.read().await.keys().cloned().collect();
        let stale: Vec<Arc<str>> = {
            let mut seen = self.lock();
            seen.retain(|id, _| open.contains(id));
            open.iter()
                .filter(|id| {
                    let last = *seen.entry((*id).clone()).or_insert(now);
                    now.duration_since(last) >= self.idle
                })
                .cloned()
                .collect()
        };
        for id in stale {
            if let Err(e) = self.manager.close_session(&id).await {
                tracing::debug!("serve: closing idle session {id}: {e}");
            }
            self.lock().remove(&id);
            tracing::info!("serve: closed session {id}, idle for {:?}", self.idle);
        }
    }

    /// Sweeps every `idle / 4` until `stop`.
    pub fn spawn_sweeper(self: &Arc<Self>, stop: CancellationToken) {
        let sessions = self.clone();
        let every = (self.idle / 4).max(Duration::from_millis(50));
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = stop.cancelled() => return,
                    () = tokio::time::sleep(every) => sessions.sweep().await,
                }
            }
        });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Arc<str>, Instant>> {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
