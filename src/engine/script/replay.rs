//! Replaying a recorded run: a [`ToolInvoker`] that answers from the audit log's `call`
//! records (written with recording on, [`super::audit::AuditConfig::record`]) and never
//! contacts a server. Each call is matched with the first unused recorded call of the same
//! server, tool and arguments; a call that matches none is a [`Divergence`] (the script now
//! calls something else, or with other arguments) and fails in the script with a
//! `transport` error saying so.

use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use super::invoker::{ServerTools, ToolInvoker};
use crate::mcp::{CallError, CallOutcome, ToolDef};

/// One recorded call.
#[derive(Clone, Debug, PartialEq)]
pub struct RecordedCall {
    /// Raw server name.
    pub server: String,
    /// Raw tool name.
    pub tool: String,
    /// The arguments as recorded (redacted secrets stay redacted).
    pub args: Value,
    /// The full outcome.
    pub result: CallOutcome,
}

/// A recorded run: its servers' tool names and its calls in order.
#[derive(Clone, Debug)]
pub struct Recording {
    /// The full run id.
    pub run_id: String,
    /// The script as it was run.
    pub script: String,
    /// The servers and tool names of the run (definitions are not recorded: tools get an
    /// open object schema).
    pub servers: Vec<ServerTools>,
    /// The calls.
    pub calls: Vec<RecordedCall>,
}

/// Where a replayed script no longer does what the recording did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Divergence {
    /// Index of the call in the replayed run.
    pub index: usize,
    /// What the script called now: `server::tool {args}`.
    pub got: String,
    /// The recorded call expected next, if any is left.
    pub expected: Option<String>,
}

impl std::fmt::Display for Divergence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.expected {
            Some(e) => write!(f, "call {}: {} (recorded: {e})", self.index, self.got),
            None => write!(
                f,
                "call {}: {} (the recording has no more calls)",
                self.index, self.got
            ),
        }
    }
}

fn describe(server: &str, tool: &str, args: &Value) -> String {
    format!("{server}::{tool} {args}")
}

