//! The registry: every configured server, connected concurrently, with its state, lists and
//! events. A slow or dead server never blocks the others.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::connection::{Connection, Lists};
use super::error::CallError;
use super::events::{Event, EventKind, ServerStatus};
use super::handler::ListChange;
use super::model::{
    CallOutcome, PromptDef, ResourceDef, ResourceTemplateDef, ServerDetails, ToolDef,
};
use super::spec::ServerSpec;

/// How many times a server that died is restarted before it is marked failed.
pub const MAX_RECONNECT_ATTEMPTS: u32 = 5;
/// Delay before the first automatic reconnect; doubled on each further attempt.
pub const FIRST_RECONNECT_DELAY: Duration = Duration::from_millis(500);
/// Capacity of the event channel; slow subscribers lose the oldest events.
pub const EVENT_CAPACITY: usize = 4096;

/// A snapshot of one server, for front ends.
#[derive(Clone, Debug, Serialize)]
pub struct ServerState {
    /// The configured name.
    pub name: String,
    /// `stdio`, `http`, `sse` or `in-process`.
    pub transport: &'static str,
    /// Command line or URL (no secrets).
    pub target: String,
    /// Connection state.
    pub status: ServerStatus,
    /// What the server said about itself, once connected.
    pub details: Option<ServerDetails>,
    /// Its tools.
    pub tools: Arc<Vec<ToolDef>>,
    /// Its resources.
    pub resources: Arc<Vec<ResourceDef>>,
    /// Its resource templates.
    pub templates: Arc<Vec<ResourceTemplateDef>>,
    /// Its prompts.
    pub prompts: Arc<Vec<PromptDef>>,
    /// Last stderr lines (stdio servers).
    pub stderr_tail: Vec<String>,
    /// How many automatic reconnects happened.
    pub reconnects: u32,
}

/// Options of one tool call.
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    /// Overrides the server's configured call timeout.
    pub timeout: Option<Duration>,
    /// Cancels the call (sending `notifications/cancelled`).
    pub cancel: CancellationToken,
    /// Skip checking the arguments against `inputSchema`.
    pub skip_validation: bool,
}

struct Slot {
    spec: ServerSpec,
    state: ServerState,
    conn: Option<Arc<Connection>>,
    generation: u64,
}

struct Inner {
    slots: Mutex<IndexMap<String, Slot>>,
    events: broadcast::Sender<Event>,
    secrets: Arc<Vec<String>>,
    changed: watch::Sender<u64>,
}

/// All configured servers. Cheap to clone; clones share the same connections.
#[derive(Clone)]
pub struct Registry {
    inner: Arc<Inner>,
}

impl Registry {
    /// A registry for `specs`, not yet connected. `secrets` are redacted from every message.
    pub fn new(specs: Vec<ServerSpec>, secrets: Vec<String>) -> Self {
        let (events, _) = broadcast::channel(EVENT_CAPACITY);
        let slots = specs
            .into_iter()
            .map(|spec| {
                let state = ServerState {
                    name: spec.name.clone(),
                    transport: spec.transport.kind(),
                    target: crate::config::redact(&spec.transport.summary(), &secrets),
                    status: ServerStatus::Idle,
                    details: None,
                    tools: Arc::default(),
                    resources: Arc::default(),
                    templates: Arc::default(),
                    prompts: Arc::default(),
                    stderr_tail: vec![],
                    reconnects: 0,
                };
                let slot = Slot {
                    spec,
                    state,
                    conn: None,
                    generation: 0,
                };
                (slot.spec.name.clone(), slot)
            })
            .collect();
        Registry {
            inner: Arc::new(Inner {
                slots: Mutex::new(slots),
                events,
                secrets: Arc::new(secrets),
                changed: watch::channel(0).0,
            }),
        }
    }

    /// Starts connecting every server in the background; returns at once.
    pub fn start(&self) {
        for name in self.names() {
            let inner = self.inner.clone();
            tokio::spawn(async move {
                let _ = connect(inner, name, 0).await;
            });
        }
    }

