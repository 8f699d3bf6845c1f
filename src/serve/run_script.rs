//! `run_script`: one sandboxed run per call, with progress notifications per tool call,
//! cancellation from the client, approvals asked of the client's user (by a request, or on
//! protocol 2026-07-28 in rounds: [`super::rounds`]), and an answer within the output budget
//! shaped for a model to read and act on.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RoleServer};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::Engine;
use super::rounds::{self, Caller, JobContext, ProgressSlot, Reply};
use super::tools::Answer;
use crate::script::approval::{Approval, ApprovalRequest, Approver};
use crate::script::{self, Plan, RunEvent, RunOptions, RunReport, budget};

/// The parsed arguments.
#[derive(Debug)]
struct Args {
    code: String,
    timeout: Option<Duration>,
    result_schema: Option<Value>,
}

fn parse_args(args: &Value) -> Result<Args, String> {
    let code = args
        .get("code")
        .and_then(Value::as_str)
        .filter(|c| !c.trim().is_empty())
        .ok_or("`code` is required: the Rhai script to run.")?
        .to_string();
    let timeout = match args.get("timeout") {
        None | Some(Value::Null) => None,
        Some(Value::Number(n)) => match n.as_f64() {
            Some(s) if s > 0.0 && s.is_finite() => Some(Duration::from_secs_f64(s.min(86_400.0))),
            _ => {
                return Err(format!(
                    "`timeout` must be a positive number of seconds, not {n}"
                ));
            }
        },
        Some(Value::String(s)) => {
            Some(crate::config::parse_duration(s).map_err(|e| format!("`timeout`: {e}"))?)
        }
        Some(other) => {
            return Err(format!(
                "`timeout` must be seconds or a string like \"10s\", not {other}"
            ));
        }
    };
    let result_schema = match args.get("result_schema") {
        None | Some(Value::Null) => None,
        Some(schema) => {
            jsonschema::validator_for(schema)
                .map_err(|e| format!("`result_schema` is not a valid JSON Schema: {e}"))?;
            Some(schema.clone())
        }
    };
    Ok(Args {
        code,
        timeout,
        result_schema,
    })
}

/// Where progress goes while a script runs.
pub struct Progress {
    /// The client's peer.
    pub peer: Peer<RoleServer>,
    /// The request's progress token.
    pub token: ProgressToken,
}

/// Starts `run_script` and waits for its end (or until the client cancels). Calls the policy
/// asks about are put to the client's user as `caller.asking` says.
pub async fn run(engine: &Arc<Engine>, args: &Value, caller: Caller) -> Reply {
    let parsed = match parse_args(args) {
        Ok(a) => a,
        Err(e) => return Reply::Done(Answer::error(e).into_result()),
    };
    engine.registry.wait_settled(engine.settle).await;
    let mut limits = engine.limits.clone();
    if let Some(t) = parsed.timeout {
        limits.timeout = limits.timeout.min(t);
    }
    // A slot among `[serve] max_concurrent_runs`, held until the run ends.
    let slot = match engine.runs.acquire(limits.timeout, &caller.cancel).await {
        Ok(permit) => permit,
        Err(why) => return Reply::Done(Answer::error(why).into_result()),
    };
    let engine2 = engine.clone();
    let job = move |job: JobContext| {
        let engine = engine2;
        let asked = Arc::new(AtomicBool::new(false));
        let mut opts = RunOptions {
            limits,
            policy: engine.policy.clone(),
            result_schema: parsed.result_schema,
            audit: engine.audit.clone(),
            approver: Some(Arc::new(Asked {
                inner: job.approver,
                asked: asked.clone(),
            })),
            approvals: engine.approvals.clone(),
            cancel: job.cancel,
            limit_advice: script::LimitAdvice::Operator,
            ..Default::default()
        };
        let forwarder = job.progress.map(|slot| forward_progress(&mut opts, slot));
        let invoker = Arc::new(script::RegistryInvoker {
            registry: engine.registry.clone(),
            handle: tokio::runtime::Handle::current(),
        });
        async move {
            let _slot = slot;
            let budget = opts.limits.max_output_tokens;
            let servers = script::ToolInvoker::servers(&*invoker);
            let code = parsed.code.clone();
            let report =
                tokio::task::spawn_blocking(move || script::run(&code, invoker, opts)).await;
            if let Some(f) = forwarder {
                // The observer (and its sender) went away with the run: the forwarder drains.
                let _ = f.await;
            }
            let answer = match report {
                Ok(report) => {
                    // A call needed approval: show every call the script can make, so the
                    // model (and its user) see what a rerun would ask for.
                    let plan = asked
                        .load(Ordering::Relaxed)
                        .then(|| script::plan(&parsed.code, &servers).ok())
                        .flatten();
                    answer(&report, &parsed.code, budget, plan.as_ref())
                }
                Err(e) => Answer::error(format!("internal error: the script task failed: {e}")),
            };
            answer.into_result()
        }
    };
    rounds::start(
        &engine.paused,
        (super::tools::RUN, args),
        caller,
        ASKER,
        job,
    )
    .await
}

