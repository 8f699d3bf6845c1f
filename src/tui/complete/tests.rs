use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;
use tui_textarea::{CursorMove, TextArea};

use super::*;
use crate::State;
use crate::action::Action;
use crate::state::{CallForm, FormTarget, Overlay};
use crate::theme::{ColorDepth, Theme};

fn state_with_form() -> State {
    let mut s = State::new(
        Theme::builtin("dark", ColorDepth::Ansi16).unwrap(),
        "",
        None,
    );
    let prompt: crate::mcp::PromptDef = serde_json::from_value(json!({
        "name": "completable-prompt",
        "arguments": [{"name": "department", "required": true}, {"name": "name"}]
    }))
    .unwrap();
    let text = "{\n  \"department\": \"Engineering\",\n  \"name\": \"A\"\n}";
    s.overlay = Some(Overlay::Call(Box::new(CallForm::new(
        "everything".into(),
        FormTarget::Prompt(prompt),
        text,
    ))));
    s
}

fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    crate::update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn form(state: &mut State) -> &mut CallForm {
    match state.overlay.as_mut() {
        Some(Overlay::Call(f)) => f,
        _ => panic!("no form"),
    }
}

#[test]
fn tab_asks_for_the_argument_on_the_cursor_line_and_inserts_the_pick() {
    let mut s = state_with_form();
    // On the `{` line there is nothing to complete.
    assert!(key(&mut s, KeyCode::Tab).is_empty());
    assert!(
        form(&mut s)
            .error
            .as_deref()
            .unwrap()
            .contains("put the cursor")
    );
    form(&mut s).editor.move_cursor(CursorMove::Jump(2, 0));
    let effects = key(&mut s, KeyCode::Tab);
    assert_eq!(
        effects,
        [Effect::Complete {
            server: "everything".into(),
            reference: CompletionRef::Prompt("completable-prompt".into()),
            argument: "name".into(),
            value: "A".into(),
            context: json!({"department": "Engineering"})
                .as_object()
                .unwrap()
                .clone(),
        }]
    );
    // A stale answer (another value) is dropped.
    crate::update(
        &mut s,
        Action::Completed {
            argument: "name".into(),
            value: "B".into(),
            result: Ok(Completions {
                values: vec!["Bob".into()],
                ..Default::default()
            }),
        },
    );
    assert!(form(&mut s).picks.is_none());
    crate::update(
        &mut s,
        Action::Completed {
            argument: "name".into(),
            value: "A".into(),
            result: Ok(Completions {
                values: vec!["Alice".into(), "Al".into()],
                ..Default::default()
            }),
        },
    );
    assert_eq!(form(&mut s).picks.as_ref().unwrap().values.len(), 2);
    let screen = crate::draw::screen_text(&s, 80, 24);
    assert!(screen.contains(" Alice"), "{screen}");
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Enter);
    assert!(form(&mut s).picks.is_none());
    assert_eq!(
        form(&mut s).editor.lines().join("\n"),
        "{\n  \"department\": \"Engineering\",\n  \"name\": \"Alice\"\n}"
    );
    // No values: said so.
    key(&mut s, KeyCode::Tab);
    crate::update(
        &mut s,
        Action::Completed {
            argument: "name".into(),
            value: "Alice".into(),
            result: Ok(Completions::default()),
        },
    );
    assert_eq!(
        form(&mut s).error.as_deref(),
        Some("no completions for `name`")
    );
}

#[test]
fn a_template_form_completes_and_reads_the_expanded_uri() {
    let mut s = state_with_form();
    let template: crate::mcp::ResourceTemplateDef = serde_json::from_value(json!({
        "uriTemplate": "demo://resource/dynamic/text/{resourceId}", "name": "Dynamic Text"
    }))
    .unwrap();
    let text = "{\n  \"resourceId\": \"7\"\n}";
    let f = form(&mut s);
    f.target = FormTarget::Template(template);
    f.editor = TextArea::new(text.lines().map(str::to_string).collect());
    f.editor.move_cursor(CursorMove::Jump(1, 0));
    let effects = key(&mut s, KeyCode::Tab);
    assert!(
        matches!(&effects[..], [Effect::Complete { reference: CompletionRef::Resource(u), argument, .. }]
            if u.ends_with("{resourceId}") && argument == "resourceId"),
        "{effects:?}"
    );
    let effects = key(&mut s, KeyCode::F(5));
    assert_eq!(
        effects,
        [Effect::ReadResource {
            server: "everything".into(),
            uri: "demo://resource/dynamic/text/7".into()
        }]
    );
}
