//! `update`: the one place the UI state changes. Pure with respect to I/O: it returns
//! effects for the app loop to perform. A key is resolved to a [`Command`] by the key table
//! in the contexts active now ([`contexts`]); applying a command goes to what is in front —
//! a waiting request's panel, the overlay, or the panes.

use std::path::PathBuf;

use crossterm::event::KeyEventKind;

use super::action::{Action, Effect};
use super::ask::AskUpdate;
use super::command::Command;
use super::keymap::{self, Context};
use super::overlay::{self, Outcome, Overlay, Pending, PromptPurpose};
use super::state::{Pane, RunState, State};
use super::{approval, elicit, events, panes, sampling, trust};

/// Applies one action.
pub fn update(state: &mut State, action: Action) -> Vec<Effect> {
    state.needs_redraw = true;
    match action {
        Action::Key(key) if key.kind == KeyEventKind::Release => {
            state.needs_redraw = false;
            vec![]
        }
        Action::Key(key) => {
            state.message = None;
            let Some(command) = keymap::resolve(&contexts(state), &key) else {
                state.needs_redraw = false;
                return vec![];
            };
            apply(state, command)
        }
        Action::Command(command) => {
            state.message = None;
            apply(state, command)
        }
        Action::Paste(text) => {
            // tmux and some terminals paste with CR (or CRLF) line ends.
            paste(state, &text.replace("\r\n", "\n").replace('\r', "\n"));
            vec![]
        }
        Action::Mouse(event) => super::mouse::apply(state, event),
        Action::Approval { id, request } => {
            approval::request(&mut state.approvals, id, request);
            vec![]
        }
        Action::Elicit { id, request } => {
            elicit::request(&mut state.elicits, id, request, &mut state.log);
            vec![]
        }
        Action::Sample { id, request } => {
            sampling::request(&mut state.samplings, id, request, &mut state.log);
            vec![]
        }
        Action::Completed {
            argument,
            value,
            result,
        } => {
            if let Some(Overlay::Call(form)) = state.overlay.as_mut() {
                form.answered(argument, value, result);
            }
            vec![]
        }
        Action::Ask(update) => ask_reply(state, update),
        other => events::apply(state, other),
    }
}

/// The contexts keys are looked up in now, innermost first: a waiting request's panel (the
/// approval panel, then a server's form, then a sampling request) takes every key; else the
/// overlay; else the focused pane, then the keys that work anywhere.
pub fn contexts(state: &State) -> Vec<Context> {
    if state.search.as_ref().is_some_and(|s| s.typing) {
        return vec![Context::SearchLine];
    }
    if !state.approvals.is_empty() {
        return vec![Context::Approval];
    }
    if elicit::is_url(&state.elicits) {
        return vec![Context::ElicitUrl, Context::Elicit];
    }
    if !state.elicits.is_empty() {
        return vec![Context::Elicit];
    }
    if !state.samplings.is_empty() {
        return vec![Context::Sampling];
    }
    match &state.overlay {
        Some(Overlay::Help { .. } | Overlay::Result { .. }) => return vec![Context::Overlay],
        Some(Overlay::Confirm(_)) => return vec![Context::ConfirmQuit],
        Some(Overlay::Prompt(_)) => return vec![Context::PromptLine],
        Some(Overlay::Call(form)) => {
            let picks = form.picks.as_ref().map(|_| Context::Picks);
            let completable = form.completable().map(|_| Context::Completable);
            return picks
                .into_iter()
                .chain(completable)
                .chain([Context::CallForm])
                .collect();
        }
        None => {}
    }
    pane_contexts(state)
}

/// The contexts of the focused pane, under any panel or overlay: busy, the pane, global.
pub fn pane_contexts(state: &State) -> Vec<Context> {
    let busy = matches!(state.run, RunState::Running { .. }) || state.ask.asking;
    let pane = match state.focus {
        Pane::Tree if state.tree.filtering => Context::TreeFilter,
        Pane::Tree => Context::Tree,
        Pane::Docs => Context::Docs,
        Pane::Code => Context::Code,
        Pane::Log => Context::Log,
    };
    busy.then_some(Context::Busy)
        .into_iter()
        .chain([pane, Context::Global])
        .collect()
}

