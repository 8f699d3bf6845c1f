//! Servers asking our model to write something (`sampling/createMessage`): every request is
//! shown in a panel — the server, its system prompt, its messages, `maxTokens`, temperature
//! and model preferences — before anything is sent. `y`/Enter approves (the request then goes
//! to the `[llm]` model and the answer back to the server), `n`/Esc denies; ↑↓ scroll.
//! Without an `[llm]` table sampling is never declared, and a request is denied.

use std::sync::Arc;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::action::{Action, Effect};
use super::command::Command;
use super::log::{Level, LogBuffer, Source};
use super::theme::Theme;
use super::waiting::Queue;
use crate::llm::LlmConfig;
use crate::mcp::sampling::{Sampler, SamplingError, SamplingRequest, deny_sampler};

/// Where each waiting request's approval goes.
pub type Replies = Arc<super::waiting::Waiting<bool>>;

/// A request on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Shown {
    /// Its id in the reply map.
    pub id: u64,
    /// What it asks.
    pub request: SamplingRequest,
    /// Lines scrolled.
    pub scroll: u16,
}

/// The requests waiting for approval, the shown one first.
pub type Panel = Queue<Shown>;

/// The workbench's sampler: each request becomes an [`Action::Sample`]; once approved it is
/// sent to `llm`. Denied, or with no model, the server gets an error.
pub fn sampler(
    tx: mpsc::UnboundedSender<Action>,
    replies: Replies,
    llm: Option<LlmConfig>,
) -> Sampler {
    let Some(cfg) = llm else {
        return deny_sampler("no [llm] model is configured");
    };
    Arc::new(move |request: SamplingRequest| {
        let (id, answer) = replies.open();
        if tx
            .send(Action::Sample {
                id,
                request: request.clone(),
            })
            .is_err()
        {
            replies.forget(id);
        }
        let cfg = cfg.clone();
        Box::pin(async move {
            match answer.await {
                Ok(true) => {
                    crate::llm::sample::sample(&cfg, &request, &CancellationToken::new()).await
                }
                Ok(false) => Err(SamplingError::Denied("denied in the workbench".into())),
                Err(_) => Err(SamplingError::Denied("the workbench closed".into())),
            }
        })
    })
}

/// A request arrived: queue it (the first one is shown).
pub fn request(panel: &mut Panel, id: u64, request: SamplingRequest, log: &mut LogBuffer) {
    log.push(
        Source::Server,
        Level::Warn,
        Some(&request.server),
        &format!(
            "{} asks the model to write ({}): approve or deny",
            request.server,
            request.summary()
        ),
    );
    panel.push(Shown {
        id,
        request,
        scroll: 0,
    });
}

/// Approve (`Accept`) or deny the shown request, or scroll it.
pub fn update(
    panel: &mut Panel,
    command: Command,
    log: &mut LogBuffer,
    screen: Rect,
) -> Vec<Effect> {
    let Some(shown) = panel.front_mut() else {
        return vec![];
    };
    let approve = match command {
        Command::Accept => true,
        Command::Deny => false,
        _ => {
            // A page is the text's height; the last page ends with the request's last line.
            let (text, max) = text_view(screen, &shown.request);
            let view = crate::view::View {
                page: text.height,
                max,
            };
            command.scroll(&mut shown.scroll, view);
            return vec![];
        }
    };
    let Some(shown) = panel.pop() else {
        return vec![];
    };
    let server = &shown.request.server;
    let verb = if approve {
        "approved: sending it to the model"
    } else {
        "denied"
    };
    log.push(
        Source::Server,
        Level::Info,
        Some(server),
        &format!("{server}: sampling {verb}"),
    );
    vec![Effect::Sample {
        id: shown.id,
        approve,
    }]
}

/// The request's text: system prompt and messages, one line per line of text.
fn body(req: &SamplingRequest, accent: Style) -> Vec<Line<'_>> {
    let mut lines = vec![Line::styled("System prompt", accent)];
    lines.push(Line::raw(req.system_prompt.as_deref().unwrap_or("(none)")));
    for (role, text) in &req.messages {
        lines.push(Line::styled(format!("[{role}]"), accent));
        lines.extend(text.lines().map(Line::raw));
    }
    lines
}

/// The panel's box on `screen`, and inside it the areas of the text, the parameters and
/// the keys.
fn layout(screen: Rect, lines: usize) -> (Rect, [Rect; 3]) {
    let width = 76.min(screen.width);
    let lines = u16::try_from(lines).unwrap_or(u16::MAX);
    let height = lines
        .saturating_add(6)
        .clamp(8, screen.height.saturating_sub(2).max(1));
    let area = super::widgets::modal_area(screen, (width, height));
    let inner = area.inner(ratatui::layout::Margin::new(1, 1));
    let parts = ratatui::layout::Layout::vertical([
        ratatui::layout::Constraint::Min(1),
        ratatui::layout::Constraint::Length(2),
        ratatui::layout::Constraint::Length(1),
    ])
    .areas(inner);
    (area, parts)
}

/// The text's area on `screen` and the furthest it scrolls.
fn text_view(screen: Rect, req: &SamplingRequest) -> (Rect, u16) {
    let lines = body(req, Style::default());
    let (_, [text, ..]) = layout(screen, lines.len());
    (text, furthest(&paragraph(lines), text))
}

/// The furthest `p` scrolls in `text`: its wrapped lines past the area.
fn furthest(p: &Paragraph<'_>, text: Rect) -> u16 {
    u16::try_from(p.line_count(text.width))
        .unwrap_or(u16::MAX)
        .saturating_sub(text.height)
}

fn paragraph(lines: Vec<Line<'_>>) -> Paragraph<'_> {
    Paragraph::new(lines).wrap(Wrap { trim: false })
}

/// The panel of the first waiting request, over everything but the approval panel.
pub fn draw(panel: &Panel, t: &Theme, frame: &mut Frame) {
    let Some(shown) = panel.front() else {
        return;
    };
    let req = &shown.request;
    let mut params = vec![format!("maxTokens {}", req.max_tokens)];
    if let Some(temp) = req.temperature {
        params.push(format!("temperature {temp}"));
    }
    if let Some(prefs) = &req.model_preferences {
        params.push(format!("model preferences {prefs}"));
    }
    let screen = frame.area();
    let lines = body(req, t.accent);
    let (area, [text, info, keys]) = layout(screen, lines.len());
    let title = format!("{} asks the model to write", req.server);
    super::widgets::modal(frame, t, (area.width, area.height), &title, panel.len());
    // Kept within the text even when the screen grew since the last scroll.
    let p = paragraph(lines);
    let max = furthest(&p, text);
    frame.render_widget(p.scroll((shown.scroll.min(max), 0)), text);
    frame.render_widget(
        Paragraph::new(Line::styled(params.join(" · "), t.muted)).wrap(Wrap { trim: true }),
        info,
    );
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled("y", t.accent),
            Span::raw(" send to the model   "),
            Span::styled("n", t.accent),
            Span::raw(" deny   "),
            Span::styled("↑↓", t.accent),
            Span::raw(" scroll"),
        ])),
        keys,
    );
}

#[cfg(test)]
mod tests;
