//! What arrives from outside the keyboard — server snapshots and events, a direct call's
//! or a run's results, files read and written, the clock — applied to the state.

use super::action::{Action, Effect, RunUpdate};
use super::log::{Level, Source};
use super::overlay::Overlay;
use super::state::{RunState, State};
use crate::mcp::{EventKind, ServerStatus};

/// Applies an action that is not the user's (keys, commands and paste are `update`'s).
pub fn apply(state: &mut State, action: Action) -> Vec<Effect> {
    match action {
        Action::Tick(now) => {
            state.now = now;
            state.expire_message();
            if state.busy() {
                state.tick = state.tick.wrapping_add(1);
            } else {
                state.needs_redraw = false;
            }
        }
        Action::Servers(servers) => state.set_servers(servers),
        Action::Engine(event) => log_event(state, event),
        Action::EventsLagged(n) => state.log.push(
            Source::App,
            Level::Warn,
            None,
            &format!("{n} server events dropped (the UI fell behind)"),
        ),
        Action::CallDone {
            server,
            tool,
            result,
            elapsed,
        } => call_done(state, &server, &tool, result, elapsed),
        Action::Run(update) => apply_run(state, update),
        Action::Shown { title, result } => match result {
            Ok(text) => show_result(state, title, text),
            Err(e) => {
                state
                    .log
                    .push(Source::App, Level::Error, None, &format!("{title}: {e}"));
                state.say(e);
            }
        },
        Action::Opened { path, result } => match result {
            Ok(text) => {
                state.set_script(&text);
                state.say(format!("opened {}", path.display()));
                state.script_path = Some(path);
                state.dirty = false;
                super::trust::check_opened(state);
            }
            Err(e) => state.say(format!("cannot open {}: {e}", path.display())),
        },
        Action::Saved { path, result } => match result {
            Ok(()) => {
                state.say(format!("saved {}", path.display()));
                state.script_path = Some(path);
                state.dirty = false;
            }
            Err(e) => state.say(format!("cannot save {}: {e}", path.display())),
        },
        Action::Exists { path, text } => {
            state.overlay = Some(Overlay::Confirm(super::overlay::Pending::Overwrite(
                path, text,
            )));
        }
        Action::Terminate => state.quit = true,
        Action::Resize(width, height) => {
            state.screen = ratatui::layout::Rect::new(0, 0, width, height);
        }
        // The user's and the features' actions are `update`'s.
        Action::Mouse(_)
        | Action::Key(_)
        | Action::Command(_)
        | Action::Paste(_)
        | Action::Ask(_)
        | Action::Approval { .. }
        | Action::Elicit { .. }
        | Action::Sample { .. }
        | Action::Completed { .. } => {}
    }
    Vec::new()
}

fn call_done(
    state: &mut State,
    server: &str,
    tool: &str,
    result: Result<crate::mcp::CallOutcome, crate::mcp::CallError>,
    elapsed: std::time::Duration,
) {
    state.calls_in_flight = state.calls_in_flight.saturating_sub(1);
    let ms = elapsed.as_millis();
    match result {
        Ok(outcome) => {
            let body = match &outcome.structured_content {
                Some(v) => serde_json::to_string_pretty(v).unwrap_or_default(),
                None => outcome.text(),
            };
            let (level, verdict) = if outcome.is_error {
                (Level::Error, "tool error")
            } else {
                (Level::Info, "ok")
            };
            state.log.push(
                Source::Call,
                level,
                Some(server),
                &format!(
                    "{server}::{tool} {verdict} in {ms} ms ({} bytes)",
                    outcome.wire_bytes()
                ),
            );
            show_result(state, format!("{server}::{tool} — {verdict}"), body);
        }
        Err(e) => {
            state.log.push(
                Source::Call,
                Level::Error,
                Some(server),
                &format!("{e} (after {ms} ms)"),
            );
            state.say(e.to_string());
        }
    }
}

