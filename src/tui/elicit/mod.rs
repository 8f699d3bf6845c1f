//! Answering servers' elicitation requests in the workbench. The registry's [`Elicitor`]
//! (see [`elicitor`]) hands each request to the UI as [`Action::Elicit`] and awaits a
//! oneshot, so the server's request waits on the user while the UI keeps running. The form
//! (a modal over everything but the approval panel) is built from the requested schema;
//! Enter accepts (after validation), Ctrl-D declines, Esc cancels (the keys are in
//! `keymap/bindings.rs`). URL mode shows the message and the link: Enter means "I opened it".

mod draw;
pub mod form;

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tokio::sync::mpsc;

pub use draw::draw;
pub use form::ElicitForm;

use super::action::{Action, Effect};
use super::command::Command;
use super::log::{Level, LogBuffer, Source};
use super::waiting::Queue;
use crate::mcp::elicit::{ElicitReply, ElicitRequest, Elicitor};
use form::Kind;

/// Where the answer to each waiting request goes, by request id.
pub type Replies = Arc<super::waiting::Waiting<ElicitReply>>;

/// The forms of the requests waiting for the user, the shown one first.
pub type Panel = Queue<ElicitForm>;

/// The workbench's elicitor: each request becomes an [`Action::Elicit`] on `tx`, answered
/// through `replies` by [`deliver`]. A closed workbench (or a dropped reply) cancels.
pub fn elicitor(tx: mpsc::UnboundedSender<Action>, replies: Replies) -> Elicitor {
    Arc::new(move |request: ElicitRequest| {
        let (id, answer) = replies.open();
        if tx.send(Action::Elicit { id, request }).is_err() {
            replies.forget(id);
        }
        Box::pin(async move { answer.await.unwrap_or(ElicitReply::Cancel) })
    })
}

/// Sends the user's answer to the waiting request (a server that stopped waiting is
/// ignored).
pub fn deliver(replies: &Replies, id: u64, reply: ElicitReply) {
    replies.deliver(id, reply);
}

/// A request arrived: queue its form (the first one is shown) and log it.
pub fn request(panel: &mut Panel, id: u64, req: ElicitRequest, log: &mut LogBuffer) {
    let link = req
        .url
        .as_ref()
        .map(|u| format!(" (open {u})"))
        .unwrap_or_default();
    log.push(
        Source::Server,
        Level::Info,
        Some(&req.server),
        &format!("{} asks: {}{link}", req.server, req.message),
    );
    panel.push(ElicitForm::new(id, req));
}

/// Whether the shown request is in URL mode (a link, no fields).
pub fn is_url(panel: &Panel) -> bool {
    panel.front().is_some_and(|f| f.url.is_some())
}

fn answer(panel: &mut Panel, reply: ElicitReply, log: &mut LogBuffer) -> Vec<Effect> {
    let Some(form) = panel.pop() else {
        return vec![];
    };
    let verb = match &reply {
        ElicitReply::Accept(v) if form.url.is_some() || v.is_empty() => "accepted".to_string(),
        ElicitReply::Accept(v) => format!("accepted ({} fields)", v.len()),
        ElicitReply::Decline => "declined".into(),
        ElicitReply::Cancel => "cancelled".into(),
    };
    log.push(
        Source::Server,
        Level::Info,
        Some(&form.server),
        &format!("{}: elicitation {verb}", form.server),
    );
    vec![Effect::Elicit { id: form.id, reply }]
}

/// The shown form: `Accept` (after validation), `Decline`, `Cancel`; `Up` / `Down` move
/// between fields; typed keys edit the focused field.
pub fn update(panel: &mut Panel, command: Command, log: &mut LogBuffer) -> Vec<Effect> {
    let Some(form) = panel.front_mut() else {
        return vec![];
    };
    match command {
        Command::Cancel => return answer(panel, ElicitReply::Cancel, log),
        Command::Decline => return answer(panel, ElicitReply::Decline, log),
        Command::Accept => {
            return match form.values() {
                Some(values) => answer(panel, ElicitReply::Accept(values), log),
                None => vec![],
            };
        }
        _ if form.url.is_some() => {}
        Command::Down => form.focus = (form.focus + 1).min(form.fields.len().saturating_sub(1)),
        Command::Up => form.focus = form.focus.saturating_sub(1),
        Command::Input(key) => edit(form, key),
        _ => {}
    }
    vec![]
}

/// A key for the focused field.
fn edit(form: &mut ElicitForm, key: KeyEvent) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    let Some(field) = form.field() else {
        return;
    };
    field.error = None;
    let text = field.takes_text();
    match (&mut field.kind, key.code) {
        (_, KeyCode::Char('u')) if ctrl && text => field.text.clear(),
        (_, KeyCode::Char(c)) if text && !ctrl => field.text.push(c),
        (_, KeyCode::Backspace) if text => {
            field.text.pop();
        }
        (Kind::Boolean(b), KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right) => {
            *b = Some(!b.unwrap_or(false));
        }
        (Kind::Boolean(b), KeyCode::Backspace | KeyCode::Delete) => *b = None,
        (Kind::Select { choices, picked }, KeyCode::Right | KeyCode::Char(' ')) => {
            *picked = Some(picked.map_or(0, |p| (p + 1) % choices.len().max(1)));
        }
        (Kind::Select { choices, picked }, KeyCode::Left) => {
            let n = choices.len().max(1);
            *picked = Some(picked.map_or(n - 1, |p| (p + n - 1) % n));
        }
        (Kind::Select { picked, .. }, KeyCode::Backspace | KeyCode::Delete) => *picked = None,
        (
            Kind::Multi {
                choices, cursor, ..
            },
            KeyCode::Right,
        ) => *cursor = (*cursor + 1).min(choices.len().saturating_sub(1)),
        (Kind::Multi { cursor, .. }, KeyCode::Left) => *cursor = cursor.saturating_sub(1),
        (Kind::Multi { chosen, cursor, .. }, KeyCode::Char(' ')) => {
            if let Some(on) = chosen.get_mut(*cursor) {
                *on = !*on;
            }
        }
        _ => {}
    }
}

/// Pasted text goes into the focused text field.
pub fn paste(panel: &mut Panel, text: &str) {
    if let Some(field) = panel.front_mut().and_then(ElicitForm::field)
        && field.takes_text()
    {
        field.text.push_str(text.trim_end_matches(['\n', '\r']));
        field.error = None;
    }
}

#[cfg(test)]
mod tests;
