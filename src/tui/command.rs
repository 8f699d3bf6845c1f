//! What the user means: every key resolves ([`super::keymap`]) to one of these, and
//! `update` applies it (`Action::Command` applies one directly, for tests and, later, the
//! mouse). A command's meaning depends on what is in front: `Down` moves the tree's
//! selection, scrolls the docs, or moves to the next field of a server's form.

use crossterm::event::KeyEvent;

use super::pane::Pane;

/// One user intention.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command {
    /// Run the script.
    Run,
    /// Cancel the running script or the request to the model; in a server's form, cancel it.
    Cancel,
    /// Open the task line for the model.
    Ask,
    /// Send the last run's error back to the model.
    Repair,
    /// Show the script's plan.
    Plan,
    /// Show the key list.
    Help,
    /// Save the script (with tool hashes).
    Save,
    /// Ask where to save the script.
    SaveAs,
    /// Ask which script to open.
    Open,
    /// Re-read the config.
    ReloadConfig,
    /// Draw the whole screen again (after something else wrote on the terminal).
    Redraw,
    /// Undo the last edit of the script.
    Undo,
    /// Redo the last undone edit.
    Redo,
    /// Give the focused pane the whole screen, or give it back.
    Zoom,
    /// Show the last result again.
    LastResult,
    /// Start typing a search of the log, the docs, the help or the result in front.
    Search,
    /// The next match of the search.
    SearchNext,
    /// The previous match of the search.
    SearchPrev,
    /// Wrap long log lines, or cut them.
    Wrap,
    /// Quit (asking first when the script is unsaved).
    Quit,
    /// Focus the next pane.
    FocusNext,
    /// Focus the previous pane.
    FocusPrev,
    /// Focus this pane.
    Focus(Pane),
    /// Leave the focused pane for the servers pane.
    Leave,
    /// Move or scroll up one.
    Up,
    /// Move or scroll down one.
    Down,
    /// Move or scroll up a page.
    PageUp,
    /// Move or scroll down a page.
    PageDown,
    /// To the start.
    Home,
    /// To the end.
    End,
    /// The tree's Enter: fold a server, show a tool's docs, open a resource, prompt or
    /// template.
    Activate,
    /// Fold or unfold the selected server.
    Fold,
    /// Unfold the selected server.
    Unfold,
    /// Start typing a tree filter.
    Filter,
    /// Clear the tree filter.
    ClearFilter,
    /// Insert a call of the selected tool into the script.
    Insert,
    /// Call the selected tool now (a form), read the selected resource.
    Call,
    /// Reconnect the selected server.
    Reconnect,
    /// Cycle the log filter.
    LogFilter,
    /// Close the overlay or list in front.
    Close,
    /// Send the form or line in front.
    Submit,
    /// Ask the server for completions of the form's argument on the cursor's line.
    Complete,
    /// Yes: accept the form, the pick, the sampling request, the filter, quitting.
    Accept,
    /// Decline a server's request.
    Decline,
    /// Deny a call or a sampling request.
    Deny,
    /// Approve a call waiting for approval.
    Approve(Scope),
    /// The key goes to the text in front (editor, form, line, field).
    Input(KeyEvent),
}

/// How far an approval reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// This call.
    Once,
    /// Every call of this tool for the rest of the run.
    ForRun,
}

impl Command {
    /// Applies a movement to a scroll offset (lines from the top) in `view`: a page is the
    /// view's height and the offset stops where the last line shows. `false` when the command
    /// is not a movement.
    pub fn scroll(self, offset: &mut u16, view: super::view::View) -> bool {
        let moved = match self {
            Command::Up => offset.saturating_sub(1),
            Command::Down => offset.saturating_add(1),
            Command::PageUp => offset.saturating_sub(view.page.max(1)),
            Command::PageDown => offset.saturating_add(view.page.max(1)),
            Command::Home => 0,
            Command::End => view.max,
            _ => return false,
        };
        *offset = moved.min(view.max);
        true
    }
}
