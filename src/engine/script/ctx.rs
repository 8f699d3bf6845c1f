//! The state one run shares between the engine's callbacks: tools, limits, policy, the calls
//! made so far, prints, and how to stop.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rhai::{Dynamic, EvalAltResult, Position};
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use super::aliases::Aliases;
use super::approval::{ApprovalStore, Approver};
use super::convert::{ToJsonError, from_json, outcome_value, to_json_within};
use super::error::CallKind;
use super::invoker::ToolInvoker;
use super::limits::Limits;
use super::policy::Policy;
use super::report::{CallRecord, LimitHit, RunEvent};
use crate::mcp::{CallError, ToolDef};

mod approve;
mod many;

/// Receives every event of a run (the live channel, the audit log).
pub type Observer = Arc<dyn Fn(&RunEvent) + Send + Sync>;

/// Why a tool call did not give a value.
pub(crate) enum Failure {
    /// A catchable error map `#{server, tool, message, kind}`.
    Thrown(Value),
    /// The run must stop: a limit, the timeout or a cancel (by name).
    Stop(&'static str),
}

/// What one call came to, before it is recorded: the value, or the failure with the
/// message its record carries.
struct Attempt {
    bytes: usize,
    took: Duration,
    /// The full outcome, kept with `record_results`.
    outcome: Option<Arc<Value>>,
    result: Result<Value, (Failure, String)>,
}

impl Default for Attempt {
    fn default() -> Self {
        Attempt {
            bytes: 0,
            took: Duration::ZERO,
            outcome: None,
            result: Ok(Value::Null),
        }
    }
}

#[derive(Default)]
struct State {
    calls: Vec<CallRecord>,
    next_index: usize,
    result_bytes: usize,
    prints: Vec<String>,
    print_bytes: usize,
    prints_dropped: usize,
    limit_hit: Option<LimitHit>,
}

/// One run's shared state.
pub(crate) struct RunCtx {
    pub invoker: Arc<dyn ToolInvoker>,
    pub limits: Limits,
    pub policy: Policy,
    pub tools: HashMap<String, HashMap<String, ToolDef>>,
    /// Module and function names back to raw names (for `call_tool` and `parallel`).
    pub aliases: Aliases,
    /// Cancelled on timeout or when the caller's token is cancelled.
    pub cancel: CancellationToken,
    pub timed_out: AtomicBool,
    pub operations: AtomicU64,
    pub started: Instant,
    observers: Vec<Observer>,
    state: Mutex<State>,
    /// Who answers approval requests.
    pub approver: Option<Arc<dyn Approver>>,
    /// The approved definitions.
    pub approvals: Option<Arc<ApprovalStore>>,
    /// Keep each call's full outcome in its [`CallRecord`] (recording).
    pub record_results: bool,
    /// `(server, tool)` approved for the rest of the run.
    approved: Mutex<HashSet<(String, String)>>,
    /// How the run's limit errors advise raising a limit.
    pub limit_advice: super::run::LimitAdvice,
}

impl RunCtx {
    pub fn new(
        invoker: Arc<dyn ToolInvoker>,
        limits: Limits,
        policy: Policy,
        external: CancellationToken,
        observers: Vec<Observer>,
    ) -> Self {
        let tools: HashMap<String, HashMap<String, ToolDef>> = invoker
            .servers()
            .into_iter()
            .map(|s| {
                let tools = s
                    .tools
                    .iter()
                    .map(|t| (t.name.clone(), t.clone()))
                    .collect();
                (s.name, tools)
            })
            .collect();
        let aliases = Aliases::new(
            tools
                .iter()
                .map(|(s, t)| (s.as_str(), t.keys().map(String::as_str))),
        );
        RunCtx {
            invoker,
            limits,
            policy,
            tools,
            aliases,
            cancel: external.child_token(),
            timed_out: AtomicBool::new(false),
            operations: AtomicU64::new(0),
            started: Instant::now(),
            observers,
            state: Mutex::new(State::default()),
            approver: None,
            approvals: None,
            record_results: false,
            approved: Mutex::default(),
            limit_advice: super::run::LimitAdvice::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn emit(&self, event: RunEvent) {
        self.emit_ref(&event);
    }

    /// Whether anyone receives the run's events (events nobody receives are not built).
    pub fn observed(&self) -> bool {
        !self.observers.is_empty()
    }

    fn emit_ref(&self, event: &RunEvent) {
        for o in &self.observers {
            o(event);
        }
    }

    /// Records a print line; past `max_output_bytes` of prints, lines are counted, not kept.
    pub fn print(&self, text: &str) {
        {
            let mut st = self.lock();
            if st.print_bytes + text.len() > self.limits.max_output_bytes {
                st.prints_dropped += 1;
                return;
            }
            st.print_bytes += text.len();
            st.prints.push(text.to_string());
        }
        self.emit(RunEvent::Print {
            text: text.to_string(),
        });
    }

    /// Why the run must stop now, if it must.
    pub fn stop_reason(&self) -> Option<&'static str> {
        if self.cancel.is_cancelled() {
            return Some(if self.timed_out.load(Ordering::Relaxed) {
                "timeout"
            } else {
                "cancelled"
            });
        }
        if super::memory::used() > self.limits.effective_max_memory() {
            return Some("max_memory");
        }
        if self.operations.load(Ordering::Relaxed) > self.limits.max_operations {
            return Some("max_operations");
        }
        None
    }

    /// Records that `limit` stopped the run (the first one wins) and tells the observers.
    pub fn hit(&self, limit: &str) {
        if limit == "cancelled" {
            return;
        }
        let hit = LimitHit {
            limit: limit.to_string(),
            value: self.limits.describe(limit),
        };
        {
            let mut st = self.lock();
            if st.limit_hit.is_some() {
                return;
            }
            st.limit_hit = Some(hit.clone());
        }
        self.emit(RunEvent::LimitHit(hit));
    }

    /// The error that stops the run for `reason` (not catchable by `try`).
    pub fn stop(&self, reason: &'static str, pos: Position) -> Box<EvalAltResult> {
        self.hit(reason);
        EvalAltResult::ErrorTerminated(Dynamic::from(reason), pos).into()
    }

    /// Reserves `n` call slots against `max_tool_calls`; returns the first index.
    pub fn reserve(&self, n: usize) -> Result<usize, &'static str> {
        if let Some(r) = self.stop_reason() {
            return Err(r);
        }
        let mut st = self.lock();
        if st.next_index + n > self.limits.max_tool_calls {
            return Err("max_tool_calls");
        }
        let first = st.next_index;
        st.next_index += n;
        Ok(first)
    }

