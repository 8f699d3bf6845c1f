//! Listing a server's tools, resources, templates and prompts: raw list requests following
//! `nextCursor`, bypassing rmcp's response cache so a refresh always sees the current lists.

use std::time::Duration;

use rmcp::model::{ClientRequest, PaginatedRequestParams};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use super::connection::Connection;
use super::error::CallError;
use super::model::{PromptDef, ResourceDef, ResourceTemplateDef, ToolDef};

/// The lists a server offers.
#[derive(Clone, Debug, Default)]
pub struct Lists {
    /// Tools.
    pub tools: Vec<ToolDef>,
    /// Resources.
    pub resources: Vec<ResourceDef>,
    /// Resource templates.
    pub templates: Vec<ResourceTemplateDef>,
    /// Prompts.
    pub prompts: Vec<PromptDef>,
}

impl Connection {
    /// Lists everything the server declares, following pagination and bypassing rmcp's
    /// response cache so a refresh always sees the server's current lists.
    pub async fn list_all(&self, timeout: Duration) -> Result<Lists, CallError> {
        let caps = &self.details;
        let mut lists = Lists::default();
        if caps.has_capability("tools") {
            lists.tools = self
                .paginate("tools/list", "tools", timeout, |p| {
                    ClientRequest::ListToolsRequest(optional(p))
                })
                .await?;
        }
        if caps.has_capability("resources") {
            lists.resources = self
                .paginate("resources/list", "resources", timeout, |p| {
                    ClientRequest::ListResourcesRequest(optional(p))
                })
                .await?;
            lists.templates = self
                .paginate(
                    "resources/templates/list",
                    "resourceTemplates",
                    timeout,
                    |p| ClientRequest::ListResourceTemplatesRequest(optional(p)),
                )
                .await
                .unwrap_or_default();
        }
        if caps.has_capability("prompts") {
            lists.prompts = self
                .paginate("prompts/list", "prompts", timeout, |p| {
                    ClientRequest::ListPromptsRequest(optional(p))
                })
                .await?;
        }
        Ok(lists)
    }

    async fn paginate<T: serde::de::DeserializeOwned>(
        &self,
        what: &str,
        field: &str,
        timeout: Duration,
        make: impl Fn(Option<PaginatedRequestParams>) -> ClientRequest,
    ) -> Result<Vec<T>, CallError> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        let never = CancellationToken::new();
        for _page in 0..1000 {
            let params = cursor
                .take()
                .map(|c| PaginatedRequestParams::default().with_cursor(Some(c)));
            let reply = self.request(what, make(params), timeout, &never).await?;
            let value = serde_json::to_value(&reply).unwrap_or_default();
            for item in value
                .get(field)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                match serde_json::from_value::<T>(item.clone()) {
                    Ok(t) => items.push(t),
                    Err(e) => {
                        tracing::warn!(server = %self.server, "skipping malformed {what} entry: {e}");
                    }
                }
            }
            match value.get("nextCursor").and_then(Value::as_str) {
                Some(next) if !next.is_empty() => cursor = Some(next.to_string()),
                _ => return Ok(items),
            }
        }
        Ok(items)
    }
}

fn optional<M: Default>(
    p: Option<PaginatedRequestParams>,
) -> rmcp::model::RequestOptionalParam<M, PaginatedRequestParams> {
    let mut r = rmcp::model::RequestOptionalParam::with_param(PaginatedRequestParams::default());
    r.params = p;
    r
}
