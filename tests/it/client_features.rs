//! What codemode declares to real servers and how it answers their requests: roots and
//! elicitation against `server-everything` over streamable HTTP and `server-filesystem`;
//! sampling only where configured, each request approved in the workbench first.
#![cfg(feature = "external-servers")]

use crate::servers;

use crate::llm_stub;

use std::collections::BTreeMap;

use codemode::mcp::elicit::{ElicitPolicy, policy_elicitor};
use codemode::mcp::{CallOptions, Registry, ServerSpec, ServerStatus, TransportSpec};

fn http_spec(url: &str) -> ServerSpec {
    ServerSpec::new(
        "everything",
        TransportSpec::Http {
            url: url.to_string(),
            headers: BTreeMap::new(),
            legacy_sse: false,
        },
    )
}

async fn connect(spec: ServerSpec, policy: ElicitPolicy) -> Registry {
    let registry = Registry::new(vec![spec], vec![]);
    registry.set_elicitor(policy_elicitor(policy));
    registry.start();
    registry
        .wait_settled(std::time::Duration::from_secs(30))
        .await;
    for s in registry.servers() {
        assert_eq!(s.status, ServerStatus::Ready, "{}: {}", s.name, s.status);
    }
    registry
}

fn tool_names(registry: &Registry, server: &str) -> Vec<String> {
    let state = registry.server(server).unwrap();
    state.tools.iter().map(|t| t.name.clone()).collect()
}

async fn call_text(registry: &Registry, server: &str, tool: &str) -> String {
    let out = registry
        .call_tool(
            server,
            tool,
            Some(Default::default()),
            &CallOptions::default(),
        )
        .await
        .unwrap();
    assert!(!out.is_error, "{}", out.text());
    out.text()
}

#[tokio::test]
async fn everything_sees_our_roots_and_elicitation_but_no_sampling() {
    let (_child, url) = servers::start_everything_http().await;
    let root = tempfile::tempdir().unwrap();
    let mut spec = http_spec(&url);
    spec.client.roots = Some(vec![root.path().to_path_buf()]);
    let registry = connect(spec, ElicitPolicy::AcceptDefaults).await;
    let tools = tool_names(&registry, "everything");
    assert!(tools.contains(&"get-roots-list".to_string()), "{tools:?}");
    assert!(
        tools.contains(&"trigger-elicitation-request".to_string()),
        "{tools:?}"
    );
    // Not declared, so the server does not offer it: nothing to decline at call time.
    assert!(
        !tools.iter().any(|t| t.starts_with("trigger-sampling")),
        "{tools:?}"
    );

    let roots = call_text(&registry, "everything", "get-roots-list").await;
    let uri = codemode::mcp::elicit::file_uri(root.path());
    assert!(roots.contains(&uri), "{uri} in {roots}");

    // Accept with defaults: every field with a default, typed (integer 42, number 3.14).
    let text = call_text(&registry, "everything", "trigger-elicitation-request").await;
    assert!(
        text.contains("User provided the requested information"),
        "{text}"
    );
    assert!(text.contains("Favorite Integer: 42"), "{text}");
    assert!(text.contains("Favorite Number: 3.14"), "{text}");
    assert!(
        text.contains("\"firstLine\": \"It was a dark and stormy night.\""),
        "{text}"
    );
    assert!(
        text.contains("\"untitledSingleSelectEnum\": \"Monica\""),
        "{text}"
    );
    assert!(!text.contains("\"name\""), "no default, left out: {text}");
    registry.shutdown().await;
}

#[tokio::test]
async fn elicitation_is_declined_by_default_and_can_be_switched_off() {
    let (_child, url) = servers::start_everything_http().await;
    let registry = connect(http_spec(&url), ElicitPolicy::Decline).await;
    let text = call_text(&registry, "everything", "trigger-elicitation-request").await;
    assert!(text.contains("User declined"), "{text}");
    registry.shutdown().await;

    let mut spec = http_spec(&url);
    spec.client.elicitation = false;
    spec.client.roots = None;
    let registry = connect(spec, ElicitPolicy::AcceptDefaults).await;
    let tools = tool_names(&registry, "everything");
    assert!(
        !tools.contains(&"trigger-elicitation-request".to_string()),
        "{tools:?}"
    );
    assert!(!tools.contains(&"get-roots-list".to_string()), "{tools:?}");
    registry.shutdown().await;
}

