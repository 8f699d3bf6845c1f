//! Commands for the focused pane: the servers tree, the docs, the editor, the log. The tree
//! and the docs share the selected item's commands (insert, call, open, reconnect).

use crossterm::event::KeyCode;

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
        Effect::ReadResource { uri, .. } => state.message = Some(format!("reading {uri}…")),
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
        (Command::Activate, _) if !filtering => state.tree.update(Command::Fold, &state.servers),
        _ => state.tree.update(command, &state.servers),
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
    match command {
        Command::Leave => state.focus = Pane::Tree,
        _ => {
            command.scroll(&mut state.docs_scroll);
        }
    }
    None
}

fn code(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    match command {
        Command::Leave => state.focus = Pane::Tree,
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
    let scroll = &mut state.log_scroll;
    match command {
        Command::Up => *scroll = scroll.saturating_add(1),
        Command::Down => *scroll = scroll.saturating_sub(1),
        Command::PageUp => *scroll = scroll.saturating_add(10),
        Command::PageDown => *scroll = scroll.saturating_sub(10),
        Command::Home => *scroll = state.log.len(),
        Command::End => *scroll = 0,
        Command::LogFilter => {
            state.log_filter = state.log_filter.next();
            *scroll = 0;
        }
        Command::Leave => state.focus = Pane::Tree,
        _ => {}
    }
    None
}

/// The selected item's commands, shared by the tree and the docs; `None` when the command
/// is not one of them or does not apply to the selected row.
fn item(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    match command {
        Command::Insert => {
            let doc = state.selected_doc()?;
            let snippet = format!("let {} = {};\n", doc.function, doc.example_call());
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
            state.message = Some(format!("reconnecting {name}…"));
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
    let form = match row {
        Row::Tool(..) => CallForm::tool(name, state.selected_doc()?),
        Row::Prompt(_, p) => CallForm::prompt(name, server.prompts.get(p)?.clone()),
        Row::Template(_, t) => CallForm::template(name, server.templates.get(t)?.clone()),
        Row::Resource(_, r) => {
            let uri = server.resources.get(r)?.uri.clone();
            return Some(sent(state, Effect::ReadResource { server: name, uri }));
        }
        Row::Server(_) => return None,
    };
    state.overlay = Some(Overlay::Call(Box::new(form)));
    Some(vec![])
}
