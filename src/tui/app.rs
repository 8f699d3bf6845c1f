//! The app loop: terminal set-up and restore, input and engine events in, effects out.
//! It renders only when an action changed something.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::{Event as TermEvent, EventStream};
use futures::StreamExt;
use tokio::sync::{broadcast, mpsc};

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::action::{Action, Effect, RunUpdate};
use super::draw::draw;
use super::state::State;
use super::update::update;
use crate::mcp::{CallOptions, Registry};
use crate::script::{self, RunEvent, RunOptions};

/// How scripts run from the workbench: the same limits, policy and audit log as `codemode
/// run`.
#[derive(Clone, Default)]
pub struct RunSettings {
    /// Limits per run.
    pub limits: script::Limits,
    /// Which tools scripts may call (destructive ones are refused unless allowed).
    pub policy: script::Policy,
    /// Where runs are recorded.
    pub audit: Option<Arc<script::audit::AuditLog>>,
}

/// The effect executor's own state: the running script's cancel handle.
struct Runner {
    registry: Registry,
    settings: RunSettings,
    cancel: Option<CancellationToken>,
    tx: mpsc::UnboundedSender<Action>,
}

/// Runs the TUI until the user quits, starting the registry's connections once it listens
/// to their events. The terminal is restored on every exit path (normal, error, panic via
/// ratatui's hook, SIGTERM/SIGHUP).
pub async fn run(
    registry: Registry,
    mut state: State,
    settings: RunSettings,
) -> std::io::Result<()> {
    let mut terminal = ratatui::init();
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste);
    let result = event_loop(&mut terminal, &registry, &mut state, settings).await;
    let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    ratatui::restore();
    result
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
    registry.start();
    let (tx, mut results) = mpsc::unbounded_channel::<Action>();
    let mut runner = Runner {
        registry: registry.clone(),
        settings,
        cancel: None,
        tx: tx.clone(),
    };
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
            runner.perform(effect);
        }
        if state.quit {
            return Ok(());
        }
    }
}

impl Runner {
    /// Starts an effect in the background; its outcome comes back as an action.
    fn perform(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        let registry = self.registry.clone();
        match effect {
            Effect::RunScript(source) => self.run_script(source),
            Effect::CancelRun => {
                if let Some(c) = &self.cancel {
                    c.cancel();
                }
            }
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

    /// Runs a script on a blocking thread; its events come back as `Action::Run`.
    fn run_script(&mut self, source: String) {
        let cancel = CancellationToken::new();
        self.cancel = Some(cancel.clone());
        let (observer, mut events) = script::event_channel();
        let opts = RunOptions {
            limits: self.settings.limits.clone(),
            policy: self.settings.policy.clone(),
            audit: self.settings.audit.clone(),
            cancel,
            observers: vec![observer],
            ..Default::default()
        };
        let invoker = Arc::new(script::RegistryInvoker {
            registry: self.registry.clone(),
            handle: tokio::runtime::Handle::current(),
        });
        let text = source.clone();
        tokio::task::spawn_blocking(move || script::run(&text, invoker, opts));
        let tx = self.tx.clone();
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                let done = matches!(event, RunEvent::Finished(_));
                if let Some(update) = run_update(event, &source) {
                    let _ = tx.send(Action::Run(update));
                }
                if done {
                    break;
                }
            }
        });
    }
}

/// A sandbox event as the UI shows it.
pub fn run_update(event: RunEvent, source: &str) -> Option<RunUpdate> {
    Some(match event {
        RunEvent::Print { text } => RunUpdate::Print(text),
        RunEvent::CallStarted {
            server,
            tool,
            args_summary,
            ..
        } => RunUpdate::CallStarted {
            server,
            tool,
            args: args_summary,
        },
        RunEvent::CallFinished(rec) => RunUpdate::CallFinished {
            server: rec.server,
            tool: rec.tool,
            elapsed: rec.duration,
            outcome: if rec.ok {
                Ok(rec.result_bytes)
            } else {
                Err(rec.error.unwrap_or_default())
            },
        },
        RunEvent::LimitHit(_) => return None, // the Finished error names it
        RunEvent::Finished(report) => RunUpdate::Finished {
            result: match &report.error {
                None => Ok(serde_json::to_string_pretty(&report.result).unwrap_or_default()),
                Some(e) => Err(e.render(source)),
            },
            limit_hit: report.limit_hit.is_some(),
            position: report
                .error
                .as_ref()
                .and_then(|e| e.line.map(|l| (l, e.column.unwrap_or(1)))),
            elapsed: report.elapsed,
        },
    })
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
