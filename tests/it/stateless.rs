//! The client against a stateless 2026-07-28 server written here (rmcp's server side over
//! `mcp::listen`): the lifecycle is negotiated by `server/discover`; elicitation, sampling
//! and roots come back as `input_required` results answered through the registry's
//! elicitor, sampler and roots, with `requestState` echoed and each call kept apart; list
//! changes arrive on the `subscriptions/listen` stream.

use crate::demo;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use codemode::mcp::elicit::{ElicitPolicy, policy_elicitor};
use codemode::mcp::sampling::{Sampled, SamplingRequest};
use codemode::mcp::{CallOptions, Registry, ServerSpec, TransportSpec};
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, Implementation, InputRequest,
    InputRequests, InputRequiredResult, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig, SubscriptionFilter,
};
use rmcp::service::{RequestContext, RoleServer, SubscriptionContext};
use rmcp::{ErrorData, ServerHandler};
use serde_json::{Value, json};
use tokio::sync::broadcast;

/// A stateless server: `ask` needs a confirmation, `summarize` a sampled text, `where` the
/// client's roots, each through an `input_required` round; `toggle` adds the tool `extra`.
#[derive(Clone)]
struct Stateless {
    extra: Arc<AtomicBool>,
    changed: broadcast::Sender<()>,
    /// `hangup` ends every open listen stream (as a server restarting its side may).
    hangup: broadcast::Sender<()>,
    /// Listen streams opened so far.
    listens: Arc<AtomicUsize>,
}

fn input(method: &str, params: Value) -> InputRequest {
    serde_json::from_value(json!({ "method": method, "params": params })).unwrap()
}

fn text(t: String) -> CallToolResponse {
    serde_json::from_value::<CallToolResult>(json!({
        "content": [{ "type": "text", "text": t }], "resultType": "complete"
    }))
    .unwrap()
    .into()
}

fn ask_first(key: &str, request: InputRequest, state: String) -> CallToolResponse {
    let requests: InputRequests = [(key.to_string(), request)].into_iter().collect();
    CallToolResponse::InputRequired(InputRequiredResult::new(Some(requests), Some(state)))
}

impl ServerHandler for Stateless {
    fn get_info(&self) -> ServerConfig {
        let caps: ServerCapabilities =
            serde_json::from_value(json!({ "tools": { "listChanged": true } })).unwrap();
        ServerConfig::new(caps).with_server_info(Implementation::new("stateless", "1.0.0"))
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let mut names = vec!["ask", "summarize", "where", "toggle", "hangup"];
        if self.extra.load(Ordering::SeqCst) {
            names.push("extra");
        }
        let tools = names
            .into_iter()
            .map(|n| {
                serde_json::from_value(json!({
                    "name": n, "inputSchema": { "type": "object" }
                }))
                .unwrap()
            })
            .collect();
        Ok(ListToolsResult::with_all_items(tools))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let args = request.arguments.clone().unwrap_or_default();
        // The state names the call it belongs to: a retry must bring back its own.
        let state = format!(
            "state-{}-{}",
            request.name,
            args.get("n").unwrap_or(&json!(0))
        );
        let answer = |key: &str| request.input_responses.as_ref().and_then(|r| r.get(key));
        if request.input_responses.is_some() && request.request_state.as_ref() != Some(&state) {
            return Err(ErrorData::invalid_params(
                format!("tampered state {:?}, want {state}", request.request_state),
                None,
            ));
        }
        Ok(match request.name.as_ref() {
            "ask" => match answer("confirm") {
                None => {
                    let schema = json!({ "type": "object", "properties": {
                        "ok": { "type": "boolean", "default": true } } });
                    let params = json!({ "mode": "form", "message": "Go on?",
                        "requestedSchema": schema });
                    ask_first("confirm", input("elicitation/create", params), state)
                }
                Some(a) => text(format!("{} {}", a["action"], a["content"]["ok"])),
            },
            "summarize" => match answer("llm") {
                None => {
                    let params = json!({ "maxTokens": 50, "messages": [
                        { "role": "user", "content": { "type": "text", "text": "sum up" } }] });
                    ask_first("llm", input("sampling/createMessage", params), state)
                }
                Some(a) => text(format!("sampled: {}", a["content"]["text"])),
            },
            "where" => match answer("roots") {
                None => ask_first("roots", input("roots/list", json!({})), state),
                Some(a) => text(a["roots"][0]["uri"].to_string()),
            },
            "toggle" => {
                self.extra.store(true, Ordering::SeqCst);
                let _ = self.changed.send(());
                text("toggled".into())
            }
            "hangup" => {
                let _ = self.hangup.send(());
                text("hung up".into())
            }
            _ => text("extra".into()),
        })
    }

    fn accepted_subscription_filter(
        &self,
        _requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        Some(SubscriptionFilter::builder().tools_list_changed().build())
    }