impl Recording {
    /// The recording of the run whose id starts with `id` in `records` (the audit log, oldest
    /// first). Fails when no run or several match, or when a call has no recorded result.
    pub fn find(records: &[Value], id: &str) -> Result<Recording, String> {
        let starts: Vec<&Value> = records
            .iter()
            .filter(|r| {
                r["type"] == "run_start" && r["run_id"].as_str().is_some_and(|x| x.starts_with(id))
            })
            .collect();
        let start = match starts.as_slice() {
            [one] => *one,
            [] => return Err(format!("no run `{id}` in the audit log")),
            _ => return Err(format!("`{id}` names several runs; give more of the id")),
        };
        let run_id = start["run_id"].as_str().unwrap_or_default().to_string();
        let servers = start["servers"]
            .as_array()
            .map(|ss| {
                ss.iter()
                    .map(|s| ServerTools {
                        name: s["name"].as_str().unwrap_or_default().to_string(),
                        tools: Arc::new(
                            s["tools"]
                                .as_object()
                                .map(|m| m.keys().map(|name| stub(name)).collect())
                                .unwrap_or_default(),
                        ),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut calls: Vec<(u64, RecordedCall)> = vec![];
        for r in records
            .iter()
            .filter(|r| r["type"] == "call" && r["run_id"] == run_id.as_str())
        {
            let (server, tool) = (r["server"].as_str(), r["tool"].as_str());
            let Some(result) = r.get("result") else {
                let what = if r["result_omitted"] == true {
                    "its result was larger than [audit] record_max_bytes"
                } else if r["ok"] == false && r["result_bytes"] == 0 {
                    continue; // refused or failed before a result: nothing to replay
                } else {
                    "results were not recorded (run it with --record)"
                };
                return Err(format!(
                    "run {run_id} cannot be replayed: call {} ({}::{}): {what}",
                    r["index"],
                    server.unwrap_or("?"),
                    tool.unwrap_or("?")
                ));
            };
            let call = read_call(r, result)
                .map_err(|e| format!("run {run_id}: a recorded result is not readable: {e}"))?;
            calls.push((r["index"].as_u64().unwrap_or(0), call));
        }
        calls.sort_by_key(|(i, _)| *i);
        Ok(Recording {
            run_id,
            script: start["script"].as_str().unwrap_or_default().to_string(),
            servers,
            calls: calls.into_iter().map(|(_, c)| c).collect(),
        })
    }
}

/// Every readable recorded call in `records` (the audit log, oldest first), of any run,
/// newest first: what a dry run answers a call with when it was recorded before.
pub fn recorded_calls(records: &[Value]) -> Vec<RecordedCall> {
    records
        .iter()
        .rev()
        .filter(|r| r["type"] == "call")
        .filter_map(|r| read_call(r, r.get("result")?).ok())
        .collect()
}

fn read_call(r: &Value, result: &Value) -> Result<RecordedCall, serde_json::Error> {
    Ok(RecordedCall {
        server: r["server"].as_str().unwrap_or_default().to_string(),
        tool: r["tool"].as_str().unwrap_or_default().to_string(),
        args: r["args"].clone(),
        result: serde_json::from_value(result.clone())?,
    })
}

fn stub(name: &str) -> ToolDef {
    serde_json::from_value(json!({"name": name, "inputSchema": {"type": "object"}}))
        .unwrap_or_else(|_| unreachable!("a name and an object schema make a tool"))
}

/// Answers calls from a [`Recording`].
pub struct ReplayInvoker {
    recording: Recording,
    used: Mutex<Used>,
    calls: Mutex<usize>,
    divergences: Mutex<Vec<Divergence>>,
}

impl ReplayInvoker {
    /// An invoker over `recording`.
    pub fn new(recording: Recording) -> Self {
        let n = recording.calls.len();
        ReplayInvoker {
            recording,
            used: Mutex::new(Used {
                flags: vec![false; n],
                first_unused: 0,
            }),
            calls: Mutex::new(0),
            divergences: Mutex::default(),
        }
    }

    /// Where the replayed script diverged, in call order.
    pub fn divergences(&self) -> Vec<Divergence> {
        self.divergences
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Recorded calls the replayed script never made: `server::tool {args}`.
    pub fn unused(&self) -> Vec<String> {
        let used = self
            .used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.recording
            .calls
            .iter()
            .zip(used.flags.iter())
            .filter(|(_, u)| !**u)
            .map(|(c, _)| describe(&c.server, &c.tool, &c.args))
            .collect()
    }
}

/// Which recorded calls were answered, and the first one not yet: the calls before it need
/// no look (a replay in the recorded order finds each call at once, not after all before it).
struct Used {
    flags: Vec<bool>,
    first_unused: usize,
}

impl Used {
    fn mark(&mut self, i: usize) {
        self.flags[i] = true;
        while self.flags.get(self.first_unused) == Some(&true) {
            self.first_unused += 1;
        }
    }
}

impl ToolInvoker for ReplayInvoker {
    fn servers(&self) -> Vec<ServerTools> {
        self.recording.servers.clone()
    }

    fn call(
        &self,
        server: &str,
        tool: &str,
        args: Map<String, Value>,
        _: &CancellationToken,
    ) -> Result<CallOutcome, CallError> {
        let args = Value::Object(args);
        let index = {
            let mut n = self
                .calls
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *n += 1;
            *n - 1
        };
        let mut used = self
            .used
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let calls = &self.recording.calls;
        let found = (used.first_unused..calls.len()).find(|&i| {
            !used.flags[i]
                && calls[i].server == server
                && calls[i].tool == tool
                && calls[i].args == args
        });
        if let Some(i) = found {
            used.mark(i);
            return Ok(calls[i].result.clone());
        }
        let expected = calls
            .get(used.first_unused)
            .map(|c| describe(&c.server, &c.tool, &c.args));
        let d = Divergence {
            index,
            got: describe(server, tool, &args),
            expected,
        };
        let message = format!("replay diverged: {d}");
        self.divergences
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(d);
        Err(CallError::Transport {
            server: server.to_string(),
            what: tool.to_string(),
            message,
        })
    }
}
