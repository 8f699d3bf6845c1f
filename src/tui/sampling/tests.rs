use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::json;

use super::*;
use crate::State;
use crate::config::Tables;
use crate::theme::{ColorDepth, Theme};

fn state() -> State {
    State::new(
        Theme::builtin("dark", ColorDepth::Ansi16).unwrap(),
        "demo::list_issues(#{})",
        None,
    )
}

fn req(server: &str) -> SamplingRequest {
    SamplingRequest::from_params(
        server,
        &json!({
            "messages": [{"role": "user", "content": {"type": "text",
                "text": "Resource trigger-sampling-request context: say hi"}}],
            "systemPrompt": "You are a helpful test server.", "maxTokens": 100,
            "temperature": 0.7, "modelPreferences": {"hints": [{"name": "claude-3"}]}
        }),
    )
}

fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    crate::update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

#[test]
fn every_request_waits_for_approve_or_deny() {
    let mut s = state();
    crate::update(
        &mut s,
        Action::Sample {
            id: 4,
            request: req("a"),
        },
    );
    crate::update(
        &mut s,
        Action::Sample {
            id: 5,
            request: req("b"),
        },
    );
    // Other keys and pasted text do not reach the panes behind.
    s.focus = crate::state::Pane::Code;
    assert!(key(&mut s, KeyCode::Char('x')).is_empty());
    crate::update(&mut s, Action::Paste("pasted".into()));
    assert!(key(&mut s, KeyCode::Down).is_empty());
    // The request fits in the panel: nothing to scroll.
    assert_eq!(s.samplings[0].scroll, 0);
    assert_eq!(
        key(&mut s, KeyCode::Char('y')),
        [Effect::Sample {
            id: 4,
            approve: true
        }]
    );
    assert_eq!(
        key(&mut s, KeyCode::Esc),
        [Effect::Sample {
            id: 5,
            approve: false
        }]
    );
    assert!(s.samplings.is_empty());
    assert_eq!(s.script(), "demo::list_issues(#{})");
}

#[tokio::test]
async fn without_a_model_requests_are_denied_and_the_closed_workbench_denies() {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let replies = Replies::default();
    let none = sampler(tx.clone(), replies.clone(), None);
    assert!(matches!(none(req("a")).await, Err(SamplingError::Denied(m)) if m.contains("[llm]")));
    assert!(rx.try_recv().is_err(), "nothing shown without a model");
    let cfg = LlmConfig::from_tables(&Tables::from_values(
        json!({"llm": {"provider": "openai", "model": "m", "base_url": "http://127.0.0.1:9"}})
            .as_object()
            .unwrap()
            .clone(),
    ))
    .unwrap();
    let with = sampler(tx, replies.clone(), cfg);
    let waiting = tokio::spawn(with(req("a")));
    let Some(Action::Sample { id, .. }) = rx.recv().await else {
        panic!("not shown");
    };
    replies.deliver(id, false);
    assert!(
        matches!(waiting.await.unwrap(), Err(SamplingError::Denied(m)) if m.contains("denied"))
    );
    let waiting = tokio::spawn(with(req("a")));
    rx.recv().await.unwrap();
    replies.cancel_all();
    assert!(
        matches!(waiting.await.unwrap(), Err(SamplingError::Denied(m)) if m.contains("closed"))
    );
}

#[test]
fn the_panel_at_80x24() {
    let mut s = state();
    crate::update(
        &mut s,
        Action::Sample {
            id: 0,
            request: req("everything"),
        },
    );
    let screen = crate::draw::screen_text(&s, 80, 24);
    assert!(
        screen.contains("You are a helpful test server."),
        "{screen}"
    );
    assert!(screen.contains("maxTokens 100"), "{screen}");
    insta::assert_snapshot!("sampling_panel_80x24", screen);
}

/// A request of `lines` numbered lines.
fn long_req(lines: usize) -> SamplingRequest {
    let text: Vec<String> = (1..=lines).map(|i| format!("line {i}")).collect();
    SamplingRequest::from_params(
        "everything",
        &json!({
            "messages": [{"role": "user", "content": {"type": "text", "text": text.join("\n")}}],
            "maxTokens": 100
        }),
    )
}

#[test]
fn scrolling_stops_at_the_last_line_of_the_request() {
    let mut s = state();
    s.screen = ratatui::layout::Rect::new(0, 0, 80, 24);
    crate::update(
        &mut s,
        Action::Sample {
            id: 0,
            request: long_req(100),
        },
    );
    key(&mut s, KeyCode::Down);
    assert_eq!(s.samplings[0].scroll, 1);
    // End shows the last page: the request's last line, not an empty panel.
    key(&mut s, KeyCode::End);
    let end = s.samplings[0].scroll;
    let screen = crate::draw::screen_text(&s, 80, 24);
    assert!(screen.contains("line 100"), "{screen}");
    assert!(
        !screen.contains("[user]"),
        "the top is scrolled away: {screen}"
    );
    // Further down does not move; one up shows a line more of the top.
    key(&mut s, KeyCode::Down);
    key(&mut s, KeyCode::PageDown);
    assert_eq!(s.samplings[0].scroll, end);
    key(&mut s, KeyCode::Up);
    assert_eq!(s.samplings[0].scroll, end - 1);
    // A page is the text's height: PageUp from the end, then PageDown, comes back.
    key(&mut s, KeyCode::PageUp);
    assert!(s.samplings[0].scroll < end - 1);
    key(&mut s, KeyCode::Home);
    assert_eq!(s.samplings[0].scroll, 0);
    let screen = crate::draw::screen_text(&s, 80, 24);
    assert!(screen.contains("System prompt"), "{screen}");
}
