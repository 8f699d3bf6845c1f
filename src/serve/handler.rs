//! The MCP server side of `codemode serve` (rmcp `ServerHandler`).

use std::collections::hash_map::DefaultHasher;
use std::future::Future;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, ListResourcesResult,
    ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
    ServerCapabilities, ServerConfig, SubscriptionFilter,
};
use rmcp::service::{NotificationContext, RequestContext, RoleServer, SubscriptionContext};
use rmcp::{ErrorData, ServerHandler};
use serde_json::{Value, json};

use super::rounds::{self, Asking, Caller, Reply};
use super::tools;
use super::{Engine, passthrough, run_script};
use crate::catalog::{ScriptApi, render_md};
use crate::mcp::{EventKind, Registry, ServerState, ServerStatus};

/// The docs of every server, as one Markdown resource.
const DOCS_URI: &str = "codemode://docs";

/// Code Mode as an MCP server. Clones share the engine (one per HTTP session).
#[derive(Clone)]
pub struct CodeModeServer {
    engine: Arc<Engine>,
    api: Arc<ScriptApi>,
}

fn from_json<T: serde::de::DeserializeOwned>(v: Value) -> Result<T, ErrorData> {
    serde_json::from_value(v).map_err(|e| ErrorData::internal_error(e.to_string(), None))
}

impl CodeModeServer {
    /// A server over `engine`.
    pub fn new(engine: Arc<Engine>) -> Self {
        let api = crate::script::script_api_for(&engine.limits, &engine.policy);
        CodeModeServer {
            engine,
            api: Arc::new(api),
        }
    }

    /// What the agent reads first: when to use which tool, and the servers behind them.
    fn instructions(&self) -> String {
        let states = self.engine.registry.servers();
        let servers: Vec<String> = states
            .iter()
            .map(|s| match s.status {
                ServerStatus::Ready => format!("{} ({} tools)", s.name, s.tools.len()),
                _ => format!("{} ({})", s.name, s.status.label()),
            })
            .collect();
        let mut text = String::from(
            "Code Mode over MCP servers. For a job that needs several tool calls (loops, \
             filtering, combining results), write one Rhai script and run it with run_script: \
             first search_tools to find tools, get_docs for their signatures, then run_script. \
             A failed run reports the line and column to fix; fix it and run again.",
        );
        if !self.engine.passthrough.is_empty() {
            text.push_str(
                " Tools named server__tool call one downstream tool directly: use them for \
                 one-step jobs.",
            );
        }
        text.push_str(&format!(" Servers: {}.", servers.join(", ")));
        text
    }

    /// The answer of one of our own tools; `run_script` may ask the user first.
    async fn own(&self, request: &CallToolRequestParams, args: &Value, caller: Caller) -> Reply {
        let done = |a: tools::Answer| Reply::Done(a.into_result());
        match request.name.as_ref() {
            tools::SEARCH => done(tools::search_tools(&*self.engine.catalog().await, args)),
            tools::DOCS => done(tools::get_docs(&*self.engine.catalog().await, args)),
            _ => run_script::run(&self.engine, args, caller).await,
        }
    }
}

/// This request's client: its progress token, and how it can be asked (on protocol
/// 2026-07-28 and later, a client that declares elicitation in the request's `_meta` is asked
/// in rounds; before, by a request).
fn caller(context: RequestContext<RoleServer>) -> Caller {
    let rounds = context
        .protocol_version()
        .is_some_and(|v| v >= rmcp::model::ProtocolVersion::V_2026_07_28);
    let can_elicit = context
        .client_capabilities()
        .is_some_and(|c| c.elicitation.is_some());
    Caller {
        progress: context
            .meta
            .get_progress_token()
            .map(|token| run_script::Progress {
                peer: context.peer.clone(),
                token,
            }),
        asking: if rounds && can_elicit {
            Asking::Rounds
        } else {
            Asking::Request
        },
        cancel: context.ct.clone(),
        peer: context.peer,
    }
}

