//! Key handling. Global keys first, then the overlay or the focused pane owns the key.
//! `help::KEYS` lists every binding for the `?` overlay; keep the two in step.

use std::path::PathBuf;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use tui_textarea::TextArea;

use super::action::Effect;
use super::state::{
    CallForm, FormTarget, Overlay, Pane, Prompt, PromptPurpose, Row, RunState, State,
};

fn ctrl(key: &KeyEvent, c: char) -> bool {
    key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char(c)
}

/// Handles one key press.
pub fn handle(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.kind == KeyEventKind::Release {
        state.needs_redraw = false;
        return vec![];
    }
    state.message = None;
    if !state.approvals.is_empty() {
        return super::approval::key(state, key);
    }
    if !state.elicits.is_empty() {
        return super::elicit::key(state, key);
    }
    if !state.samplings.is_empty() {
        return super::sampling::key(state, key);
    }
    if state.overlay.is_some() {
        return overlay_key(state, key);
    }
    let running = matches!(state.run, RunState::Running { .. });
    // Global keys.
    if ctrl(&key, 'q') || (ctrl(&key, 'c') && !running && !state.ask.asking) {
        request_quit(state);
        return vec![];
    }
    if (ctrl(&key, 'c') || key.code == KeyCode::Esc) && running {
        if let RunState::Running { started } = state.run {
            state.run = RunState::Cancelling { started };
        }
        return vec![Effect::CancelRun];
    }
    if (ctrl(&key, 'c') || key.code == KeyCode::Esc) && state.ask.asking {
        state.message = Some("cancelling the request to the model…".into());
        return vec![Effect::CancelRun];
    }
    if key.code == KeyCode::F(5) || ctrl(&key, 'r') {
        return run(state);
    }
    if key.code == KeyCode::F(2) || ctrl(&key, 'g') {
        return super::ask::open_prompt(state);
    }
    if key.code == KeyCode::F(3) || ctrl(&key, 't') {
        return super::ask::repair(state);
    }
    if key.code == KeyCode::F(4) {
        return super::trust::show_plan(state);
    }
    if key.code == KeyCode::F(1) || (key.code == KeyCode::Char('?') && state.focus != Pane::Code) {
        state.overlay = Some(Overlay::Help { scroll: 0 });
        return vec![];
    }
    if ctrl(&key, 's') {
        let path = state
            .script_path
            .clone()
            .unwrap_or_else(|| PathBuf::from("scripts/untitled.rhai"));
        return vec![Effect::Save(path, super::trust::save_text(state))];
    }
    if ctrl(&key, 'l') {
        state.message = Some("reloading the config…".into());
        return vec![Effect::ReloadConfig];
    }
    if ctrl(&key, 'o') {
        state.overlay = Some(Overlay::Prompt(Prompt {
            purpose: PromptPurpose::Open,
            input: "scripts/".into(),
        }));
        return vec![];
    }
    if key.code == KeyCode::BackTab {
        state.focus = state.focus.prev();
        return vec![];
    }
    if key.modifiers.contains(KeyModifiers::ALT)
        && let KeyCode::Char(c @ '1'..='4') = key.code
    {
        state.focus = [Pane::Tree, Pane::Docs, Pane::Code, Pane::Log][c as usize - '1' as usize];
        return vec![];
    }
    match state.focus {
        Pane::Tree => tree_key(state, key),
        Pane::Docs => docs_key(state, key),
        Pane::Code => code_key(state, key),
        Pane::Log => log_key(state, key),
    }
}

fn request_quit(state: &mut State) {
    if state.dirty {
        state.overlay = Some(Overlay::ConfirmQuit);
    } else {
        state.quit = true;
    }
}

/// Runs the script unless one is running.
pub(super) fn run(state: &mut State) -> Vec<Effect> {
    if matches!(
        state.run,
        RunState::Running { .. } | RunState::Cancelling { .. }
    ) {
        state.message = Some("a script is already running (Esc cancels it)".into());
        return vec![];
    }
    state.run = RunState::Running { started: state.now };
    state.log_scroll = 0;
    vec![Effect::RunScript(state.script())]
}

