//! Completions in the prompt and resource-template forms: Tab on an argument's line (`"name": "val"`) asks the
//! server (`completion/complete`, in the background) for values starting there, with the
//! other arguments as context; the answer shows as a pick list under the editor (↑↓ choose,
//! Enter or Tab insert, Esc close). An answer for a line that changed meanwhile is dropped.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use serde_json::{Map, Value};

use super::action::Effect;
use super::state::{CallForm, FormTarget, Overlay, State};
use crate::mcp::{CompletionRef, Completions};

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

/// The argument and value on the cursor's line of a prompt form, if it holds one.
fn line_argument(form: &CallForm) -> Option<(String, String)> {
    let names: Vec<String> = match &form.target {
        FormTarget::Prompt(p) => p.arguments.iter().map(|a| a.name.clone()).collect(),
        FormTarget::Template(t) => super::template::variables(&t.uri_template),
        FormTarget::Tool(_) => return None,
    };
    let line = form.editor.lines().get(form.editor.cursor().0)?;
    let (key, value) = line.trim().trim_end_matches(',').split_once(':')?;
    let key: String = serde_json::from_str(key.trim()).ok()?;
    let value: String = serde_json::from_str(value.trim()).ok()?;
    names.contains(&key).then_some((key, value))
}

/// Tab in a prompt form: ask for completions of the argument on the cursor's line.
pub fn request(form: &mut CallForm) -> Vec<Effect> {
    let reference = match &form.target {
        FormTarget::Prompt(p) => CompletionRef::Prompt(p.name.clone()),
        FormTarget::Template(t) => CompletionRef::Resource(t.uri_template.clone()),
        FormTarget::Tool(_) => return vec![],
    };
    let Some((argument, value)) = line_argument(form) else {
        form.error = Some("Tab completes an argument: put the cursor on its line".into());
        return vec![];
    };
    let context: Map<String, Value> = crate::mcp::parse_args(&form.editor.lines().join("\n"))
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, v)| *k != argument && v.as_str().is_some_and(|s| !s.is_empty()))
        .collect();
    form.error = Some(format!("asking {} for `{argument}` values…", form.server));
    vec![Effect::Complete {
        server: form.server.clone(),
        reference,
        argument,
        value,
        context,
    }]
}

/// The server answered: show the values if the form still waits for them.
pub fn answered(
    state: &mut State,
    argument: String,
    value: String,
    result: Result<Completions, String>,
) {
    let Some(Overlay::Call(form)) = state.overlay.as_mut() else {
        return;
    };
    if line_argument(form) != Some((argument.clone(), value)) {
        form.error = None; // stale: the user moved on
        return;
    }
    match result {
        Ok(c) if c.values.is_empty() => {
            form.error = Some(format!("no completions for `{argument}`"));
        }
        Ok(c) => {
            form.error = None;
            form.picks = Some(Picks {
                argument,
                values: c.values,
                selected: 0,
            });
        }
        Err(e) => form.error = Some(format!("completion failed: {e}")),
    }
}

/// Keys while the pick list shows; `false` when the key is not for it.
pub fn key(form: &mut CallForm, key: &KeyEvent) -> bool {
    let Some(picks) = form.picks.as_mut() else {
        return false;
    };
    let n = picks.values.len();
    match key.code {
        KeyCode::Up => picks.selected = (picks.selected + n - 1) % n,
        KeyCode::Down => picks.selected = (picks.selected + 1) % n,
        KeyCode::Enter | KeyCode::Tab => {
            let value = picks.values[picks.selected].clone();
            let argument = picks.argument.clone();
            form.picks = None;
            insert(form, &argument, &value);
        }
        KeyCode::Esc => form.picks = None,
        _ => {
            form.picks = None;
            return false;
        }
    }
    true
}

/// Replaces the cursor's line with `"argument": "value"` (keeping a trailing comma).
fn insert(form: &mut CallForm, argument: &str, value: &str) {
    let (row, _) = form.editor.cursor();
    let Some(line) = form.editor.lines().get(row) else {
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
    form.editor.move_cursor(tui_textarea::CursorMove::Head);
    form.editor.delete_line_by_end();
    form.editor.insert_str(text);
}

/// The pick list, under the editor's cursor line area.
pub fn draw(form: &CallForm, state: &State, frame: &mut Frame, editor: Rect) {
    let Some(picks) = &form.picks else {
        return;
    };
    let shown = picks.values.len().min(8);
    let height = shown as u16 + 2;
    let width = picks
        .values
        .iter()
        .map(|v| v.chars().count() as u16 + 4)
        .max()
        .unwrap_or(10)
        .clamp(16, editor.width);
    let y =
        (editor.y + form.editor.cursor().0 as u16 + 1).min(editor.bottom().saturating_sub(height));
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
                state.theme.selection
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
                .border_style(state.theme.border_focused),
        ),
        area,
    );
}

#[cfg(test)]
mod tests;
