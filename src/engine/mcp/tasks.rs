//! Tools that must run as tasks (MCP 2025-11-25, experimental): `tools/call` with a `task`
//! parameter answers at once with a task id; we poll `tasks/get` (reporting each new status
//! as an [`EventKind::Task`] event), then fetch the tool's result with `tasks/result`.
//!
//! rmcp 3.11 models a later tasks revision (SEP-2663) and drops a tool's
//! `execution.taskSupport` while parsing `tools/list`, so we cannot see the flag up front. A
//! server must answer a plain call of a task-required tool with error -32601 (the
//! TypeScript SDK puts it in an `isError` result); we take that answer as the flag, remember
//! the tool for this connection and call it again as a task. The first call costs one extra
//! round trip; nothing ran on the server for it. Tools the server lists with
//! `execution.taskSupport: "required"` in [`ToolDef::extra`] are called as tasks directly.
//!
//! [`ToolDef::extra`]: super::ToolDef::extra

use std::time::{Duration, Instant};

use rmcp::model::{ClientRequest, CustomRequest, ServerResult};
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use super::connection::Connection;
use super::events::{Event, EventKind};
use super::{CallError, CallOutcome};

/// How long the server should keep a finished task's result for us.
const TASK_TTL_MS: u64 = 10 * 60 * 1000;
/// Poll interval when the server does not suggest one, and the bounds we keep it within.
const DEFAULT_POLL: Duration = Duration::from_millis(500);
const MIN_POLL: Duration = Duration::from_millis(50);
const MAX_POLL: Duration = Duration::from_secs(5);

/// The JSON-RPC "method not found" code a server answers a task-required tool's plain call
/// with.
const METHOD_NOT_FOUND: i32 = -32601;

/// Whether `tool` (as listed) declares `execution.taskSupport: "required"`.
pub fn declared_required(extra: &Map<String, Value>) -> bool {
    extra
        .get("execution")
        .and_then(|e| e.get("taskSupport"))
        .and_then(Value::as_str)
        == Some("required")
}

/// Whether a plain call's error says the tool must be called as a task.
pub(super) fn error_requires_task(err: &CallError) -> bool {
    matches!(err, CallError::Protocol { code, message, .. }
        if *code == METHOD_NOT_FOUND && message.contains("task"))
}

/// Whether a plain call's `isError` result says the tool must be called as a task (the
/// TypeScript SDK wraps the -32601 error this way).
pub(super) fn outcome_requires_task(outcome: &CallOutcome) -> bool {
    outcome.is_error
        && outcome.content.len() == 1
        && outcome.text().contains(&METHOD_NOT_FOUND.to_string())
        && outcome.text().contains("task augmentation")
}

/// A task's state as `tasks/get` (or the create answer) reports it.
#[derive(Clone, Debug, PartialEq)]
struct TaskState {
    id: String,
    status: String,
    message: Option<String>,
    poll: Option<Duration>,
}

impl TaskState {
    /// Reads the 2025-11-25 shape (`{task: {...}}` on create, the task's fields at top level
    /// on `tasks/get`) and rmcp's flattened one alike.
    fn parse(reply: &ServerResult) -> Option<TaskState> {
        let value = serde_json::to_value(reply).ok()?;
        let task = value
            .get("task")
            .filter(|t| t.is_object())
            .unwrap_or(&value);
        Some(TaskState {
            id: task.get("taskId")?.as_str()?.to_string(),
            status: task.get("status")?.as_str()?.to_string(),
            message: task
                .get("statusMessage")
                .and_then(Value::as_str)
                .map(str::to_string),
            poll: task
                .get("pollInterval")
                .and_then(Value::as_u64)
                .map(Duration::from_millis),
        })
    }

    fn is_terminal(&self) -> bool {
        matches!(self.status.as_str(), "completed" | "failed" | "cancelled")
    }
}

