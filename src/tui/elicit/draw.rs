//! Drawing the elicitation form (or the URL-mode link) as a modal.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::Panel;
use super::form::{ElicitForm, Field, Kind};
use crate::theme::Theme;
use crate::widgets::modal;

/// The form of the first waiting request, over the panes and overlays.
pub fn draw(panel: &Panel, t: &Theme, frame: &mut Frame) {
    let Some(form) = panel.front() else {
        return;
    };
    let screen = frame.area();
    let width = 76.min(screen.width);
    let msg_h = (form.message.chars().count() as u16 / width.saturating_sub(2).max(1) + 1).min(4);
    let rows = form.fields.len() + form.fields.iter().filter(|f| f.error.is_some()).count();
    // Borders, message and a blank line, then the link or the fields, a gap, the hint and
    // the keys.
    let body = if form.url.is_some() {
        6
    } else {
        rows as u16 + 4
    };
    let height = (msg_h + 3 + body).min(screen.height);
    let title = format!("{} asks", form.server);
    let inner = modal(frame, t, (width, height), &title, panel.len());
    let keys_line = |keys: &[(&str, &str)]| {
        let mut spans = Vec::new();
        for (k, what) in keys {
            spans.push(Span::styled(k.to_string(), t.accent));
            spans.push(Span::raw(format!(" {what}   ")));
        }
        Line::from(spans)
    };
    if let Some(url) = &form.url {
        let [msg, body, keys] = Layout::vertical([
            Constraint::Length(msg_h + 1),
            Constraint::Min(1),
            Constraint::Length(1),
        ])
        .areas(inner);
        let para = |text: Vec<Line<'static>>| Paragraph::new(text).wrap(Wrap { trim: false });
        frame.render_widget(para(vec![Line::raw(form.message.clone())]), msg);
        frame.render_widget(
            para(vec![
                Line::styled("Open this link in a browser:", t.muted),
                Line::styled(url.clone(), t.accent.add_modifier(Modifier::UNDERLINED)),
                Line::raw(""),
                Line::styled(
                    "The server learns only your answer here, not what you do there.",
                    t.muted,
                ),
            ]),
            body,
        );
        frame.render_widget(
            Paragraph::new(keys_line(&[
                ("Enter/y", "I opened it"),
                ("n/Ctrl-D", "decline"),
                ("Esc", "cancel"),
            ])),
            keys,
        );
        return;
    }
    let [msg, fields, _, desc, keys] = Layout::vertical([
        Constraint::Length(msg_h + 1),
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
    ])
    .areas(inner);
    frame.render_widget(
        Paragraph::new(form.message.clone()).wrap(Wrap { trim: false }),
        msg,
    );
    frame.render_widget(Paragraph::new(field_lines(form, t, fields)), fields);
    if let Some(f) = form.fields.get(form.focus) {
        let mut lines = vec![Line::styled(format!("({})", f.hint()), t.muted)];
        if let Some(d) = &f.description {
            lines[0].spans.insert(0, Span::raw(format!("{d} ")));
        }
        frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: true }), desc);
    }
    frame.render_widget(
        Paragraph::new(keys_line(&[
            ("Enter", "accept"),
            ("Ctrl-D", "decline"),
            ("Esc", "cancel"),
            ("↑↓", "field"),
            ("*", "required"),
        ])),
        keys,
    );
}

/// The rows of the fields, scrolled so the focused one shows.
fn field_lines(form: &ElicitForm, t: &Theme, area: Rect) -> Vec<Line<'static>> {
    let label_w = form
        .fields
        .iter()
        .map(|f| f.label.chars().count() + 1)
        .max()
        .unwrap_or(0)
        .min(30);
    let value_w = (area.width as usize).saturating_sub(label_w + 3);
    let mut lines = Vec::new();
    let mut focus_at = 0;
    for (i, f) in form.fields.iter().enumerate() {
        let focused = i == form.focus;
        if focused {
            focus_at = lines.len();
        }
        let star = if f.required { "*" } else { "" };
        let label: String = format!("{}{star}", f.label).chars().take(label_w).collect();
        let style = if focused {
            t.selection
        } else {
            Style::default()
        };
        let mut spans = vec![
            Span::styled(if focused { "› " } else { "  " }, t.accent),
            Span::styled(format!("{label:<label_w$}"), style),
            Span::raw(" "),
        ];
        spans.extend(value_spans(f, focused, value_w, t));
        lines.push(Line::from(spans));
        if let Some(e) = &f.error {
            lines.push(Line::styled(
                format!("{:w$}⚠ {e}", "", w = label_w + 3),
                t.error,
            ));
        }
    }
    let rows = area.height as usize;
    let skip = (focus_at + 2).saturating_sub(rows);
    lines.into_iter().skip(skip).take(rows).collect()
}

fn value_spans(f: &Field, focused: bool, width: usize, t: &Theme) -> Vec<Span<'static>> {
    let on = |b: bool| if b { "[x]" } else { "[ ]" };
    match &f.kind {
        Kind::Text { .. } | Kind::Integer | Kind::Number => {
            let cursor = if focused { "▏" } else { "" };
            if f.text.is_empty() {
                return vec![
                    Span::raw(cursor),
                    Span::styled(format!("<{}>", f.hint()), t.muted),
                ];
            }
            let n = f.text.chars().count();
            let tail: String = f.text.chars().skip((n + 1).saturating_sub(width)).collect();
            vec![Span::raw(format!("{tail}{cursor}"))]
        }
        Kind::Boolean(b) => vec![Span::raw(match b {
            Some(true) => "[x] yes",
            Some(false) => "[ ] no",
            None => "[ ] —",
        })],
        Kind::Select { choices, picked } => {
            let label = picked.map_or("—".to_string(), |p| choices[p].label.clone());
            let of = picked.map_or(String::new(), |p| format!("  {}/{}", p + 1, choices.len()));
            vec![
                Span::styled(format!("‹ {label} ›"), t.accent),
                Span::styled(of, t.muted),
            ]
        }
        Kind::Multi {
            choices,
            chosen,
            cursor,
        } => choices
            .iter()
            .zip(chosen)
            .enumerate()
            .map(|(i, (c, picked))| {
                let style = if focused && i == *cursor {
                    Style::default().add_modifier(Modifier::REVERSED)
                } else {
                    Style::default()
                };
                Span::styled(format!("{} {} ", on(*picked), c.label), style)
            })
            .collect(),
    }
}