    /// One tool call, from policy check to converted value, recorded. Blocks.
    pub fn invoke(
        &self,
        index: usize,
        server: &str,
        tool: &str,
        args: Map<String, Value>,
    ) -> Result<Value, Failure> {
        let (def, summary) = self.begin(index, server, tool, &args);
        let attempt = self
            .refusal(index, server, tool, def.as_deref(), &args)
            .unwrap_or_else(|| self.call_blocking(server, tool, def.as_deref(), args));
        self.finish(index, server, tool, summary, attempt)
    }

    /// The call through [`ToolInvoker::call`] (blocking), and the checks of its outcome.
    fn call_blocking(
        &self,
        server: &str,
        tool: &str,
        def: Option<&ToolDef>,
        args: Map<String, Value>,
    ) -> Attempt {
        let t0 = Instant::now();
        let outcome = self.invoker.call(server, tool, args, &self.cancel);
        self.conclude(server, tool, def, outcome, t0.elapsed())
    }

    /// The tool's definition and the arguments' summary, and the call announced to the
    /// observers. A tool that appeared after the run started (`tools/list_changed`) is looked
    /// up afresh, so that the policy sees its annotations too.
    fn begin(
        &self,
        index: usize,
        server: &str,
        tool: &str,
        args: &Map<String, Value>,
    ) -> (Option<std::borrow::Cow<'_, ToolDef>>, String) {
        let def = match self.tools.get(server).and_then(|t| t.get(tool)) {
            Some(d) => Some(std::borrow::Cow::Borrowed(d)),
            None => self
                .invoker
                .servers()
                .into_iter()
                .find(|s| s.name == server)
                .and_then(|s| s.tools.iter().find(|t| t.name == tool).cloned())
                .map(std::borrow::Cow::Owned),
        };
        let args_summary = crate::util::json_prefix(args, 300);
        if self.observed() {
            self.emit(RunEvent::CallStarted {
                index,
                server: server.to_string(),
                tool: tool.to_string(),
                args_summary: args_summary.clone(),
                args: Value::Object(args.clone()),
            });
        }
        (def, args_summary)
    }

    /// Records the call and gives its value or failure.
    fn finish(
        &self,
        index: usize,
        server: &str,
        tool: &str,
        args_summary: String,
        attempt: Attempt,
    ) -> Result<Value, Failure> {
        let rec = CallRecord {
            index,
            server: server.to_string(),
            tool: tool.to_string(),
            args_summary,
            duration: attempt.took,
            ok: attempt.result.is_ok(),
            error: attempt.result.as_ref().err().map(|(_, m)| m.clone()),
            result_bytes: attempt.bytes,
            outcome: attempt.outcome,
        };
        // The observers see the record before the run keeps it (no copy of it is made).
        let event = RunEvent::CallFinished(rec);
        self.emit_ref(&event);
        if let RunEvent::CallFinished(rec) = event {
            self.lock().calls.push(rec);
        }
        attempt.result.map_err(|(failure, _)| failure)
    }

    /// Approval under the policy: the refused attempt when the call may not go out.
    fn refusal(
        &self,
        index: usize,
        server: &str,
        tool: &str,
        def: Option<&ToolDef>,
        args: &Map<String, Value>,
    ) -> Option<Attempt> {
        let message = self.approve(index, server, def?, args).err()?;
        Some(Attempt {
            result: thrown(server, tool, message, CallKind::Policy),
            ..Attempt::default()
        })
    }

