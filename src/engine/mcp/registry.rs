//! The registry: every configured server, connected concurrently, with its state, lists and
//! events. A slow or dead server never blocks the others.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};
use tokio::sync::{broadcast, watch};
use tokio_util::sync::CancellationToken;

use super::connection::Connection;
use super::elicit::{ElicitPolicy, Elicitor, policy_elicitor};
use super::error::CallError;
use super::events::{Event, EventKind, ServerStatus};
use super::lifecycle::connect;
use super::lists::Lists;
use super::model::{
    CallOutcome, PromptDef, ResourceDef, ResourceTemplateDef, ServerDetails, ToolDef,
};
use super::oauth::OAuthSettings;
use super::samples::{SampleStore, Samples};
use super::sampling::{Sampler, deny_sampler};
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
    /// A probe with made-up arguments (`codemode docs --probe`): its text sample is
    /// provisional (the next real call replaces it) and not kept when it reads as an error.
    pub probe: bool,
}

/// What [`Registry::reconfigure`] changed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reconfigured {
    /// Newly configured servers.
    pub added: Vec<String>,
    /// Servers no longer configured (stopped).
    pub removed: Vec<String>,
    /// Servers whose command, URL, environment, headers or timeouts changed (reconnected).
    pub changed: Vec<String>,
}

/// What identifies a server's configuration, secrets included (compared, never shown).
fn fingerprint(spec: &ServerSpec) -> String {
    let transport = match &spec.transport {
        super::spec::TransportSpec::Stdio {
            command,
            args,
            env,
            cwd,
            inherit_env,
        } => format!("stdio {command} {args:?} {env:?} {cwd:?} {inherit_env}"),
        super::spec::TransportSpec::Http {
            url,
            headers,
            legacy_sse,
        } => format!("http {url} {headers:?} {legacy_sse}"),
        super::spec::TransportSpec::InProcess(_) => "in-process".to_string(),
    };
    format!(
        "{transport} {:?} {:?}",
        spec.call_timeout, spec.connect_timeout
    )
}

pub(super) struct Slot {
    pub(super) spec: ServerSpec,
    pub(super) state: ServerState,
    pub(super) conn: Option<Arc<Connection>>,
    /// Bumped by every connect and by shutdown; stale tasks compare it and back off.
    pub(super) generation: u64,
}

pub(super) struct Inner {
    slots: Mutex<IndexMap<String, Slot>>,
    pub(super) events: broadcast::Sender<Event>,
    pub(super) secrets: Arc<Vec<String>>,
    changed: watch::Sender<u64>,
    elicitor: std::sync::RwLock<Elicitor>,
    oauth: std::sync::RwLock<OAuthSettings>,
    sampler: std::sync::RwLock<Sampler>,
    /// Where text samples of successful calls go (none: not kept).
    samples: std::sync::RwLock<Option<Arc<SampleStore>>>,
}

impl Inner {
    /// The current elicitor (cloned: a connection keeps the one it opened with).
    pub(super) fn elicitor(&self) -> Elicitor {
        self.elicitor
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The current OAuth settings.
    pub(super) fn oauth(&self) -> OAuthSettings {
        self.oauth
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The current sampler (cloned like the elicitor).
    pub(super) fn sampler(&self) -> Sampler {
        self.sampler
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
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
                let slot = Slot::new(spec, &secrets);
                (slot.spec.name.clone(), slot)
            })
            .collect();
        Registry {
            inner: Arc::new(Inner {
                slots: Mutex::new(slots),
                events,
                secrets: Arc::new(secrets),
                changed: watch::channel(0).0,
                elicitor: std::sync::RwLock::new(policy_elicitor(ElicitPolicy::Decline)),
                oauth: std::sync::RwLock::new(OAuthSettings::default()),
                sampler: std::sync::RwLock::new(deny_sampler(
                    "sampling is not enabled here (`--sampling approve` or the workbench)",
                )),
                samples: std::sync::RwLock::new(None),
            }),
        }
    }

    /// Who answers servers' elicitation requests (default: decline them all). Applies to
    /// connections opened from now on: set it before [`Registry::start`].
    pub fn set_elicitor(&self, elicitor: Elicitor) {
        *self
            .inner
            .elicitor
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = elicitor;
    }

    /// How protected HTTP servers are authorized (default: interactive, without opening a
    /// browser, tokens under the state dir). Applies to connections opened from now on.
    pub fn set_oauth(&self, settings: OAuthSettings) {
        *self
            .inner
            .oauth
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = settings;
    }