/// What is in front: the context that applies commands.
fn front(state: &State) -> Context {
    contexts(state)[0]
}

fn is_overlay(context: Context) -> bool {
    matches!(
        context,
        Context::Overlay
            | Context::ConfirmQuit
            | Context::PromptLine
            | Context::CallForm
            | Context::Completable
            | Context::Picks
    )
}

/// Applies a command to what is in front.
pub fn apply(state: &mut State, command: Command) -> Vec<Effect> {
    if let Some(effects) = super::search::apply(state, command) {
        return effects;
    }
    match front(state) {
        Context::Approval => approval::update(&mut state.approvals, command, &mut state.log),
        Context::Elicit | Context::ElicitUrl => {
            elicit::update(&mut state.elicits, command, &mut state.log)
        }
        Context::Sampling => {
            sampling::update(&mut state.samplings, command, &mut state.log, state.screen)
        }
        c if is_overlay(c) => overlay_command(state, command),
        _ => global(state, command).unwrap_or_else(|| panes::apply(state, command)),
    }
}

fn overlay_command(state: &mut State, command: Command) -> Vec<Effect> {
    let view = overlay_view(state);
    let Some(open) = state.overlay.as_mut() else {
        return vec![];
    };
    match overlay::update(open, command, view) {
        Outcome::Stay(effects) => effects,
        Outcome::Close => {
            state.overlay = None;
            vec![]
        }
        Outcome::Confirmed(pending) => {
            state.overlay = None;
            match pending {
                Pending::Quit => {
                    state.quit = true;
                    vec![]
                }
                Pending::Open => {
                    state.overlay = Some(Overlay::prompt(PromptPurpose::Open, "scripts/"));
                    vec![]
                }
                Pending::Overwrite(path, text) => vec![Effect::Save(path, text)],
            }
        }
        Outcome::Answer(purpose, input) => {
            state.overlay = None;
            let path = PathBuf::from(input.trim());
            match purpose {
                PromptPurpose::Open => vec![Effect::Open(path)],
                // A new name must not overwrite a file without asking.
                PromptPurpose::SaveAs if state.script_path.as_ref() == Some(&path) => {
                    vec![Effect::Save(path, trust::save_text(state))]
                }
                PromptPurpose::SaveAs => vec![Effect::SaveNew(path, trust::save_text(state))],
                PromptPurpose::Search => vec![],
                PromptPurpose::Ask => match state.ask.submit(&input, &mut state.log) {
                    Ok(request) => {
                        state.focus = Pane::Code;
                        vec![Effect::Ask(request)]
                    }
                    Err(why) => {
                        state.message = why;
                        vec![]
                    }
                },
            }
        }
        Outcome::Send(effect) => {
            state.overlay = None;
            panes::sent(state, effect)
        }
    }
}

