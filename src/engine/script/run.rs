//! Running one script: on its own thread with a large stack, with a watchdog for the
//! timeout, producing a [`RunReport`].

// The error side is built once per run; boxing it buys nothing.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::thread;

use rhai::{Dynamic, EvalAltResult, ParseError, ParseErrorType};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::convert::{ToJsonError, to_json_within};
use super::ctx::{Observer, RunCtx};
use super::error::{ErrorKind, ScriptError, innermost};
use super::invoker::ToolInvoker;
use super::limits::{Limits, SCRIPT_STACK_BYTES, STACK_PER_MEMORY_BYTE};
use super::policy::Policy;
use super::report::{LimitHit, RunEvent, RunReport};

/// How to run a script.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// The limits.
    pub limits: Limits,
    /// Which tools may be called.
    pub policy: Policy,
    /// A JSON Schema the final result must match (`--result-schema`).
    pub result_schema: Option<Value>,
    /// Cancels the run from outside (Ctrl-C, the TUI).
    pub cancel: CancellationToken,
    /// Receive every event as it happens (live channel, audit log).
    pub observers: Vec<Observer>,
    /// The run id; a fresh one when empty.
    pub run_id: String,
    /// Where to record the run (`run_start`, every call, print and limit, `run_end`).
    pub audit: Option<Arc<super::audit::AuditLog>>,
    /// Keep every call's full outcome in its record, for the audit log (`--record`).
    pub record: bool,
    /// Who answers calls the policy asks about; none: every ask is refused.
    pub approver: Option<Arc<dyn super::approval::Approver>>,
    /// The approved definitions: tools are pinned on first use and on approval, and a
    /// changed definition is asked about (per policy). None: approvals are not tracked.
    pub approvals: Option<Arc<super::approval::ApprovalStore>>,
    /// How a limit the run reaches can be raised, as its error advises.
    pub limit_advice: LimitAdvice,
}

/// Who can raise a limit a run reaches, and how: the advice in the limit's error.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum LimitAdvice {
    /// `codemode run`: its flags, or `[limits]` in the config.
    #[default]
    Flags,
    /// The workbench: `[limits]` in the config (F6 reloads it).
    Config,
    /// `serve`: not the agent that sent the script; whoever runs `codemode serve`.
    Operator,
}

impl LimitAdvice {
    /// The advice for `limit` (a `[limits]` key).
    pub fn text(self, limit: &str) -> String {
        if limit == "max_modules" {
            return "`import` is not available in the sandbox".into();
        }
        match self {
            LimitAdvice::Flags => match limit {
                "max_operations" => "raise it with --max-ops N or [limits] max_operations".into(),
                "max_tool_calls" => {
                    "raise it with --max-tool-calls N or [limits] max_tool_calls".into()
                }
                "timeout" => "raise it with --timeout or [limits] timeout".into(),
                other => format!("raise it with --limit {other}=N or [limits] {other}"),
            },
            LimitAdvice::Config => {
                format!("raise it in the config's [limits] table ({limit} = ...; F6 reloads)")
            }
            LimitAdvice::Operator => format!(
                "it is set by whoever runs codemode serve ([limits] {limit}); do less in one script, or split the work over several"
            ),
        }
    }
}

/// An observer that forwards every event into a channel, for front ends that poll (the TUI).
/// The last event of a run is [`RunEvent::Finished`].
pub fn event_channel() -> (Observer, tokio::sync::mpsc::UnboundedReceiver<RunEvent>) {
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let observer: Observer = Arc::new(move |e: &RunEvent| {
        let _ = tx.send(e.clone());
    });
    (observer, rx)
}

