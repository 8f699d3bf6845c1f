//! `run_script`: one sandboxed run per call, with progress notifications per tool call,
//! cancellation from the client, and an answer shaped for a model to read and act on.

use std::sync::Arc;
use std::time::Duration;

use rmcp::model::{ProgressNotificationParam, ProgressToken};
use rmcp::service::{Peer, RoleServer};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::Engine;
use super::tools::Answer;
use crate::script::{self, RunEvent, RunOptions, RunReport};

/// Prints kept in an answer: this many from the start and from the end.
const PRINTS_HEAD: usize = 100;
const PRINTS_TAIL: usize = 50;
/// Calls listed in an answer's trace, from the start and from the end.
const CALLS_HEAD: usize = 40;
const CALLS_TAIL: usize = 20;
/// Longest print line in an answer.
const PRINT_LINE_MAX: usize = 2000;

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

/// Runs `run_script` to the end (or until `cancel`).
pub async fn run(
    engine: &Engine,
    args: &Value,
    cancel: CancellationToken,
    progress: Option<Progress>,
) -> Answer {
    let args = match parse_args(args) {
        Ok(a) => a,
        Err(e) => return Answer::error(e),
    };
    engine.registry.wait_settled(engine.settle).await;
    let mut limits = engine.limits.clone();
    if let Some(t) = args.timeout {
        limits.timeout = limits.timeout.min(t);
    }
    let mut opts = RunOptions {
        limits,
        policy: engine.policy.clone(),
        result_schema: args.result_schema,
        audit: engine.audit.clone(),
        cancel,
        ..Default::default()
    };
    let forwarder = progress.map(|p| {
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
                let mut param = ProgressNotificationParam::new(p.token.clone(), last);
                param.message = Some(message);
                if p.peer.notify_progress(param).await.is_err() {
                    break;
                }
            }
        })
    });
    let invoker = Arc::new(script::RegistryInvoker {
        registry: engine.registry.clone(),
        handle: tokio::runtime::Handle::current(),
    });
    let code = args.code.clone();
    let report = tokio::task::spawn_blocking(move || script::run(&code, invoker, opts)).await;
    if let Some(f) = forwarder {
        // The observer (and its sender) went away with the run: the forwarder drains and ends.
        let _ = f.await;
    }
    match report {
        Ok(report) => answer(&report, &args.code),
        Err(e) => Answer::error(format!("internal error: the script task failed: {e}")),
    }
}

/// Keeps `head` items from the start and `tail` from the end; returns how many were cut.
fn cut_middle<T>(items: &mut Vec<T>, head: usize, tail: usize) -> usize {
    if items.len() <= head + tail {
        return 0;
    }
    let cut = items.len() - head - tail;
    items.drain(head..head + cut);
    cut
}

/// The answer for a finished run: text (result or error with its code frame, prints, call
/// trace) and the same as structured content.
fn answer(report: &RunReport, source: &str) -> Answer {
    let mut prints: Vec<String> = report
        .prints
        .iter()
        .map(|p| crate::util::truncate(p, PRINT_LINE_MAX))
        .collect();
    let prints_cut = cut_middle(&mut prints, PRINTS_HEAD, PRINTS_TAIL);
    let mut calls = report.calls.clone();
    let calls_cut = cut_middle(&mut calls, CALLS_HEAD, CALLS_TAIL);

    let mut text = match &report.error {
        None => format!(
            "Result:\n{}\n",
            serde_json::to_string_pretty(&report.result).unwrap_or_default()
        ),
        Some(e) => format!("Failed: {}", e.render(source)),
    };
    if !prints.is_empty() {
        text.push_str(&format!("\nPrints ({}):\n", report.prints.len()));
        for (i, p) in prints.iter().enumerate() {
            if prints_cut > 0 && i == PRINTS_HEAD {
                text.push_str(&format!("… {prints_cut} lines cut …\n"));
            }
            text.push_str(p);
            text.push('\n');
        }
    }
    text.push_str(&format!(
        "\nCalls: {} in {} ms (run {})\n",
        report.calls.len(),
        report.elapsed.as_millis(),
        report.run_id
    ));
    for (i, c) in calls.iter().enumerate() {
        if calls_cut > 0 && i == CALLS_HEAD {
            text.push_str(&format!("… {calls_cut} calls cut …\n"));
        }
        let state = match &c.error {
            None => "ok".to_string(),
            Some(e) => format!("failed: {e}"),
        };
        text.push_str(&format!(
            "#{} {}::{}({}) {} ms {state}\n",
            c.index,
            c.server,
            c.tool,
            c.args_summary,
            c.duration.as_millis()
        ));
    }
    let mut structured = serde_json::to_value(report).unwrap_or_default();
    structured["ok"] = json!(report.ok());
    structured["prints"] = json!(prints);
    structured["calls"] = serde_json::to_value(&calls).unwrap_or_default();
    if prints_cut + calls_cut > 0 {
        structured["cut"] = json!({ "prints": prints_cut, "calls": calls_cut });
    }
    if let Some(e) = &report.error {
        structured["error"]["frame"] = json!(e.render(source));
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

    #[test]
    fn long_lists_keep_head_and_tail() {
        let mut v: Vec<u32> = (0..10).collect();
        assert_eq!(cut_middle(&mut v, 3, 2), 5);
        assert_eq!(v, [0, 1, 2, 8, 9]);
        let mut v: Vec<u32> = (0..4).collect();
        assert_eq!(cut_middle(&mut v, 3, 2), 0);
        assert_eq!(v.len(), 4);
    }
}
