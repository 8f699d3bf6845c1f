//! The app loop: terminal set-up and restore, input and engine events in, effects out.
//! It renders only when an action changed something.

use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use tokio::sync::{broadcast, mpsc};

use super::action::{Action, Effect};
use super::draw::draw;
use super::runner::{RunSettings, Runner};
use super::state::State;
use super::update::update;
use crate::mcp::Registry;

/// Runs the TUI until the user quits, starting the registry's connections once it listens
/// to their events. The terminal is restored on every exit path (normal, error, panic via
/// ratatui's hook, SIGTERM/SIGHUP).
pub async fn run(
    registry: Registry,
    mut state: State,
    settings: RunSettings,
) -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    // Restores on every exit, including this future being dropped: the CLI's own SIGTERM /
    // SIGHUP handler may win the race against the event loop's and drop it mid-await.
    let _restore = RestoreOnDrop;
    state.pins = settings.approvals.clone();
    state.llm = settings.llm.is_some();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    if settings.mouse {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture);
    }
    event_loop(&mut terminal, &registry, &mut state, settings).await
}

/// Leaves bracketed paste, raw mode and the alternate screen when dropped.
struct RestoreOnDrop;

impl Drop for RestoreOnDrop {
    fn drop(&mut self) {
        let _ = crossterm::execute!(
            std::io::stdout(),
            crossterm::event::DisableBracketedPaste,
            crossterm::event::DisableMouseCapture
        );
        ratatui::restore();
    }
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    registry: &Registry,
    state: &mut State,
    settings: RunSettings,
) -> std::io::Result<()> {
    let mut input = EventStream::new();
    let mut engine = registry.subscribe();
    let mut changed = registry.watch();
    let (tx, mut results) = mpsc::unbounded_channel::<Action>();
    // Servers' questions come to the UI; on exit, those still waiting are answered.
    let mut runner = Runner::new(registry, settings, tx);
    registry.start();
    let mut ticker = tokio::time::interval(Duration::from_millis(120));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let stop = crate::util::stop_signal();
    tokio::pin!(stop);
    if let Ok(size) = terminal.size() {
        update(state, Action::Resize(size.width, size.height));
    }
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
                Some(Ok(TermEvent::Resize(w, h))) => Action::Resize(w, h),
                Some(Ok(TermEvent::Mouse(m))) => Action::Mouse(m),
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
        if let Action::Key(key) = &action {
            state.now = Instant::now();
            force_panic_for_tests(key);
        }
        for effect in update(state, action) {
            if effect == Effect::Redraw {
                // Whatever wrote on the terminal behind our back is wiped.
                terminal.clear()?;
                state.needs_redraw = true;
                continue;
            }
            runner.perform(effect);
        }
        if state.quit {
            return Ok(());
        }
    }
}

/// Debug builds only: F12 panics when `CODEMODE_DEBUG_PANIC` is set, so the end-to-end tests
/// can check that a panic restores the terminal. Release builds never panic on purpose.
fn force_panic_for_tests(key: &crossterm::event::KeyEvent) {
    if cfg!(debug_assertions)
        && key.code == crossterm::event::KeyCode::F(12)
        && std::env::var_os("CODEMODE_DEBUG_PANIC").is_some()
    {
        panic!("forced panic (F12 with CODEMODE_DEBUG_PANIC set, debug build)");
    }
}
