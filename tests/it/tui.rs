//! The workbench's screens after real key sequences, rendered to ratatui's `TestBackend` and
//! compared with insta snapshots, at 80x24 and 160x48.

use crate::demo;
use crate::harness::{self, ctrl, key, screen};

use codemode::mcp::{Registry, ServerSpec, TransportSpec};
use codemode::tui::action::{Action, Effect};
use codemode::tui::{State, update};
use crossterm::event::KeyCode;

async fn workbench(specs: Vec<ServerSpec>) -> (Registry, State) {
    harness::workbench(specs, codemode::tui::WELCOME_SCRIPT).await
}

fn selected_tool(state: &State) -> String {
    state
        .selected_tool()
        .map(|(_, t)| t.name.clone())
        .unwrap_or_default()
}

fn both_sizes(name: &str, state: &State) {
    insta::assert_snapshot!(format!("{name}_80x24"), screen(state, 80, 24));
    insta::assert_snapshot!(format!("{name}_160x48"), screen(state, 160, 48));
}

#[tokio::test]
async fn startup_and_tool_selection() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    both_sizes("startup", &state);
    assert!(state.select("demo", "create_issue"));
    both_sizes("select_tool", &state);
    // The keys move from there.
    key(&mut state, KeyCode::Down);
    assert_eq!(selected_tool(&state), "list_issues");
    key(&mut state, KeyCode::Up);
    assert_eq!(selected_tool(&state), "create_issue");
    key(&mut state, KeyCode::Tab);
    for _ in 0..5 {
        key(&mut state, KeyCode::Down);
    }
    both_sizes("docs_scrolled", &state);
    registry.shutdown().await;
}

#[tokio::test]
async fn insert_snippet_goes_to_the_editor() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    assert!(state.select("demo", "calculate"));
    key(&mut state, KeyCode::Char('i'));
    assert!(state.dirty);
    assert!(
        state
            .script()
            .starts_with(r"let calculate = demo::calculate(#{ a: 1, b: 1 });")
    );
    both_sizes("insert_snippet", &state);
    registry.shutdown().await;
}

#[tokio::test]
async fn direct_call_form_validates_confirms_destructive_and_sends() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    assert!(state.select("demo", "delete_issue"));
    key(&mut state, KeyCode::Char('c'));
    both_sizes("call_form", &state);
    // The prefilled example is valid; a destructive tool wants a second F5.
    assert!(key(&mut state, KeyCode::F(5)).is_empty());
    both_sizes("call_form_confirm", &state);
    let effects = key(&mut state, KeyCode::F(5));
    assert_eq!(
        effects,
        vec![Effect::CallTool {
            server: "demo".into(),
            tool: "delete_issue".into(),
            args: serde_json::json!({"id": 1}).as_object().unwrap().clone(),
        }]
    );
    registry.shutdown().await;
}

#[tokio::test]
async fn invalid_call_arguments_are_refused_before_sending() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    assert!(state.select("demo", "calculate"));
    key(&mut state, KeyCode::Char('c'));
    // Replace the prefilled `"a": …,` line with `"a": "x",` (a string where a number is due).
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::Home);
    ctrl(&mut state, 'k'); // delete to the end of the line
    for c in "\"a\": \"x\",".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    assert!(
        key(&mut state, KeyCode::F(5)).is_empty(),
        "invalid arguments must not be sent"
    );
    let shown = screen(&state, 80, 24);
    assert!(
        shown.contains("`a`: \"x\" is not of type \"number\""),
        "{shown}"
    );
    registry.shutdown().await;
}

#[tokio::test]
async fn help_overlay_and_quit_guard() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    key(&mut state, KeyCode::F(1));
    both_sizes("help", &state);
    key(&mut state, KeyCode::Esc);
    assert!(state.overlay.is_none());
    // An unsaved edit makes Ctrl-Q ask first.
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Tab);
    key(&mut state, KeyCode::Char('x'));
    ctrl(&mut state, 'q');
    assert!(!state.quit);
    insta::assert_snapshot!("quit_guard_80x24", screen(&state, 80, 24));
    key(&mut state, KeyCode::Char('n'));
    assert!(!state.quit && state.overlay.is_none());
    ctrl(&mut state, 'q');
    key(&mut state, KeyCode::Char('y'));
    assert!(state.quit);
    registry.shutdown().await;
}