/// The commands that work whatever pane is focused; `None` for the pane's own.
fn global(state: &mut State, command: Command) -> Option<Vec<Effect>> {
    let prompt = |purpose, input: &str| Some(Overlay::prompt(purpose, input));
    match command {
        Command::Run => return Some(run(state)),
        Command::Cancel => return Some(cancel(state)),
        // Without a model, say so before anything is typed.
        Command::Ask | Command::Repair if !state.llm => {
            state.say("no model is configured: add an [llm] table to codemode.toml (README, \"Ask a model\")");
        }
        Command::Ask => state.overlay = prompt(PromptPurpose::Ask, ""),
        Command::Repair => match state.ask.repair(state.script(), &mut state.log) {
            Ok(request) => {
                state.focus = Pane::Code;
                return Some(vec![Effect::Ask(request)]);
            }
            Err(why) => state.say(why),
        },
        Command::Plan => trust::show_plan(state),
        Command::Help => state.overlay = Some(Overlay::Help { scroll: 0 }),
        Command::Save => match state.script_path.clone() {
            Some(path) => return Some(vec![Effect::Save(path, trust::save_text(state))]),
            // A new script: ask for its name.
            None => state.overlay = prompt(PromptPurpose::SaveAs, "scripts/"),
        },
        Command::SaveAs => {
            let path = state.script_path.as_ref().map(|p| p.display().to_string());
            state.overlay = prompt(PromptPurpose::SaveAs, path.as_deref().unwrap_or("scripts/"));
        }
        Command::Open if state.dirty => state.overlay = Some(Overlay::Confirm(Pending::Open)),
        Command::Open => state.overlay = prompt(PromptPurpose::Open, "scripts/"),
        Command::Redraw => return Some(vec![Effect::Redraw]),
        Command::Zoom => state.zoom = !state.zoom,
        Command::LastResult => match state.last_result.clone() {
            Some((title, text)) => state.overlay = Some(Overlay::result(title, text)),
            None => state.say("no result yet: F5 runs the script"),
        },
        Command::ReloadConfig => {
            state.say("reloading the config…");
            return Some(vec![Effect::ReloadConfig]);
        }
        Command::Quit if state.dirty => state.overlay = Some(Overlay::Confirm(Pending::Quit)),
        Command::Quit => state.quit = true,
        Command::FocusNext => {
            if state.focus == Pane::Tree {
                state.docs_scroll = 0; // as every key of the servers pane does
            }
            state.focus = state.focus.next();
        }
        Command::FocusPrev => state.focus = state.focus.prev(),
        Command::Focus(pane) => state.focus = pane,
        _ => return None,
    }
    Some(vec![])
}

/// The view of the help or result in front, at the current screen size.
fn overlay_view(state: &State) -> super::view::View {
    match &state.overlay {
        Some(Overlay::Help { .. }) => {
            let (area, lines) = overlay::help(&state.theme, state.screen);
            super::view::View::of(lines.len(), area.height.saturating_sub(2))
        }
        Some(Overlay::Result { text, .. }) => {
            overlay::result_view(text, overlay::result_area(state.screen))
        }
        _ => super::view::View::default(),
    }
}

/// Runs the script unless one is running.
fn run(state: &mut State) -> Vec<Effect> {
    if matches!(
        state.run,
        RunState::Running { .. } | RunState::Cancelling { .. }
    ) {
        state.say("a script is already running (Esc cancels it)");
        return vec![];
    }
    state.run = RunState::Running { started: state.now };
    state.log_scroll = 0;
    vec![Effect::RunScript(state.script())]
}

/// Cancels the running script, else the request to the model.
fn cancel(state: &mut State) -> Vec<Effect> {
    if let RunState::Running { started } = state.run {
        state.run = RunState::Cancelling { started };
    } else if state.ask.asking {
        state.say("cancelling the request to the model…");
    } else {
        return vec![];
    }
    vec![Effect::CancelRun]
}

/// The model sent something: its script goes to the editor, and runs when complete.
fn ask_reply(state: &mut State, update: AskUpdate) -> Vec<Effect> {
    let reply = state.ask.apply(update, &mut state.log);
    if let Some(script) = &reply.script {
        state.set_script(script);
        state.dirty = true;
    }
    if reply.message.is_some() {
        state.message = reply.message;
    }
    if reply.run { run(state) } else { vec![] }
}

/// Pasted text goes to what is in front, if it takes text: a server's form, the overlay's
/// line or form, the editor.
fn paste(state: &mut State, text: &str) {
    match front(state) {
        Context::Elicit => elicit::paste(&mut state.elicits, text),
        Context::Approval | Context::ElicitUrl | Context::Sampling => {}
        c if is_overlay(c) => {
            if let Some(open) = state.overlay.as_mut() {
                overlay::paste(open, text);
            }
        }
        _ if state.focus == Pane::Code => {
            state.editor.insert_str(text);
            state.dirty = true;
            state.rehighlight();
        }
        _ => {}
    }
}
