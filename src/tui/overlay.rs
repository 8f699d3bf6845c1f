//! Windows over the panes: the key list, a result, the call form, "quit anyway?" and the
//! one-line prompts. Each takes the commands while it is open; what it asks of the rest of
//! the workbench comes back as an [`Outcome`].

use ratatui::Frame;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};

use super::action::Effect;
use super::call::{self, CallForm};
use super::command::Command;
use super::theme::Theme;
use super::view::View;
use super::widgets::{centered, modal_block};
use crossterm::event::{KeyCode, KeyModifiers};

/// A single-line prompt (open/save path, filter).
#[derive(Debug)]
pub struct Prompt {
    /// What the answer is for.
    pub purpose: PromptPurpose,
    /// The text typed so far.
    pub input: String,
}

/// What a prompt's answer is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptPurpose {
    /// A script to open.
    Open,
    /// Where to save the script.
    SaveAs,
    /// A task for the model.
    Ask,
    /// Text to find in the log, the docs, the help or a result.
    Search,
}

/// Windows drawn over the panes.
#[derive(Debug)]
pub enum Overlay {
    /// The key list (scrollable: it is taller than 24 lines).
    Help {
        /// Scroll offset.
        scroll: u16,
    },
    /// A run's result or a call's result, pretty-printed (scrollable).
    Result {
        /// Title.
        title: String,
        /// Body.
        text: String,
        /// Scroll offset.
        scroll: u16,
    },
    /// The direct-call form.
    Call(Box<CallForm>),
    /// Go ahead with something that loses work? (quit or open with unsaved changes,
    /// overwrite a file)
    Confirm(Pending),
    /// A path prompt.
    Prompt(Prompt),
}

impl Overlay {
    /// A prompt line for `purpose`, starting with `input`.
    pub fn prompt(purpose: PromptPurpose, input: &str) -> Overlay {
        Overlay::Prompt(Prompt {
            purpose,
            input: input.into(),
        })
    }

    /// A result to read.
    pub fn result(title: String, text: String) -> Overlay {
        Overlay::Result {
            title,
            text,
            scroll: 0,
        }
    }
}

/// What waits for a yes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Pending {
    /// Quit with unsaved changes.
    Quit,
    /// Open another script with unsaved changes.
    Open,
    /// Save over this existing file.
    Overwrite(std::path::PathBuf, String),
}

impl Pending {
    /// The question's title, its lines, and what `y` does.
    fn question(&self) -> (&'static str, String, &'static str) {
        match self {
            Pending::Quit => (
                "Quit",
                "The script has unsaved changes.".into(),
                "Quit anyway? y = quit, any other key = stay",
            ),
            Pending::Open => (
                "Open",
                "The script has unsaved changes.".into(),
                "Open another anyway? y = discard them, any other key = stay",
            ),
            Pending::Overwrite(path, _) => (
                "Save",
                format!("{} exists.", path.display()),
                "Overwrite it? y = overwrite, any other key = keep it",
            ),
        }
    }
}

/// What a command did to the overlay.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// It stays open; these effects run.
    Stay(Vec<Effect>),
    /// Closed.
    Close,
    /// A question was answered yes.
    Confirmed(Pending),
    /// A prompt line was answered (the overlay closes).
    Answer(PromptPurpose, String),
    /// The call form sent its request (it closes).
    Send(Effect),
}

/// Applies a command to the open overlay.
pub fn update(overlay: &mut Overlay, command: Command, view: View) -> Outcome {
    match overlay {
        Overlay::Help { scroll } | Overlay::Result { scroll, .. } => {
            // Searching happens over the overlay: the search's own commands keep it open.
            if command.scroll(scroll, view)
                || matches!(
                    command,
                    Command::Search | Command::SearchNext | Command::SearchPrev
                )
            {
                Outcome::Stay(vec![])
            } else {
                Outcome::Close
            }
        }
        Overlay::Confirm(pending) if command == Command::Accept => {
            Outcome::Confirmed(pending.clone())
        }
        Overlay::Confirm(_) => Outcome::Close,
        Overlay::Prompt(prompt) => match command {
            Command::Close => Outcome::Close,
            Command::Submit => Outcome::Answer(prompt.purpose, prompt.input.clone()),
            Command::Input(key) => {
                match key.code {
                    KeyCode::Backspace => {
                        prompt.input.pop();
                    }
                    KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                        prompt.input.push(c);
                    }
                    _ => {}
                }
                Outcome::Stay(vec![])
            }
            _ => Outcome::Stay(vec![]),
        },
        Overlay::Call(form) => match form.update(command) {
            call::Outcome::Stay(effects) => Outcome::Stay(effects),
            call::Outcome::Close => Outcome::Close,
            call::Outcome::Send(effect) => Outcome::Send(effect),
        },
    }
}