#[tokio::test]
async fn failed_server_shows_its_reason() {
    let missing = ServerSpec::new(
        "broken",
        TransportSpec::Stdio {
            command: "/nonexistent/mcp-server".into(),
            args: vec![],
            env: Default::default(),
            cwd: None,
            inherit_env: false,
        },
    );
    let (registry, mut state) = workbench(vec![missing, codemode::demo::in_process_spec()]).await;
    both_sizes("failed_server", &state);
    key(&mut state, KeyCode::Char('r'));
    assert_eq!(state.message.as_deref(), Some("reconnecting broken…"));
    registry.shutdown().await;
}

#[tokio::test]
async fn tree_filter_narrows_tools() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    key(&mut state, KeyCode::Char('/'));
    for c in "issue".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    key(&mut state, KeyCode::Enter);
    let names: Vec<String> = state
        .rows()
        .iter()
        .filter_map(|r| match r {
            codemode::tui::state::Row::Tool(s, t) => Some(state.servers[*s].tools[*t].name.clone()),
            _ => None,
        })
        .collect();
    // add_comment matches by its title, "Comment on issue".
    assert_eq!(
        names,
        [
            "create_issue",
            "list_issues",
            "get_issue",
            "update_issue",
            "add_comment",
            "delete_issue"
        ]
    );
    insta::assert_snapshot!("filter_80x24", screen(&state, 80, 24));
    registry.shutdown().await;
}

#[tokio::test]
async fn resources_and_prompts_are_browsable() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    assert!(state.select("demo", "issues"));
    assert_eq!(
        key(&mut state, KeyCode::Enter),
        vec![Effect::ReadResource {
            server: "demo".into(),
            uri: "tracker://issues".into()
        }]
    );
    key(&mut state, KeyCode::End);
    both_sizes("prompt_docs", &state);
    assert!(
        key(&mut state, KeyCode::Enter).is_empty(),
        "Enter on a prompt opens its form"
    );
    // Fill the optional `focus` argument: `{"focus": ""}` → `{"focus": "bug"}`.
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::End);
    key(&mut state, KeyCode::Left);
    for c in "bug".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    assert_eq!(
        key(&mut state, KeyCode::F(5)),
        vec![Effect::GetPrompt {
            server: "demo".into(),
            name: "triage".into(),
            args: serde_json::json!({"focus": "bug"})
                .as_object()
                .unwrap()
                .clone(),
        }]
    );
    // The app shows what comes back in the result overlay.
    update::update(
        &mut state,
        Action::Shown {
            title: "demo · prompt triage".into(),
            result: Ok("[user]\nPropose a triage order".into()),
        },
    );
    assert!(screen(&state, 80, 24).contains("Propose a triage order"));
    // F6 asks the app to reload the config; Ctrl-L to draw the screen again.
    key(&mut state, KeyCode::Esc);
    assert_eq!(key(&mut state, KeyCode::F(6)), vec![Effect::ReloadConfig]);
    assert_eq!(ctrl(&mut state, 'l'), vec![Effect::Redraw]);
    registry.shutdown().await;
}

