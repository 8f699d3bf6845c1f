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
    /// Quit with unsaved changes?
    ConfirmQuit,
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

/// What a command did to the overlay.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// It stays open; these effects run.
    Stay(Vec<Effect>),
    /// Closed.
    Close,
    /// "Quit anyway?" was answered yes.
    Quit,
    /// A prompt line was answered (the overlay closes).
    Answer(PromptPurpose, String),
    /// The call form sent its request (it closes).
    Send(Effect),
}

/// Applies a command to the open overlay.
pub fn update(overlay: &mut Overlay, command: Command) -> Outcome {
    match overlay {
        Overlay::Help { scroll } | Overlay::Result { scroll, .. } => {
            if command.scroll(scroll) {
                Outcome::Stay(vec![])
            } else {
                Outcome::Close
            }
        }
        Overlay::ConfirmQuit if command == Command::Accept => Outcome::Quit,
        Overlay::ConfirmQuit => Outcome::Close,
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
            let area = centered(screen, 96, lines.len() as u16 + 2);
            frame.render_widget(Clear, area);
            let title = "Keys · ↑↓ scroll · any other key closes";
            let p = Paragraph::new(lines)
                .block(modal_block(t, title))
                .scroll((*scroll, 0));
            frame.render_widget(p, area);
        }
        Overlay::Result {
            title,
            text,
            scroll,
        } => {
            let area = centered(screen, screen.width * 4 / 5, screen.height * 4 / 5);
            frame.render_widget(Clear, area);
            let p = Paragraph::new(text.clone())
                .block(modal_block(t, &format!("{title} · ↑↓ scroll · Esc close")))
                .wrap(Wrap { trim: false })
                .scroll((*scroll, 0));
            frame.render_widget(p, area);
        }
        Overlay::ConfirmQuit => {
            let area = centered(screen, 50, 5);
            frame.render_widget(Clear, area);
            let p = Paragraph::new(vec![
                Line::from("The script has unsaved changes."),
                Line::from(Span::styled(
                    "Quit anyway? y = quit, any other key = stay",
                    t.warn,
                )),
            ])
            .block(modal_block(t, "Quit"));
            frame.render_widget(p, area);
        }
        Overlay::Prompt(p) => {
            let area = centered(screen, 60, 3);
            frame.render_widget(Clear, area);
            let title = match p.purpose {
                PromptPurpose::Open => "Open script (Enter opens, Esc cancels)",
                PromptPurpose::SaveAs => "Save script as (Enter saves, Esc cancels)",
                PromptPurpose::Ask => "Ask the model for a script (Enter asks, Esc cancels)",
            };
            let w = Paragraph::new(format!("{}▏", p.input)).block(modal_block(t, title));
            frame.render_widget(w, area);
        }
        Overlay::Call(form) => form.draw(t, frame),
    }
}