/// Keys shared by the tree and docs panes for the selected tool or server.
fn item_key(state: &mut State, key: &KeyEvent) -> Option<Vec<Effect>> {
    match key.code {
        KeyCode::Char('i') => {
            let doc = state.selected_doc()?;
            let snippet = format!("let {} = {};\n", doc.function, doc.example_call());
            state.editor.insert_str(snippet);
            state.dirty = true;
            state.rehighlight();
            state.focus = Pane::Code;
            Some(vec![])
        }
        KeyCode::Char('c') => open_form(state),
        KeyCode::Enter
            if matches!(
                state.selected_row(),
                Some(Row::Resource(..) | Row::Prompt(..) | Row::Template(..))
            ) =>
        {
            open_form(state)
        }
        KeyCode::Char('r') => {
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

/// `c` on a tool or prompt opens a form prefilled with example arguments; on a resource it
/// reads it.
fn open_form(state: &mut State) -> Option<Vec<Effect>> {
    let row = state.selected_row()?;
    let server = state.servers.get(row.server())?.name.clone();
    let (target, text) = match row {
        Row::Tool(..) => {
            let doc = state.selected_doc()?;
            let text = serde_json::to_string_pretty(&doc.example).unwrap_or_default();
            (FormTarget::Tool(Box::new(doc.raw.clone())), text)
        }
        Row::Prompt(s, p) => {
            let prompt = state.servers.get(s)?.prompts.get(p)?.clone();
            let args: serde_json::Map<String, serde_json::Value> = prompt
                .arguments
                .iter()
                .map(|a| (a.name.clone(), serde_json::Value::String(String::new())))
                .collect();
            let text = serde_json::to_string_pretty(&args).unwrap_or_default();
            (FormTarget::Prompt(prompt), text)
        }
        Row::Template(s, t) => {
            let template = state.servers.get(s)?.templates.get(t)?.clone();
            let args: serde_json::Map<String, serde_json::Value> =
                super::template::variables(&template.uri_template)
                    .into_iter()
                    .map(|v| (v, serde_json::Value::String(String::new())))
                    .collect();
            let text = serde_json::to_string_pretty(&args).unwrap_or_default();
            (FormTarget::Template(template), text)
        }
        Row::Resource(s, r) => {
            let uri = state.servers.get(s)?.resources.get(r)?.uri.clone();
            state.message = Some(format!("reading {uri}…"));
            return Some(vec![Effect::ReadResource { server, uri }]);
        }
        Row::Server(_) => return None,
    };
    let needs_confirm = matches!(&target, FormTarget::Tool(t) if t.is_destructive());
    state.overlay = Some(Overlay::Call(Box::new(CallForm {
        server,
        target,
        editor: TextArea::new(text.lines().map(str::to_string).collect()),
        error: None,
        needs_confirm,
        picks: None,
    })));
    Some(vec![])
}

fn tree_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if state.filtering {
        match key.code {
            KeyCode::Esc => {
                state.filtering = false;
                state.filter.clear();
            }
            KeyCode::Enter => state.filtering = false,
            KeyCode::Backspace => {
                state.filter.pop();
            }
            KeyCode::Char(c) => state.filter.push(c),
            _ => {}
        }
        state.selected = 0;
        return vec![];
    }
    if let Some(effects) = item_key(state, &key) {
        return effects;
    }
    let rows = state.rows().len();
    let last = rows.saturating_sub(1);
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => state.selected = state.selected.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => state.selected = (state.selected + 1).min(last),
        KeyCode::PageUp => state.selected = state.selected.saturating_sub(10),
        KeyCode::PageDown => state.selected = (state.selected + 10).min(last),
        KeyCode::Home => state.selected = 0,
        KeyCode::End => state.selected = last,
        KeyCode::Char('/') => {
            state.filtering = true;
            state.filter.clear();
        }
        KeyCode::Esc => state.filter.clear(),
        KeyCode::Tab => state.focus = state.focus.next(),
        KeyCode::Enter | KeyCode::Char(' ') | KeyCode::Left | KeyCode::Right => {
            match state.selected_row() {
                Some(Row::Server(s)) => {
                    let name = state.servers[s].name.clone();
                    if let Some(i) = state.collapsed.iter().position(|n| *n == name) {
                        state.collapsed.remove(i);
                    } else if key.code != KeyCode::Right {
                        state.collapsed.push(name);
                    }
                }
                Some(Row::Tool(..)) if key.code == KeyCode::Enter => state.focus = Pane::Docs,
                _ => {}
            }
        }
        _ => state.needs_redraw = false,
    }
    state.docs_scroll = 0;
    vec![]
}

fn docs_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if let Some(effects) = item_key(state, &key) {
        return effects;
    }
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => state.docs_scroll = state.docs_scroll.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            state.docs_scroll = state.docs_scroll.saturating_add(1);
        }
        KeyCode::PageUp => state.docs_scroll = state.docs_scroll.saturating_sub(10),
        KeyCode::PageDown | KeyCode::Char(' ') => {
            state.docs_scroll = state.docs_scroll.saturating_add(10);
        }
        KeyCode::Home => state.docs_scroll = 0,
        KeyCode::Tab => state.focus = state.focus.next(),
        KeyCode::Esc => state.focus = Pane::Tree,
        _ => state.needs_redraw = false,
    }
    vec![]
}

