//! Approving tool calls while a script runs: the script pauses on a call the policy asks about
//! (destructive, definition changed since approved, `[policy] ask`), the panel shows the call
//! with its arguments, and the user approves it once (`y`/Enter), for the rest of the run
//! (`a`), or denies it (`n`/Esc: the script sees a catchable error of kind `policy`).
//! Requests queue while one is shown (`parallel` can ask several at once). The script's
//! thread waits on the same [`Waiting`] oneshots as elicitation and sampling.

use std::sync::Arc;

use futures::future::{Either, select};
use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tokio_util::sync::CancellationToken;

use super::action::{Action, Effect};
use super::command::{Command, Scope};
use super::log::{Level, LogBuffer, Source};
use super::theme::Theme;
use super::waiting::{Queue, Waiting};
use crate::script::approval::{Approval, ApprovalRequest, Approver};

/// Where the answer to each waiting call goes, by request id.
pub type Replies = Arc<Waiting<Approval>>;

/// A call waiting for approval.
#[derive(Clone, Debug, PartialEq)]
pub struct Pending {
    /// Its id in the reply map.
    pub id: u64,
    /// The call.
    pub request: ApprovalRequest,
}

/// The calls waiting for approval, the shown one first.
pub type Panel = Queue<Pending>;

/// The workbench's [`Approver`]: hands each request to the UI as [`Action::Approval`] and
/// waits, on the script's thread, for the answer or the run's cancellation (which denies),
/// whichever comes first.
pub struct TuiApprover {
    /// The UI's action channel.
    pub tx: tokio::sync::mpsc::UnboundedSender<Action>,
    /// Answers, filled by [`Effect::Answer`].
    pub replies: Replies,
}

impl Approver for TuiApprover {
    fn approve(&self, req: &ApprovalRequest, cancel: &CancellationToken) -> Approval {
        let closing = || Approval::Deny("the workbench is closing".into());
        let (id, answer) = self.replies.open();
        let shown = Action::Approval {
            id,
            request: req.clone(),
        };
        if self.tx.send(shown).is_err() {
            self.replies.forget(id);
            return closing();
        }
        let cancelled = std::pin::pin!(cancel.cancelled());
        match futures::executor::block_on(select(answer, cancelled)) {
            Either::Left((answer, _)) => answer.unwrap_or_else(|_| closing()),
            Either::Right(_) => {
                self.replies.forget(id);
                Approval::Deny("the run was stopped while waiting for approval".into())
            }
        }
    }
}

/// A call asks for approval: queue it (the first one is shown).
pub fn request(panel: &mut Panel, id: u64, request: ApprovalRequest) {
    panel.push(Pending { id, request });
}

/// Approve once, for the run, or deny the shown call. Approving for the run also answers
/// the queued calls of the same tool.
pub fn update(panel: &mut Panel, command: Command, log: &mut LogBuffer) -> Vec<Effect> {
    let answer = match command {
        Command::Approve(Scope::Once) => Approval::Once,
        Command::Approve(Scope::ForRun) => Approval::ForRun,
        Command::Deny => Approval::Deny("denied in the workbench (approval panel)".into()),
        _ => return vec![],
    };
    let Some(first) = panel.pop() else {
        return vec![];
    };
    let mut effects = vec![Effect::Answer {
        id: first.id,
        approval: answer.clone(),
    }];
    let req = &first.request;
    if answer == Approval::ForRun {
        let same = |p: &Pending| p.request.server == req.server && p.request.tool == req.tool;
        effects.extend(panel.iter().filter(|p| same(p)).map(|p| Effect::Answer {
            id: p.id,
            approval: Approval::Once,
        }));
        panel.retain(|p| !same(p));
    }
    let verb = match &answer {
        Approval::Once => "approved once",
        Approval::ForRun => "approved for this run",
        Approval::Deny(_) => "denied",
    };
    log.push(
        Source::Call,
        Level::Info,
        Some(&req.server),
        &format!("{}::{} {verb}", req.server, req.tool),
    );
    effects
}

/// The panel of the first waiting call, over everything else.
pub fn draw(panel: &Panel, t: &Theme, frame: &mut Frame) {
    let Some(Pending { request: req, .. }) = panel.front() else {
        return;
    };
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
    let more = match panel.len() {
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
    let inner = super::widgets::modal(frame, t, (width, height), "Approve tool call", 0);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

#[cfg(test)]
mod tests;
