//! Completions in the prompt and resource-template forms: Tab on an argument's line (`"name": "val"`) asks the
//! server (`completion/complete`, in the background) for values starting there, with the
//! other arguments as context; the answer shows as a pick list under the editor (↑↓ choose,
//! Enter or Tab insert, Esc close). An answer for a line that changed meanwhile is dropped.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use serde_json::{Map, Value};
use tui_textarea::TextArea;

use super::action::Effect;
use super::command::Command;
use super::theme::Theme;
use crate::mcp::{CompletionRef, Completions};

/// What a form completes: the reference the server knows it by, and its argument names.
#[derive(Clone, Debug, PartialEq)]
pub struct Completable {
    /// The prompt or resource template.
    pub reference: CompletionRef,
    /// Its arguments (a template's variables).
    pub arguments: Vec<String>,
}

/// The values offered for one argument.
#[derive(Clone, Debug, PartialEq)]
pub struct Picks {
    /// The argument.
    pub argument: String,
    /// The values.
    pub values: Vec<String>,
    /// The highlighted one.
    pub selected: usize,
}

/// What became of a server's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Answered {
    /// The line changed meanwhile: dropped.
    Stale,
    /// Values to pick from.
    Picks(Picks),
    /// Nothing to pick: why.
    Note(String),
}

/// The argument and value on the editor's cursor line, if it holds one of `arguments`.
fn line_argument(arguments: &[String], editor: &TextArea) -> Option<(String, String)> {
    let line = editor.lines().get(editor.cursor().0)?;
    let (key, value) = line.trim().trim_end_matches(',').split_once(':')?;
    let key: String = serde_json::from_str(key.trim()).ok()?;
    let value: String = serde_json::from_str(value.trim()).ok()?;
    arguments.contains(&key).then_some((key, value))
}

/// Tab: the request for completions of the argument on the editor's cursor line (none when
/// the line holds no argument), and the note to show meanwhile.
pub fn request(server: &str, what: &Completable, editor: &TextArea) -> (Option<Effect>, String) {
    let Some((argument, value)) = line_argument(&what.arguments, editor) else {
        let note = "Tab completes an argument: put the cursor on its line";
        return (None, note.into());
    };
    let context: Map<String, Value> = crate::mcp::parse_args(&editor.lines().join("\n"))
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, v)| *k != argument && v.as_str().is_some_and(|s| !s.is_empty()))
        .collect();
    let note = format!("asking {server} for `{argument}` values…");
    let effect = Effect::Complete {
        server: server.to_string(),
        reference: what.reference.clone(),
        argument,
        value,
        context,
    };
    (Some(effect), note)
}

/// The server answered: the values to show if the editor's line still asks for them.
pub fn answered(
    what: &Completable,
    editor: &TextArea,
    argument: String,
    value: String,
    result: Result<Completions, String>,
) -> Answered {
    if line_argument(&what.arguments, editor) != Some((argument.clone(), value)) {
        return Answered::Stale; // the user moved on
    }
    match result {
        Ok(c) if c.values.is_empty() => Answered::Note(format!("no completions for `{argument}`")),
        Ok(c) => Answered::Picks(Picks {
            argument,
            values: c.values,
            selected: 0,
        }),
        Err(e) => Answered::Note(format!("completion failed: {e}")),
    }
}

/// A command while the pick list shows: `Up` / `Down` choose, `Accept` inserts, `Close`
/// closes. Any other command closes the list and is not for it (`false`).
pub fn update(picks: &mut Option<Picks>, editor: &mut TextArea, command: Command) -> bool {
    let Some(list) = picks.as_mut() else {
        return false;
    };
    let n = list.values.len();
    match command {
        Command::Up => list.selected = (list.selected + n - 1) % n,
        Command::Down => list.selected = (list.selected + 1) % n,
        Command::Accept => {
            let value = list.values[list.selected].clone();
            let argument = list.argument.clone();
            *picks = None;
            insert(editor, &argument, &value);
        }
        Command::Close => *picks = None,
        _ => {
            *picks = None;
            return false;
        }
    }
    true
}

/// Replaces the cursor's line with `"argument": "value"` (keeping a trailing comma).
fn insert(editor: &mut TextArea, argument: &str, value: &str) {
    let (row, _) = editor.cursor();
    let Some(line) = editor.lines().get(row) else {
        return;
    };
    let indent: String = line.chars().take_while(|c| c.is_whitespace()).collect();
    let comma = if line.trim_end().ends_with(',') {
        ","
    } else {
        ""
    };
    let text = format!(
        "{indent}{}: {}{comma}",
        Value::String(argument.into()),
        Value::String(value.into())
    );
    editor.move_cursor(tui_textarea::CursorMove::Head);
    editor.delete_line_by_end();
    editor.insert_str(text);
}

/// The pick list, under the editor's cursor line (`editor` is where the editor is drawn).
pub fn draw(picks: &Picks, cursor_row: usize, t: &Theme, frame: &mut Frame, editor: Rect) {
    let shown = picks.values.len().min(8);
    let height = shown as u16 + 2;
    let width = picks
        .values
        .iter()
        .map(|v| v.chars().count() as u16 + 4)
        .max()
        .unwrap_or(10)
        .clamp(16, editor.width);
    let y = (editor.y + cursor_row as u16 + 1).min(editor.bottom().saturating_sub(height));
    let area = Rect::new(
        editor.x + 4,
        y,
        width.min(editor.width.saturating_sub(4)),
        height,
    );
    let skip = (picks.selected + 1).saturating_sub(shown);
    let lines: Vec<Line> = picks
        .values
        .iter()
        .enumerate()
        .skip(skip)
        .take(shown)
        .map(|(i, v)| {
            let style = if i == picks.selected {
                t.selection
            } else {
                ratatui::style::Style::default()
            };
            Line::styled(format!(" {v}"), style)
        })
        .collect();
    frame.render_widget(Clear, area);
    frame.render_widget(
        Paragraph::new(lines).block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(t.border_focused),
        ),
        area,
    );
}

#[cfg(test)]
mod tests;