#[tokio::test]
async fn asking_the_model_streams_the_script_into_the_code_pane() {
    use codemode::tui::ask::{AskRequest, AskUpdate};
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    // Without a model F2 says so at once, before anything is typed.
    assert!(ctrl(&mut state, 'g').is_empty());
    assert!(state.overlay.is_none());
    assert!(
        state
            .message
            .as_deref()
            .unwrap()
            .contains("no model is configured")
    );
    state.llm = true;
    assert!(ctrl(&mut state, 'g').is_empty());
    for c in "multiply 6 by 7".chars() {
        key(&mut state, KeyCode::Char(c));
    }
    both_sizes("ask_task_line", &state);
    let fx = key(&mut state, KeyCode::Enter);
    assert_eq!(
        fx,
        [Effect::Ask(AskRequest::Start {
            task: "multiply 6 by 7".into()
        })]
    );
    for piece in [
        "Here you go:\n```rhai\nlet r = demo::calcu",
        "late(#{ op: \"multiply\", a: 6, b: 7 });\n",
    ] {
        update::update(&mut state, Action::Ask(AskUpdate::Text(piece.into())));
    }
    assert_eq!(
        state.script(),
        "let r = demo::calculate(#{ op: \"multiply\", a: 6, b: 7 });"
    );
    both_sizes("ask_streaming", &state);
    registry.shutdown().await;
}

fn open(state: &mut State, text: &str) {
    let path = std::path::PathBuf::from("scripts/saved.rhai");
    update::update(
        state,
        Action::Opened {
            path,
            result: Ok(text.into()),
        },
    );
}

#[tokio::test]
async fn f4_shows_the_plan_with_each_calls_flags() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    open(
        &mut state,
        "let all = demo::list_issues();\ndemo::delete_issue(#{ id: all.issues[0].id });\ncall_tool(\"demo\", name, #{});\ndemo::nope();\n",
    );
    key(&mut state, KeyCode::F(4));
    let shown = screen(&state, 80, 24);
    for flag in ["[read-only]", "[destructive]", "[dynamic]", "[unknown]"] {
        assert!(shown.contains(flag), "{flag} missing:\n{shown}");
    }
    insta::assert_snapshot!("plan_overlay_80x24", shown);
    key(&mut state, KeyCode::Esc);
    assert!(state.overlay.is_none());
    registry.shutdown().await;
}

#[tokio::test]
async fn saving_writes_tool_hashes_and_opening_reports_changed_tools() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    let body = "demo::list_issues().total";
    open(&mut state, body);
    assert_eq!(state.message.as_deref(), Some("opened scripts/saved.rhai"));
    let effects = ctrl(&mut state, 's');
    let [Effect::Save(_, saved)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert!(
        saved.starts_with("// codemode-tools: demo::list_issues="),
        "{saved}"
    );
    assert!(saved.ends_with(body));
    // Reopened as saved: nothing changed.
    let logged = state.log.len();
    open(&mut state, saved);
    assert_eq!(state.message.as_deref(), Some("opened scripts/saved.rhai"));
    assert_eq!(state.log.len(), logged);
    // Saved against another definition of list_issues.
    let stale = format!("// codemode-tools: demo::list_issues=000000000000\n{body}");
    open(&mut state, &stale);
    assert_eq!(
        state.message.as_deref(),
        Some("opened scripts/saved.rhai · ⚠ demo::list_issues changed since saved")
    );
    let last = state.log.last().unwrap();
    assert!(
        last.text.starts_with(
            "demo::list_issues changed since this script was saved (definition hash 00000000… → "
        ),
        "{last:?}"
    );
    registry.shutdown().await;
}

#[tokio::test]
async fn the_tree_marks_tools_changed_since_approved() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pins.json");
    // list_issues was approved with another definition; get_issue as it is now.
    let store = codemode::script::approval::ApprovalStore::open(&path).unwrap();
    let tools = registry.servers()[0].tools.clone();
    let get = tools.iter().find(|t| t.name == "get_issue").unwrap();
    store.approve("demo", get).unwrap();
    let mut pins: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    pins["servers"]["demo"]["list_issues"] = "0".repeat(64).into();
    std::fs::write(&path, pins.to_string()).unwrap();
    let store = codemode::script::approval::ApprovalStore::open(&path).unwrap();
    state.pins = Some(std::sync::Arc::new(store));
    let shown = screen(&state, 80, 24);
    let marked: Vec<&str> = shown.lines().filter(|l| l.contains("⚠ ")).collect();
    assert_eq!(marked.len(), 1, "{shown}");
    assert!(marked[0].contains("⚠ list_i"), "{shown}");
    insta::assert_snapshot!("changed_since_approved_80x24", shown);
    assert!(screen(&state, 160, 48).contains("⚠ list_issues changed"));
    registry.shutdown().await;
}