/// A fresh run id (a UUID v4).
pub fn new_run_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Runs `source` and waits for the report. Blocks the calling thread; never call it on a
/// tokio worker thread (use `spawn_blocking`), since tool calls block on the runtime.
pub fn run(source: &str, invoker: Arc<dyn ToolInvoker>, mut opts: RunOptions) -> RunReport {
    let source = source.to_string();
    let run_id = if opts.run_id.is_empty() {
        new_run_id()
    } else {
        opts.run_id.clone()
    };
    let audit = opts.audit.clone();
    if let Some(log) = &audit {
        log.run_start(&run_id, &source, &opts.limits, &invoker.servers());
        // First, so a record is on disk before any front end shows the event.
        opts.observers.insert(0, log.observer(&run_id));
    }
    let report = run_thread(source, invoker, opts, run_id);
    if let Some(log) = &audit {
        log.run_end(&report);
    }
    report
}

fn run_thread(
    source: String,
    invoker: Arc<dyn ToolInvoker>,
    mut opts: RunOptions,
    run_id: String,
) -> RunReport {
    let failed = |message: String| RunReport {
        run_id: run_id.clone(),
        result: Value::Null,
        prints: vec![],
        calls: vec![],
        error: Some(ScriptError::new(ErrorKind::Internal, message)),
        limit_hit: None,
        operations: 0,
        elapsed: Default::default(),
    };
    loop {
        let stack = opts.limits.script_stack_bytes();
        let (source, invoker, attempt, id) = (
            source.clone(),
            invoker.clone(),
            opts.clone(),
            run_id.clone(),
        );
        let spawned = thread::Builder::new()
            .name("codemode-script".into())
            .stack_size(stack)
            .spawn(move || run_on_this_thread(&source, invoker, attempt, id));
        match spawned {
            Ok(handle) => {
                return handle.join().unwrap_or_else(|_| {
                    failed("internal error: the script thread panicked".into())
                });
            }
            // The stack is sized from `max_memory` (see `STACK_PER_MEMORY_BYTE`); where the
            // system refuses to reserve that much (strict overcommit, small address space),
            // halve both until it fits, so deep values still cannot overflow the stack.
            Err(e) if stack > SCRIPT_STACK_BYTES => {
                let smaller = (stack - SCRIPT_STACK_BYTES) / 2 / STACK_PER_MEMORY_BYTE;
                tracing::warn!(
                    "cannot reserve a {stack}-byte script stack ({e}); max_memory lowered to \
                     {smaller} bytes for this run"
                );
                opts.limits.max_memory = smaller;
            }
            Err(e) => return failed(format!("cannot start the script thread: {e}")),
        }
    }
}

fn run_on_this_thread(
    source: &str,
    invoker: Arc<dyn ToolInvoker>,
    opts: RunOptions,
    run_id: String,
) -> RunReport {
    super::memory::track(true);
    let mut ctx = RunCtx::new(
        invoker,
        opts.limits.clone(),
        opts.policy.clone(),
        opts.cancel.clone(),
        opts.observers.clone(),
    );
    ctx.approver.clone_from(&opts.approver);
    ctx.approvals.clone_from(&opts.approvals);
    ctx.record_results = opts.record;
    ctx.limit_advice = opts.limit_advice;
    let ctx = Arc::new(ctx);
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = {
        let ctx = ctx.clone();
        let timeout = opts.limits.timeout;
        thread::Builder::new()
            .name("codemode-watchdog".into())
            .spawn(move || {
                if let Err(mpsc::RecvTimeoutError::Timeout) = done_rx.recv_timeout(timeout) {
                    ctx.timed_out.store(true, Ordering::Relaxed);
                    ctx.cancel.cancel();
                }
            })
            .ok()
    };
    let outcome = evaluate(source, &ctx, &opts);
    drop(done_tx);
    if let Some(w) = watchdog {
        let _ = w.join();
    }
    let (calls, prints, recorded) = ctx.take_outcome();
    let (result, error, limit_hit) = match outcome {
        Ok(v) => (v, None, None),
        Err((e, hit)) => (Value::Null, Some(e), hit.or(recorded)),
    };
    super::memory::track(false);
    let report = RunReport {
        run_id,
        result,
        prints,
        calls,
        error,
        limit_hit,
        operations: ctx.operations.load(Ordering::Relaxed),
        elapsed: ctx.started.elapsed(),
    };
    if ctx.observed() {
        ctx.emit(RunEvent::Finished(Box::new(report.clone())));
    }
    report
}