    async fn listen(&self, context: SubscriptionContext) -> Result<(), ErrorData> {
        let mut changed = self.changed.subscribe();
        let mut hangup = self.hangup.subscribe();
        self.listens.fetch_add(1, Ordering::SeqCst);
        loop {
            tokio::select! {
                () = context.cancelled() => return Ok(()),
                _ = hangup.recv() => return Ok(()),
                got = changed.recv() => {
                    if got.is_err() || context.sink().notify_tool_list_changed().await.is_err() {
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// Serves a fresh [`Stateless`] on a loopback port; the registry connected to it.
async fn connect() -> (Registry, tokio_util::sync::CancellationToken, Stateless) {
    let stop = tokio_util::sync::CancellationToken::new();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let server = Stateless {
        extra: Arc::default(),
        changed: broadcast::channel(8).0,
        hangup: broadcast::channel(8).0,
        listens: Arc::default(),
    };
    let handle = server.clone();
    let opts = codemode::mcp::listen::HttpOptions::new("127.0.0.1:0".parse().unwrap());
    tokio::spawn(codemode::mcp::listen::serve(
        server,
        opts,
        stop.clone(),
        move |a| {
            let _ = tx.send(a);
        },
    ));
    let addr = rx.await.unwrap();
    let mut spec = ServerSpec::new(
        "s",
        TransportSpec::Http {
            url: format!("http://{addr}/mcp"),
            headers: BTreeMap::new(),
            legacy_sse: false,
        },
    );
    spec.client.roots = Some(vec!["/srv/project".into()]);
    spec.client.sampling = true;
    let registry = Registry::new(vec![spec], vec![]);
    registry.set_elicitor(policy_elicitor(ElicitPolicy::AcceptDefaults));
    registry.set_sampler(Arc::new(|req: SamplingRequest| {
        let text = format!("{} message(s) read", req.messages.len());
        Box::pin(async move {
            Ok(Sampled {
                text,
                model: "stub".into(),
                stop_reason: "endTurn".into(),
            })
        })
    }));
    registry.start();
    assert!(registry.wait_settled(Duration::from_secs(20)).await);
    (registry, stop, handle)
}

async fn call(registry: &Registry, tool: &str, args: Value) -> String {
    let out = registry
        .call_tool(
            "s",
            tool,
            args.as_object().cloned(),
            &CallOptions::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    assert!(!out.is_error, "{tool}: {}", out.text());
    out.text()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn input_required_rounds_are_answered_by_the_front_end_paths() {
    let (registry, stop, _) = connect().await;
    let state = registry.server("s").unwrap();
    assert_eq!(state.details.unwrap().protocol_version, "2026-07-28");
    // Elicitation through the elicitor (accept-defaults): the default `ok: true`.
    assert_eq!(call(&registry, "ask", json!({})).await, "\"accept\" true");
    // Sampling through the sampler, roots from the spec.
    assert_eq!(
        call(&registry, "summarize", json!({})).await,
        "sampled: \"1 message(s) read\""
    );
    assert_eq!(
        call(&registry, "where", json!({})).await,
        "\"file:///srv/project\""
    );
    // Calls at the same time each echo their own state (the server refuses another's).
    let (a, b) = tokio::join!(
        call(&registry, "ask", json!({ "n": 1 })),
        call(&registry, "ask", json!({ "n": 2 }))
    );
    assert_eq!(
        (a.as_str(), b.as_str()),
        ("\"accept\" true", "\"accept\" true")
    );
    registry.shutdown().await;
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_changes_arrive_on_the_listen_stream() {
    let (registry, stop, _) = connect().await;
    assert!(
        !registry
            .server("s")
            .unwrap()
            .tools
            .iter()
            .any(|t| t.name == "extra")
    );
    call(&registry, "toggle", json!({})).await;
    let tools = demo::wait_state(&registry, "s", |s| {
        s.tools.iter().any(|t| t.name == "extra")
    })
    .await
    .tools;
    assert_eq!(tools.len(), 6);
    registry.shutdown().await;
    stop.cancel();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_listen_stream_the_server_ends_is_opened_again() {
    let (registry, stop, server) = connect().await;
    let listens = || server.listens.load(Ordering::SeqCst);
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while listens() == 0 {
        assert!(std::time::Instant::now() < deadline, "no listen stream");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    call(&registry, "hangup", json!({})).await;
    // Opened again after a pause, on the same connection...
    while listens() < 2 {
        assert!(std::time::Instant::now() < deadline, "not opened again");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // ... and the change it carries arrives.
    call(&registry, "toggle", json!({})).await;
    demo::wait_state(&registry, "s", |s| {
        s.tools.iter().any(|t| t.name == "extra")
    })
    .await;
    registry.shutdown().await;
    stop.cancel();
}
