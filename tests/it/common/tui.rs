//! The workbench harness: a state over connected servers, real key events through
//! `update`, and the screen as text from ratatui's `TestBackend`.
#![allow(dead_code)]

use codemode::mcp::{Registry, ServerSpec};
use codemode::tui::action::{Action, Effect};
use codemode::tui::theme::{ColorDepth, Theme};
use codemode::tui::{State, draw, update};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// The screen as text, one line per row, trailing spaces trimmed.
pub fn screen(state: &State, w: u16, h: u16) -> String {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| draw::draw(state, f)).unwrap();
    let buf = term.backend().buffer();
    (0..h)
        .map(|y| {
            let line: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
            format!("{}\n", line.trim_end())
        })
        .collect()
}

/// The runs of reversed cells on the screen (search matches), row by row.
pub fn reversed(state: &State, w: u16, h: u16) -> Vec<String> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| draw::draw(state, f)).unwrap();
    let buf = term.backend().buffer();
    let mut runs = Vec::new();
    for y in 0..h {
        let mut run = String::new();
        for x in 0..w {
            let cell = &buf[(x, y)];
            if cell.modifier.contains(ratatui::style::Modifier::REVERSED) {
                run.push_str(cell.symbol());
            } else if !run.is_empty() {
                runs.push(std::mem::take(&mut run));
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
    }
    runs
}

/// A fresh state (dark theme, 16 colours) with `script` in the editor.
pub fn state(script: &str) -> State {
    let theme = Theme::builtin("dark", ColorDepth::Ansi16).unwrap();
    State::new(theme, script, None)
}

/// One key press without modifiers.
pub fn key(state: &mut State, code: KeyCode) -> Vec<Effect> {
    update::update(state, Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// Ctrl + a letter.
pub fn ctrl(state: &mut State, c: char) -> Vec<Effect> {
    update::update(
        state,
        Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)),
    )
}

/// A state over `specs`, connected, with `script` in the editor.
pub async fn workbench(specs: Vec<ServerSpec>, script: &str) -> (Registry, State) {
    let registry = crate::demo::connected(specs).await;
    let mut state = state(script);
    update::update(&mut state, Action::Servers(registry.servers()));
    (registry, state)
}
