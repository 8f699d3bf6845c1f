//! Everything the TUI shows, in one place. Only `update` changes it; `draw` reads it. Each
//! feature owns its part: the tree ([`Tree`]), the waiting requests (`approvals`, `elicits`,
//! `samplings`), the model's conversation (`ask`), the overlay in front.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use ratatui::layout::Rect;
use tui_textarea::TextArea;

pub use super::call::{CallForm, FormTarget};
use super::docs::LazyDocs;
use super::highlight::Highlighter;
use super::log::{Filter, LogBuffer};
pub use super::overlay::{Overlay, Prompt, PromptPurpose};
pub use super::pane::Pane;
use super::theme::Theme;
pub use super::tree::{Row, Tree};
use super::{approval, ask, elicit, sampling};
use crate::catalog::ToolDoc;
use crate::mcp::{ServerState, ToolDef};

/// What a script run is doing.
#[derive(Clone, Debug, PartialEq)]
pub enum RunState {
    /// Nothing running.
    Idle,
    /// Running since `started`.
    Running {
        /// When it started.
        started: Instant,
    },
    /// Cancel requested, waiting for the sandbox to stop.
    Cancelling {
        /// When the run started.
        started: Instant,
    },
    /// Stopped by the user.
    Cancelled {
        /// How long it ran.
        elapsed: Duration,
    },
    /// Finished.
    Done {
        /// Whether it succeeded.
        ok: bool,
        /// How long it took.
        elapsed: Duration,
    },
}

/// The whole UI state.
pub struct State {
    /// Server snapshots from the registry.
    pub servers: Vec<ServerState>,
    /// Docs of the ready servers' tools, each built when first shown (reset when the
    /// servers' tools change).
    pub docs: LazyDocs,
    /// The servers pane: rows, selection, filter.
    pub tree: Tree,
    /// Docs scroll offset.
    pub docs_scroll: u16,
    /// The script.
    pub editor: TextArea<'static>,
    /// Highlighting cache for the script.
    pub highlighter: Option<Highlighter>,
    /// The log.
    pub log: LogBuffer,
    /// Lines scrolled up from the newest (0 follows the tail).
    pub log_scroll: usize,
    /// Which log lines are shown.
    pub log_filter: Filter,
    /// Focused pane.
    pub focus: Pane,
    /// Script run state.
    pub run: RunState,
    /// The overlay, if any.
    pub overlay: Option<Overlay>,
    /// Script calls waiting for approval, the shown one first ([`super::approval`]).
    pub approvals: approval::Panel,
    /// Servers' elicitation requests waiting for the user, the shown one first
    /// ([`super::elicit`]).
    pub elicits: elicit::Panel,
    /// Servers' sampling requests waiting for approval ([`super::sampling`]).
    pub samplings: sampling::Panel,
    /// The approved tool definitions: the tree marks tools changed since approved.
    pub pins: Option<std::sync::Arc<crate::script::approval::ApprovalStore>>,
    /// A transient message in the status bar.
    pub message: Option<String>,
    /// Where the script is saved.
    pub script_path: Option<PathBuf>,
    /// Unsaved edits.
    pub dirty: bool,
    /// Set when the app should exit.
    pub quit: bool,
    /// Spinner frame counter (advanced by ticks while something runs).
    pub tick: usize,
    /// The clock as of the last action (draw reads it; it never reads the real clock).
    pub now: Instant,
    /// Colours.
    pub theme: Theme,
    /// Something changed since the last frame.
    pub needs_redraw: bool,
    /// Tool calls in flight (direct calls), for the spinner.
    pub calls_in_flight: usize,
    /// The model's conversation and streaming reply.
    pub ask: ask::AskState,
    /// The terminal's size (the views of the panes follow it).
    pub screen: Rect,
    /// The focused pane has the whole screen.
    pub zoom: bool,
    /// The last result shown (title, text), for F9.
    pub last_result: Option<(String, String)>,
    /// Long log lines wrap instead of being cut.
    pub log_wrap: bool,
    /// When the status bar's message goes away.
    pub message_until: Option<Instant>,
    /// A search of the log, the docs, the help or a result.
    pub search: Option<super::search::Search>,
    /// Whether an `[llm]` model is configured (F2 and F3 say so at once when not).
    pub llm: bool,
    /// The editor still holds the untouched welcome script (it follows the servers).
    pub welcome: bool,
}

/// How long a status bar message stays.
pub const MESSAGE_TTL: Duration = Duration::from_secs(6);

