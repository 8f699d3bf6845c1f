//! The app loop: terminal set-up and restore, input and engine events in, effects out.
//! It renders only when an action changed something.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use tokio::sync::{broadcast, mpsc};

use super::action::{Action, Effect, RunUpdate};
use super::draw::draw;
use super::state::State;
use super::update::update;
use crate::mcp::{CallOptions, Registry};

/// Runs the TUI until the user quits, starting the registry's connections once it listens
/// to their events. The terminal is restored on every exit path (normal, error, panic via
/// ratatui's hook, SIGTERM/SIGHUP).
pub async fn run(registry: Registry, mut state: State) -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let result = event_loop(&mut terminal, &registry, &mut state).await;
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    result
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    registry: &Registry,
    state: &mut State,
) -> std::io::Result<()> {
    let mut input = EventStream::new();
    let mut engine = registry.subscribe();
    let mut changed = registry.watch();
    registry.start();
    let (tx, mut results) = mpsc::unbounded_channel::<Action>();
    let mut ticker = tokio::time::interval(Duration::from_millis(120));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let stop = crate::cli::stop_signal();
    tokio::pin!(stop);
    update(state, Action::Servers(registry.servers()));
    loop {
        if state.needs_redraw {
            terminal.draw(|f| draw(state, f))?;
            state.needs_redraw = false;
        }
        let action = tokio::select! {
            ev = input.next() => match ev {
                Some(Ok(TermEvent::Key(k))) => Action::Key(k),
                Some(Ok(TermEvent::Paste(p))) => Action::Paste(p),
                Some(Ok(TermEvent::Resize(..))) => Action::Resize,
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(e),
                None => Action::Terminate,
            },
            ev = engine.recv() => match ev {
                Ok(e) => Action::Engine(e),
                Err(broadcast::error::RecvError::Lagged(n)) => Action::EventsLagged(n),
                Err(broadcast::error::RecvError::Closed) => continue,
            },
            Ok(()) = changed.changed() => Action::Servers(registry.servers()),
            Some(a) = results.recv() => a,
            _ = ticker.tick(), if state.busy() => Action::Tick(Instant::now()),
            () = &mut stop => Action::Terminate,
        };
        if let Action::Key(_) = action {
            state.now = Instant::now();
        }
        for effect in update(state, action) {
            perform(effect, registry, &tx);
        }
        if state.quit {
            return Ok(());
        }
    }
}

/// Starts an effect in the background; its outcome comes back as an action.
fn perform(effect: Effect, registry: &Registry, tx: &mpsc::UnboundedSender<Action>) {
    let tx = tx.clone();
    let registry = registry.clone();
    match effect {
        Effect::RunScript(_source) => {
            let _ = tx.send(Action::Run(RunUpdate::Finished {
                result: Err("the Rhai sandbox is not in this build yet: use `c` on a tool to call it directly".into()),
                limit_hit: false,
                elapsed: Duration::ZERO,
            }));
        }
        Effect::CancelRun => {}
        Effect::CallTool { server, tool, args } => {
            tokio::spawn(async move {
                let started = Instant::now();
                let result = registry
                    .call_tool(&server, &tool, Some(args), &CallOptions::default())
                    .await;
                let _ = tx.send(Action::CallDone {
                    server,
                    tool,
                    result,
                    elapsed: started.elapsed(),
                });
            });
        }
        Effect::Reconnect(name) => {
            tokio::spawn(async move {
                let _ = registry.reconnect(&name).await;
            });
        }
        Effect::Open(path) => {
            tokio::spawn(async move {
                let result = tokio::fs::read_to_string(&path)
                    .await
                    .map_err(|e| e.to_string());
                let _ = tx.send(Action::Opened { path, result });
            });
        }
        Effect::Save(path, text) => {
            tokio::spawn(async move {
                let result = save(&path, &text).await;
                let _ = tx.send(Action::Saved { path, result });
            });
        }
    }
}

async fn save(path: &PathBuf, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| e.to_string())?;
    }
    let body = if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    };
    tokio::fs::write(path, body)
        .await
        .map_err(|e| e.to_string())
}