#[tokio::test]
async fn hostile_server_text_never_reaches_the_screen_raw() {
    let (registry, mut state) = workbench(vec![demo::stdio_spec("demo", &["hostile"])]).await;
    // The server row (title, instructions in the docs), the hostile tool's docs, its
    // result overlay and the server's stderr line in the log.
    let mut screens = vec![screen(&state, 80, 24)];
    let rows = state.rows().len();
    for _ in 0..rows {
        key(&mut state, KeyCode::Down);
        screens.push(screen(&state, 160, 48));
    }
    let call = registry
        .call_tool(
            "demo",
            "echo_env",
            Some(
                serde_json::json!({"name": "PATH"})
                    .as_object()
                    .unwrap()
                    .clone(),
            ),
            &Default::default(),
        )
        .await;
    update::update(
        &mut state,
        Action::CallDone {
            server: "demo".into(),
            tool: "echo_env".into(),
            result: call,
            elapsed: std::time::Duration::from_millis(1),
        },
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    screens.push(screen(&state, 160, 48));
    let all = screens.concat();
    assert!(all.contains("echo_env"), "the hostile tool is listed");
    for c in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
        assert!(!all.contains(c), "{c:?} reached the screen");
    }
    registry.shutdown().await;
}

#[tokio::test]
async fn rows_are_selected_by_name() {
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    assert!(state.select("demo", "delete_issue"));
    assert_eq!(selected_tool(&state), "delete_issue");
    assert!(state.select("demo", "triage"));
    assert!(matches!(
        state.selected_row(),
        Some(codemode::tui::state::Row::Prompt(..))
    ));
    assert!(state.select("demo", ""), "the server's own row");
    assert_eq!(state.tree.selected, 0);
    assert!(!state.select("demo", "no_such_tool"));
    assert!(!state.select("nope", "calculate"));
    assert_eq!(
        state.tree.selected, 0,
        "a failed select leaves the selection"
    );
    // A folded server's tools are not visible, so not selectable.
    key(&mut state, KeyCode::Enter);
    assert!(!state.select("demo", "calculate"));
    registry.shutdown().await;
}

#[tokio::test]
async fn commands_apply_without_keys() {
    use codemode::tui::Command;
    let (registry, mut state) = workbench(vec![codemode::demo::in_process_spec()]).await;
    let command = |state: &mut State, c: Command| update::update(state, Action::Command(c));
    assert!(command(&mut state, Command::Down).is_empty());
    assert_eq!(selected_tool(&state), "calculate");
    command(&mut state, Command::Insert);
    assert!(
        state
            .script()
            .starts_with("let calculate = demo::calculate(")
    );
    assert_eq!(state.focus, codemode::tui::state::Pane::Code);
    assert_eq!(
        command(&mut state, Command::Run),
        [Effect::RunScript(state.script())]
    );
    registry.shutdown().await;
}

/// README's key table is the one the F1 overlay shows (both come from the key table).
#[test]
fn the_readme_lists_every_key() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start =
        "<!-- keys: generated from src/tui/keymap/bindings.rs; tests/it/tui.rs checks it -->\n";
    let from = readme.find(start).expect("README has no key table marker") + start.len();
    let to = from
        + readme[from..]
            .find("<!-- /keys -->")
            .expect("no end marker");
    let expected = codemode::tui::keymap::markdown();
    if std::env::var_os("CODEMODE_WRITE_README").is_some() && readme[from..to] != expected {
        let updated = format!("{}{expected}{}", &readme[..from], &readme[to..]);
        std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md"), updated).unwrap();
        return;
    }
    assert!(
        readme[from..to] == expected,
        "README's key table is out of date (CODEMODE_WRITE_README=1 rewrites it); it is:\n{expected}"
    );
}