/// A fingerprint of what the agent can see: ready servers and their tool names.
fn fingerprint(states: &[ServerState]) -> u64 {
    let mut h = DefaultHasher::new();
    for s in states.iter().filter(|s| s.status == ServerStatus::Ready) {
        s.name.hash(&mut h);
        for t in s.tools.iter() {
            t.name.hash(&mut h);
            t.description.hash(&mut h);
            t.input_schema.to_string().hash(&mut h);
        }
    }
    h.finish()
}

impl ServerHandler for CodeModeServer {
    fn get_info(&self) -> ServerConfig {
        let caps: ServerCapabilities = serde_json::from_value(json!({
            "tools": { "listChanged": true },
            "resources": { "listChanged": true },
            "prompts": {},
            "logging": {}
        }))
        .expect("static capabilities");
        ServerConfig::new(caps)
            .with_server_info(
                Implementation::new("codemode", env!("CARGO_PKG_VERSION"))
                    .with_title("codemode (Code Mode over MCP)"),
            )
            .with_instructions(self.instructions())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.engine.registry.wait_settled(self.engine.settle).await;
        let mut defs = tools::definitions(&self.api);
        let states = self.engine.registry.servers();
        defs.extend(
            passthrough::routes(&self.engine.passthrough, &states)
                .iter()
                .map(passthrough::Route::definition),
        );
        let tools = defs.into_iter().map(from_json).collect::<Result<_, _>>()?;
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.to_string();
        let args = Value::Object(request.arguments.clone().unwrap_or_default());
        // Our own tools need no route (nor the registry's state read for one).
        let route = if tools::is_own(&name) {
            None
        } else {
            let states = self.engine.registry.servers();
            let mut routes = passthrough::routes(&self.engine.passthrough, &states);
            let Some(at) = routes.iter().position(|r| r.exposed == name) else {
                let mut known: Vec<String> = routes.iter().map(|r| r.exposed.clone()).collect();
                known.extend([tools::SEARCH, tools::DOCS, tools::RUN].map(String::from));
                let hint = crate::util::closest(&name, known.iter().map(String::as_str))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(ErrorData::invalid_params(
                    format!("unknown tool `{name}`{hint}"),
                    None,
                ));
            };
            Some(routes.swap_remove(at))
        };
        let caller = caller(context);
        let reply = match (&request.request_state, route) {
            // The retry of a call that asked the user: its answer goes to the waiting call.
            (Some(id), _) => {
                let answers = request.input_responses.as_ref();
                let call = (name.as_str(), &args);
                rounds::resume(&self.engine.paused, id, call, answers, caller).await
            }
            (None, Some(route)) => {
                let given = request.arguments.clone();
                passthrough::call(&self.engine, route, (&args, given), caller).await
            }
            (None, None) => self.own(&request, &args, caller).await,
        };
        match reply {
            Reply::Done(v) => Ok(from_json::<CallToolResult>(v)?.into()),
            Reply::Ask(question) => Ok(question.into()),
        }
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let catalog = self.engine.catalog().await;
        let mut resources = vec![json!({
            "uri": DOCS_URI, "name": "docs", "title": "Code Mode docs (all servers)",
            "description": "The Rhai primer and every tool of every server, as Markdown.",
            "mimeType": "text/markdown"
        })];
        for s in &catalog.servers {
            resources.push(json!({
                "uri": format!("{DOCS_URI}/{}", s.name), "name": format!("docs-{}", s.module),
                "title": format!("Code Mode docs: {}", s.name),
                "description": format!("The {} tools of `{}` as Rhai functions, as Markdown.", s.tools.len(), s.name),
                "mimeType": "text/markdown"
            }));
        }
        let resources = resources
            .into_iter()
            .map(from_json)
            .collect::<Result<_, _>>()?;
        Ok(ListResourcesResult::with_all_items(resources))
    }