type Failed = (ScriptError, Option<LimitHit>);

fn evaluate(source: &str, ctx: &Arc<RunCtx>, opts: &RunOptions) -> Result<Value, Failed> {
    let limits = &opts.limits;
    if source.len() > limits.max_source_bytes {
        return Err(limit(ctx, "max_source_bytes", None, source));
    }
    let engine = super::engine::build(ctx);
    let ast = engine
        .compile(source)
        .map_err(|e| with_hint(ctx, parse_failure(ctx, &e, source), source))?;
    let value: Dynamic = engine
        .eval_ast(&ast)
        .map_err(|e| with_hint(ctx, runtime_failure(ctx, &e, source), source))?;
    let json = match to_json_within(&value, limits.max_output_bytes) {
        Ok(json) => json,
        Err(ToJsonError::TooLarge(_)) => {
            return Err(limit(ctx, "max_output_bytes", None, source));
        }
        Err(e) => {
            let message = format!("the result is not JSON: {e}");
            return Err((ScriptError::new(ErrorKind::Result, message), None));
        }
    };
    drop(value);
    let size = json.to_string().len();
    if size > limits.max_output_bytes {
        return Err(limit(ctx, "max_output_bytes", None, source));
    }
    if let Some(schema) = &opts.result_schema
        && let Err(problem) = crate::mcp::check_args(schema, &json)
    {
        return Err((
            ScriptError::new(
                ErrorKind::Result,
                format!("the result does not match --result-schema: {problem}"),
            ),
            None,
        ));
    }
    Ok(json)
}

/// Adds a hint about server and tool names when the error has none.
fn with_hint(ctx: &RunCtx, (mut err, hit): Failed, source: &str) -> Failed {
    if err.hint.is_none() && hit.is_none() {
        let line = err
            .line
            .and_then(|l| source.lines().nth(l - 1))
            .unwrap_or("");
        err.hint = super::suggest::hint(&ctx.tools, &err.message, line);
    }
    (err, hit)
}

/// The error for a limit, with the limit recorded.
fn limit(ctx: &RunCtx, name: &str, pos: Option<rhai::Position>, source: &str) -> Failed {
    ctx.hit(name);
    let hit = ctx.limit_hit().unwrap_or(LimitHit {
        limit: name.to_string(),
        value: ctx.limits.describe(name),
    });
    // The advice is for the limit the message names: the first one reached, which is not
    // always `name` (memory counted past its limit while a string was being refused).
    let how = ctx.limit_advice.text(&hit.limit);
    let err = ScriptError::new(ErrorKind::Limit, format!("{hit}; {how}"));
    let err = match pos {
        Some(p) => err.at(p, source),
        None => err,
    };
    (err, Some(hit))
}

fn parse_failure(ctx: &RunCtx, e: &ParseError, source: &str) -> Failed {
    let pos = e.position();
    match e.err_type() {
        ParseErrorType::ExprTooDeep => limit(ctx, "max_expr_depth", Some(pos), source),
        ParseErrorType::LiteralTooLarge(what, _) => {
            let name = if what.contains("string") {
                "max_string_size"
            } else if what.contains("map") {
                "max_map_size"
            } else {
                "max_array_size"
            };
            limit(ctx, name, Some(pos), source)
        }
        other => (
            ScriptError::new(ErrorKind::Parse, other.to_string()).at(pos, source),
            None,
        ),
    }
}