fn log_event(state: &mut State, event: crate::mcp::Event) {
    let server = event.server.as_str();
    match event.kind {
        EventKind::Status { status } => {
            let level = match status {
                ServerStatus::Failed { .. } => Level::Error,
                ServerStatus::Reconnecting { .. } => Level::Warn,
                _ => Level::Info,
            };
            state.log.push(
                Source::Server,
                level,
                Some(server),
                &format!("{server}: {status}"),
            );
        }
        EventKind::ToolsChanged { count } => {
            state.log.push(
                Source::Server,
                Level::Info,
                Some(server),
                &format!("{server}: {count} tools"),
            );
        }
        EventKind::Stderr { line } => state.log.push(
            Source::Stderr,
            Level::Info,
            Some(server),
            &format!("{server}: {line}"),
        ),
        EventKind::StderrDropped { lines } => state.log.push(
            Source::Stderr,
            Level::Warn,
            Some(server),
            &format!("{server}: {lines} stderr lines dropped"),
        ),
        EventKind::Log {
            level,
            logger,
            data,
        } => {
            let lvl = match level.as_str() {
                "warning" | "notice" => Level::Warn,
                "error" | "critical" | "alert" | "emergency" => Level::Error,
                _ => Level::Info,
            };
            let text = match data {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            let logger = logger.map(|l| format!("[{l}] ")).unwrap_or_default();
            state.log.push(
                Source::Server,
                lvl,
                Some(server),
                &format!("{server} {level}: {logger}{text}"),
            );
        }
        EventKind::Progress {
            progress,
            total,
            message,
            ..
        } => {
            let of = total.map(|t| format!("/{t}")).unwrap_or_default();
            let msg = message.map(|m| format!(" {m}")).unwrap_or_default();
            state.log.push(
                Source::Server,
                Level::Info,
                Some(server),
                &format!("{server} progress {progress}{of}{msg}"),
            );
        }
        EventKind::Task {
            tool,
            task_id,
            status,
            message,
        } => {
            let lvl = match status.as_str() {
                "failed" | "cancelled" => Level::Warn,
                _ => Level::Info,
            };
            let msg = message.map(|m| format!(": {m}")).unwrap_or_default();
            state.log.push(
                Source::Server,
                lvl,
                Some(server),
                &format!("{server}::{tool} task {task_id} {status}{msg}"),
            );
        }
        EventKind::ListsChanged => {}
    }
}

fn apply_run(state: &mut State, update: RunUpdate) {
    match update {
        RunUpdate::Print(text) => state.log.push(Source::Run, Level::Info, None, &text),
        RunUpdate::CallStarted { server, tool, args } => {
            state.log.push(
                Source::Call,
                Level::Info,
                Some(&server),
                &format!("→ {server}::{tool}({args})"),
            );
        }
        RunUpdate::CallFinished {
            server,
            tool,
            elapsed,
            outcome,
        } => {
            let ms = elapsed.as_millis();
            let (level, text) = match outcome {
                Ok(bytes) => (
                    Level::Info,
                    format!("← {server}::{tool} ok in {ms} ms, {bytes} bytes"),
                ),
                Err(e) => (
                    Level::Error,
                    format!("← {server}::{tool} failed in {ms} ms: {e}"),
                ),
            };
            state.log.push(Source::Call, level, Some(&server), &text);
        }
        RunUpdate::Finished {
            cancelled: true,
            elapsed,
            ..
        } => {
            // The user stopped it: a line in the status bar, no popup to dismiss.
            state.approvals.clear();
            state.run = RunState::Cancelled { elapsed };
            state.log.push(
                Source::Run,
                Level::Warn,
                None,
                &format!("cancelled after {} ms", elapsed.as_millis()),
            );
        }
        RunUpdate::Finished {
            result,
            limit_hit,
            position,
            elapsed,
            ..
        } => {
            state.approvals.clear();
            let ok = result.is_ok();
            state.run = RunState::Done { ok, elapsed };
            state.ask.last_error = result.as_ref().err().cloned();
            let ms = elapsed.as_millis();
            match result {
                Ok(json) => {
                    let compact = serde_json::from_str::<serde_json::Value>(&json)
                        .map_or_else(|_| json.clone(), |v| v.to_string());
                    let line = crate::util::truncate(&compact, 500);
                    state
                        .log
                        .push(Source::Run, Level::Info, None, &format!("result: {line}"));
                    show_result(state, format!("Result ({ms} ms)"), json);
                }
                Err(frame) => {
                    let frame = frame.trim_end().to_string();
                    let level = if limit_hit { Level::Warn } else { Level::Error };
                    state.log.push(Source::Run, level, None, &frame);
                    state.log_scroll = 0;
                    // Put the cursor on the line to fix.
                    if let Some((line, col)) = position {
                        let row = u16::try_from(line.saturating_sub(1)).unwrap_or(u16::MAX);
                        let col = u16::try_from(col.saturating_sub(1)).unwrap_or(u16::MAX);
                        state
                            .editor
                            .move_cursor(tui_textarea::CursorMove::Jump(row, col));
                        state.rehighlight();
                    }
                    let title = if limit_hit {
                        format!("Limit hit after {ms} ms")
                    } else {
                        format!("Run failed after {ms} ms")
                    };
                    show_result(state, title, frame);
                }
            }
        }
    }
}

/// Shows a result over the panes and keeps it for F9.
fn show_result(state: &mut State, title: String, text: String) {
    state.last_result = Some((title.clone(), text.clone()));
    state.overlay = Some(Overlay::result(title, text));
}