impl Connection {
    /// Calls `tool` as a task and waits for its result, within `timeout` in all.
    pub(super) async fn call_as_task(
        &self,
        tool: &str,
        args: Option<Map<String, Value>>,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<CallOutcome, CallError> {
        let deadline = Instant::now() + timeout;
        let left = || deadline.saturating_duration_since(Instant::now());
        let params = json!({
            "name": tool,
            "arguments": args.unwrap_or_default(),
            "task": { "ttl": TASK_TTL_MS },
        });
        let created = self
            .request(tool, custom("tools/call", params), left(), cancel)
            .await?;
        let mut state =
            TaskState::parse(&created).ok_or_else(|| self.unexpected(tool, &created))?;
        self.report_task(tool, &state);
        let id = state.id.clone();
        let finished = async {
            while !state.is_terminal() && state.status != "input_required" {
                let pause = state.poll.unwrap_or(DEFAULT_POLL).clamp(MIN_POLL, MAX_POLL);
                tokio::time::sleep(pause.min(left())).await;
                let reply = self
                    .request(
                        tool,
                        custom("tasks/get", json!({ "taskId": id })),
                        left(),
                        cancel,
                    )
                    .await?;
                let next = TaskState::parse(&reply).ok_or_else(|| self.unexpected(tool, &reply))?;
                if (&next.status, &next.message) != (&state.status, &state.message) {
                    self.report_task(tool, &next);
                }
                state = TaskState {
                    poll: next.poll.or(state.poll),
                    ..next
                };
            }
            if state.status == "cancelled" {
                return Err(CallError::Cancelled {
                    server: self.server().to_string(),
                    what: format!("{tool} (the server cancelled task {id})"),
                });
            }
            // Completed, failed (the result call carries the error) or waiting for input
            // (the server delivers its requests while `tasks/result` is pending).
            let reply = self
                .request(
                    tool,
                    custom("tasks/result", json!({ "taskId": id })),
                    left(),
                    cancel,
                )
                .await?;
            self.outcome(tool, reply)
        }
        .await;
        if matches!(
            finished,
            Err(CallError::Timeout { .. } | CallError::Cancelled { .. })
        ) {
            self.cancel_task(&id);
        }
        finished
    }

    /// Asks the server to stop a task we gave up on (best effort, not awaited).
    fn cancel_task(&self, id: &str) {
        let peer = self.peer().clone();
        let request = custom("tasks/cancel", json!({ "taskId": id }));
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(5), peer.send_request(request)).await;
        });
    }

    fn report_task(&self, tool: &str, state: &TaskState) {
        let _ = self.events().send(Event {
            server: self.server().to_string(),
            kind: EventKind::Task {
                tool: tool.to_string(),
                task_id: state.id.clone(),
                status: state.status.clone(),
                message: state.message.clone(),
            },
        });
    }
}

fn custom(method: &str, params: Value) -> ClientRequest {
    ClientRequest::CustomRequest(CustomRequest::new(method, Some(params)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Option<TaskState> {
        TaskState::parse(&serde_json::from_str::<ServerResult>(json).unwrap())
    }

    #[test]
    fn task_states_parse_from_create_and_get_answers() {
        let created = parse(
            r#"{"task":{"taskId":"t1","status":"working","ttl":300000,"pollInterval":1000,
                "statusMessage":"Gathering sources..."}}"#,
        )
        .unwrap();
        assert_eq!(created.id, "t1");
        assert_eq!(created.status, "working");
        assert_eq!(created.message.as_deref(), Some("Gathering sources..."));
        assert_eq!(created.poll, Some(Duration::from_secs(1)));
        assert!(!created.is_terminal());
        let got = parse(
            r#"{"taskId":"t1","status":"completed","ttl":300000,
                "createdAt":"2026-11-26T02:51:31.994Z","lastUpdatedAt":"2026-11-26T02:51:36.026Z"}"#,
        )
        .unwrap();
        assert_eq!(got.status, "completed");
        assert!(got.is_terminal());
        assert!(parse(r#"{"content":[]}"#).is_none());
    }

    #[test]
    fn the_task_required_answer_is_recognised_in_both_forms() {
        let wrapped = CallOutcome {
            content: vec![json!({"type": "text", "text":
                "MCP error -32601: Tool x requires task augmentation (taskSupport: 'required')"})],
            is_error: true,
            ..Default::default()
        };
        assert!(outcome_requires_task(&wrapped));
        let ordinary = CallOutcome {
            content: vec![json!({"type": "text", "text": "no such file"})],
            is_error: true,
            ..Default::default()
        };
        assert!(!outcome_requires_task(&ordinary));
        let err = CallError::Protocol {
            server: "s".into(),
            what: "x".into(),
            code: METHOD_NOT_FOUND,
            message: "Tool x requires task augmentation".into(),
        };
        assert!(error_requires_task(&err));
        let mut extra = Map::new();
        extra.insert("execution".into(), json!({"taskSupport": "required"}));
        assert!(declared_required(&extra));
        extra.insert("execution".into(), json!({"taskSupport": "optional"}));
        assert!(!declared_required(&extra));
    }
}