fn runtime_failure(ctx: &RunCtx, e: &EvalAltResult, source: &str) -> Failed {
    let (inner, pos) = innermost(e);
    let lim = |name: &str| limit(ctx, name, Some(pos), source);
    match inner {
        EvalAltResult::ErrorTooManyOperations(_) => lim("max_operations"),
        EvalAltResult::ErrorStackOverflow(_) => lim("max_call_depth"),
        EvalAltResult::ErrorTooManyModules(_) => lim("max_modules"),
        EvalAltResult::ErrorDataTooLarge(what, _) => lim(if what.contains("string") {
            "max_string_size"
        } else if what.contains("map") {
            "max_map_size"
        } else {
            "max_array_size"
        }),
        EvalAltResult::ErrorTerminated(token, _) => {
            let reason = token.clone().into_string().unwrap_or_default();
            if reason == "cancelled" {
                let err = ScriptError::new(ErrorKind::Cancelled, "the run was cancelled");
                (err.at(pos, source), None)
            } else {
                lim(&reason)
            }
        }
        EvalAltResult::ErrorParsing(p, _) => (
            ScriptError::new(ErrorKind::Parse, p.to_string()).at(pos, source),
            None,
        ),
        EvalAltResult::ErrorRuntime(value, _) => {
            // What was thrown is shown, so only as much of it as fits in an output.
            let max = ctx.limits.max_output_bytes;
            let thrown = to_json_within(value, max).ok();
            let message = match &thrown {
                Some(Value::Object(m)) if m.contains_key("message") => {
                    let text = m["message"].as_str().unwrap_or_default();
                    match (m.get("server"), m.get("tool")) {
                        (Some(Value::String(s)), Some(Value::String(t))) => {
                            format!("uncaught error from {s}::{t}: {text}")
                        }
                        _ => format!("uncaught error: {text}"),
                    }
                }
                Some(Value::String(s)) => format!("uncaught error: {s}"),
                Some(other) => format!("uncaught error: {other}"),
                None => format!(
                    "uncaught error: {}",
                    crate::util::display_prefix(value, max.min(300))
                ),
            };
            let mut err = ScriptError::new(ErrorKind::Runtime, message).at(pos, source);
            err.thrown = thrown;
            (err, None)
        }
        other => (
            ScriptError::new(ErrorKind::Runtime, without_position(&other.to_string()))
                .at(pos, source),
            None,
        ),
    }
}

/// Rhai's message without its trailing ` (line N, position M)`: the frame shows the place.
fn without_position(text: &str) -> String {
    match text.rfind(" (line ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::script::replay::{Recording, ReplayInvoker};

    fn ctx(advice: LimitAdvice) -> RunCtx {
        let invoker = Arc::new(ReplayInvoker::new(Recording {
            run_id: String::new(),
            script: String::new(),
            servers: vec![],
            calls: vec![],
        }));
        let mut ctx = RunCtx::new(
            invoker,
            Limits::default(),
            Policy::default(),
            CancellationToken::new(),
            vec![],
        );
        ctx.limit_advice = advice;
        ctx
    }

    #[test]
    fn a_limit_message_advises_on_the_limit_it_names() {
        let ctx = ctx(LimitAdvice::Flags);
        ctx.hit("max_memory");
        let (err, hit) = limit(&ctx, "max_string_size", None, "");
        assert_eq!(hit.map(|h| h.limit).as_deref(), Some("max_memory"));
        assert!(
            err.message.contains("max_memory")
                && err
                    .message
                    .ends_with("--limit max_memory=N or [limits] max_memory"),
            "{}",
            err.message
        );
    }

    #[test]
    fn the_advice_is_for_whoever_can_raise_the_limit() {
        let message = |advice| limit(&ctx(advice), "max_tool_calls", None, "").0.message;
        let flags = message(LimitAdvice::Flags);
        assert!(
            flags.ends_with("raise it with --max-tool-calls N or [limits] max_tool_calls"),
            "{flags}"
        );
        let config = message(LimitAdvice::Config);
        assert!(
            config.ends_with(
                "raise it in the config's [limits] table (max_tool_calls = ...; F6 reloads)"
            ),
            "{config}"
        );
        let agent = message(LimitAdvice::Operator);
        assert!(
            agent.contains("whoever runs codemode serve ([limits] max_tool_calls)")
                && !agent.contains("--"),
            "an agent gets no flags it cannot pass: {agent}"
        );
        assert_eq!(
            LimitAdvice::Operator.text("max_modules"),
            "`import` is not available in the sandbox"
        );
    }
}
