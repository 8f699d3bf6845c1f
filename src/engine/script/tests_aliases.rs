//! `call_tool` and `parallel` take the module and function names the docs show as well as raw
//! names; the calls, the plan and the policy see the raw ones.

use std::sync::Arc;

use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use super::*;
use crate::mcp::{CallError, CallOutcome, ToolDef};

/// One server `my-server` with a tool `get-sum` that answers with the names it was called by.
struct Dashed;

impl ToolInvoker for Dashed {
    fn servers(&self) -> Vec<ServerTools> {
        let def: ToolDef = serde_json::from_value(json!({
            "name": "get-sum",
            "inputSchema": { "type": "object" }
        }))
        .unwrap();
        vec![ServerTools {
            name: "my-server".into(),
            tools: Arc::new(vec![def]),
        }]
    }

    fn call(
        &self,
        server: &str,
        tool: &str,
        _: Map<String, Value>,
        _: &CancellationToken,
    ) -> Result<CallOutcome, CallError> {
        Ok(CallOutcome {
            content: vec![json!({ "type": "text", "text": format!("{server}/{tool}") })],
            structured_content: None,
            is_error: false,
        })
    }
}

const SCRIPT: &str = r#"
    let a = call_tool("my_server", "get_sum", #{});
    let b = call_tool("my-server", "get-sum");
    let c = parallel([["my_server", "get_sum", #{}], ["my-server", "get_sum"]]);
    [a, b] + c
"#;

#[test]
fn call_tool_and_parallel_take_rhai_names_and_call_by_raw_names() {
    let r = run(SCRIPT, Arc::new(Dashed), RunOptions::default());
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.result, json!(vec!["my-server/get-sum"; 4]));
    assert!(
        r.calls
            .iter()
            .all(|c| c.server == "my-server" && c.tool == "get-sum"),
        "{:?}",
        r.calls
    );
}

#[test]
fn the_plan_knows_tools_called_by_their_rhai_names() {
    let plan = plan(SCRIPT, &Dashed.servers()).unwrap();
    assert_eq!(plan.calls.len(), 4, "{plan:?}");
    for c in &plan.calls {
        assert_eq!(c.target(), "my-server::get-sum", "{c:?}");
        assert!(!c.has(Flag::Unknown), "{c:?}");
    }
}
