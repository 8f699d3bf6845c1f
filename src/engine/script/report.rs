//! What a run produced: the report at the end, and the events streamed while it runs.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::error::ScriptError;

/// One tool call of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CallRecord {
    /// 0-based index of the call in the run.
    pub index: usize,
    /// Raw server name.
    pub server: String,
    /// Raw tool name.
    pub tool: String,
    /// The arguments as compact JSON, cut to a few hundred bytes.
    pub args_summary: String,
    /// How long it took.
    #[serde(rename = "duration_ms", serialize_with = "millis")]
    pub duration: Duration,
    /// Whether it succeeded.
    pub ok: bool,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Bytes of the result on the wire.
    pub result_bytes: usize,
    /// The full outcome (`content`, `structuredContent`, `isError`) as JSON, when the run
    /// records results ([`super::RunOptions::record`]); the audit log stores it.
    #[serde(skip)]
    pub outcome: Option<std::sync::Arc<Value>>,
}

/// A limit that stopped the run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LimitHit {
    /// The limit's name, as its config key (`max_operations`, `timeout`...).
    pub limit: String,
    /// Its value, for messages (`10000000`, `2s`, `1048576 bytes`).
    pub value: String,
}

impl std::fmt::Display for LimitHit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "limit `{}` reached ({})", self.limit, self.value)
    }
}

/// Everything a run produced.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunReport {
    /// The run id (also in the audit log).
    pub run_id: String,
    /// The script's last value, as JSON (`null` on error).
    pub result: Value,
    /// Lines printed with `print` and `debug`, in order.
    pub prints: Vec<String>,
    /// Every tool call.
    pub calls: Vec<CallRecord>,
    /// Why the run failed.
    pub error: Option<ScriptError>,
    /// The limit that stopped it, if one did.
    pub limit_hit: Option<LimitHit>,
    /// Rhai operations performed.
    pub operations: u64,
    /// Wall-clock time.
    #[serde(rename = "elapsed_ms", serialize_with = "millis")]
    pub elapsed: Duration,
}

impl RunReport {
    /// Whether the run succeeded.
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// Something that happened during a run, for live front ends.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum RunEvent {
    /// `print` or `debug` output.
    Print {
        /// The line.
        text: String,
    },
    /// A tool call started.
    CallStarted {
        /// Its index in the run.
        index: usize,
        /// Raw server name.
        server: String,
        /// Raw tool name.
        tool: String,
        /// Arguments summary.
        args_summary: String,
        /// The full arguments (for the audit log, which redacts them).
        #[serde(skip)]
        args: Value,
    },
    /// A tool call finished.
    CallFinished(CallRecord),
    /// A limit stopped the run.
    LimitHit(LimitHit),
    /// The run ended.
    Finished(Box<RunReport>),
}

fn millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u64(d.as_millis() as u64)
}
