//! The workbench as a lazygit / gitui / k9s / helix user drives it (issue #20): paste, undo,
//! never losing work, scrolling that stops at the end and pages by the pane, search, zoom,
//! the mouse, messages that go away, a welcome script that works with any config. Real key
//! events through `update`; screens from ratatui's `TestBackend`.

use std::time::Duration;

use codemode::tui::action::{Action, Effect};
use codemode::tui::command::Command;
use codemode::tui::overlay::{Overlay, Pending};
use codemode::tui::state::{Pane, State};
use codemode::tui::update;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use crate::demo;
use crate::harness::{ctrl, key, reversed, screen, workbench};

async fn demo_bench(script: &str) -> (codemode::mcp::Registry, State) {
    workbench(vec![codemode::demo::in_process_spec()], script).await
}

fn typed(state: &mut State, text: &str) {
    for c in text.chars() {
        key(state, KeyCode::Char(c));
    }
}

fn alt(state: &mut State, c: char) -> Vec<Effect> {
    update::update(
        state,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::ALT)),
    )
}

#[tokio::test]
async fn a_paste_with_cr_line_ends_keeps_its_lines_and_undo_redo_work() {
    let (registry, mut state) = demo_bench("").await;
    alt(&mut state, '3');
    // tmux pastes with CR; Windows clipboards with CRLF.
    update::update(
        &mut state,
        Action::Paste("let a = 1;\rlet b = 2;\r\na + b".into()),
    );
    assert_eq!(state.editor.lines(), ["let a = 1;", "let b = 2;", "a + b"]);
    typed(&mut state, "x");
    assert_eq!(state.editor.lines()[2], "a + bx");
    // The keys the help names: Ctrl-Z undoes, Ctrl-Y redoes (it used to paste the kill ring).
    ctrl(&mut state, 'z');
    assert_eq!(state.editor.lines()[2], "a + b");
    ctrl(&mut state, 'y');
    assert_eq!(state.editor.lines()[2], "a + bx");
    registry.shutdown().await;
}

#[tokio::test]
async fn ctrl_home_and_ctrl_end_go_to_the_start_and_end_of_the_script() {
    let (registry, mut state) = demo_bench("let a = 1;\nlet b = 2;\na + b").await;
    alt(&mut state, '3');
    let press = |state: &mut State, code: KeyCode| {
        update::update(
            state,
            Action::Key(KeyEvent::new(code, KeyModifiers::CONTROL)),
        );
    };
    // As in most editors (the text area alone took Ctrl-End for End: the line's end).
    press(&mut state, KeyCode::End);
    assert_eq!(state.editor.cursor(), (2, 5));
    press(&mut state, KeyCode::Home);
    assert_eq!(state.editor.cursor(), (0, 0));
    // Plain End still ends the line.
    key(&mut state, KeyCode::End);
    assert_eq!(state.editor.cursor(), (0, 10));
    registry.shutdown().await;
}

#[tokio::test]
async fn unsaved_work_is_never_dropped_or_overwritten_without_asking() {
    let (registry, mut state) = demo_bench("1 + 1\n").await;
    alt(&mut state, '3');
    typed(&mut state, "x");
    assert!(state.dirty);
    // Opening another script asks first.
    assert!(ctrl(&mut state, 'o').is_empty());
    assert!(matches!(
        state.overlay,
        Some(Overlay::Confirm(Pending::Open))
    ));
    assert!(screen(&state, 80, 24).contains("Open another anyway?"));
    key(&mut state, KeyCode::Esc);
    assert!(state.overlay.is_none(), "any other key keeps the script");
    // Saving a new script asks for its name, and a new name never overwrites silently.
    assert!(ctrl(&mut state, 's').is_empty());
    assert!(matches!(&state.overlay, Some(Overlay::Prompt(p)) if p.input == "scripts/"));
    typed(&mut state, "mine.rhai");
    let fx = key(&mut state, KeyCode::Enter);
    let [Effect::SaveNew(path, text)] = &fx[..] else {
        panic!("{fx:?}");
    };
    assert_eq!(path.to_str(), Some("scripts/mine.rhai"));
    update::update(
        &mut state,
        Action::Exists {
            path: path.clone(),
            text: text.clone(),
        },
    );
    assert!(screen(&state, 80, 24).contains("Overwrite it?"));
    let fx = key(&mut state, KeyCode::Char('y'));
    assert!(
        matches!(&fx[..], [Effect::Save(p, _)] if p == path),
        "{fx:?}"
    );
    // Quitting with unsaved edits asks, from any pane (q outside the editor).
    key(&mut state, KeyCode::Esc);
    assert_eq!(state.focus, Pane::Tree);
    key(&mut state, KeyCode::Char('q'));
    assert!(matches!(
        state.overlay,
        Some(Overlay::Confirm(Pending::Quit))
    ));
    assert!(!state.quit);
    key(&mut state, KeyCode::Char('y'));
    assert!(state.quit);
    registry.shutdown().await;
}