    /// The checks of a call's outcome (`took` is how long it ran): the value, or the failure.
    fn conclude(
        &self,
        server: &str,
        tool: &str,
        def: Option<&ToolDef>,
        outcome: Result<crate::mcp::CallOutcome, CallError>,
        took: Duration,
    ) -> Attempt {
        let mut done = Attempt {
            took,
            ..Attempt::default()
        };
        let outcome = match outcome {
            Err(CallError::Cancelled { .. }) if self.cancel.is_cancelled() => {
                let reason = self.stop_reason().unwrap_or("cancelled");
                done.result = Err((Failure::Stop(reason), reason.into()));
                return done;
            }
            Err(e) => {
                done.result = thrown(server, tool, e.to_string(), CallKind::of(&e));
                return done;
            }
            Ok(o) => o,
        };
        if self.record_results {
            done.outcome = Some(Arc::new(serde_json::to_value(&outcome).unwrap_or_default()));
        }
        done.bytes = outcome.wire_bytes();
        let over = {
            let mut st = self.lock();
            st.result_bytes += done.bytes;
            st.result_bytes > self.limits.max_result_bytes
        };
        done.result = if over {
            Err((Failure::Stop("max_result_bytes"), "max_result_bytes".into()))
        } else if outcome.is_error {
            thrown(server, tool, outcome.text(), CallKind::ToolError)
        } else if let (Some(def), Some(structured)) = (def, &outcome.structured_content)
            && let Err(problem) = def.check_output(structured)
        {
            let message = format!("result does not match the tool's outputSchema: {problem}");
            thrown(server, tool, message, CallKind::OutputSchema)
        } else {
            Ok(outcome_value(outcome))
        };
        done
    }

    /// A tool call from the script: argument conversion, limits, invocation, and the result
    /// or the error as Rhai sees it.
    pub fn call(&self, server: &str, tool: &str, args: Dynamic, pos: Position) -> RhaiResult {
        let args = self.args_map(server, tool, &args, pos)?;
        let index = self.reserve(1).map_err(|r| self.stop(r, pos))?;
        match self.invoke(index, server, tool, args) {
            Ok(v) => Ok(from_json(&v)),
            Err(f) => Err(self.failure(f, pos)),
        }
    }

    /// The Rhai error for a failed call.
    pub fn failure(&self, f: Failure, pos: Position) -> Box<EvalAltResult> {
        match f {
            Failure::Thrown(map) => EvalAltResult::ErrorRuntime(from_json(&map), pos).into(),
            Failure::Stop(reason) => self.stop(reason, pos),
        }
    }

    /// The argument of a tool function as a JSON object (`()` counts as `#{}`).
    pub fn args_map(
        &self,
        server: &str,
        tool: &str,
        args: &Dynamic,
        pos: Position,
    ) -> Result<Map<String, Value>, Box<EvalAltResult>> {
        let bad = |message: String| -> Box<EvalAltResult> {
            EvalAltResult::ErrorRuntime(
                from_json(&json!({"server": server, "tool": tool, "message": message, "kind": CallKind::InvalidArguments.as_str()})),
                pos,
            )
            .into()
        };
        // Arguments are refused once they would take more than the run's memory as text.
        match to_json_within(args, self.limits.effective_max_memory()) {
            Ok(Value::Object(map)) => Ok(map),
            Err(ToJsonError::TooLarge(_)) => Err(self.stop("max_memory", pos)),
            Ok(Value::Null) => Ok(Map::new()),
            Ok(other) => Err(bad(format!(
                "{server}::{tool} takes one object map like #{{ key: value }}, not {}",
                match other {
                    Value::Array(_) => "an array",
                    Value::String(_) => "a string",
                    Value::Number(_) => "a number",
                    Value::Bool(_) => "a boolean",
                    _ => "that value",
                }
            ))),
            Err(e) => Err(bad(format!("arguments of {server}::{tool}: {e}"))),
        }
    }

    /// The calls, prints and limit hit so far.
    pub fn take_outcome(&self) -> (Vec<CallRecord>, Vec<String>, Option<LimitHit>) {
        let mut st = self.lock();
        let mut prints = std::mem::take(&mut st.prints);
        if st.prints_dropped > 0 {
            prints.push(format!(
                "… {} more printed lines dropped (max_output_bytes)",
                st.prints_dropped
            ));
        }
        let mut calls = std::mem::take(&mut st.calls);
        calls.sort_by_key(|c| c.index);
        (calls, prints, st.limit_hit.clone())
    }

    /// The limit recorded so far, if any.
    pub fn limit_hit(&self) -> Option<LimitHit> {
        self.lock().limit_hit.clone()
    }
}

/// A catchable failure of `server::tool`: the error map and the message its record carries.
fn thrown(
    server: &str,
    tool: &str,
    message: String,
    kind: CallKind,
) -> Result<Value, (Failure, String)> {
    let map = json!({"server": server, "tool": tool, "message": message, "kind": kind.as_str()});
    Err((Failure::Thrown(map), message))
}

/// What registered functions return.
pub(crate) type RhaiResult = Result<Dynamic, Box<EvalAltResult>>;
