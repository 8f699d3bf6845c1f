//! One live connection: start-up over any transport and requests with timeout and
//! cancellation (lists in [`super::lists`], `input_required` rounds in [`super::mrtr`]).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use rmcp::model::{
    CallToolRequestParams, ClientRequest, GetPromptRequestParams, ReadResourceRequestParams,
    Request, ServerResult,
};
use rmcp::service::{
    ClientInitializeError, Peer, PeerRequestOptions, RoleClient, RunningServiceCancellationToken,
};
use rmcp::{ServiceError, ServiceExt};
use serde_json::{Map, Value};
use tokio::sync::{broadcast, mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::diagnose::{details_from_json, error_chain, explain_startup_failure, spawn_message};
use super::error::{CallError, ConnectError};
use super::events::Event;
use super::handler::{Handler, ListChange};
use super::model::{CallOutcome, ServerDetails};
use super::mrtr::Retry;
use super::spec::{ServerSpec, TransportSpec};
use super::stdio::{self, ChildProcess, SpawnParams};
use crate::config::redact;

/// Largest single JSON-RPC message we accept from a stdio server: a bigger one is cut off
/// and its request fails at once with a clear error (see [`super::bounded`]).
pub const MAX_MESSAGE_BYTES: usize = 16 * 1024 * 1024;

/// How long closing waits for the transport's goodbye (an HTTP session `DELETE`).
const CLOSE_GRACE: Duration = Duration::from_secs(3);

/// The protocol revisions we accept from a server (MCP: a client that does not support the
/// server's version should disconnect): the stateless `2026-07-28` (negotiated by
/// `server/discover`) and those with an `initialize` handshake.
pub const SUPPORTED_PROTOCOL_VERSIONS: &[&str] = &[
    "2024-11-05",
    "2025-03-26",
    "2025-06-18",
    "2025-11-25",
    "2026-07-28",
];

/// A connected, initialized server.
pub struct Connection {
    pub(super) server: String,
    peer: Peer<RoleClient>,
    stop: Mutex<Option<RunningServiceCancellationToken>>,
    child: tokio::sync::Mutex<Option<ChildProcess>>,
    stderr_tail: stdio::StderrTail,
    /// What the server said about itself.
    pub details: ServerDetails,
    /// `None` while open; the reason once the connection has ended.
    pub ended: watch::Receiver<Option<String>>,
    secrets: Arc<Vec<String>>,
    events: broadcast::Sender<Event>,
    /// Tools this server made us call as tasks (see [`super::tasks`]).
    task_tools: Mutex<std::collections::HashSet<String>>,
    /// Answers the input requests of `input_required` results (see [`super::mrtr`]).
    input: Handler,
}

/// Everything [`Connection::open`] hands back.
pub struct Opened {
    /// The connection.
    pub connection: Arc<Connection>,
    /// List-change notifications from the server.
    pub changes: mpsc::UnboundedReceiver<ListChange>,
}

impl Connection {
    /// Starts the server (or opens the connection) and runs `initialize`, all within the
    /// spec's connect timeout.
    pub async fn open(
        spec: &ServerSpec,
        events: broadcast::Sender<Event>,
        secrets: Arc<Vec<String>>,
        elicitor: super::elicit::Elicitor,
        oauth: &super::oauth::OAuthSettings,
        sampler: super::sampling::Sampler,
    ) -> Result<Opened, ConnectError> {
        let (changes_tx, changes) = mpsc::unbounded_channel();
        let handler = Handler::new(
            spec.name.clone(),
            events.clone(),
            changes_tx.clone(),
            spec.client.clone(),
            elicitor,
            sampler,
        );
        let input = handler.clone();
        let fail = |message: String, tail: Vec<String>| ConnectError {
            message: redact(&message, &secrets),
            stderr_tail: tail,
        };
        let timeout = spec.connect_timeout;
        let mut child = None;
        let mut stderr_tail = stdio::StderrTail::default();
        let started = match &spec.transport {
            TransportSpec::Stdio {
                command,
                args,
                env,
                cwd,
                inherit_env,
            } => {
                let (proc, pipes) = stdio::spawn(SpawnParams {
                    server: &spec.name,
                    command,
                    args,
                    env,
                    cwd: cwd.as_ref(),
                    inherit_env: *inherit_env,
                    events: events.clone(),
                    secrets: secrets.clone(),
                })
                .map_err(|e| fail(spawn_message(command, cwd.as_deref(), &e), vec![]))?;
                stderr_tail = proc.stderr_tail.clone();
                child = Some(proc);
                let stdout =
                    super::bounded::BoundedLines::new(pipes.stdout, &spec.name, MAX_MESSAGE_BYTES);
                let transport =
                    rmcp::transport::async_rw::AsyncRwTransport::new_client(stdout, pipes.stdin)
                        .with_max_line_length(MAX_MESSAGE_BYTES);
                tokio::time::timeout(timeout, handler.serve(transport)).await
            }
            TransportSpec::Http {
                url,
                headers,
                legacy_sse,
            } => {
                if *legacy_sse {
                    return Err(fail(
                        format!(
                            "legacy SSE transport is not supported (rmcp dropped its client); \
                             try the server's streamable HTTP endpoint instead of {url}"
                        ),
                        vec![],
                    ));
                }
                let start = super::http::Start {
                    spec,
                    url,
                    headers,
                    handler: &handler,
                    oauth,
                    events: &events,
                };
                start.run().await.map_err(|m| fail(m, vec![]))?
            }
            TransportSpec::InProcess(factory) => {
                let (client_end, server_end) = tokio::io::duplex(1 << 20);
                tokio::spawn(factory(server_end));
                tokio::time::timeout(timeout, handler.serve(client_end)).await
            }
        };
        let service = match started {
            Ok(Ok(service)) => service,
            Ok(Err(e)) => {
                let detail = startup_detail(&e);
                let (why, tail) = explain_startup_failure(child.as_mut(), &detail).await;
                return Err(fail(why, tail));
            }
            Err(_) => {
                let (_, tail) = explain_startup_failure(child.as_mut(), "").await;
                return Err(fail(
                    format!(
                        "no answer to `initialize` within {}",
                        humantime::format_duration(timeout)
                    ),
                    tail,
                ));
            }
        };
        let details = service
            .peer_info()
            .and_then(|info| serde_json::to_value(&*info).ok())
            .map(details_from_json)
            .unwrap_or_default();
        if !SUPPORTED_PROTOCOL_VERSIONS.contains(&details.protocol_version.as_str()) {
            let _ = service.cancel().await;
            let tail = match child.as_mut() {
                Some(c) => {
                    c.shutdown(Duration::from_secs(2)).await;
                    c.stderr_tail.lines()
                }
                None => vec![],
            };
            return Err(fail(
                format!(
                    "the server answered `initialize` with protocol version `{}`, which codemode \
                     does not speak (supported: {})",
                    details.protocol_version,
                    SUPPORTED_PROTOCOL_VERSIONS.join(", ")
                ),
                tail,
            ));
        }
        let peer = service.peer().clone();
        super::subscribe::spawn(&spec.name, &peer, &details, changes_tx);
        let stop = service.cancellation_token();
        let (ended_tx, ended) = watch::channel(None);
        tokio::spawn(async move {
            let reason = match service.waiting().await {
                Ok(rmcp::service::QuitReason::Cancelled) => "closed by codemode".to_string(),
                Ok(rmcp::service::QuitReason::Closed) => {
                    "the server closed the connection".to_string()
                }
                Ok(other) => format!("{other:?}"),
                Err(e) => format!("connection task failed: {e}"),
            };
            let _ = ended_tx.send(Some(reason));
        });
        Ok(Opened {
            connection: Arc::new(Connection {
                server: spec.name.clone(),
                peer,
                stop: Mutex::new(Some(stop)),
                child: tokio::sync::Mutex::new(child),
                stderr_tail,
                details,
                ended,
                secrets,
                events,
                task_tools: Mutex::default(),
                input,
            }),
            changes,
        })
    }

    /// The last stderr lines of a stdio server.
    pub fn stderr_tail(&self) -> Vec<String> {
        self.stderr_tail.lines()
    }

    /// The child's process id, for stdio servers.
    pub async fn pid(&self) -> Option<u32> {
        self.child.lock().await.as_ref().and_then(ChildProcess::id)
    }

    /// Sends one request and waits for its result, honouring `timeout` and `cancel`. On
    /// timeout or cancel, `notifications/cancelled` is sent to the server.
    pub(super) async fn request(
        &self,
        what: &str,
        request: ClientRequest,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<ServerResult, CallError> {
        let handle = self
            .peer
            .send_request_with_option(request, PeerRequestOptions::no_options())
            .await
            .map_err(|e| self.map_error(what, e))?;
        let id = handle.id.clone();
        let peer = handle.peer.clone();
        let cancelled = |reason: &str| {
            let peer = peer.clone();
            let param = rmcp::model::CancelledNotificationParam::new(
                Some(id.clone()),
                Some(reason.to_string()),
            );
            tokio::spawn(async move {
                let _ = peer.notify_cancelled(param).await;
            });
        };
        tokio::select! {
            reply = handle.await_response() => reply.map_err(|e| self.map_error(what, e)),
            () = tokio::time::sleep(timeout) => {
                cancelled("timeout");
                Err(CallError::Timeout { server: self.server.clone(), what: what.to_string(), timeout })
            }
            () = cancel.cancelled() => {
                cancelled("cancelled by the user");
                Err(CallError::Cancelled { server: self.server.clone(), what: what.to_string() })
            }
        }
    }

    fn map_error(&self, what: &str, e: ServiceError) -> CallError {
        let server = self.server.clone();
        let what = what.to_string();
        match e {
            ServiceError::McpError(data) if data.code.0 == super::bounded::OVERSIZED_CODE => {
                CallError::Transport {
                    server,
                    what,
                    message: data.message.to_string(),
                }
            }
            ServiceError::McpError(data) => CallError::Protocol {
                server,
                what,
                code: data.code.0,
                message: redact(&data.message, &self.secrets),
            },
            ServiceError::TransportClosed | ServiceError::TransportSend(_) => {
                let tail = self.stderr_tail();
                let detail = match tail.last() {
                    Some(last) => format!("last stderr line: {last}"),
                    None => String::new(),
                };
                CallError::Disconnected {
                    server,
                    what,
                    detail,
                }
            }
            ServiceError::Timeout { timeout } => CallError::Timeout {
                server,
                what,
                timeout,
            },
            ServiceError::Cancelled { .. } => CallError::Cancelled { server, what },
            other => CallError::Transport {
                server,
                what,
                message: redact(&error_chain(&other), &self.secrets),
            },
        }
    }

    /// `tools/call`; as a task when `as_task` (the tool declares `taskSupport: required`)
    /// or when the server says so (see [`super::tasks`]).
    pub async fn call_tool(
        &self,
        tool: &str,
        args: Option<Map<String, Value>>,
        timeout: Duration,
        cancel: &CancellationToken,
        as_task: bool,
    ) -> Result<CallOutcome, CallError> {
        let known = self.task_tools.lock().is_ok_and(|t| t.contains(tool));
        if as_task || known {
            return self.call_as_task(tool, args, timeout, cancel).await;
        }
        let started = std::time::Instant::now();
        let make = |retry: Retry| {
            let mut params = CallToolRequestParams::new(tool.to_string());
            if let Some(args) = args.clone() {
                params = params.with_arguments(args);
            }
            params.input_responses = retry.input_responses;
            params.request_state = retry.request_state;
            ClientRequest::CallToolRequest(Request::new(params))
        };
        let reply = self.request_rounds(tool, make, timeout, cancel).await;
        let outcome = reply.and_then(|reply| self.outcome(tool, reply));
        let needs_task = match &outcome {
            Ok(o) => super::tasks::outcome_requires_task(o),
            Err(e) => super::tasks::error_requires_task(e),
        };
        if !needs_task {
            return outcome;
        }
        if let Ok(mut tools) = self.task_tools.lock() {
            tools.insert(tool.to_string());
        }
        let left = timeout.saturating_sub(started.elapsed());
        self.call_as_task(tool, args, left, cancel).await
    }

    /// A `tools/call` (or `tasks/result`) reply as our outcome.
    pub(super) fn outcome(
        &self,
        tool: &str,
        reply: ServerResult,
    ) -> Result<CallOutcome, CallError> {
        match reply {
            // Field by field into our own type (the blocks as JSON); a result that does not
            // fit is an error, never an empty success. An explicit `null` structured result
            // reads as none, as it always has.
            ServerResult::CallToolResult(r) => r
                .content
                .iter()
                .map(serde_json::to_value)
                .collect::<Result<Vec<_>, _>>()
                .map(|content| CallOutcome {
                    content,
                    structured_content: r.structured_content.filter(|v| !v.is_null()),
                    is_error: r.is_error.unwrap_or(false),
                })
                .map_err(|e| CallError::Transport {
                    server: self.server.clone(),
                    what: tool.to_string(),
                    message: format!("the tool result cannot be read: {e}"),
                }),
            other => Err(self.unexpected(tool, &other)),
        }
    }

    /// The configured server name.
    pub(super) fn server(&self) -> &str {
        &self.server
    }

    /// The handler answering input requests.
    pub(super) fn input_handler(&self) -> &Handler {
        &self.input
    }

    /// The rmcp peer (for requests not awaited).
    pub(super) fn peer(&self) -> &Peer<RoleClient> {
        &self.peer
    }

    /// Where this server's events go.
    pub(super) fn events(&self) -> &broadcast::Sender<Event> {
        &self.events
    }

    pub(super) fn unexpected(&self, what: &str, reply: &ServerResult) -> CallError {
        // Only what is shown is written out (the reply may be megabytes).
        let kind = crate::util::json_prefix(reply, 200);
        CallError::Transport {
            server: self.server.clone(),
            what: what.to_string(),
            message: format!("unexpected reply: {kind}"),
        }
    }

    /// `ping`, returning the round-trip time.
    pub async fn ping(&self, timeout: Duration) -> Result<Duration, CallError> {
        let start = std::time::Instant::now();
        let req = ClientRequest::PingRequest(Default::default());
        self.request("ping", req, timeout, &CancellationToken::new())
            .await?;
        Ok(start.elapsed())
    }

    /// `resources/read`, returned as raw JSON contents.
    pub async fn read_resource(&self, uri: &str, timeout: Duration) -> Result<Value, CallError> {
        let make = |retry: Retry| {
            let mut params = ReadResourceRequestParams::new(uri);
            params.input_responses = retry.input_responses;
            params.request_state = retry.request_state;
            ClientRequest::ReadResourceRequest(Request::new(params))
        };
        let reply = self
            .request_rounds("resources/read", make, timeout, &CancellationToken::new())
            .await?;
        Ok(serde_json::to_value(&reply).unwrap_or_default())
    }

    /// `prompts/get`, returned as raw JSON.
    pub async fn get_prompt(
        &self,
        name: &str,
        args: Map<String, Value>,
        timeout: Duration,
    ) -> Result<Value, CallError> {
        let make = |retry: Retry| {
            let mut params = GetPromptRequestParams::new(name).with_arguments(args.clone());
            params.input_responses = retry.input_responses;
            params.request_state = retry.request_state;
            ClientRequest::GetPromptRequest(Request::new(params))
        };
        let reply = self
            .request_rounds("prompts/get", make, timeout, &CancellationToken::new())
            .await?;
        Ok(serde_json::to_value(&reply).unwrap_or_default())
    }

    /// Closes the connection and stops the child process (if any), reaping it.
    pub async fn close(&self) {
        let stop = self
            .stop
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(stop) = stop {
            stop.cancel();
            // Let the transport finish its goodbye (streamable HTTP deletes its session).
            let mut ended = self.ended.clone();
            let _ = tokio::time::timeout(CLOSE_GRACE, ended.wait_for(Option::is_some)).await;
        }
        if let Some(mut child) = self.child.lock().await.take() {
            child.shutdown(Duration::from_secs(2)).await;
        }
    }
}

/// Why start-up failed, in words.
fn startup_detail(e: &ClientInitializeError) -> String {
    match e {
        ClientInitializeError::TransportError { error, context } => format!(
            "{} (while trying to {context})",
            error_chain(error.error.as_ref())
        ),
        // The `server/discover` probe was refused as a legacy server refuses it, then
        // `initialize` failed too: that second failure says why.
        ClientInitializeError::LegacyFallbackFailed { fallback, .. } => startup_detail(fallback),
        other => error_chain(other),
    }
}