#[tokio::test]
async fn q_quits_outside_the_editor_and_is_a_letter_inside() {
    let (registry, mut state) = demo_bench("").await;
    alt(&mut state, '3');
    typed(&mut state, "q");
    assert_eq!(state.editor.lines(), ["q"]);
    assert!(!state.quit);
    key(&mut state, KeyCode::Esc);
    state.dirty = false;
    key(&mut state, KeyCode::Char('q'));
    assert!(state.quit);
    registry.shutdown().await;
}

#[tokio::test]
async fn scrolling_stops_at_the_end_and_pages_by_the_pane() {
    let (registry, mut state) = demo_bench("").await;
    // The help: paging past its end leaves its last page on screen, never blank space.
    key(&mut state, KeyCode::F(1));
    for _ in 0..30 {
        key(&mut state, KeyCode::PageDown);
    }
    let Some(Overlay::Help { scroll }) = state.overlay else {
        panic!("the help is open");
    };
    let shown = screen(&state, 80, 24);
    assert!(shown.contains("Esc") && shown.contains("close"), "{shown}");
    for _ in 0..30 {
        key(&mut state, KeyCode::PageDown);
    }
    assert!(matches!(state.overlay, Some(Overlay::Help { scroll: s }) if s == scroll));
    key(&mut state, KeyCode::Char('x')); // any other key closes
    // The log: Home shows the oldest lines at the top of a full pane; PgUp moves a pane.
    for i in 0..100 {
        state.log.push(
            codemode::tui::log::Source::Run,
            codemode::tui::log::Level::Info,
            None,
            &format!("line {i:03}"),
        );
    }
    alt(&mut state, '4');
    let height = state.areas().log.height.saturating_sub(2) as usize;
    key(&mut state, KeyCode::PageUp);
    assert_eq!(state.log_scroll, height, "a page is the pane's height");
    key(&mut state, KeyCode::Home);
    let shown = screen(&state, 80, 24);
    let log: Vec<&str> = shown.lines().filter(|l| l.contains("line ")).collect();
    assert_eq!(log.len(), height, "a full pane:\n{shown}");
    assert!(
        log[0].contains("line 000") || shown.contains("line 00"),
        "{shown}"
    );
    key(&mut state, KeyCode::End);
    assert_eq!(state.log_scroll, 0);
    // The docs stop at their end too.
    alt(&mut state, '1');
    assert!(state.select("demo", "create_issue"));
    alt(&mut state, '2');
    for _ in 0..50 {
        key(&mut state, KeyCode::PageDown);
    }
    let at_end = state.docs_scroll;
    key(&mut state, KeyCode::Down);
    assert_eq!(state.docs_scroll, at_end);
    assert!(screen(&state, 80, 24).contains("Docs 100%"));
    registry.shutdown().await;
}

#[tokio::test]
async fn positions_show_in_the_titles_and_long_names_end_with_an_ellipsis() {
    let (registry, mut state) = demo_bench("let x = 1;\nx\n").await;
    let shown = screen(&state, 80, 24);
    assert!(shown.contains("Servers 1/14"), "{shown}");
    assert!(shown.contains("toggle_archive_…"), "{shown}");
    alt(&mut state, '3');
    key(&mut state, KeyCode::Down);
    key(&mut state, KeyCode::End);
    assert!(
        screen(&state, 80, 24).contains(" 2:2 "),
        "line:col of the cursor"
    );
    registry.shutdown().await;
}

