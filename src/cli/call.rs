//! `codemode call`: one tool, directly.

use std::path::Path;
use std::time::Duration;

use serde_json::{Map, Value};

use super::Exit;
use super::setup;
use crate::mcp::{CallError, CallOptions};

/// What to call.
pub struct Request {
    /// Server name.
    pub server: String,
    /// Tool name.
    pub tool: String,
    /// Arguments, as JSON text.
    pub args: String,
    /// Print the whole result as JSON.
    pub json: bool,
    /// Overrides the configured timeout.
    pub timeout: Option<Duration>,
    /// Check the arguments against inputSchema first.
    pub validate: bool,
}

/// Parses `--args`: a JSON object, with a line/column error otherwise.
pub fn parse_args(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "--args must be a JSON object like '{{\"key\": 1}}', not {}",
            json_kind(&other)
        )),
        Err(e) => Err(format!(
            "--args is not valid JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        )),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Runs the command.
pub async fn run(config: Option<&Path>, req: Request) -> Exit {
    let args = match parse_args(&req.args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let registry = match setup::connect(config, Some(&req.server), Duration::from_secs(120)).await {
        Ok(s) => s,
        Err(code) => return code,
    };
    let opts = CallOptions {
        timeout: req.timeout,
        skip_validation: !req.validate,
        ..Default::default()
    };
    let cancel = opts.cancel.clone();
    let ctrl_c = tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.cancel();
        }
    });
    let result = registry
        .call_tool(&req.server, &req.tool, Some(args), &opts)
        .await;
    ctrl_c.abort();
    let code = match result {
        Ok(outcome) => {
            if req.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&outcome).unwrap_or_default()
                );
            } else if outcome.is_error {
                eprintln!(
                    "error: {}::{} failed: {}",
                    req.server,
                    req.tool,
                    outcome.text()
                );
            } else if let Some(structured) = &outcome.structured_content {
                println!(
                    "{}",
                    serde_json::to_string_pretty(structured).unwrap_or_default()
                );
            } else {
                println!("{}", outcome.text());
            }
            if outcome.is_error {
                Exit::ToolError
            } else {
                Exit::Ok
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                CallError::Cancelled { .. } => Exit::Interrupted,
                CallError::NotConnected { .. } | CallError::UnknownServer { .. } => {
                    Exit::Connection
                }
                _ => Exit::RequestFailed,
            }
        }
    };
    registry.shutdown().await;
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn args_must_be_an_object_with_located_errors() {
        assert_eq!(parse_args(r#"{"a": 1}"#).unwrap()["a"], 1);
        let e = parse_args("[1]").unwrap_err();
        assert!(e.contains("not an array"), "{e}");
        let e = parse_args("{\n  \"a\": }").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }
}
