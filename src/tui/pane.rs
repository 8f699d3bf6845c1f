//! The four panes, in Tab order.

/// The panes, in Tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pane {
    /// Servers and their tools.
    Tree,
    /// Docs of the selected tool or server.
    Docs,
    /// The script editor.
    Code,
    /// Prints, calls, stderr, notifications.
    Log,
}

impl Pane {
    /// The next pane (Tab).
    pub fn next(self) -> Pane {
        match self {
            Pane::Tree => Pane::Docs,
            Pane::Docs => Pane::Code,
            Pane::Code => Pane::Log,
            Pane::Log => Pane::Tree,
        }
    }

    /// The previous pane (Shift-Tab).
    pub fn prev(self) -> Pane {
        match self {
            Pane::Tree => Pane::Log,
            Pane::Docs => Pane::Tree,
            Pane::Code => Pane::Docs,
            Pane::Log => Pane::Code,
        }
    }

    /// Its title.
    pub fn title(self) -> &'static str {
        match self {
            Pane::Tree => "Servers",
            Pane::Docs => "Docs",
            Pane::Code => "Code",
            Pane::Log => "Log",
        }
    }
}