#[tokio::test]
async fn search_finds_in_the_log_the_docs_and_the_help() {
    let (registry, mut state) = demo_bench("").await;
    for i in 0..60 {
        let text = if i % 20 == 7 {
            format!("needle {i}")
        } else {
            format!("hay {i}")
        };
        state.log.push(
            codemode::tui::log::Source::Run,
            codemode::tui::log::Level::Info,
            None,
            &text,
        );
    }
    alt(&mut state, '4');
    key(&mut state, KeyCode::Char('/'));
    typed(&mut state, "NEEDLE");
    key(&mut state, KeyCode::Enter);
    // The newest match first, then back with N, around with n.
    let status = |s: &State| {
        screen(s, 80, 24)
            .lines()
            .last()
            .unwrap_or_default()
            .to_string()
    };
    assert!(status(&state).contains("match 3/3"), "{}", status(&state));
    assert!(screen(&state, 80, 24).contains("needle 47"));
    // Every match on screen is marked, whatever its case; nothing else is (but the editor's
    // cursor, a reversed blank).
    let marks: Vec<String> = reversed(&state, 80, 24)
        .into_iter()
        .filter(|m| !m.trim().is_empty())
        .collect();
    assert_eq!(marks, ["needle"]);
    key(&mut state, KeyCode::Char('N'));
    assert!(screen(&state, 80, 24).contains("needle 27"));
    key(&mut state, KeyCode::Char('n'));
    key(&mut state, KeyCode::Char('n'));
    assert!(
        status(&state).contains("match 1/3"),
        "wrapped around: {}",
        status(&state)
    );
    assert!(screen(&state, 80, 24).contains("needle 7"));
    // The help, over the panes.
    key(&mut state, KeyCode::Esc);
    key(&mut state, KeyCode::F(1));
    key(&mut state, KeyCode::Char('/'));
    typed(&mut state, "elicitation");
    key(&mut state, KeyCode::Enter);
    assert!(matches!(state.overlay, Some(Overlay::Help { scroll }) if scroll > 0));
    assert!(screen(&state, 80, 24).contains("A server asks (elicitation form)"));
    assert!(reversed(&state, 80, 24).contains(&"elicitation".to_string()));
    key(&mut state, KeyCode::Esc);
    // The docs.
    assert!(state.select("demo", "create_issue"));
    alt(&mut state, '2');
    key(&mut state, KeyCode::Char('/'));
    typed(&mut state, "assignee.email");
    key(&mut state, KeyCode::Enter);
    assert!(state.docs_scroll > 0);
    assert!(screen(&state, 80, 24).contains("assignee.email"));
    let marks = reversed(&state, 80, 24);
    assert!(marks.contains(&"assignee.email".to_string()), "{marks:?}");
    // Ended, the marks go.
    key(&mut state, KeyCode::Esc);
    assert!(reversed(&state, 80, 24).iter().all(|m| m.trim().is_empty()));
    registry.shutdown().await;
}

#[tokio::test]
async fn zoom_gives_the_pane_the_screen_and_f9_reopens_the_last_result() {
    let (registry, mut state) = demo_bench("").await;
    alt(&mut state, '2');
    key(&mut state, KeyCode::Char('z'));
    let shown = screen(&state, 80, 24);
    assert!(shown.starts_with("┏ Docs"), "{shown}");
    assert!(
        !shown.contains("Servers") && !shown.contains(" Log "),
        "{shown}"
    );
    insta::assert_snapshot!("zoomed_docs_80x24", shown);
    key(&mut state, KeyCode::Char('z'));
    assert!(screen(&state, 80, 24).contains("Servers"));
    // No result yet: said so; then a result, closed, and shown again.
    key(&mut state, KeyCode::F(9));
    assert!(
        state
            .message
            .as_deref()
            .unwrap_or("")
            .contains("no result yet")
    );
    update::update(
        &mut state,
        Action::Shown {
            title: "demo · issues".into(),
            result: Ok("the text".into()),
        },
    );
    key(&mut state, KeyCode::Esc);
    assert!(state.overlay.is_none());
    key(&mut state, KeyCode::F(9));
    assert!(screen(&state, 80, 24).contains("the text"));
    registry.shutdown().await;
}

#[tokio::test]
async fn status_messages_go_away() {
    let (registry, mut state) = demo_bench("").await;
    key(&mut state, KeyCode::F(9));
    assert!(state.message.is_some());
    assert!(state.busy(), "the clock ticks while a message shows");
    let later = state.now + Duration::from_secs(10);
    update::update(&mut state, Action::Tick(later));
    assert!(state.message.is_none());
    registry.shutdown().await;
}