#[tokio::test]
async fn the_filesystem_server_adopts_the_declared_roots() {
    let started_with = tempfile::tempdir().unwrap();
    let declared = tempfile::tempdir().unwrap();
    let mut spec = servers::filesystem(started_with.path()).spec("fs", &[]);
    spec.client.roots = Some(vec![declared.path().to_path_buf()]);
    let registry = connect(spec, ElicitPolicy::Decline).await;
    let wanted = declared.path().canonicalize().unwrap();
    let mut text = String::new();
    // The server reads the roots asynchronously after initialization.
    for _ in 0..50 {
        text = call_text(&registry, "fs", "list_allowed_directories").await;
        if text.contains(&*wanted.to_string_lossy()) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(text.contains(&*wanted.to_string_lossy()), "{text}");
    registry.shutdown().await;
}

#[test]
fn headless_commands_answer_elicitation_by_the_elicit_flag() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("codemode.toml");
    let argv = servers::everything().argv();
    std::fs::write(
        &config,
        format!(
            "[servers.everything]\ncommand = {:?}\nargs = {:?}\n",
            argv[0],
            &argv[1..]
        ),
    )
    .unwrap();
    let call = |extra: &[&str]| {
        let tool = if extra.contains(&"--args") {
            "trigger-url-elicitation"
        } else {
            "trigger-elicitation-request"
        };
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
            .arg("--config")
            .arg(&config)
            .args(["call", "everything", tool])
            .args(extra)
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, out, err) = call(&["--elicit", "accept-defaults"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Favorite Integer: 42"), "{out}");
    let (code, out, _) = call(&[]);
    assert_eq!(code, Some(0));
    assert!(out.contains("User declined"), "{out}");
    // URL mode is declared; headless policies decline it (only `ask` on a terminal asks).
    let (code, out, err) = call(&[
        "--elicit",
        "accept-defaults",
        "--args",
        r#"{"url": "https://example.com/consent"}"#,
    ]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("declined to open the URL"), "{out}");
    let (code, _, err) = call(&["--elicit", "maybe"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("decline, accept-defaults, ask"), "{err}");
}

/// The workbench's elicitation path in-process: the TUI's elicitor, its `update` driven by
/// keys, its answer delivered to the waiting server request.
mod workbench {
    use super::*;
    use crate::harness::key;
    use codemode::mcp::elicit::ElicitReply;
    use codemode::tui::action::{Action, Effect};
    use codemode::tui::elicit::{Replies, deliver, elicitor};
    use codemode::tui::theme::{ColorDepth, Theme};
    use codemode::tui::{State, update};
    use crossterm::event::KeyCode;
    use serde_json::json;
    use tokio::sync::mpsc::UnboundedReceiver;

    /// Waits for the server's request and shows it.
    async fn shown(state: &mut State, rx: &mut UnboundedReceiver<Action>) {
        let action = tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv())
            .await
            .expect("the server asked nothing")
            .unwrap();
        assert!(matches!(action, Action::Elicit { .. }), "{action:?}");
        assert!(update(state, action).is_empty());
    }

    fn focus_on(state: &mut State, name: &str) {
        while state.elicits[0].fields[state.elicits[0].focus].name != name {
            key(state, KeyCode::Down);
        }
    }

    fn answer(state: &mut State, replies: &Replies, code: KeyCode) -> ElicitReply {
        let effects = key(state, code);
        let [Effect::Elicit { id, reply }] = &effects[..] else {
            panic!("{effects:?}");
        };
        deliver(replies, *id, reply.clone());
        reply.clone()
    }

    #[tokio::test]
    async fn the_form_and_the_link_answer_everything() {
        let (_child, url) = servers::start_everything_http().await;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let replies = Replies::default();
        let registry = Registry::new(vec![http_spec(&url)], vec![]);
        registry.set_elicitor(elicitor(tx, replies.clone()));
        registry.start();
        registry
            .wait_settled(std::time::Duration::from_secs(30))
            .await;
        let tools = tool_names(&registry, "everything");
        assert!(
            tools.contains(&"trigger-url-elicitation".to_string()),
            "URL mode is declared: {tools:?}"
        );
        let mut state = State::new(
            Theme::builtin("dark", ColorDepth::Ansi16).unwrap(),
            "",
            None,
        );

        // Form mode: required name typed, a boolean toggled, the integer edited; the
        // defaults the form was filled with go back typed.
        let call = {
            let r = registry.clone();
            tokio::spawn(
                async move { call_text(&r, "everything", "trigger-elicitation-request").await },
            )
        };
        shown(&mut state, &mut rx).await;
        let form = &state.elicits[0];
        assert_eq!(form.server, "everything");
        assert!(form.fields.iter().any(|f| f.name == "name" && f.required));
        // Enter with the required name empty is refused inline, nothing is sent.
        assert!(key(&mut state, KeyCode::Enter).is_empty());
        assert_eq!(
            state.elicits[0].fields[0].error.as_deref(),
            Some("required")
        );
        for c in "Ada".chars() {
            key(&mut state, KeyCode::Char(c));
        }
        focus_on(&mut state, "check");
        key(&mut state, KeyCode::Char(' '));
        focus_on(&mut state, "integer");
        key(&mut state, KeyCode::Backspace);
        key(&mut state, KeyCode::Char('7'));
        let ElicitReply::Accept(values) = answer(&mut state, &replies, KeyCode::Enter) else {
            panic!("not accepted");
        };
        assert_eq!(values["integer"], json!(47));
        let text = call.await.unwrap();
        assert!(text.contains("- Name: Ada"), "{text}");
        assert!(text.contains("- Agreed to terms: true"), "{text}");
        assert!(text.contains("- Favorite Integer: 47"), "{text}");
        assert!(text.contains("- Favorite Number: 3.14"), "{text}");
        assert!(
            text.contains("\"titledMultipleSelectEnum\": [\n      \"fish-1\""),
            "{text}"
        );
        assert!(text.contains("\"legacyTitledEnum\": \"pet-1\""), "{text}");

        // URL mode: the link is shown; Enter says "I opened it" (accept, no content).
        let link = "https://example.com/consent";
        let call = {
            let r = registry.clone();
            tokio::spawn(async move {
                let args = json!({"url": link}).as_object().unwrap().clone();
                r.call_tool(
                    "everything",
                    "trigger-url-elicitation",
                    Some(args),
                    &CallOptions::default(),
                )
                .await
                .unwrap()
                .text()
            })
        };
        shown(&mut state, &mut rx).await;
        assert_eq!(state.elicits[0].url.as_deref(), Some(link));
        assert!(state.elicits[0].fields.is_empty());
        answer(&mut state, &replies, KeyCode::Enter);
        let text = call.await.unwrap();
        assert!(
            text.contains("User completed the URL elicitation flow"),
            "{text}"
        );
        assert!(text.contains(link), "{text}");

        // Esc cancels.
        let call = {
            let r = registry.clone();
            tokio::spawn(
                async move { call_text(&r, "everything", "trigger-elicitation-request").await },
            )
        };
        shown(&mut state, &mut rx).await;
        assert_eq!(
            answer(&mut state, &replies, KeyCode::Esc),
            ElicitReply::Cancel
        );
        assert!(call.await.unwrap().contains("User cancelled"));
        registry.shutdown().await;
    }
}

/// Sampling through the workbench's panel, answered by a loopback model.
mod sampling {
    use super::*;
    use codemode::config::Tables;
    use codemode::llm::LlmConfig;
    use codemode::tui::action::{Action, Effect};
    use codemode::tui::sampling::{Replies, sampler};
    use codemode::tui::theme::{ColorDepth, Theme};
    use codemode::tui::{State, update};
    use crossterm::event::KeyCode;
    use llm_stub::{Dialect, Reply, Stub};
    use serde_json::json;

    #[tokio::test]
    async fn approved_requests_reach_the_model_and_denied_ones_fail_cleanly() {
        let (_child, url) = servers::start_everything_http().await;
        let stub = Stub::start(
            Dialect::OpenAi,
            vec![Reply::Text("Hi from the stub model.".into())],
        );
        let cfg = LlmConfig::from_tables(&Tables::from_values(
            json!({"llm": {"provider": "openai", "model": "stub-model", "base_url": stub.base_url}}).as_object().unwrap().clone(),
        ))
        .unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let replies = Replies::default();
        let mut spec = http_spec(&url);
        spec.client.sampling = true;
        let registry = Registry::new(vec![spec], vec![]);
        registry.set_sampler(sampler(tx, replies.clone(), cfg));
        registry.start();
        registry
            .wait_settled(std::time::Duration::from_secs(30))
            .await;
        let tools = tool_names(&registry, "everything");
        assert!(
            tools.contains(&"trigger-sampling-request".to_string()),
            "{tools:?}"
        );
        let mut state = State::new(
            Theme::builtin("dark", ColorDepth::Ansi16).unwrap(),
            "",
            None,
        );
        let ask = |key: char| {
            let r = registry.clone();
            let call = tokio::spawn(async move {
                let args = json!({"prompt": "say hi", "maxTokens": 100})
                    .as_object()
                    .unwrap()
                    .clone();
                r.call_tool(
                    "everything",
                    "trigger-sampling-request",
                    Some(args),
                    &CallOptions::default(),
                )
                .await
            });
            (call, key)
        };
        let mut answer = async |state: &mut State, key: char| {
            let action = tokio::time::timeout(std::time::Duration::from_secs(30), rx.recv())
                .await
                .expect("no sampling request")
                .unwrap();
            let Action::Sample { request, .. } = &action else {
                panic!("{action:?}");
            };
            assert_eq!(
                request.system_prompt.as_deref(),
                Some("You are a helpful test server.")
            );
            assert_eq!(request.max_tokens, 100);
            assert!(request.messages[0].1.contains("say hi"), "{request:?}");
            update(state, action);
            let effects = crate::harness::key(state, KeyCode::Char(key));
            let [Effect::Sample { id, approve }] = effects[..] else {
                panic!("{effects:?}");
            };
            replies.deliver(id, approve);
        };

        // Approved: the stub's text comes back in the tool result.
        let (call, key) = ask('y');
        answer(&mut state, key).await;
        let out = call.await.unwrap().unwrap();
        let text = out.text();
        assert!(!out.is_error, "{text}");
        assert!(text.contains("Hi from the stub model."), "{text}");
        assert!(text.contains("\"model\": \"stub-model\""), "{text}");
        assert!(text.contains("\"role\": \"assistant\""), "{text}");
        assert!(text.contains("\"stopReason\": \"endTurn\""), "{text}");
        let sent = stub.received();
        assert_eq!(sent.len(), 1);
        assert!(sent[0].text().contains("You are a helpful test server."));
        assert!(sent[0].text().contains("say hi"));
        assert_eq!(
            sent[0].body["max_tokens"], 100,
            "the server's maxTokens, under the config's cap"
        );

        // Denied: the call fails with the denial; nothing reaches the model.
        let (call, key) = ask('n');
        answer(&mut state, key).await;
        let failed = match call.await.unwrap() {
            Ok(out) => {
                assert!(out.is_error, "{}", out.text());
                out.text()
            }
            Err(e) => e.to_string(),
        };
        assert!(failed.contains("denied"), "{failed}");
        assert_eq!(stub.received().len(), 1);
        registry.shutdown().await;
    }
}

#[test]
fn headless_sampling_is_denied_unless_approved_by_the_flag() {
    let stub = llm_stub::Stub::start(
        llm_stub::Dialect::OpenAi,
        vec![llm_stub::Reply::Text("Headless hello.".into())],
    );
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("codemode.toml");
    let argv = servers::everything().argv();
    std::fs::write(
        &config,
        format!(
            "[llm]\nprovider = \"openai\"\nmodel = \"stub-model\"\nbase_url = {:?}\n\
             [servers.everything]\ncommand = {:?}\nargs = {:?}\n\
             capabilities = {{ sampling = true }}\n",
            stub.base_url,
            argv[0],
            &argv[1..]
        ),
    )
    .unwrap();
    let call = |extra: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
            .arg("--config")
            .arg(&config)
            .args(["call", "everything", "trigger-sampling-request"])
            .args(["--args", r#"{"prompt": "hi"}"#])
            .args(extra)
            .env("XDG_STATE_HOME", dir.path().join("state"))
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (code, out, err) = call(&[]);
    assert_ne!(code, Some(0), "{out}");
    assert!(
        format!("{out}{err}").contains("sampling denied"),
        "{out}{err}"
    );
    assert!(stub.received().is_empty());
    let (code, out, err) = call(&["--sampling", "approve"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("Headless hello."), "{out}");
    assert!(err.contains("samples the model"), "{err}");
    assert_eq!(stub.received().len(), 1);
}

#[tokio::test]
async fn everything_completes_prompt_and_template_arguments() {
    use codemode::mcp::CompletionRef;
    let (_child, url) = servers::start_everything_http().await;
    let registry = connect(http_spec(&url), ElicitPolicy::Decline).await;
    let prompt = CompletionRef::Prompt("completable-prompt".into());
    let none = serde_json::Map::new();
    let c = registry
        .complete("everything", &prompt, "department", "S", &none)
        .await
        .unwrap();
    assert_eq!(c.values, ["Sales", "Support"]);
    // The other arguments are sent as context: the names depend on the department.
    let context = serde_json::json!({"department": "Sales"});
    let c = registry
        .complete(
            "everything",
            &prompt,
            "name",
            "",
            context.as_object().unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(c.values, ["David", "Eve", "Frank"]);
    let template = CompletionRef::Resource("demo://resource/dynamic/text/{resourceId}".into());
    let c = registry
        .complete("everything", &template, "resourceId", "7", &none)
        .await
        .unwrap();
    assert_eq!(c.values, ["7"]);
    let c = registry
        .complete("everything", &template, "resourceId", "x", &none)
        .await
        .unwrap();
    assert!(c.values.is_empty());
    registry.shutdown().await;
}
