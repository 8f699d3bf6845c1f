//! Commands for the focused pane: the servers tree, the docs, the editor, the log. The tree
//! and the docs share the selected item's commands (insert, call, open, reconnect).

use crossterm::event::KeyCode;
use tui_textarea::CursorMove;

use super::action::Effect;
use super::call::CallForm;
use super::command::Command;
use super::overlay::Overlay;
use super::state::{Pane, Row, State};

/// Applies a command to the focused pane.
pub fn apply(state: &mut State, command: Command) -> Vec<Effect> {
    match state.focus {
        Pane::Tree => tree(state, command),
        Pane::Docs => docs(state, command),
        Pane::Code => code(state, command),
        Pane::Log => log(state, command),
    }
    .unwrap_or_default()
}

/// Bookkeeping for a request about to go out: a direct call counts for the spinner, a read
/// says so in the status bar.
pub fn sent(state: &mut State, effect: Effect) -> Vec<Effect> {
    match &effect {
        Effect::CallTool { .. } => state.calls_in_flight += 1,
        Effect::ReadResource { uri, .. } => state.say(format!("reading {uri}…")),
        _ => {}
    }
    vec![effect]
}

fn tree(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    let filtering = state.tree.filtering;
    if !filtering && let Some(effects) = item(state, command) {
        return Some(effects);
    }
    let handled = match (command, state.selected_row()) {
        (Command::Activate, Some(Row::Tool(..))) if !filtering => {
            state.focus = Pane::Docs;
            true
        }
        (Command::Activate, _) if !filtering => state.tree.update(Command::Fold, &state.servers, 1),
        _ => {
            let page = usize::from(state.areas().tree.height.saturating_sub(2)).max(1);
            state.tree.update(command, &state.servers, page)
        }
    };
    // What the tree shows changed: the docs start from their top.
    if handled && !filtering {
        state.docs_scroll = 0;
    }
    None
}

fn docs(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    if let Some(effects) = item(state, command) {
        return Some(effects);
    }
    if command == Command::Leave {
        state.focus = Pane::Tree;
    } else {
        let view = crate::draw::docs_view(state, state.areas().docs);
        command.scroll(&mut state.docs_scroll, view);
    }
    None
}

fn code(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    match command {
        Command::Leave => state.focus = Pane::Tree,
        Command::Undo | Command::Redo => {
            let changed = if command == Command::Undo {
                state.editor.undo()
            } else {
                state.editor.redo()
            };
            if changed {
                state.dirty = true;
                state.rehighlight();
            } else {
                state.say(if command == Command::Undo {
                    "nothing to undo"
                } else {
                    "nothing to redo"
                });
            }
        }
        Command::Home | Command::End => {
            let (row, column) = if command == Command::Home {
                (CursorMove::Top, CursorMove::Head)
            } else {
                (CursorMove::Bottom, CursorMove::End)
            };
            state.editor.move_cursor(row);
            state.editor.move_cursor(column);
            state.rehighlight();
        }
        Command::Input(key) => {
            if state.editor.input(key) {
                state.dirty = true;
                state.rehighlight();
            } else if let KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown =
                key.code
            {
                // The viewport moved: highlight around the new cursor.
                state.rehighlight();
            }
        }
        _ => {}
    }
    None
}

fn log(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    let height = usize::from(state.areas().log.height.saturating_sub(2)).max(1);
    let max = crate::draw::log_max_scroll(state, height);
    let scroll = &mut state.log_scroll;
    // The offset counts lines back from the newest: up is further back.
    match command {
        Command::Up => *scroll = scroll.saturating_add(1),
        Command::Down => *scroll = scroll.saturating_sub(1),
        Command::PageUp => *scroll = scroll.saturating_add(height),
        Command::PageDown => *scroll = scroll.saturating_sub(height),
        Command::Home => *scroll = max,
        Command::End => *scroll = 0,
        Command::LogFilter => {
            state.log_filter = state.log_filter.next();
            *scroll = 0;
        }
        Command::Wrap => state.log_wrap = !state.log_wrap,
        Command::Leave => state.focus = Pane::Tree,
        _ => {}
    }
    state.log_scroll = state.log_scroll.min(max);
    None
}

/// Whether a call inserted at the cursor goes inside an expression (after `=`, `(`, `,`,
/// an operator...) rather than starting a statement.
fn inside_expression(state: &State) -> bool {
    let (row, col) = state.editor.cursor();
    let Some(line) = state.editor.lines().get(row) else {
        return false;
    };
    let before: String = line.chars().take(col).collect();
    let before = before.trim_end();
    !before.is_empty() && !before.ends_with([';', '{', '}'])
}

/// The selected item's commands, shared by the tree and the docs; `None` when the command
/// is not one of them or does not apply to the selected row.
fn item(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    match command {
        Command::Insert => {
            let doc = state.selected_doc()?;
            let snippet = if inside_expression(state) {
                doc.example_call()
            } else {
                format!("let {} = {};\n", doc.function, doc.example_call())
            };
            state.editor.insert_str(snippet);
            state.dirty = true;
            state.rehighlight();
            state.focus = Pane::Code;
            Some(vec![])
        }
        Command::Call => open_form(state),
        Command::Activate
            if matches!(
                state.selected_row(),
                Some(Row::Resource(..) | Row::Prompt(..) | Row::Template(..))
            ) =>
        {
            open_form(state)
        }
        Command::Reconnect => {
            let name = state
                .servers
                .get(state.selected_row()?.server())?
                .name
                .clone();
            state.say(format!("reconnecting {name}…"));
            Some(vec![Effect::Reconnect(name)])
        }
        _ => None,
    }
}

/// A tool, prompt or template gets a form prefilled with example arguments; a resource is
/// read.
fn open_form(state: &mut State) -> Option<Vec<Effect>> {
    let row = state.selected_row()?;
    let server = state.servers.get(row.server())?;
    let name = server.name.clone();
    let completions = server
        .details
        .as_ref()
        .is_some_and(|d| d.capabilities.get("completions").is_some());
    let mut form = match row {
        Row::Tool(..) => CallForm::tool(name, state.selected_doc()?),
        Row::Prompt(_, p) => CallForm::prompt(name, server.prompts.get(p)?.clone()),
        Row::Template(_, t) => CallForm::template(name, server.templates.get(t)?.clone()),
        Row::Resource(_, r) => {
            let uri = server.resources.get(r)?.uri.clone();
            return Some(sent(state, Effect::ReadResource { server: name, uri }));
        }
        Row::Server(_) => return None,
    };
    form.completions = completions;
    state.overlay = Some(Overlay::Call(Box::new(form)));
    Some(vec![])
}
