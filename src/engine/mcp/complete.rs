//! `completion/complete`: what a server suggests for a prompt's or a resource template's
//! argument while the user types it.

use std::time::Duration;

use rmcp::model::{ClientRequest, CompleteRequestParams, Request};
use serde_json::{Map, Value, json};
use tokio_util::sync::CancellationToken;

use super::connection::Connection;
use super::error::CallError;

/// What is being completed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CompletionRef {
    /// An argument of this prompt.
    Prompt(String),
    /// A variable of this resource template (its URI template).
    Resource(String),
}

/// A server's suggestions.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Completions {
    /// The values, best first (at most 100).
    pub values: Vec<String>,
    /// How many there are in all, if the server said.
    pub total: Option<u64>,
    /// Whether there are more than these.
    pub has_more: bool,
}

impl Connection {
    /// Asks for completions of `argument` = `value`, given the arguments already filled in.
    pub async fn complete(
        &self,
        reference: &CompletionRef,
        argument: &str,
        value: &str,
        context: &Map<String, Value>,
        timeout: Duration,
    ) -> Result<Completions, CallError> {
        let r#ref = match reference {
            CompletionRef::Prompt(name) => json!({"type": "ref/prompt", "name": name}),
            CompletionRef::Resource(uri) => json!({"type": "ref/resource", "uri": uri}),
        };
        let mut params = json!({"ref": r#ref, "argument": {"name": argument, "value": value}});
        if !context.is_empty() {
            params["context"] = json!({ "arguments": context });
        }
        let params: CompleteRequestParams =
            serde_json::from_value(params).map_err(|e| CallError::Protocol {
                server: self.server.clone(),
                what: "completion/complete".into(),
                code: -32602,
                message: format!("cannot build the request: {e}"),
            })?;
        let req = ClientRequest::CompleteRequest(Request::new(params));
        let reply = self
            .request(
                "completion/complete",
                req,
                timeout,
                &CancellationToken::new(),
            )
            .await?;
        let v = serde_json::to_value(&reply).unwrap_or_default();
        let c = &v["completion"];
        Ok(Completions {
            values: c["values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s.as_str().map(str::to_string))
                .take(100)
                .collect(),
            total: c["total"].as_u64(),
            has_more: c["hasMore"].as_bool().unwrap_or(false),
        })
    }
}
