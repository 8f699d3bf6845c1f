//! What the connection layer reports: status changes, server stderr, MCP notifications.

use serde::Serialize;
use serde_json::Value;

/// The lifecycle state of one server connection.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum ServerStatus {
    /// Not started yet.
    Idle,
    /// Starting the process / opening the connection and initializing.
    Connecting,
    /// Initialized; tools listed.
    Ready,
    /// Could not connect (or gave up reconnecting).
    Failed {
        /// Why, in one sentence (secrets redacted).
        reason: String,
    },
    /// The connection dropped; a reconnect is scheduled.
    Reconnecting {
        /// Why the connection dropped.
        reason: String,
        /// Which attempt comes next (1-based).
        attempt: u32,
        /// Milliseconds until that attempt.
        delay_ms: u64,
    },
    /// Shut down on purpose.
    Stopped,
}

impl ServerStatus {
    /// A short word for tables and the TUI.
    pub fn label(&self) -> &'static str {
        match self {
            ServerStatus::Idle => "idle",
            ServerStatus::Connecting => "connecting",
            ServerStatus::Ready => "ready",
            ServerStatus::Failed { .. } => "failed",
            ServerStatus::Reconnecting { .. } => "reconnecting",
            ServerStatus::Stopped => "stopped",
        }
    }

    /// Whether a connection attempt is still under way (so the state may still change
    /// without anyone asking).
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            ServerStatus::Idle | ServerStatus::Connecting | ServerStatus::Reconnecting { .. }
        )
    }
}

impl std::fmt::Display for ServerStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServerStatus::Failed { reason } => write!(f, "failed: {reason}"),
            ServerStatus::Reconnecting {
                reason,
                attempt,
                delay_ms,
            } => write!(
                f,
                "reconnecting (attempt {attempt} in {delay_ms} ms) after: {reason}"
            ),
            other => f.write_str(other.label()),
        }
    }
}

/// One event from one server.
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// The configured server name.
    pub server: String,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened on a server.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EventKind {
    /// The connection state changed.
    Status {
        /// The new state.
        status: ServerStatus,
    },
    /// The tool list was (re)loaded, e.g. after `notifications/tools/list_changed`.
    ToolsChanged {
        /// How many tools the server now has.
        count: usize,
    },
    /// A line the server process wrote to stderr (truncated if very long, secrets redacted).
    Stderr {
        /// The line.
        line: String,
    },
    /// Some stderr output was dropped because the server wrote too fast.
    StderrDropped {
        /// How many lines were dropped.
        lines: u64,
    },
    /// A `notifications/message` log record.
    Log {
        /// Its level (`debug` ... `emergency`).
        level: String,
        /// Its logger name.
        logger: Option<String>,
        /// Its payload.
        data: Value,
    },
    /// A `notifications/progress` update.
    Progress {
        /// The request's progress token.
        token: String,
        /// Progress so far.
        progress: f64,
        /// Total, when known.
        total: Option<f64>,
        /// A message, when given.
        message: Option<String>,
    },
    /// A tool call running as a task changed status (`working`, `input_required`,
    /// `completed`, `failed`, `cancelled`).
    Task {
        /// The tool.
        tool: String,
        /// The server's task id.
        task_id: String,
        /// The new status.
        status: String,
        /// The server's status message, when given.
        message: Option<String>,
    },
    /// A resource the client subscribed to changed, or the resource/prompt lists changed.
    ListsChanged,
}