fn code_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    if key.code == KeyCode::Esc {
        state.focus = Pane::Tree;
        return vec![];
    }
    if state.editor.input(key) {
        state.dirty = true;
        state.rehighlight();
    } else if let KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown = key.code {
        // The viewport moved: highlight around the new cursor.
        state.rehighlight();
    }
    vec![]
}

fn log_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    match key.code {
        KeyCode::Up | KeyCode::Char('k') => state.log_scroll = state.log_scroll.saturating_add(1),
        KeyCode::Down | KeyCode::Char('j') => state.log_scroll = state.log_scroll.saturating_sub(1),
        KeyCode::PageUp => state.log_scroll = state.log_scroll.saturating_add(10),
        KeyCode::PageDown => state.log_scroll = state.log_scroll.saturating_sub(10),
        KeyCode::Home => state.log_scroll = state.log.len(),
        KeyCode::End => state.log_scroll = 0,
        KeyCode::Char('f') => {
            state.log_filter = state.log_filter.next();
            state.log_scroll = 0;
        }
        KeyCode::Tab => state.focus = state.focus.next(),
        KeyCode::Esc => state.focus = Pane::Tree,
        _ => state.needs_redraw = false,
    }
    vec![]
}

fn overlay_key(state: &mut State, key: KeyEvent) -> Vec<Effect> {
    let Some(overlay) = state.overlay.as_mut() else {
        return vec![];
    };
    match overlay {
        Overlay::Help { scroll } | Overlay::Result { scroll, .. } => match key.code {
            KeyCode::Up | KeyCode::Char('k') => *scroll = scroll.saturating_sub(1),
            KeyCode::Down | KeyCode::Char('j') => *scroll = scroll.saturating_add(1),
            KeyCode::PageUp => *scroll = scroll.saturating_sub(10),
            KeyCode::PageDown | KeyCode::Char(' ') => *scroll = scroll.saturating_add(10),
            _ => state.overlay = None,
        },
        Overlay::ConfirmQuit => match key.code {
            KeyCode::Char('y' | 'Y') => state.quit = true,
            _ => state.overlay = None,
        },
        Overlay::Prompt(prompt) => match key.code {
            KeyCode::Esc => state.overlay = None,
            KeyCode::Backspace => {
                prompt.input.pop();
            }
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                prompt.input.push(c);
            }
            KeyCode::Enter => {
                let input = prompt.input.clone();
                let path = PathBuf::from(input.trim());
                let purpose = prompt.purpose;
                state.overlay = None;
                return match purpose {
                    PromptPurpose::Open => vec![Effect::Open(path)],
                    PromptPurpose::SaveAs => {
                        vec![Effect::Save(path, super::trust::save_text(state))]
                    }
                    PromptPurpose::Ask => super::ask::submit(state, &input),
                };
            }
            _ => {}
        },
        Overlay::Call(form) => {
            if super::complete::key(form, &key) {
                return vec![];
            }
            if key.code == KeyCode::Tab
                && matches!(form.target, FormTarget::Prompt(_) | FormTarget::Template(_))
            {
                return super::complete::request(form);
            }
            if key.code == KeyCode::Esc {
                state.overlay = None;
            } else if key.code == KeyCode::F(5) || ctrl(&key, 'r') {
                return submit_call(state);
            } else {
                form.editor.input(key);
                form.error = None;
            }
        }
    }
    vec![]
}