    /// No prompts (declared, with an empty list and cache hints): clients that list prompts
    /// whatever the capabilities say (the conformance suite's caching scenario does) get
    /// an answer instead of -32601.
    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::ListPromptsResult, ErrorData> {
        Ok(rmcp::model::ListPromptsResult::with_all_items(vec![]))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let catalog = self.engine.catalog().await;
        let uri = request.uri.clone();
        let text = if uri == DOCS_URI {
            Some(render_md::catalog(&catalog, &self.api))
        } else {
            uri.strip_prefix(DOCS_URI)
                .and_then(|rest| rest.strip_prefix('/'))
                .and_then(|name| catalog.servers.iter().find(|s| s.name == name))
                .map(render_md::server)
        };
        match text {
            Some(text) => Ok(from_json::<rmcp::model::ReadResourceResult>(json!({
                "contents": [{ "uri": uri, "mimeType": "text/markdown", "text": text }],
                "resultType": "complete"
            }))?
            .into()),
            None => Err(ErrorData::resource_not_found(
                format!("no resource {uri}; list them with resources/list"),
                None,
            )),
        }
    }

    /// Forwards downstream changes to a 2025-11-25 session: when the ready servers or their
    /// tools change, the agent gets `notifications/tools/list_changed` (and
    /// `resources/list_changed`: the docs changed too). Ends when the client is gone.
    fn on_initialized(
        &self,
        context: NotificationContext<RoleServer>,
    ) -> impl Future<Output = ()> + Send + '_ {
        let registry = self.engine.registry.clone();
        let peer = context.peer;
        tokio::spawn(async move {
            let mut changes = Changes::new(&registry);
            while changes.next(&registry).await {
                if peer.notify_tool_list_changed().await.is_err() {
                    break;
                }
                let _ = peer.notify_resource_list_changed().await;
            }
        });
        std::future::ready(())
    }

    /// 2026-07-28 clients hear of the same changes on a `subscriptions/listen` stream.
    fn accepted_subscription_filter(
        &self,
        _requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(
            SubscriptionFilter::builder()
                .tools_list_changed()
                .resources_list_changed()
                .build(),
        )
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let registry = self.engine.registry.clone();
        let sink = context.sink().clone();
        let accepted = context.accepted().clone();
        let forward = async {
            let mut changes = Changes::new(&registry);
            while changes.next(&registry).await {
                // The filter the client asked for decides which of the two it gets.
                if accepted.tools_list_changed == Some(true)
                    && sink.notify_tool_list_changed().await.is_err()
                {
                    break;
                }
                if accepted.resources_list_changed == Some(true)
                    && sink.notify_resource_list_changed().await.is_err()
                {
                    break;
                }
            }
        };
        tokio::select! {
            () = forward => {}
            () = context.cancelled() => {}
        }
        Ok(())
    }

    /// Accepted (2025-11-25 clients may set it); serve sends no log messages of its own.
    #[allow(deprecated)] // SEP-2577 deprecates logging
    async fn set_level(
        &self,
        _request: rmcp::model::SetLevelRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), ErrorData> {
        Ok(())
    }
}

/// Changes the agent can see (the ready servers and their tools), from registry events.
struct Changes {
    rx: tokio::sync::broadcast::Receiver<crate::mcp::Event>,
    seen: u64,
}

impl Changes {
    fn new(registry: &Registry) -> Self {
        Changes {
            rx: registry.subscribe(),
            seen: fingerprint(&registry.servers()),
        }
    }

    /// Waits for the next change; `false` once the registry is gone.
    async fn next(&mut self, registry: &Registry) -> bool {
        loop {
            match self.rx.recv().await {
                Ok(e)
                    if matches!(
                        e.kind,
                        EventKind::ToolsChanged { .. } | EventKind::Status { .. }
                    ) => {}
                Ok(_) => continue,
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return false,
            }
            let now = fingerprint(&registry.servers());
            if now != self.seen {
                self.seen = now;
                return true;
            }
        }
    }
}
