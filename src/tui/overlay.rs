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

/// Draws the overlay over the panes, the matches of `query` (a search of the help or the
/// result) marked.
pub fn draw(overlay: &Overlay, t: &Theme, query: Option<&str>, frame: &mut Frame) {
    let screen = frame.area();
    let marked = |lines: Vec<Line<'static>>| crate::search::mark_all(lines, query);
    match overlay {
        Overlay::Help { scroll } => {
            let (area, lines) = help(t, screen);
            frame.render_widget(Clear, area);
            let title = "Keys · ↑↓ scroll · / search · any other key closes";
            let view = View::of(lines.len(), area.height.saturating_sub(2));
            let p = Paragraph::new(marked(lines))
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
            let lines = text.lines().map(|l| Line::raw(l.to_string())).collect();
            let p = Paragraph::new(marked(lines))
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

/// The help's place on a screen of `screen` size and its lines as drawn there (for its view
/// and for searching it): a description too long for the width goes on below its key,
/// indented, instead of being cut (80 columns are common over ssh).
pub fn help(
    t: &Theme,
    screen: ratatui::layout::Rect,
) -> (ratatui::layout::Rect, Vec<Line<'static>>) {
    let inner = HELP_WIDTH
        .min(screen.width.saturating_sub(2))
        .saturating_sub(2);
    let lines = help_lines(t, usize::from(inner));
    let height = u16::try_from(lines.len() + 2).unwrap_or(u16::MAX);
    (centered(screen, HELP_WIDTH, height), lines)
}

/// The help's widest box, border included.
const HELP_WIDTH: u16 = 96;

fn help_lines(t: &Theme, width: usize) -> Vec<Line<'static>> {
    let groups = super::keymap::help();
    let keys = groups
        .iter()
        .flat_map(|g| g.rows.iter().map(|(k, _)| k.chars().count()))
        .max()
        .unwrap_or(10);
    let indent = keys + 4;
    let mut lines = Vec::new();
    for group in &groups {
        lines.push(Line::from(Span::styled(group.title, t.accent)));
        for (k, what) in &group.rows {
            let mut parts = wrap_words(what, width.saturating_sub(indent).max(20)).into_iter();
            lines.push(Line::from(vec![
                Span::styled(format!("  {k:<keys$}  "), t.title),
                Span::raw(parts.next().unwrap_or_default()),
            ]));
            lines.extend(parts.map(|rest| Line::raw(format!("{:indent$}{rest}", ""))));
        }
    }
    lines
}

/// `text` in lines of at most `width` characters, broken between words (a word longer than
/// the width gets a line of its own).
fn wrap_words(text: &str, width: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let needed = line.chars().count() + usize::from(!line.is_empty()) + word.chars().count();
        if !line.is_empty() && needed > width {
            out.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push(line);
    out
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::theme::ColorDepth;
    use ratatui::layout::Rect;

    fn text(line: &Line) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn help_wraps_long_descriptions_under_their_key() {
        let t = Theme::builtin("dark", ColorDepth::Ansi16).unwrap();
        let (wide_area, wide) = help(&t, Rect::new(0, 0, 160, 48));
        let (area, narrow) = help(&t, Rect::new(0, 0, 80, 24));
        assert_eq!(wide_area.width, HELP_WIDTH);
        let inner = usize::from(area.width - 2);
        for line in &narrow {
            let shown = text(line);
            assert!(
                shown.trim_end().chars().count() <= inner,
                "{shown:?} > {inner}"
            );
        }
        // Nothing is lost: every description is there in full, on one line or on several.
        let joined = |lines: &[Line]| {
            lines
                .iter()
                .map(|l| text(l).trim().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let all = joined(&narrow);
        for group in crate::keymap::help() {
            for (_, what) in group.rows {
                assert!(all.contains(what), "{what:?} is cut at 80 columns");
            }
        }
        assert!(
            narrow.len() > wide.len(),
            "some descriptions need a second line at 80"
        );
    }

    #[test]
    fn words_are_kept_whole() {
        assert_eq!(wrap_words("aa bb cc", 5), ["aa bb", "cc"]);
        assert_eq!(
            wrap_words("a verylongword b", 4),
            ["a", "verylongword", "b"]
        );
        assert_eq!(wrap_words("", 4), [""]);
    }
}
