//! The client the official MCP conformance suite drives
//! (`conformance client --command conformance_client ...`, see `tests/conformance.rs`),
//! a binary built only with the `external-servers` feature.
//!
//! The suite appends the scenario server's URL and names the scenario in
//! `MCP_CONFORMANCE_SCENARIO` (extra data, e.g. client credentials, in
//! `MCP_CONFORMANCE_CONTEXT`). This binary does what a user of codemode does: it writes a
//! config with that server (and an `oauth` table from the context), connects through the
//! library's `Registry` (lifecycle negotiation, OAuth, `input_required` rounds answered by
//! the `accept-defaults` elicitation policy), and calls what the scenario asks for.
//! Exit status 0 when every step worked, 1 (with the reason on stderr) otherwise.

use std::path::Path;
use std::time::Duration;

use codemode::config::Config;
use codemode::mcp::elicit::{ElicitPolicy, policy_elicitor};
use codemode::mcp::oauth::OAuthSettings;
use codemode::mcp::{CallOptions, Registry, ServerSpec, ServerStatus};
use serde_json::{Map, Value, json};

const SERVER: &str = "conformance";

/// The client-ID metadata document URL the suite's CIMD scenarios accept.
const CLIENT_METADATA_URL: &str = "https://conformance-test.local/client-metadata.json";

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("conformance_client: {why}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), String> {
    let url = std::env::args()
        .next_back()
        .ok_or("usage: conformance_client URL")?;
    let scenario = std::env::var("MCP_CONFORMANCE_SCENARIO").unwrap_or_default();
    let context: Value = std::env::var("MCP_CONFORMANCE_CONTEXT")
        .ok()
        .and_then(|c| serde_json::from_str(&c).ok())
        .unwrap_or(Value::Null);
    let state = tempfile_dir()?;
    let registry = connect(&url, &scenario, &context, &state).await?;
    let result = drive(&registry, &scenario, &context).await;
    registry.shutdown().await;
    let _ = std::fs::remove_dir_all(&state);
    result
}

