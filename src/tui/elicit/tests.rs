use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use super::*;
use crate::State;
use crate::theme::{ColorDepth, Theme};

fn state() -> State {
    State::new(
        Theme::builtin("dark", ColorDepth::Ansi16).unwrap(),
        "demo::list_issues(#{})",
        None,
    )
}

/// A schema like server-everything's `trigger-elicitation-request`.
fn schema() -> Value {
    json!({"type": "object", "required": ["name", "email"], "properties": {
        "name": {"title": "Name", "type": "string", "description": "Your full, legal name"},
        "check": {"title": "Agree", "type": "boolean"},
        "email": {"title": "Email", "type": "string", "format": "email"},
        "birthdate": {"title": "Birthdate", "type": "string", "format": "date"},
        "integer": {"title": "Integer", "type": "integer", "minimum": 1, "maximum": 100,
                    "default": 42},
        "number": {"title": "Number", "type": "number", "default": 2.5},
        "friend": {"type": "string", "title": "Friend",
                   "enum": ["Monica", "Rachel", "Joey"], "default": "Monica"},
        "hero": {"type": "string", "title": "Hero", "oneOf": [
            {"const": "hero-1", "title": "Superman"},
            {"const": "hero-2", "title": "Green Lantern"}]},
        "fish": {"type": "array", "title": "Fish", "minItems": 1, "maxItems": 2,
                 "items": {"anyOf": [{"const": "fish-1", "title": "Tuna"},
                                     {"const": "fish-2", "title": "Salmon"},
                                     {"const": "fish-3", "title": "Trout"}]},
                 "default": ["fish-1"]},
        "pet": {"type": "string", "title": "Pet", "enum": ["pet-1", "pet-2"],
                "enumNames": ["Cats", "Dogs"]}
    }})
}

fn form_request(server: &str) -> ElicitRequest {
    ElicitRequest {
        server: server.into(),
        message: "Please provide inputs for the following fields:".into(),
        schema: Some(schema()),
        url: None,
    }
}

fn url_request() -> ElicitRequest {
    ElicitRequest {
        server: "everything".into(),
        message: "Please open the link to complete this action.".into(),
        schema: None,
        url: Some("https://example.com/authorize?session=0123456789abcdef&scope=read".into()),
    }
}

fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    crate::update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