    /// Who answers servers' sampling requests (default: deny them all; only servers whose
    /// spec declares sampling can ask). Set it before [`Registry::start`].
    pub fn set_sampler(&self, sampler: Sampler) {
        *self
            .inner
            .sampler
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = sampler;
    }

    /// Keeps a text sample of each tool's first successful text result in `store`
    /// ([`super::samples`]); a new sample counts as a change ([`Registry::watch`]).
    pub fn set_samples(&self, store: Arc<SampleStore>) {
        *self
            .inner
            .samples
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(store);
    }

    /// The text samples kept so far (none without [`Registry::set_samples`]).
    pub fn samples(&self) -> Samples {
        self.sample_store()
            .map(|s| s.snapshot())
            .unwrap_or_default()
    }

    fn sample_store(&self) -> Option<Arc<SampleStore>> {
        self.inner
            .samples
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
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
        let (conn, timeout) = self.slot_conn(server)?;
        let lists = conn.list_all(timeout).await?;
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
        let (conn, (call_timeout, tools)) = self.with_slot(server, |slot| {
            (slot.spec.call_timeout, slot.state.tools.clone())
        })?;
        let Some(def) = tools.iter().find(|t| t.name == tool) else {
            return Err(CallError::UnknownTool {
                server: server.to_string(),
                tool: tool.to_string(),
                suggestion: crate::util::closest(tool, tools.iter().map(|t| t.name.as_str())),
            });
        };
        let mut args = args;
        if !opts.skip_validation {
            // The arguments go into a JSON value to be checked and come back out (no copy).
            let given = args.is_some();
            let value = Value::Object(args.take().unwrap_or_default());
            let checked = def.check_input(&value);
            if let (true, Value::Object(map)) = (given, value) {
                args = Some(map);
            }
            checked.map_err(|message| CallError::InvalidArguments {
                server: server.to_string(),
                tool: tool.to_string(),
                message,
            })?;
        }
        let timeout = opts.timeout.unwrap_or(call_timeout);
        let as_task = super::tasks::declared_required(&def.extra);
        let outcome = conn
            .call_tool(tool, args, timeout, &opts.cancel, as_task)
            .await
            .map(|o| self.redacted_outcome(o));
        if let (Ok(o), Some(store)) = (&outcome, self.sample_store())
            && store.record(server, def, o, opts.probe)
        {
            self.inner.changed.send_modify(|v| *v += 1);
        }
        outcome
    }

    /// `outcome` with every secret (the config's, and tokens seen since) replaced: a server
    /// that echoes its environment or headers must not hand them to scripts, models or the
    /// terminal.
    fn redacted_outcome(&self, mut outcome: CallOutcome) -> CallOutcome {
        let secrets = self.all_secrets();
        for block in &mut outcome.content {
            crate::config::redact_json(block, &secrets);
        }
        if let Some(s) = &mut outcome.structured_content {
            crate::config::redact_json(s, &secrets);
        }
        outcome
    }

    /// A raw result (`resources/read`, `prompts/get`) with every secret replaced.
    fn redacted(&self, mut value: Value) -> Value {
        crate::config::redact_json(&mut value, &self.all_secrets());
        value
    }

    fn all_secrets(&self) -> Vec<String> {
        let mut secrets = self.inner.secrets.to_vec();
        secrets.extend(crate::logging::secrets());
        secrets
    }

    /// Pings a server, returning the round-trip time.
    pub async fn ping(&self, server: &str) -> Result<Duration, CallError> {
        let (conn, timeout) = self.slot_conn(server)?;
        conn.ping(timeout).await
    }

    /// Reads a resource (raw `resources/read` result).
    pub async fn read_resource(&self, server: &str, uri: &str) -> Result<Value, CallError> {
        let (conn, timeout) = self.slot_conn(server)?;
        let read = conn.read_resource(uri, timeout).await;
        read.map(|v| self.redacted(v))
    }

    /// Renders a prompt (raw `prompts/get` result).
    pub async fn get_prompt(
        &self,
        server: &str,
        name: &str,
        args: Map<String, Value>,
    ) -> Result<Value, CallError> {
        let (conn, timeout) = self.slot_conn(server)?;
        let prompt = conn.get_prompt(name, args, timeout).await;
        prompt.map(|v| self.redacted(v))
    }

    /// `completion/complete` for a prompt's or resource template's argument; `context` holds
    /// the arguments already filled in.
    pub async fn complete(
        &self,
        server: &str,
        reference: &super::CompletionRef,
        argument: &str,
        value: &str,
        context: &Map<String, Value>,
    ) -> Result<super::Completions, CallError> {
        let (conn, timeout) = self.slot_conn(server)?;
        conn.complete(reference, argument, value, context, timeout)
            .await
    }

