//! Dry runs: a [`ToolInvoker`] that lists the real servers' tools but never calls one.
//! Each call is answered with a recorded result of the same call when one is given (see
//! [`super::replay::Recording`]), else with a result synthesized from the tool's
//! `outputSchema` (by [`crate::catalog::example::synthesize`], checked against the schema),
//! else with an empty text result saying it is a dry run. Destructive tools are never called:
//! nothing is.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use super::invoker::{ServerTools, ToolInvoker};
use super::replay::RecordedCall;
use crate::mcp::{CallError, CallOutcome, ToolDef};

/// Answers calls without contacting servers.
pub struct DryRunInvoker {
    /// Where the tool list comes from (only `servers()` is ever asked).
    pub inner: Arc<dyn ToolInvoker>,
    /// Recorded results to prefer, matched by server, tool and arguments.
    pub recorded: Vec<RecordedCall>,
}

/// A result for `def` synthesized from its `outputSchema`, valid against it; `None` when
/// there is no schema or the synthesized value does not validate.
pub fn synthesize(def: &ToolDef) -> Option<CallOutcome> {
    let schema = def.output_schema.as_ref()?;
    let value = crate::catalog::example::synthesize(&crate::catalog::schema::parse(schema));
    def.check_output(&value).ok()?;
    Some(CallOutcome {
        content: vec![json!({"type": "text", "text": value.to_string()})],
        structured_content: Some(value),
        is_error: false,
    })
}

impl ToolInvoker for DryRunInvoker {
    fn servers(&self) -> Vec<ServerTools> {
        self.inner.servers()
    }

    fn call(
        &self,
        server: &str,
        tool: &str,
        args: Map<String, Value>,
        _: &CancellationToken,
    ) -> Result<CallOutcome, CallError> {
        let args = Value::Object(args);
        if let Some(r) = self
            .recorded
            .iter()
            .find(|r| r.server == server && r.tool == tool && r.args == args)
        {
            return Ok(r.result.clone());
        }
        let def = self
            .servers()
            .into_iter()
            .find(|s| s.name == server)
            .and_then(|s| s.tools.iter().find(|t| t.name == tool).cloned());
        Ok(def
            .as_ref()
            .and_then(synthesize)
            .unwrap_or_else(|| CallOutcome {
                content: vec![json!({"type": "text",
                "text": format!("dry run: {server}::{tool} was not called")})],
                structured_content: None,
                is_error: false,
            }))
    }
}