/// Who asks, in the user's question.
const ASKER: &str = "A Code Mode script";

/// Sends each finished call as a progress notification to the request in `slot`, if any;
/// the forwarder ends with the run.
fn forward_progress(opts: &mut RunOptions, slot: ProgressSlot) -> tokio::task::JoinHandle<()> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(f64, String)>();
    opts.observers.push(Arc::new(move |e: &RunEvent| {
        if let RunEvent::CallFinished(rec) = e {
            let state = if rec.ok { "ok" } else { "failed" };
            let message = format!(
                "{}::{} {state} ({} ms)",
                rec.server,
                rec.tool,
                rec.duration.as_millis()
            );
            let _ = tx.send(((rec.index + 1) as f64, message));
        }
    }));
    tokio::spawn(async move {
        let mut last = 0.0;
        while let Some((n, message)) = rx.recv().await {
            // Calls finish out of order under `parallel`: progress must only grow.
            last = f64::max(last, n);
            let Some((peer, token)) = rounds::lock(&slot)
                .as_ref()
                .map(|p| (p.peer.clone(), p.token.clone()))
            else {
                continue;
            };
            let mut param = ProgressNotificationParam::new(token, last);
            param.message = Some(message);
            if peer.notify_progress(param).await.is_err() {
                break;
            }
        }
    })
}

/// Notes that the policy asked about a call, then asks `inner`.
struct Asked {
    inner: Arc<dyn Approver>,
    asked: Arc<AtomicBool>,
}

impl Approver for Asked {
    fn approve(&self, req: &ApprovalRequest, cancel: &CancellationToken) -> Approval {
        self.asked.store(true, Ordering::Relaxed);
        self.inner.approve(req, cancel)
    }
}

/// The answer for a finished run: a status line, then prints, call trace and the result (or
/// the error with its code frame) within half the output budget; the report as structured
/// content within the other half, so the whole answer stays within `budget` tokens (0: none).
fn answer(report: &RunReport, source: &str, budget: usize, plan: Option<&Plan>) -> Answer {
    let half = if budget == 0 { 0 } else { (budget / 2).max(1) };
    let status = match &report.error {
        None => "ok",
        Some(_) => "failed",
    };
    let mut text = format!(
        "{status}: {} calls in {} ms (run {})\n",
        report.calls.len(),
        report.elapsed.as_millis(),
        report.run_id
    );
    text.push_str(&budget::budgeted(report, source, half).text);
    let mut structured = budget::report_json(report, source, half);
    structured["ok"] = json!(report.ok());
    if let Some(p) = plan {
        text.push_str("\nCalls this script can make (some need the user's approval):\n");
        text.push_str(&p.render());
        structured["plan"] = serde_json::to_value(p).unwrap_or_default();
    }
    Answer {
        text,
        structured: Some(structured),
        is_error: !report.ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_checked() {
        assert!(
            parse_args(&json!({}))
                .unwrap_err()
                .contains("`code` is required")
        );
        let a = parse_args(&json!({"code": "1", "timeout": 2.5})).unwrap();
        assert_eq!(a.timeout, Some(Duration::from_millis(2500)));
        let a = parse_args(&json!({"code": "1", "timeout": "300ms"})).unwrap();
        assert_eq!(a.timeout, Some(Duration::from_millis(300)));
        assert!(parse_args(&json!({"code": "1", "timeout": -1})).is_err());
        assert!(parse_args(&json!({"code": "1", "timeout": true})).is_err());
        let err = parse_args(&json!({"code": "1", "result_schema": {"type": 3}})).unwrap_err();
        assert!(err.contains("result_schema"), "{err}");
    }
}