/// Validates the form's JSON and sends it: a tool call (after a confirming second press for
/// destructive tools) or a prompt rendering.
fn submit_call(state: &mut State) -> Vec<Effect> {
    let Some(Overlay::Call(form)) = state.overlay.as_mut() else {
        return vec![];
    };
    let text = form.editor.lines().join("\n");
    let args = match crate::mcp::parse_args(&text) {
        Ok(a) => a,
        Err(e) => {
            form.error = Some(e);
            return vec![];
        }
    };
    let effect = match &form.target {
        FormTarget::Tool(tool) => {
            if let Err(e) =
                crate::mcp::check_args(&tool.input_schema, &serde_json::Value::Object(args.clone()))
            {
                form.error = Some(e);
                return vec![];
            }
            if form.needs_confirm {
                form.needs_confirm = false;
                form.error = Some(format!(
                    "`{}` is marked destructive. Press F5 again to call it, Esc to back out.",
                    tool.name
                ));
                return vec![];
            }
            state.calls_in_flight += 1;
            Effect::CallTool {
                server: form.server.clone(),
                tool: tool.name.clone(),
                args,
            }
        }
        FormTarget::Template(t) => {
            if let Some((k, _)) = args.iter().find(|(_, v)| !v.is_string()) {
                form.error = Some(format!("template variables are strings: `{k}` is not"));
                return vec![];
            }
            let uri = super::template::expand(&t.uri_template, &args);
            state.message = Some(format!("reading {uri}…"));
            Effect::ReadResource {
                server: form.server.clone(),
                uri,
            }
        }
        FormTarget::Prompt(prompt) => {
            if let Some((k, _)) = args.iter().find(|(_, v)| !v.is_string()) {
                form.error = Some(format!("prompt arguments are strings: `{k}` is not"));
                return vec![];
            }
            if let Some(a) = prompt
                .arguments
                .iter()
                .find(|a| a.required && !args.contains_key(&a.name))
            {
                form.error = Some(format!("`{}` is required", a.name));
                return vec![];
            }
            let args = args
                .into_iter()
                .filter(|(_, v)| v.as_str() != Some(""))
                .collect();
            Effect::GetPrompt {
                server: form.server.clone(),
                name: prompt.name.clone(),
                args,
            }
        }
    };
    state.overlay = None;
    vec![effect]
}

/// Pasted text goes to whatever takes text.
pub fn paste(state: &mut State, text: &str) {
    if !state.elicits.is_empty() {
        return super::elicit::paste(state, text);
    }
    match (&mut state.overlay, state.focus) {
        (Some(Overlay::Call(form)), _) => {
            form.editor.insert_str(text);
        }
        (Some(Overlay::Prompt(p)), _) => p.input.push_str(text.trim()),
        (None, Pane::Code) => {
            state.editor.insert_str(text);
            state.dirty = true;
            state.rehighlight();
        }
        _ => {}
    }
}
