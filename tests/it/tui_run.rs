//! Running scripts from the workbench: F5 → the sandbox → events → the screen. The test plays
//! the app loop's part (performing the `RunScript` / `CancelRun` effects) so the screens can be
//! snapshotted after real key sequences.

use crate::harness::{self, key, screen};

use std::sync::Arc;
use std::time::Duration;

use codemode::mcp::Registry;
use codemode::script::{self, Limits, RunEvent, RunOptions};
use codemode::tui::action::{Action, Effect, RunUpdate};
use codemode::tui::{State, run_update, update};
use crossterm::event::KeyCode;
use tokio_util::sync::CancellationToken;

async fn workbench(script_text: &str) -> (Registry, State) {
    harness::workbench(vec![codemode::demo::in_process_spec()], script_text).await
}

/// Performs a `RunScript` effect like the app loop, feeding every event back into `update`.
/// `during` is called once, after the first tool call starts, and may return effects.
async fn perform_run(
    registry: &Registry,
    state: &mut State,
    effects: Vec<Effect>,
    limits: Limits,
    during: impl FnOnce(&mut State) -> Vec<Effect>,
) {
    let [Effect::RunScript(source)] = effects.as_slice() else {
        panic!("F5 should ask to run the script, got {effects:?}");
    };
    let cancel = CancellationToken::new();
    let (observer, mut events) = script::event_channel();
    let opts = RunOptions {
        limits,
        cancel: cancel.clone(),
        observers: vec![observer],
        ..Default::default()
    };
    let invoker = Arc::new(script::RegistryInvoker {
        registry: registry.clone(),
        handle: tokio::runtime::Handle::current(),
    });
    let text = source.clone();
    let handle = tokio::task::spawn_blocking(move || script::run(&text, invoker, opts));
    let mut during = Some(during);
    while let Some(event) = tokio::time::timeout(Duration::from_secs(30), events.recv())
        .await
        .unwrap()
    {
        let started = matches!(event, RunEvent::CallStarted { .. });
        let done = matches!(event, RunEvent::Finished(_));
        if let Some(u) = run_update(event, source) {
            update::update(state, Action::Run(fixed_times(u)));
        }
        if started && let Some(f) = during.take() {
            for e in f(state) {
                if e == Effect::CancelRun {
                    cancel.cancel();
                }
            }
        }
        if done {
            break;
        }
    }
    handle.await.unwrap();
}

/// Replaces measured durations with fixed ones so snapshots do not depend on speed.
fn fixed_times(u: RunUpdate) -> RunUpdate {
    match u {
        RunUpdate::CallFinished {
            server,
            tool,
            outcome,
            ..
        } => RunUpdate::CallFinished {
            server,
            tool,
            outcome,
            elapsed: Duration::from_millis(3),
        },
        RunUpdate::Finished {
            result,
            limit_hit,
            cancelled,
            position,
            ..
        } => RunUpdate::Finished {
            result,
            limit_hit,
            cancelled,
            position,
            elapsed: Duration::from_millis(42),
        },
        other => other,
    }
}

#[tokio::test]
async fn run_success_shows_the_result() {
    let (registry, mut state) = workbench(
        "let open = demo::list_issues(#{ status: \"open\" });\nprint(`${open.total} open`);\n#{ open: open.total, first: open.issues[0].title }\n",
    )
    .await;
    let effects = key(&mut state, KeyCode::F(5));
    perform_run(
        &registry,
        &mut state,
        effects,
        Limits::default(),
        |_| vec![],
    )
    .await;
    let shown = screen(&state, 80, 24);
    assert!(shown.contains("\"open\": 3"), "{shown}");
    insta::assert_snapshot!("run_success_80x24", shown.clone());
    insta::assert_snapshot!("run_success_160x48", screen(&state, 160, 48));
    key(&mut state, KeyCode::Esc);
    let shown = screen(&state, 160, 48);
    assert!(
        shown.contains("3 open"),
        "the print is in the log:\n{shown}"
    );
    registry.shutdown().await;
}

#[tokio::test]
async fn run_error_shows_a_code_frame_in_the_log() {
    let (registry, mut state) =
        workbench("let issue = demo::get_issue(#{ id: 1 });\nlet x = {a: 1};\nx\n").await;
    let effects = key(&mut state, KeyCode::F(5));
    perform_run(
        &registry,
        &mut state,
        effects,
        Limits::default(),
        |_| vec![],
    )
    .await;
    let shown = screen(&state, 160, 48);
    assert!(shown.contains("line 2"), "{shown}");
    assert!(
        shown.contains("#{"),
        "the hint about #{{}} maps is shown:\n{shown}"
    );
    insta::assert_snapshot!("run_error_160x48", shown.clone());
    insta::assert_snapshot!("run_error_80x24", screen(&state, 80, 24));
    registry.shutdown().await;
}

#[tokio::test]
async fn limit_hit_names_the_limit() {
    let (registry, mut state) = workbench("let n = 0;\nloop { n += 1; }\n").await;
    let effects = key(&mut state, KeyCode::F(5));
    let limits = Limits {
        max_operations: 10_000,
        ..Limits::default()
    };
    perform_run(&registry, &mut state, effects, limits, |_| vec![]).await;
    let shown = screen(&state, 80, 24);
    assert!(shown.contains("max_operations"), "{shown}");
    insta::assert_snapshot!("limit_hit_80x24", shown.clone());
    insta::assert_snapshot!("limit_hit_160x48", screen(&state, 160, 48));
    registry.shutdown().await;
}

#[tokio::test]
async fn escape_cancels_a_running_script() {
    let (registry, mut state) = workbench("demo::wait(#{ ms: 60000 });\n\"not reached\"\n").await;
    let effects = key(&mut state, KeyCode::F(5));
    perform_run(&registry, &mut state, effects, Limits::default(), |state| {
        let shown = screen(state, 80, 24);
        assert!(
            shown.contains("running"),
            "the status bar shows the run:\n{shown}"
        );
        key(state, KeyCode::Esc)
    })
    .await;
    let shown = screen(&state, 80, 24);
    // Cancelling is not a failure: the status bar says so, no popup waits for a key.
    assert!(state.overlay.is_none(), "{shown}");
    let status = shown.lines().nth(23).unwrap_or_default();
    assert!(status.contains("cancelled after"), "{shown}");
    insta::assert_snapshot!("cancel_80x24", shown.clone());
    insta::assert_snapshot!("cancel_160x48", screen(&state, 160, 48));
    registry.shutdown().await;
}
