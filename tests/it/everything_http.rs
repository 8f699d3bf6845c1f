//! The client protocol against a real streamable-HTTP server nobody here wrote
//! (`@modelcontextprotocol/server-everything streamableHttp` on a free loopback port):
//! lists (followed across pages), resources and templates, prompts, progress and logging.
//! Elicitation and roots are in `tests/client_features.rs`, tasks in tests/tasks.rs.
#![cfg(feature = "external-servers")]

use crate::servers;

use std::collections::BTreeMap;
use std::time::Duration;

use codemode::mcp::{
    CallOptions, Event, EventKind, Registry, ServerSpec, ServerStatus, TransportSpec,
};
use serde_json::{Map, Value, json};
use tokio::sync::broadcast;

const SERVER: &str = "everything";

async fn connect() -> (tokio::process::Child, Registry) {
    let (child, url) = servers::start_everything_http().await;
    let spec = ServerSpec::new(
        SERVER,
        TransportSpec::Http {
            url,
            headers: BTreeMap::new(),
            legacy_sse: false,
        },
    );
    let registry = Registry::new(vec![spec], vec![]);
    registry.start();
    registry.wait_settled(Duration::from_secs(30)).await;
    let state = registry.server(SERVER).unwrap();
    assert_eq!(state.status, ServerStatus::Ready, "{}", state.status);
    (child, registry)
}

fn object(value: Value) -> Option<Map<String, Value>> {
    value.as_object().cloned()
}

/// Waits (up to 10 s) for events matching `pick`, until `done` says there are enough.
async fn collect<T>(
    events: &mut broadcast::Receiver<Event>,
    pick: impl Fn(EventKind) -> Option<T>,
    done: impl Fn(&[T]) -> bool,
) -> Vec<T> {
    let mut found = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while !done(&found) {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Ok(event)) if event.server == SERVER => found.extend(pick(event.kind)),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    found
}

#[tokio::test]
async fn lists_resources_templates_and_prompts_over_http() {
    let (_child, registry) = connect().await;
    let state = registry.server(SERVER).unwrap();
    let names: Vec<&str> = state.tools.iter().map(|t| t.name.as_str()).collect();
    for tool in ["echo", "get-sum", "trigger-long-running-operation"] {
        assert!(names.contains(&tool), "{tool} missing from {names:?}");
    }
    // One static document resource per file the server ships in its docs folder.
    let docs = std::fs::read_dir(
        servers::node_bin("mcp-server-everything")
            .parent()
            .unwrap()
            .join("../@modelcontextprotocol/server-everything/dist/docs"),
    )
    .map_or(0, std::iter::Iterator::count);
    let documents = state
        .resources
        .iter()
        .filter(|r| r.uri.starts_with("demo://resource/static/document/"))
        .count();
    assert!(
        docs > 0 && documents == docs,
        "{documents} of {docs} documents"
    );
    assert!(
        state
            .templates
            .iter()
            .any(|t| t.uri_template.starts_with("demo://resource/dynamic/text/")),
        "{:?}",
        state.templates
    );
    let read = registry
        .read_resource(SERVER, "demo://resource/dynamic/text/7")
        .await
        .unwrap();
    let text = read["contents"][0]["text"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Resource 7: This is a plaintext resource"),
        "{read}"
    );

    let prompts: Vec<&str> = state.prompts.iter().map(|p| p.name.as_str()).collect();
    assert!(prompts.contains(&"args-prompt"), "{prompts:?}");
    let prompt = registry
        .get_prompt(
            SERVER,
            "args-prompt",
            object(json!({"city": "Lyon"})).unwrap(),
        )
        .await
        .unwrap();
    let said = prompt["messages"][0]["content"]["text"]
        .as_str()
        .unwrap_or_default();
    assert!(said.contains("Lyon"), "{prompt}");
    registry.shutdown().await;
}

#[tokio::test]
async fn progress_and_log_notifications_arrive_as_events() {
    let (_child, registry) = connect().await;
    let mut events = registry.subscribe();
    let out = registry
        .call_tool(
            SERVER,
            "trigger-long-running-operation",
            object(json!({"duration": 1, "steps": 3})),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    assert!(!out.is_error, "{}", out.text());
    let progress = collect(
        &mut events,
        |kind| match kind {
            EventKind::Progress {
                progress, total, ..
            } => Some((progress, total)),
            _ => None,
        },
        |found| found.len() >= 3,
    )
    .await;
    assert_eq!(
        progress,
        vec![(1.0, Some(3.0)), (2.0, Some(3.0)), (3.0, Some(3.0))]
    );

    let out = registry
        .call_tool(
            SERVER,
            "toggle-simulated-logging",
            Some(Map::new()),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    assert!(!out.is_error, "{}", out.text());
    let logs = collect(
        &mut events,
        |kind| match kind {
            EventKind::Log { level, data, .. } => Some((level, data)),
            _ => None,
        },
        |found| !found.is_empty(),
    )
    .await;
    let (level, data) = logs.first().expect("a simulated log message within 10 s");
    assert!(!level.is_empty(), "{logs:?}");
    assert!(
        data.as_str().unwrap_or_default().contains("message"),
        "{logs:?}"
    );
    registry.shutdown().await;
}
