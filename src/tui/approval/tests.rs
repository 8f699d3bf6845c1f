use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

use super::*;
use crate::State;
use crate::script::AskReason;
use crate::theme::{ColorDepth, Theme};

fn req(index: usize, tool: &str) -> ApprovalRequest {
    ApprovalRequest {
        index,
        server: "demo".into(),
        tool: tool.into(),
        args: json!({"id": index}),
        reasons: vec![AskReason::Destructive],
    }
}

fn press(state: &mut State, code: KeyCode) -> Vec<Effect> {
    crate::update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Call `index` of tool `tool` waits for approval (its request id is its index).
fn ask(state: &mut State, index: usize, tool: &str) {
    let id = index as u64;
    crate::update(
        state,
        Action::Approval {
            id,
            request: req(index, tool),
        },
    );
}

fn state() -> State {
    State::new(
        Theme::builtin("dark", ColorDepth::Ansi16).unwrap(),
        "demo::delete_issue(#{ id: 1 })",
        None,
    )
}

#[test]
fn approve_once_for_the_run_and_deny() {
    let mut s = state();
    ask(&mut s, 0, "delete_issue");
    ask(&mut s, 1, "delete_issue");
    ask(&mut s, 2, "archive_closed_issues");
    // Other keys do nothing while a call waits: the editor does not get them.
    assert!(press(&mut s, KeyCode::Char('x')).is_empty());
    assert_eq!(s.approvals.len(), 3);
    // For the run: the queued call of the same tool is answered too.
    assert_eq!(
        press(&mut s, KeyCode::Char('a')),
        [
            Effect::Answer {
                id: 0,
                approval: Approval::ForRun
            },
            Effect::Answer {
                id: 1,
                approval: Approval::Once
            },
        ]
    );
    assert_eq!(s.approvals.len(), 1);
    let effects = press(&mut s, KeyCode::Char('n'));
    assert!(
        matches!(&effects[..], [Effect::Answer { id: 2, approval: Approval::Deny(m) }] if m.contains("denied")),
        "{effects:?}"
    );
    assert!(s.approvals.is_empty());
    ask(&mut s, 3, "delete_issue");
    assert_eq!(
        press(&mut s, KeyCode::Enter),
        [Effect::Answer {
            id: 3,
            approval: Approval::Once
        }]
    );
}

#[test]
fn the_panel_shows_the_call_and_its_arguments() {
    let mut s = state();
    ask(&mut s, 0, "delete_issue");
    ask(&mut s, 1, "delete_issue");
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| crate::draw::draw(&s, f)).unwrap();
    let buf = terminal.backend().buffer();
    let screen: String = (0..24)
        .map(|y| {
            let line: String = (0..80).map(|x| buf[(x, y)].symbol().to_string()).collect();
            format!("{}\n", line.trim_end())
        })
        .collect();
    assert!(screen.contains("Approve tool call"), "{screen}");
    insta::assert_snapshot!("approval_panel_80x24", screen);
}

#[test]
fn the_approver_waits_for_the_answer_and_gives_up_on_cancel_or_close() {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let replies: Replies = Default::default();
    let approver = Arc::new(TuiApprover {
        tx,
        replies: replies.clone(),
    });
    let cancel = CancellationToken::new();
    let waiting_call = |index: usize| {
        let (approver, cancel) = (approver.clone(), cancel.clone());
        std::thread::spawn(move || approver.approve(&req(index, "delete_issue"), &cancel))
    };
    let waiting = waiting_call(7);
    let Some(Action::Approval { id, request }) = rx.blocking_recv() else {
        panic!("no request");
    };
    assert_eq!(request.index, 7);
    replies.deliver(id, Approval::ForRun);
    assert_eq!(waiting.join().unwrap(), Approval::ForRun);

    // The workbench closes while a call waits: denied at once.
    let waiting = waiting_call(8);
    rx.blocking_recv().unwrap();
    replies.cancel_all();
    let Approval::Deny(m) = waiting.join().unwrap() else {
        panic!("approved by a closed workbench");
    };
    assert!(m.contains("closing"), "{m}");

    // The run is stopped while a call waits: denied, and a late answer goes nowhere.
    let waiting = waiting_call(9);
    let Some(Action::Approval { id, .. }) = rx.blocking_recv() else {
        panic!("no request");
    };
    cancel.cancel();
    let Approval::Deny(m) = waiting.join().unwrap() else {
        panic!("approved a cancelled run");
    };
    assert!(m.contains("stopped"), "{m}");
    replies.deliver(id, Approval::Once);
    drop(rx);
    let Approval::Deny(m) = approver.approve(&req(10, "delete_issue"), &cancel) else {
        panic!("approved with nobody to ask");
    };
    assert!(m.contains("closing"), "{m}");
}

#[test]
fn pasted_text_does_not_reach_the_editor_behind_the_panel() {
    let mut s = state();
    s.focus = crate::state::Pane::Code;
    ask(&mut s, 0, "delete_issue");
    crate::update(&mut s, Action::Paste("oops ".into()));
    assert_eq!(s.script(), "demo::delete_issue(#{ id: 1 })");
    assert!(!s.dirty);
    press(&mut s, KeyCode::Char('n'));
    crate::update(&mut s, Action::Paste("ok ".into()));
    assert_eq!(s.script(), "ok demo::delete_issue(#{ id: 1 })");
}