    /// The process id of a stdio server's child, while it runs.
    pub async fn pid(&self, server: &str) -> Option<u32> {
        let (conn, _) = self.slot_conn(server).ok()?;
        conn.pid().await
    }

    /// Applies a new server list (a reloaded config): servers no longer listed are stopped,
    /// new ones connected, changed ones reconnected with their new spec; unchanged ones keep
    /// their connection. Returns the names added, removed and changed.
    pub async fn reconfigure(&self, specs: Vec<ServerSpec>) -> Reconfigured {
        let mut report = Reconfigured::default();
        let mut to_close = Vec::new();
        let mut to_connect = Vec::new();
        {
            let mut slots = self.inner.lock();
            let mut old = std::mem::take(&mut *slots);
            for spec in specs {
                let name = spec.name.clone();
                match old.shift_remove(&name) {
                    Some(slot) if fingerprint(&slot.spec) == fingerprint(&spec) => {
                        slots.insert(name, slot);
                    }
                    Some(mut slot) => {
                        slot.generation += 1;
                        to_close.extend(slot.conn.take());
                        slot.state.status = ServerStatus::Idle;
                        slot.state.transport = spec.transport.kind();
                        slot.state.target =
                            crate::config::redact(&spec.transport.summary(), &self.inner.secrets);
                        slot.spec = spec;
                        report.changed.push(name.clone());
                        to_connect.push(name.clone());
                        slots.insert(name, slot);
                    }
                    None => {
                        report.added.push(name.clone());
                        to_connect.push(name.clone());
                        slots.insert(name, Slot::new(spec, &self.inner.secrets));
                    }
                }
            }
            for (name, mut slot) in old {
                slot.generation += 1;
                to_close.extend(slot.conn.take());
                report.removed.push(name);
            }
        }
        futures::future::join_all(to_close.iter().map(|c| c.close())).await;
        for name in to_connect {
            let inner = self.inner.clone();
            tokio::spawn(async move {
                let _ = connect(inner, name, 0).await;
            });
        }
        self.inner.changed.send_modify(|v| *v += 1);
        report
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

    /// The live connection of `server` and its per-request timeout.
    fn slot_conn(&self, server: &str) -> Result<(Arc<Connection>, Duration), CallError> {
        self.with_slot(server, |slot| slot.spec.call_timeout)
    }

    /// The live connection of `server` and what `pick` takes of its slot, read under one
    /// lock (a reconfigure in between must not leave us with a connection whose slot is gone).
    /// Only what `pick` clones is copied: a call runs this every time.
    fn with_slot<T>(
        &self,
        server: &str,
        pick: impl FnOnce(&Slot) -> T,
    ) -> Result<(Arc<Connection>, T), CallError> {
        let slots = self.inner.lock();
        let Some(slot) = slots.get(server) else {
            return Err(CallError::UnknownServer {
                server: server.to_string(),
                known: slots.keys().cloned().collect::<Vec<_>>().join(", "),
            });
        };
        match &slot.conn {
            Some(conn) => Ok((conn.clone(), pick(slot))),
            None => Err(CallError::NotConnected {
                server: server.to_string(),
                status: slot.state.status.to_string(),
            }),
        }
    }
}

impl Slot {
    fn new(spec: ServerSpec, secrets: &[String]) -> Slot {
        let state = ServerState {
            name: spec.name.clone(),
            transport: spec.transport.kind(),
            target: crate::config::redact(&spec.transport.summary(), secrets),
            status: ServerStatus::Idle,
            details: None,
            tools: Arc::default(),
            resources: Arc::default(),
            templates: Arc::default(),
            prompts: Arc::default(),
            stderr_tail: vec![],
            reconnects: 0,
        };
        Slot {
            spec,
            state,
            conn: None,
            generation: 0,
        }
    }
}

impl Inner {
    pub(super) fn lock(&self) -> std::sync::MutexGuard<'_, IndexMap<String, Slot>> {
        self.slots
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn emit(&self, server: &str, kind: EventKind) {
        let _ = self.events.send(Event {
            server: server.to_string(),
            kind,
        });
    }

    /// Sets a server's status (if `generation` still matches) and tells everyone.
    pub(super) fn set_status(&self, server: &str, generation: u64, status: ServerStatus) -> bool {
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

    pub(super) fn store_lists(&self, server: &str, generation: Option<u64>, lists: Lists) {
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