impl State {
    /// A fresh state with `script` in the editor.
    pub fn new(theme: Theme, script: &str, script_path: Option<PathBuf>) -> Self {
        let highlighter = Highlighter::new(&theme.code_theme, theme.depth).ok();
        let mut state = State {
            servers: Vec::new(),
            docs: LazyDocs::default(),
            tree: Tree::default(),
            docs_scroll: 0,
            editor: TextArea::default(),
            highlighter,
            log: LogBuffer::default(),
            log_scroll: 0,
            log_filter: Filter::All,
            focus: Pane::Tree,
            run: RunState::Idle,
            overlay: None,
            approvals: Default::default(),
            elicits: Default::default(),
            samplings: Default::default(),
            pins: None,
            message: None,
            script_path,
            dirty: false,
            quit: false,
            tick: 0,
            now: Instant::now(),
            theme,
            needs_redraw: true,
            calls_in_flight: 0,
            ask: Default::default(),
            screen: Rect::new(0, 0, 80, 24),
            zoom: false,
            last_result: None,
            log_wrap: false,
            message_until: None,
            search: None,
            llm: false,
            welcome: script == super::WELCOME_SCRIPT,
        };
        state.set_script(script);
        state
    }

    /// Shows `text` in the status bar for [`MESSAGE_TTL`].
    pub fn say(&mut self, text: impl Into<String>) {
        self.message = Some(text.into());
        self.message_until = Some(self.now + MESSAGE_TTL);
    }

    /// Drops the status bar's message once its time is up.
    pub fn expire_message(&mut self) {
        if self.message_until.is_some_and(|until| self.now >= until) {
            self.message = None;
            self.message_until = None;
        }
    }

    /// The screen's areas as drawn now (zoom included).
    pub fn areas(&self) -> super::draw::Areas {
        super::draw::areas(self.screen, self.zoom.then_some(self.focus))
    }

    /// The script's text.
    pub fn script(&self) -> String {
        self.editor.lines().join("\n")
    }

    /// Replaces the script (opened, or written by the model).
    pub fn set_script(&mut self, text: &str) {
        self.editor = TextArea::new(text.lines().map(str::to_string).collect());
        self.editor.set_line_number_style(self.theme.muted);
        self.rehighlight();
    }

    /// Re-applies syntax highlighting around the cursor after an edit. Only lines near the
    /// cursor get custom highlights (the viewport always contains the cursor), so the cost of
    /// drawing does not grow with the script.
    pub fn rehighlight(&mut self) {
        let Some(h) = self.highlighter.as_mut() else {
            return;
        };
        h.update(self.editor.lines());
        self.editor.clear_custom_highlight();
        let (row, _) = self.editor.cursor();
        let from = row.saturating_sub(200);
        let to = (row + 200).min(self.editor.lines().len());
        for r in from..to {
            for (range, style) in h.spans(r) {
                // Priority 5: below the selection (10) and the cursor (30).
                self.editor
                    .custom_highlight(((r, range.start), (r, range.end)), *style, 5);
            }
        }
    }

    /// Whether something is running (so ticks should redraw the spinner).
    pub fn busy(&self) -> bool {
        matches!(
            self.run,
            RunState::Running { .. } | RunState::Cancelling { .. }
        ) || self.calls_in_flight > 0
            || self.ask.asking
            || self.servers.iter().any(|s| s.status.is_pending())
            || self.message_until.is_some()
    }

    /// The visible tree rows after folding and filtering.
    pub fn rows(&self) -> Vec<Row> {
        self.tree.rows(&self.servers)
    }

    /// The selected row, if any.
    pub fn selected_row(&self) -> Option<Row> {
        self.tree.selected_row(&self.servers)
    }

    /// Selects `server`'s tool, resource, template or prompt called `name` (the server's row
    /// when `name` is empty), as if moved to with the keys; `false` when no visible row is.
    pub fn select(&mut self, server: &str, name: &str) -> bool {
        let found = self.tree.select(&self.servers, server, name);
        if found {
            self.docs_scroll = 0;
        }
        found
    }

    /// Replaces the server snapshots (and the docs, when some tool list changed).
    pub fn set_servers(&mut self, servers: Vec<ServerState>) {
        // Docs already built are kept unless some tool list really changed (status changes
        // keep the same `Arc`).
        let same_tools = servers.len() == self.servers.len()
            && servers.iter().zip(&self.servers).all(|(a, b)| {
                a.name == b.name
                    && a.status == b.status
                    && std::sync::Arc::ptr_eq(&a.tools, &b.tools)
            });
        if !same_tools {
            self.docs = LazyDocs::new(&servers);
        }
        self.servers = servers;
        let rows = self.rows().len();
        self.tree.selected = self.tree.selected.min(rows.saturating_sub(1));
        if self.welcome
            && !self.dirty
            && self.script_path.is_none()
            && let Some(text) = super::welcome::script(&self.docs, &self.servers)
            && text.trim_end() != self.script().trim_end()
        {
            self.set_script(&text);
        }
    }

    /// The docs of the selected tool.
    pub fn selected_doc(&self) -> Option<&ToolDoc> {
        let (server, tool) = self.selected_tool()?;
        self.docs.tool(&server.name, &tool.name)
    }

    /// The selected tool with its server's name.
    pub fn selected_tool(&self) -> Option<(&ServerState, &ToolDef)> {
        match self.selected_row()? {
            Row::Tool(s, t) => {
                let server = self.servers.get(s)?;
                Some((server, server.tools.get(t)?))
            }
            _ => None,
        }
    }
}