fn ctrl(state: &mut State, c: char) -> Vec<Effect> {
    crate::update(
        state,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

fn typing(state: &mut State, text: &str) {
    for c in text.chars() {
        key(state, KeyCode::Char(c));
    }
}

/// Moves the focus to the field called `name`.
fn focus(state: &mut State, name: &str) {
    let form = state.elicits.front_mut().unwrap();
    form.focus = form.fields.iter().position(|f| f.name == name).unwrap();
}

fn ask(state: &mut State, id: u64, request: ElicitRequest) {
    crate::update(state, Action::Elicit { id, request });
}

#[test]
fn the_form_validates_inline_and_returns_typed_values() {
    let mut s = state();
    ask(&mut s, 3, form_request("everything"));
    // Keys belong to the form, not to the panes behind it.
    typing(&mut s, "Ada");
    assert_eq!(s.elicits[0].fields[0].text, "Ada");
    assert!(!s.dirty);
    // Required email missing: refused, marked, focused.
    assert!(key(&mut s, KeyCode::Enter).is_empty());
    let form = &s.elicits[0];
    let email = form.fields.iter().position(|f| f.name == "email").unwrap();
    assert_eq!(form.focus, email);
    assert_eq!(form.fields[email].error.as_deref(), Some("required"));
    typing(&mut s, "ada@");
    key(&mut s, KeyCode::Enter);
    assert_eq!(
        s.elicits[0].fields[email].error.as_deref(),
        Some("not a valid email")
    );
    typing(&mut s, "example.org");
    focus(&mut s, "integer");
    key(&mut s, KeyCode::Backspace);
    key(&mut s, KeyCode::Backspace);
    typing(&mut s, "101");
    key(&mut s, KeyCode::Enter);
    let field = |s: &State, n: &str| {
        s.elicits[0]
            .fields
            .iter()
            .find(|f| f.name == n)
            .unwrap()
            .clone()
    };
    assert_eq!(
        field(&s, "integer").error.as_deref(),
        Some("out of range (integer 1–100)")
    );
    key(&mut s, KeyCode::Backspace);
    // Boolean, single and multiple choices.
    focus(&mut s, "check");
    key(&mut s, KeyCode::Char(' '));
    focus(&mut s, "friend");
    key(&mut s, KeyCode::Right);
    focus(&mut s, "hero");
    key(&mut s, KeyCode::Left);
    focus(&mut s, "fish");
    key(&mut s, KeyCode::Right);
    key(&mut s, KeyCode::Char(' '));
    focus(&mut s, "birthdate");
    typing(&mut s, "1815-12-10");
    let effects = key(&mut s, KeyCode::Enter);
    let [Effect::Elicit { id: 3, reply }] = &effects[..] else {
        panic!("{effects:?}");
    };
    let ElicitReply::Accept(values) = reply else {
        panic!("{reply:?}");
    };
    assert_eq!(
        Value::Object(values.clone()),
        json!({"name": "Ada", "check": true, "email": "ada@example.org",
               "birthdate": "1815-12-10", "integer": 10, "number": 2.5,
               "friend": "Rachel", "hero": "hero-2", "fish": ["fish-1", "fish-2"]})
    );
    assert!(values["integer"].is_i64() && values["number"].is_f64());
    assert!(s.elicits.is_empty());
}

#[test]
fn decline_cancel_and_the_queue() {
    let mut s = state();
    ask(&mut s, 0, form_request("a"));
    ask(&mut s, 1, form_request("b"));
    ask(&mut s, 2, url_request());
    assert_eq!(
        ctrl(&mut s, 'd'),
        [Effect::Elicit {
            id: 0,
            reply: ElicitReply::Decline
        }]
    );
    assert_eq!(
        key(&mut s, KeyCode::Esc),
        [Effect::Elicit {
            id: 1,
            reply: ElicitReply::Cancel
        }]
    );
    // URL mode: typing does nothing; Enter means "I opened it" (no values).
    assert!(key(&mut s, KeyCode::Char('x')).is_empty());
    assert_eq!(
        key(&mut s, KeyCode::Enter),
        [Effect::Elicit {
            id: 2,
            reply: ElicitReply::Accept(Default::default())
        }]
    );
    ask(&mut s, 4, url_request());
    assert_eq!(
        key(&mut s, KeyCode::Char('n')),
        [Effect::Elicit {
            id: 4,
            reply: ElicitReply::Decline
        }]
    );
    assert!(s.log.len() >= 8, "asked and answered are logged");
}

#[test]
fn pasted_text_goes_into_the_focused_field() {
    let mut s = state();
    ask(&mut s, 0, form_request("a"));
    crate::update(&mut s, Action::Paste("Grace Hopper\n".into()));
    assert_eq!(s.elicits[0].fields[0].text, "Grace Hopper");
    assert_eq!(s.script(), "demo::list_issues(#{})");
}

#[tokio::test]
async fn the_elicitor_waits_for_the_answer_and_cancels_when_closed() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let replies = Replies::default();
    let elicit = elicitor(tx, replies.clone());
    let waiting = tokio::spawn(elicit(form_request("a")));
    let Some(Action::Elicit { id, request }) = rx.recv().await else {
        panic!("no request");
    };
    assert_eq!(request.server, "a");
    deliver(&replies, id, ElicitReply::Decline);
    assert_eq!(waiting.await.unwrap(), ElicitReply::Decline);
    // The workbench closes: waiting requests are cancelled.
    let waiting = tokio::spawn(elicit(url_request()));
    rx.recv().await.unwrap();
    replies.cancel_all();
    assert_eq!(waiting.await.unwrap(), ElicitReply::Cancel);
    drop(rx);
    assert_eq!(elicit(url_request()).await, ElicitReply::Cancel);
}

#[test]
fn the_form_at_80x24() {
    let mut s = state();
    ask(&mut s, 0, form_request("everything"));
    ask(&mut s, 1, url_request());
    typing(&mut s, "Ada Lovelace");
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::Down);
    typing(&mut s, "ada@");
    key(&mut s, KeyCode::Enter);
    let screen = crate::draw::screen_text(&s, 80, 24);
    assert!(screen.contains("not a valid email"), "{screen}");
    insta::assert_snapshot!("elicit_form_80x24", screen);
}

#[test]
fn the_url_mode_at_80x24() {
    let mut s = state();
    ask(&mut s, 1, url_request());
    let screen = crate::draw::screen_text(&s, 80, 24);
    assert!(
        screen.contains("https://example.com/authorize?session=0123456789abcdef&scope=read"),
        "the link is readable on one line: {screen}"
    );
    insta::assert_snapshot!("elicit_url_80x24", screen);
}