/// Pasted text goes into the prompt line or the call form.
pub fn paste(overlay: &mut Overlay, text: &str) {
    match overlay {
        Overlay::Call(form) => {
            form.editor.insert_str(text);
        }
        Overlay::Prompt(p) => p.input.push_str(text.trim()),
        _ => {}
    }
}

/// Draws the overlay over the panes.
pub fn draw(overlay: &Overlay, t: &Theme, frame: &mut Frame) {
    let screen = frame.area();
    match overlay {
        Overlay::Help { scroll } => {
            let lines = help_lines(t);
            let area = help_area(screen, lines.len());
            frame.render_widget(Clear, area);
            let title = "Keys · ↑↓ scroll · / search · any other key closes";
            let view = View::of(lines.len(), area.height.saturating_sub(2));
            let p = Paragraph::new(lines)
                .block(modal_block(t, title))
                .scroll(((*scroll).min(view.max), 0));
            frame.render_widget(p, area);
        }
        Overlay::Result {
            title,
            text,
            scroll,
        } => {
            let area = result_area(screen);
            frame.render_widget(Clear, area);
            let view = result_view(text, area);
            let p = Paragraph::new(text.clone())
                .block(modal_block(
                    t,
                    &format!("{title} · ↑↓ scroll · / search · Esc close"),
                ))
                .wrap(Wrap { trim: false })
                .scroll(((*scroll).min(view.max), 0));
            frame.render_widget(p, area);
        }
        Overlay::Confirm(pending) => {
            let (title, what, ask) = pending.question();
            let area = centered(screen, 64.min(ask.len() as u16 + 4).max(50), 5);
            frame.render_widget(Clear, area);
            let p = Paragraph::new(vec![
                Line::from(what),
                Line::from(Span::styled(ask, t.warn)),
            ])
            .wrap(Wrap { trim: false })
            .block(modal_block(t, title));
            frame.render_widget(p, area);
        }
        Overlay::Prompt(p) => {
            let area = centered(screen, 60, 3);
            frame.render_widget(Clear, area);
            let title = match p.purpose {
                PromptPurpose::Open => "Open script (Enter opens, Esc cancels)",
                PromptPurpose::SaveAs => "Save script as (Enter saves, Esc cancels)",
                PromptPurpose::Ask => "Ask the model for a script (Enter asks, Esc cancels)",
                PromptPurpose::Search => "Search (Enter finds, then n / N; Esc cancels)",
            };
            let w = Paragraph::new(format!("{}▏", p.input)).block(modal_block(t, title));
            frame.render_widget(w, area);
        }
        Overlay::Call(form) => form.draw(t, frame),
    }
}

/// The help's lines as drawn (for its view and for searching it).
pub fn help_lines(t: &Theme) -> Vec<Line<'static>> {
    let groups = super::keymap::help();
    let width = groups
        .iter()
        .flat_map(|g| g.rows.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(10);
    let mut lines = Vec::new();
    for group in &groups {
        lines.push(Line::from(Span::styled(group.title, t.accent)));
        for (k, what) in &group.rows {
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<width$}  "), t.title),
                Span::raw(*what),
            ]));
        }
    }
    lines
}

/// Where the help sits on a screen of `screen` size.
pub fn help_area(screen: ratatui::layout::Rect, lines: usize) -> ratatui::layout::Rect {
    centered(screen, 96, lines as u16 + 2)
}

/// Where a result sits on a screen of `screen` size.
pub fn result_area(screen: ratatui::layout::Rect) -> ratatui::layout::Rect {
    centered(screen, screen.width * 4 / 5, screen.height * 4 / 5)
}

/// A result's view inside `area` (its border takes a line above and below).
pub fn result_view(text: &str, area: ratatui::layout::Rect) -> View {
    let lines: Vec<Line> = text.lines().map(Line::raw).collect();
    View::wrapped(
        lines,
        area.width.saturating_sub(2),
        area.height.saturating_sub(2),
    )
}
