//! Hybrid: chosen downstream tools offered for direct calls next to `run_script`, named
//! `server__tool`.

use std::sync::Arc;
use std::time::Instant;

use serde_json::{Map, Value, json};

use super::Engine;
use super::rounds::{self, Caller, JobContext, Reply};
use super::tools::Answer;
use crate::mcp::{CallOptions, ServerState, ServerStatus, ToolDef};
use crate::script::Decision;
use crate::script::approval::{Approval, ApprovalRequest, gate, settle};

/// MCP clients commonly accept tool names of at most 64 characters from `[A-Za-z0-9_-]`.
const MAX_NAME: usize = 64;

/// The name a pass-through tool is offered under: `server__tool`, with every other
/// character than `[A-Za-z0-9_-]` replaced by `_` and cut to 64 characters.
pub fn exposed_name(server: &str, tool: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let mut name = format!("{}__{}", clean(server), clean(tool));
    name.truncate(MAX_NAME);
    name
}

fn pattern_matches(pattern: &str, server: &str, tool: &str) -> bool {
    let Some((s, t)) = pattern.split_once("::") else {
        return pattern == server;
    };
    s == server
        && match t.strip_suffix('*') {
            Some(prefix) => tool.starts_with(prefix),
            None => t == tool,
        }
}

/// One pass-through tool: its exposed name and where it goes.
pub struct Route {
    /// `server__tool`.
    pub exposed: String,
    /// The downstream server.
    pub server: String,
    /// The downstream tool.
    pub def: ToolDef,
}

/// The pass-through tools of the ready servers, in config order. A name that two tools
/// would share goes to the first (the second is left out rather than shadowing it).
pub fn routes(patterns: &[String], states: &[ServerState]) -> Vec<Route> {
    let mut out: Vec<Route> = Vec::new();
    if patterns.is_empty() {
        return out;
    }
    for s in states.iter().filter(|s| s.status == ServerStatus::Ready) {
        for def in s.tools.iter() {
            if !patterns
                .iter()
                .any(|p| pattern_matches(p, &s.name, &def.name))
            {
                continue;
            }
            let exposed = exposed_name(&s.name, &def.name);
            if out.iter().any(|r| r.exposed == exposed) || super::tools::is_own(&exposed) {
                continue;
            }
            out.push(Route {
                exposed,
                server: s.name.clone(),
                def: def.clone(),
            });
        }
    }
    out
}

impl Route {
    /// The MCP definition: the downstream tool's schemas and annotations under the new name.
    pub fn definition(&self) -> Value {
        let d = &self.def;
        let title = d
            .title
            .clone()
            .or_else(|| d.annotations.as_ref().and_then(|a| a.title.clone()))
            .unwrap_or_else(|| d.name.clone());
        let mut v = json!({
            "name": self.exposed,
            "title": format!("{}: {title}", self.server),
            "description": format!(
                "[{} server, direct call] {}",
                self.server,
                d.description.as_deref().unwrap_or("")
            ),
            "inputSchema": d.input_schema,
        });
        if let Some(o) = &d.output_schema {
            v["outputSchema"] = o.clone();
        }
        if let Some(a) = &d.annotations {
            v["annotations"] = serde_json::to_value(a).unwrap_or_default();
        }
        v
    }
}

/// Calls a pass-through tool through the policy and approvals (asked of the client's user,
/// like a script's calls), recording it in the audit log. Failures are tool-level errors
/// (`isError`) with a sentence the model can act on.
/// `given` are the arguments as sent (none, or an object), `args` the same as a value (a
/// retry must repeat them).
pub async fn call(
    engine: &Arc<Engine>,
    route: Route,
    (args, given): (&Value, Option<Map<String, Value>>),
    caller: Caller,
) -> Reply {
    let (exposed, engine2) = (route.exposed.clone(), engine.clone());
    let job = move |job: JobContext| direct(engine2, route, given, job);
    rounds::start(&engine.paused, (&exposed, args), caller, ASKER, job).await
}

/// Who asks, in the user's question.
const ASKER: &str = "The agent (a direct call)";

/// The direct call: approved, made, recorded.
async fn direct(
    engine: Arc<Engine>,
    route: Route,
    args: Option<Map<String, Value>>,
    job: JobContext,
) -> Value {
    let cancel = job.cancel.clone();
    if let Err(why) = approve(&engine, &route, args.as_ref(), job).await {
        return Answer::error(why).into_result();
    }
    let started = Instant::now();
    let opts = CallOptions {
        cancel,
        ..Default::default()
    };
    let outcome = engine
        .registry
        .call_tool(&route.server, &route.def.name, args.clone(), &opts)
        .await;
    if let Some(log) = &engine.audit {
        let args = args.as_ref();
        log.direct_call(
            &route.server,
            &route.def.name,
            args,
            &outcome,
            started.elapsed(),
        );
    }
    match outcome {
        Ok(o) => {
            let mut v =
                json!({ "content": o.content, "isError": o.is_error, "resultType": "complete" });
            if let Some(s) = o.structured_content {
                v["structuredContent"] = s;
            }
            v
        }
        Err(e) => Answer::error(e.to_string()).into_result(),
    }
}

/// The approval gate for one direct call.
async fn approve(
    engine: &Engine,
    route: &Route,
    args: Option<&Map<String, Value>>,
    job: JobContext,
) -> Result<(), String> {
    let store = engine.approvals.as_deref();
    let reasons = match gate(&engine.policy, store, &route.server, &route.def) {
        Decision::Allow => return Ok(()),
        Decision::Deny(m) => return Err(m),
        Decision::Ask(reasons) => reasons,
    };
    let req = ApprovalRequest {
        index: 0,
        server: route.server.clone(),
        tool: route.def.name.clone(),
        args: Value::Object(args.cloned().unwrap_or_default()),
        reasons,
    };
    // The approver blocks on the runtime while the client's user decides, at most the
    // configured timeout (a run's own timeout bounds a script's questions): a client that
    // never comes back with an answer holds nothing for long.
    let cancel = job.cancel.child_token();
    let expiry = tokio::spawn({
        let (cancel, wait) = (cancel.clone(), engine.limits.timeout);
        async move {
            tokio::time::sleep(wait).await;
            cancel.cancel();
        }
    });
    let answer = tokio::task::spawn_blocking(move || job.approver.approve(&req, &cancel))
        .await
        .unwrap_or_else(|e| Approval::Deny(format!("the approval request failed: {e}")));
    expiry.abort();
    settle(store, &route.server, &route.def, answer).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exposed_names_are_valid_client_tool_names() {
        assert_eq!(
            exposed_name("time", "get_current_time"),
            "time__get_current_time"
        );
        assert_eq!(exposed_name("my server", "a.b/c"), "my_server__a_b_c");
        let long = exposed_name("s", &"x".repeat(100));
        assert_eq!(long.len(), 64);
        assert!(long.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    }

    #[test]
    fn patterns_pick_tools() {
        assert!(pattern_matches("time::*", "time", "convert_time"));
        assert!(pattern_matches("demo::get_*", "demo", "get_issue"));
        assert!(!pattern_matches("demo::get_*", "demo", "list_issues"));
        assert!(pattern_matches("demo::calculate", "demo", "calculate"));
        assert!(pattern_matches("demo", "demo", "anything"));
        assert!(!pattern_matches("demo::*", "other", "calculate"));
    }
}