    /// Receives every event from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.inner.events.subscribe()
    }

    /// A receiver that changes whenever any server's state changes.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.inner.changed.subscribe()
    }

    /// The configured server names, in config order.
    pub fn names(&self) -> Vec<String> {
        self.inner.lock().keys().cloned().collect()
    }

    /// Snapshots of all servers, in config order.
    pub fn servers(&self) -> Vec<ServerState> {
        self.inner
            .lock()
            .values()
            .map(|s| s.state.clone())
            .collect()
    }

    /// A snapshot of one server.
    pub fn server(&self, name: &str) -> Option<ServerState> {
        self.inner.lock().get(name).map(|s| s.state.clone())
    }

    /// Waits until no server is still connecting (or `timeout` passes). Returns whether all
    /// settled.
    pub async fn wait_settled(&self, timeout: Duration) -> bool {
        let mut rx = self.watch();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if !self.servers().iter().any(|s| s.status.is_pending()) {
                return true;
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                _ => return false,
            }
        }
    }

    /// Reconnects one server now (closing its current connection first).
    pub async fn reconnect(&self, server: &str) -> Result<(), CallError> {
        self.slot_conn(server).map(|_| ()).or_else(|e| match e {
            CallError::NotConnected { .. } => Ok(()),
            e => Err(e),
        })?;
        connect(self.inner.clone(), server.to_string(), 0).await
    }

    /// Re-reads a server's tools, resources and prompts (bypassing any cache).
    pub async fn refresh(&self, server: &str) -> Result<(), CallError> {
        let (conn, spec) = self.slot_conn(server)?;
        let lists = conn.list_all(spec.call_timeout).await?;
        self.inner.store_lists(server, None, lists);
        Ok(())
    }

    /// Calls `tool` on `server`. The arguments are checked against the tool's `inputSchema`
    /// first. A tool that reports `isError` returns `Ok` with `is_error` set.
    pub async fn call_tool(
        &self,
        server: &str,
        tool: &str,
        args: Option<Map<String, Value>>,
        opts: &CallOptions,
    ) -> Result<CallOutcome, CallError> {
        let (conn, spec) = self.slot_conn(server)?;
        let state = self.server(server).expect("slot exists");
        let Some(def) = state.tools.iter().find(|t| t.name == tool) else {
            return Err(CallError::UnknownTool {
                server: server.to_string(),
                tool: tool.to_string(),
                suggestion: crate::util::closest(tool, state.tools.iter().map(|t| t.name.as_str())),
            });
        };
        if !opts.skip_validation {
            let value = Value::Object(args.clone().unwrap_or_default());
            super::validate::check_args(&def.input_schema, &value).map_err(|message| {
                CallError::InvalidArguments {
                    server: server.to_string(),
                    tool: tool.to_string(),
                    message,
                }
            })?;
        }
        let timeout = opts.timeout.unwrap_or(spec.call_timeout);
        conn.call_tool(tool, args, timeout, &opts.cancel).await
    }

    /// Pings a server, returning the round-trip time.
    pub async fn ping(&self, server: &str) -> Result<Duration, CallError> {
        let (conn, spec) = self.slot_conn(server)?;
        conn.ping(spec.call_timeout).await
    }

    /// Reads a resource (raw `resources/read` result).
    pub async fn read_resource(&self, server: &str, uri: &str) -> Result<Value, CallError> {
        let (conn, spec) = self.slot_conn(server)?;
        conn.read_resource(uri, spec.call_timeout).await
    }

    /// Renders a prompt (raw `prompts/get` result).
    pub async fn get_prompt(
        &self,
        server: &str,
        name: &str,
        args: Map<String, Value>,
    ) -> Result<Value, CallError> {
        let (conn, spec) = self.slot_conn(server)?;
        conn.get_prompt(name, args, spec.call_timeout).await
    }

    /// The process id of a stdio server's child, while it runs.
    pub async fn pid(&self, server: &str) -> Option<u32> {
        let (conn, _) = self.slot_conn(server).ok()?;
        conn.pid().await
    }

    /// Closes every connection and stops every child process, reaping them.
    pub async fn shutdown(&self) {
        let conns: Vec<Arc<Connection>> = {
            let mut slots = self.inner.lock();
            slots
                .values_mut()
                .filter_map(|slot| {
                    slot.generation += 1;
                    slot.state.status = ServerStatus::Stopped;
                    slot.conn.take()
                })
                .collect()
        };
        futures::future::join_all(conns.iter().map(|c| c.close())).await;
        self.inner.changed.send_modify(|v| *v += 1);
    }

    fn slot_conn(&self, server: &str) -> Result<(Arc<Connection>, ServerSpec), CallError> {
        let slots = self.inner.lock();
        let Some(slot) = slots.get(server) else {
            return Err(CallError::UnknownServer {
                server: server.to_string(),
                known: slots.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        };
        match &slot.conn {
            Some(conn) => Ok((conn.clone(), slot.spec.clone())),
            None => Err(CallError::NotConnected {
                server: server.to_string(),
                status: slot.state.status.to_string(),
            }),
        }
    }
}

impl Inner {
    fn lock(&self) -> std::sync::MutexGuard<'_, IndexMap<String, Slot>> {
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn emit(&self, server: &str, kind: EventKind) {
        let _ = self.events.send(Event {
            server: server.to_string(),
            kind,
        });
    }

    /// Sets a server's status (if `generation` still matches) and tells everyone.
    fn set_status(&self, server: &str, generation: u64, status: ServerStatus) -> bool {
        {
            let mut slots = self.lock();
            let Some(slot) = slots.get_mut(server) else {
                return false;
            };
            if slot.generation != generation {
                return false;
            }
            slot.state.status = status.clone();
        }
        self.emit(server, EventKind::Status { status });
        self.changed.send_modify(|v| *v += 1);
        true
    }

    fn store_lists(&self, server: &str, generation: Option<u64>, lists: Lists) {
        let count = lists.tools.len();
        {
            let mut slots = self.lock();
            let Some(slot) = slots.get_mut(server) else {
                return;
            };
            if generation.is_some_and(|g| g != slot.generation) {
                return;
            }
            slot.state.tools = Arc::new(lists.tools);
            slot.state.resources = Arc::new(lists.resources);
            slot.state.templates = Arc::new(lists.templates);
            slot.state.prompts = Arc::new(lists.prompts);
        }
        self.emit(server, EventKind::ToolsChanged { count });
        self.changed.send_modify(|v| *v += 1);
    }
}

/// Connects (or reconnects) one server. `attempt` is 0 for a first or manual connect.
fn connect(
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
        let opened =
            match Connection::open(&spec, inner.events.clone(), inner.secrets.clone()).await {
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
        loop {
            tokio::select! {
                change = changes.recv() => {
                    if change.is_none() { continue; }
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
