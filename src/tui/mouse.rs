//! The mouse, for those who have one (the keyboard does everything too): a click focuses the
//! pane under the pointer and, in the servers pane, selects the row; the wheel scrolls the
//! pane (or the help / result) under the pointer, three lines a notch.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::{Position, Rect};

use super::action::Effect;
use super::command::Command;
use super::state::{Pane, State};

/// Applies a mouse event.
pub fn apply(state: &mut State, event: MouseEvent) -> Vec<Effect> {
    let at = Position::new(event.column, event.row);
    let wheel = match event.kind {
        MouseEventKind::ScrollUp => Some(Command::Up),
        MouseEventKind::ScrollDown => Some(Command::Down),
        MouseEventKind::Down(MouseButton::Left) => None,
        _ => {
            state.needs_redraw = false;
            return vec![];
        }
    };
    // A waiting request's panel takes no clicks; the help or a result scrolls with the wheel.
    let panel =
        !state.approvals.is_empty() || !state.elicits.is_empty() || !state.samplings.is_empty();
    if panel || state.overlay.is_some() {
        return match wheel {
            Some(c) if !panel => (0..3)
                .flat_map(|_| super::update::apply(state, c))
                .collect(),
            _ => vec![],
        };
    }
    let a = state.areas();
    let Some((pane, area)) = [
        (Pane::Tree, a.tree),
        (Pane::Docs, a.docs),
        (Pane::Code, a.code),
        (Pane::Log, a.log),
    ]
    .into_iter()
    .find(|(_, r)| r.contains(at)) else {
        return vec![];
    };
    state.focus = pane;
    if let Some(command) = wheel {
        let command = match pane {
            // The editor scrolls by moving its cursor.
            Pane::Code => Command::Input(KeyEvent::new(
                if command == Command::Up {
                    KeyCode::Up
                } else {
                    KeyCode::Down
                },
                KeyModifiers::NONE,
            )),
            _ => command,
        };
        return (0..3)
            .flat_map(|_| super::panes::apply(state, command))
            .collect();
    }
    if pane == Pane::Tree {
        select_row(state, area, at.y);
    }
    vec![]
}

/// Selects the tree row drawn at screen row `y` (the tree scrolls to keep the selection in
/// view the same way `draw` does).
fn select_row(state: &mut State, area: Rect, y: u16) {
    let inner_top = area.y + 1;
    let inner_h = usize::from(area.height.saturating_sub(2));
    if y < inner_top || usize::from(y - inner_top) >= inner_h {
        return;
    }
    let rows = state.rows().len();
    let selected = state.tree.selected.min(rows.saturating_sub(1));
    let top = selected.saturating_sub(inner_h.saturating_sub(1));
    let clicked = top + usize::from(y - inner_top);
    if clicked < rows {
        state.tree.selected = clicked;
        state.docs_scroll = 0;
    }
}