#[tokio::test]
async fn the_status_line_names_the_keys_that_work_now() {
    let (registry, mut state) = demo_bench("demo::list_issues(#{})").await;
    let status = |s: &State| screen(s, 100, 24).lines().last().unwrap().to_string();
    assert!(
        status(&state).starts_with(
            "[Servers] i insert · c call · r reconnect · / filter · F1 help · ^Q quit"
        ),
        "{}",
        status(&state)
    );
    alt(&mut state, '4');
    assert!(
        status(&state)
            .starts_with("[Log] ↑↓ scroll · / search · f filter · w wrap · F1 help · ^Q quit"),
        "{}",
        status(&state)
    );
    alt(&mut state, '3');
    assert!(
        status(&state).starts_with("[Code] F5 run · ^S save · Esc leave · F1 help · ^Q quit"),
        "{}",
        status(&state)
    );
    // While the script runs, Esc cancels it: the line no longer offers it for leaving.
    key(&mut state, KeyCode::F(5));
    assert!(state.busy());
    let line = status(&state);
    assert!(
        line.starts_with("[Code] F5 run · ^S save · F1 help"),
        "{line}"
    );
    assert!(
        line.contains("Esc cancels") && !line.contains("Esc leave"),
        "{line}"
    );
    registry.shutdown().await;
}

#[tokio::test]
async fn the_mouse_focuses_selects_and_scrolls() {
    let (registry, mut state) = demo_bench("").await;
    let mouse = |state: &mut State, kind, column, row| {
        update::update(
            state,
            Action::Mouse(MouseEvent {
                kind,
                column,
                row,
                modifiers: KeyModifiers::NONE,
            }),
        )
    };
    let a = state.areas();
    // A click on the fourth row of the tree selects it (the tree starts at the top).
    mouse(
        &mut state,
        MouseEventKind::Down(MouseButton::Left),
        a.tree.x + 3,
        a.tree.y + 4,
    );
    assert_eq!(state.focus, Pane::Tree);
    assert_eq!(state.tree.selected, 3);
    // A click in the log focuses it; the wheel scrolls the docs under the pointer.
    mouse(
        &mut state,
        MouseEventKind::Down(MouseButton::Left),
        a.log.x + 2,
        a.log.y + 1,
    );
    assert_eq!(state.focus, Pane::Log);
    assert!(state.select("demo", "create_issue"));
    mouse(
        &mut state,
        MouseEventKind::ScrollDown,
        a.docs.x + 2,
        a.docs.y + 2,
    );
    assert_eq!(state.focus, Pane::Docs);
    assert_eq!(state.docs_scroll, 3);
    registry.shutdown().await;
}

#[tokio::test]
async fn insert_puts_an_expression_inside_an_expression() {
    let (registry, mut state) = demo_bench("").await;
    alt(&mut state, '3');
    typed(&mut state, "let total = ");
    key(&mut state, KeyCode::Esc);
    assert!(state.select("demo", "calculate"));
    key(&mut state, KeyCode::Char('i'));
    assert_eq!(
        state.editor.lines()[0],
        "let total = demo::calculate(#{ a: 1, b: 1 })"
    );
    // At the start of a line it is a statement.
    key(&mut state, KeyCode::Enter);
    key(&mut state, KeyCode::Esc);
    key(&mut state, KeyCode::Char('i'));
    assert!(state.editor.lines()[1].starts_with("let calculate = demo::calculate("));
    registry.shutdown().await;
}

#[tokio::test]
async fn the_welcome_script_calls_the_first_ready_server() {
    // No server named demo: the welcome must not call `demo::`.
    let (registry, state) = workbench(
        vec![demo::stdio_spec("tracker", &[])],
        codemode::tui::WELCOME_SCRIPT,
    )
    .await;
    let script = state.script();
    assert!(!script.contains("demo::"), "{script}");
    assert!(script.contains("tracker::calculate("), "{script}");
    assert!(!state.dirty);
    // It runs as written.
    let invoker = std::sync::Arc::new(codemode::script::RegistryInvoker {
        registry: registry.clone(),
        handle: tokio::runtime::Handle::current(),
    });
    let report = tokio::task::spawn_blocking(move || {
        codemode::script::run(&script, invoker, codemode::script::RunOptions::default())
    })
    .await
    .unwrap();
    assert!(report.error.is_none(), "{:?}", report.error);
    registry.shutdown().await;
}

#[tokio::test]
async fn a_template_form_offers_tab_only_to_a_server_that_completes() {
    let (registry, mut state) = demo_bench("").await;
    // The demo server does not declare `completions`.
    assert!(state.select("demo", "issue"));
    let _ = update::update(&mut state, Action::Command(Command::Activate));
    let shown = screen(&state, 80, 24);
    assert!(shown.contains("Call demo::"), "{shown}");
    assert!(!shown.contains("Tab complete"), "{shown}");
    registry.shutdown().await;
}
