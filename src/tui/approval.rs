//! Approving tool calls while a script runs: the script pauses on a call the policy asks about
//! (destructive, definition changed since approved, `[policy] ask`), the panel shows the call
//! with its arguments, and the user approves it once (`y`/Enter), for the rest of the run
//! (`a`), or denies it (`n`/Esc: the script sees a catchable error of kind `policy`).
//! Requests queue while one is shown (`parallel` can ask several at once).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tokio_util::sync::CancellationToken;

use super::action::{Action, Effect};
use super::log::{Level, Source};
use super::state::State;
use crate::script::approval::{Approval, ApprovalRequest, Approver};

/// Where the answer to each waiting call goes, by call index.
pub type Replies = Arc<Mutex<HashMap<usize, mpsc::Sender<Approval>>>>;

/// The workbench's [`Approver`]: hands each request to the UI as [`Action::Approval`] and
/// waits for the answer (or the run's cancellation, which denies).
pub struct TuiApprover {
    /// The UI's action channel.
    pub tx: tokio::sync::mpsc::UnboundedSender<Action>,
    /// Answers, filled by [`Effect::Answer`].
    pub replies: Replies,
}

impl Approver for TuiApprover {
    fn approve(&self, req: &ApprovalRequest, cancel: &CancellationToken) -> Approval {
        let (reply, answer) = mpsc::channel();
        self.replies
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(req.index, reply);
        if self.tx.send(Action::Approval(req.clone())).is_err() {
            return Approval::Deny("the workbench is closing".into());
        }
        loop {
            match answer.recv_timeout(Duration::from_millis(50)) {
                Ok(a) => return a,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Approval::Deny("the workbench is closing".into());
                }
                Err(mpsc::RecvTimeoutError::Timeout) if cancel.is_cancelled() => {
                    return Approval::Deny("the run was stopped while waiting for approval".into());
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
            }
        }
    }
}

/// Sends an answer to the waiting call.
pub fn deliver(replies: &Replies, index: usize, approval: Approval) {
    if let Some(tx) = replies
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(&index)
    {
        let _ = tx.send(approval);
    }
}

/// A call asks for approval: queue it (the first one is shown).
pub fn request(state: &mut State, req: ApprovalRequest) {
    state.approvals.push_back(req);
    state.needs_redraw = true;
}

/// Keys while a call waits for approval: `y`/Enter once, `a` for the run, `n`/Esc deny.
/// Approving for the run also answers the queued calls of the same tool.
pub fn key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let answer = match key.code {
        KeyCode::Char('y') | KeyCode::Enter => Approval::Once,
        KeyCode::Char('a') => Approval::ForRun,
        KeyCode::Char('n') | KeyCode::Esc => {
            Approval::Deny("denied in the workbench (approval panel)".into())
        }
        _ => {
            state.needs_redraw = false;
            return vec![];
        }
    };
    let Some(req) = state.approvals.pop_front() else {
        return vec![];
    };
    let mut effects = vec![Effect::Answer {
        index: req.index,
        approval: answer.clone(),
    }];
    if answer == Approval::ForRun {
        let same = |r: &ApprovalRequest| r.server == req.server && r.tool == req.tool;
        effects.extend(
            state
                .approvals
                .iter()
                .filter(|r| same(r))
                .map(|r| Effect::Answer {
                    index: r.index,
                    approval: Approval::Once,
                }),
        );
        state.approvals.retain(|r| !same(r));
    }
    let verb = match &answer {
        Approval::Once => "approved once",
        Approval::ForRun => "approved for this run",
        Approval::Deny(_) => "denied",
    };
    state.log.push(
        Source::Call,
        Level::Info,
        Some(&req.server),
        &format!("{}::{} {verb}", req.server, req.tool),
    );
    state.needs_redraw = true;
    effects
}

/// The panel of the first waiting call, over everything else.
pub fn draw(state: &State, frame: &mut Frame) {
    let Some(req) = state.approvals.front() else {
        return;
    };
    let t = &state.theme;
    let reasons: Vec<&str> = req.reasons.iter().map(|r| r.describe()).collect();
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{}::{}", req.server, req.tool), t.title),
            Span::raw(format!("  (call #{})", req.index)),
        ]),
        Line::from(Span::styled(
            format!("needs approval: {}", reasons.join(", ")),
            t.error,
        )),
        Line::raw(""),
    ];
    let args = serde_json::to_string_pretty(&req.args).unwrap_or_default();
    lines.extend(args.lines().take(12).map(|l| Line::raw(l.to_string())));
    if args.lines().count() > 12 {
        lines.push(Line::styled("…", t.muted));
    }
    lines.push(Line::raw(""));
    let more = match state.approvals.len() {
        1 => String::new(),
        n => format!("   ({} more waiting)", n - 1),
    };
    lines.push(Line::from(vec![
        Span::styled("y", t.accent),
        Span::raw(" approve once   "),
        Span::styled("a", t.accent),
        Span::raw(" approve for this run   "),
        Span::styled("n", t.accent),
        Span::raw(format!(" deny{more}")),
    ]));
    let screen = frame.area();
    let height = (lines.len() as u16 + 2).min(screen.height);
    let width = 70.min(screen.width);
    let inner = crate::draw::modal(frame, t, (width, height), "Approve tool call", 0);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

#[cfg(test)]
mod tests;