/// A private directory for the token store (nothing from the user's state is read).
fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::temp_dir().join(format!("codemode-conformance-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    Ok(dir)
}

/// The config a user would write for this server: its URL and, for the scenarios that
/// hand out credentials, the `oauth` table.
fn config_text(url: &str, scenario: &str, context: &Value, state: &Path) -> Result<String, String> {
    let mut oauth = Map::new();
    oauth.insert("client_metadata_url".into(), json!(CLIENT_METADATA_URL));
    let text = |k: &str| context.get(k).and_then(Value::as_str);
    if let Some(id) = text("client_id") {
        oauth.insert("client_id".into(), json!(id));
    }
    if let Some(secret) = text("client_secret") {
        oauth.insert("client_secret".into(), json!(secret));
    }
    if scenario.starts_with("auth/client-credentials") {
        oauth.insert("grant".into(), json!("client_credentials"));
        oauth.remove("client_metadata_url");
    }
    if let Some(pem) = text("private_key_pem") {
        // A key file beside the config, as a user would keep it.
        let path = state.join("client.pem");
        std::fs::write(&path, pem).map_err(|e| format!("{}: {e}", path.display()))?;
        oauth.insert("private_key_path".into(), json!(path));
        if let Some(alg) = text("signing_algorithm") {
            oauth.insert("signing_algorithm".into(), json!(alg));
        }
    }
    Ok(json!({ "mcpServers": { SERVER: { "url": url, "oauth": oauth } } }).to_string())
}

async fn connect(
    url: &str,
    scenario: &str,
    context: &Value,
    state: &Path,
) -> Result<Registry, String> {
    let text = config_text(url, scenario, context, state)?;
    let config =
        Config::from_json_str(&text, &state.join("mcp.json")).map_err(|e| e.to_string())?;
    let specs: Vec<ServerSpec> = config.servers.iter().map(ServerSpec::from_config).collect();
    let registry = Registry::new(specs, config.secrets());
    registry.set_elicitor(policy_elicitor(ElicitPolicy::AcceptDefaults));
    registry.set_oauth(OAuthSettings {
        auto_approve: true,
        store_dir: Some(state.join("oauth")),
        ..OAuthSettings::default()
    });
    registry.start();
    registry.wait_settled(Duration::from_secs(60)).await;
    let server = registry.server(SERVER).ok_or("no server state")?;
    match server.status {
        ServerStatus::Ready => Ok(registry),
        other => Err(format!("not connected: {other:?}")),
    }
}

/// Calls `tool` with `args` and fails on an error result or a failed call.
async fn call(registry: &Registry, tool: &str, args: Value) -> Result<Value, String> {
    call_with(registry, tool, args, &CallOptions::default()).await
}

async fn call_with(
    registry: &Registry,
    tool: &str,
    args: Value,
    opts: &CallOptions,
) -> Result<Value, String> {
    let out = registry
        .call_tool(SERVER, tool, args.as_object().cloned(), opts)
        .await
        .map_err(|e| e.to_string())?;
    let value = serde_json::to_value(&out).unwrap_or_default();
    if out.is_error {
        return Err(format!("{tool} answered with an error: {value}"));
    }
    Ok(value)
}

/// Example arguments for a tool, synthesized from its input schema as the docs show them.
fn example_args(tool: &codemode::mcp::ToolDef) -> Value {
    codemode::catalog::example::synthesize(&codemode::catalog::schema::parse(&tool.input_schema))
}

async fn drive(registry: &Registry, scenario: &str, context: &Value) -> Result<(), String> {
    let state = registry.server(SERVER).ok_or("no server state")?;
    let tools = state.tools.clone();
    let has = |name: &str| tools.iter().any(|t| t.name == name);
    match scenario {
        // Listing is the whole scenario (its server answers nothing else).
        "request-metadata" | "json-schema-ref-no-deref" => {}
        "json-schema-2020-12-preservation" => {
            let focal = tools
                .iter()
                .find(|t| t.name == "json_schema_2020_12_tool")
                .ok_or("the focal tool is not listed")?;
            call(
                registry,
                "json_schema_echo",
                json!({ "schema": focal.input_schema }),
            )
            .await?;
        }
        "sep-2322-client-request-state" => {
            // The echo round and an unrelated call at the same time: each request carries
            // only its own input responses and request state.
            let (echo, unrelated) = tokio::join!(
                call(registry, "test_mrtr_echo_state", json!({})),
                call(registry, "test_mrtr_unrelated", json!({}))
            );
            echo?;
            unrelated?;
            call(registry, "test_mrtr_no_state", json!({})).await?;
            call(registry, "test_mrtr_no_result_type", json!({})).await?;
        }
        "sse-retry" => {
            // The scenario's server answers on whichever stream is open when the call's own
            // stream closes, and counts a reconnect only on a GET made after it. rmcp opens
            // its standalone GET stream on its own after `initialized`; on a loaded machine
            // that can come after our call, the answer arrives on it without a reconnect and
            // the scenario reports a "negative" retry delay. Give that GET time to open.
            tokio::time::sleep(Duration::from_millis(500)).await;
            let tool = tools.first().ok_or("no tool listed")?;
            call(registry, &tool.name, example_args(tool)).await?;
        }
        "http-invalid-tool-headers" => {
            // Every tool we kept: the malformed ones must not be among them.
            for tool in tools.iter() {
                call(registry, &tool.name, example_args(tool)).await?;
            }
        }
        _ if context.get("toolCalls").is_some() => {
            // The scenario's own arguments (a `null` for a boolean among them): sent as given.
            let opts = CallOptions {
                skip_validation: true,
                ..CallOptions::default()
            };
            for c in context["toolCalls"].as_array().into_iter().flatten() {
                let name = c["name"].as_str().unwrap_or_default();
                call_with(registry, name, c["arguments"].clone(), &opts).await?;
            }
        }
        _ if has("test-tool") => {
            call(registry, "test-tool", json!({})).await?;
        }
        _ => {
            if let Some(tool) = tools.first() {
                call(registry, &tool.name, example_args(tool)).await?;
            }
        }
    }
    Ok(())
}
