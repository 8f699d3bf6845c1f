//! Everything the TUI shows, in one place. Only `update` changes it; `draw` reads it.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use tui_textarea::TextArea;

use super::highlight::Highlighter;
use super::log::{Filter, LogBuffer};
use super::theme::Theme;
use crate::catalog::{Catalog, ToolDoc};
use crate::mcp::{PromptDef, ServerState, ToolDef};

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

/// One row of the servers/tools tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// A server (index into `State::servers`).
    Server(usize),
    /// A tool (server index, tool index).
    Tool(usize, usize),
    /// A resource (server index, resource index).
    Resource(usize, usize),
    /// A prompt (server index, prompt index).
    Prompt(usize, usize),
    /// A resource template (server index, template index).
    Template(usize, usize),
}

impl Row {
    /// The server the row belongs to.
    pub fn server(&self) -> usize {
        match self {
            Row::Server(s)
            | Row::Tool(s, _)
            | Row::Resource(s, _)
            | Row::Prompt(s, _)
            | Row::Template(s, _) => *s,
        }
    }
}

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
    /// Finished.
    Done {
        /// Whether it succeeded.
        ok: bool,
        /// How long it took.
        elapsed: Duration,
    },
}

/// What a call form sends.
#[derive(Debug, Clone)]
pub enum FormTarget {
    /// `tools/call`.
    Tool(Box<ToolDef>),
    /// `prompts/get`.
    Prompt(PromptDef),
    /// `resources/read` of a template filled in.
    Template(crate::mcp::ResourceTemplateDef),
}

impl FormTarget {
    /// The tool's or prompt's name.
    pub fn name(&self) -> &str {
        match self {
            FormTarget::Tool(t) => &t.name,
            FormTarget::Prompt(p) => &p.name,
            FormTarget::Template(t) => &t.name,
        }
    }
}

/// A direct tool call (the hybrid path) or a prompt rendering being edited.
#[derive(Debug)]
pub struct CallForm {
    /// Server name.
    pub server: String,
    /// What it calls.
    pub target: FormTarget,
    /// The arguments as JSON, prefilled with a valid example.
    pub editor: TextArea<'static>,
    /// A validation message, if the last attempt failed.
    pub error: Option<String>,
    /// The tool is destructive and the user has not confirmed yet.
    pub needs_confirm: bool,
    /// Completions offered for a prompt argument (Tab), if shown.
    pub picks: Option<super::complete::Picks>,
}

/// A single-line prompt (open/save path, filter).
#[derive(Debug)]
pub struct Prompt {
    /// What the answer is for.
    pub purpose: PromptPurpose,
    /// The text typed so far.
    pub input: String,
}

/// What a prompt's answer is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PromptPurpose {
    /// A script to open.
    Open,
    /// Where to save the script.
    SaveAs,
    /// A task for the model.
    Ask,
}

/// Windows drawn over the panes.
#[derive(Debug)]
pub enum Overlay {
    /// The key list (scrollable: it is taller than 24 lines).
    Help {
        /// Scroll offset.
        scroll: u16,
    },
    /// A run's result or a call's result, pretty-printed (scrollable).
    Result {
        /// Title.
        title: String,
        /// Body.
        text: String,
        /// Scroll offset.
        scroll: u16,
    },
    /// The direct-call form.
    Call(Box<CallForm>),
    /// Quit with unsaved changes?
    ConfirmQuit,
    /// A path prompt.
    Prompt(Prompt),
}

/// The whole UI state.
pub struct State {
    /// Server snapshots from the registry.
    pub servers: Vec<ServerState>,
    /// Docs of the ready servers' tools (rebuilt when the servers change).
    pub catalog: Catalog,
    /// Servers whose tool list is folded away.
    pub collapsed: Vec<String>,
    /// Selected tree row.
    pub selected: usize,
    /// Tree filter (`/`), matched against tool names and titles.
    pub filter: String,
    /// Typing into the filter.
    pub filtering: bool,
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
    pub approvals: std::collections::VecDeque<crate::script::approval::ApprovalRequest>,
    /// Servers' elicitation requests waiting for the user, the shown one first
    /// ([`super::elicit`]).
    pub elicits: std::collections::VecDeque<super::elicit::ElicitForm>,
    /// Servers' sampling requests waiting for approval ([`super::sampling`]).
    pub samplings: std::collections::VecDeque<super::sampling::Shown>,
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
    pub ask: super::ask::AskState,
}

impl State {
    /// A fresh state with `script` in the editor.
    pub fn new(theme: Theme, script: &str, script_path: Option<PathBuf>) -> Self {
        let highlighter = Highlighter::new(&theme.code_theme, theme.depth).ok();
        let mut editor = TextArea::new(script.lines().map(str::to_string).collect());
        editor.set_line_number_style(theme.muted);
        let mut state = State {
            servers: Vec::new(),
            catalog: Catalog::default(),
            collapsed: Vec::new(),
            selected: 0,
            filter: String::new(),
            filtering: false,
            docs_scroll: 0,
            editor,
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
        };
        state.rehighlight();
        state
    }

    /// The script's text.
    pub fn script(&self) -> String {
        self.editor.lines().join("\n")
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
    }

    /// The visible tree rows after folding and filtering.
    pub fn rows(&self) -> Vec<Row> {
        let needle = self.filter.to_lowercase();
        let mut rows = Vec::new();
        for (si, server) in self.servers.iter().enumerate() {
            let tools: Vec<usize> = server
                .tools
                .iter()
                .enumerate()
                .filter(|(_, t)| {
                    needle.is_empty()
                        || t.name.to_lowercase().contains(&needle)
                        || t.title
                            .as_deref()
                            .unwrap_or("")
                            .to_lowercase()
                            .contains(&needle)
                })
                .map(|(i, _)| i)
                .collect();
            if !needle.is_empty()
                && tools.is_empty()
                && !server.name.to_lowercase().contains(&needle)
            {
                continue;
            }
            rows.push(Row::Server(si));
            if !self.collapsed.contains(&server.name) {
                rows.extend(tools.into_iter().map(|ti| Row::Tool(si, ti)));
                let matches =
                    |name: &str| needle.is_empty() || name.to_lowercase().contains(&needle);
                rows.extend(
                    server
                        .resources
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| matches(&r.name) || matches(&r.uri))
                        .map(|(ri, _)| Row::Resource(si, ri)),
                );
                rows.extend(
                    server
                        .templates
                        .iter()
                        .enumerate()
                        .filter(|(_, t)| matches(&t.name) || matches(&t.uri_template))
                        .map(|(ti, _)| Row::Template(si, ti)),
                );
                rows.extend(
                    server
                        .prompts
                        .iter()
                        .enumerate()
                        .filter(|(_, p)| matches(&p.name))
                        .map(|(pi, _)| Row::Prompt(si, pi)),
                );
            }
        }
        rows
    }

    /// The selected row, if any.
    pub fn selected_row(&self) -> Option<Row> {
        let rows = self.rows();
        rows.get(self.selected.min(rows.len().saturating_sub(1)))
            .cloned()
    }

    /// Replaces the server snapshots and rebuilds the docs.
    pub fn set_servers(&mut self, servers: Vec<ServerState>) {
        // Rebuilding the docs costs ~60 µs per tool: only when some tool list really changed
        // (status changes keep the same `Arc`).
        let same_tools = servers.len() == self.servers.len()
            && servers.iter().zip(&self.servers).all(|(a, b)| {
                a.name == b.name
                    && a.status == b.status
                    && std::sync::Arc::ptr_eq(&a.tools, &b.tools)
            });
        if !same_tools {
            self.catalog = Catalog::from_states(&servers);
        }
        self.servers = servers;
        let rows = self.rows().len();
        self.selected = self.selected.min(rows.saturating_sub(1));
    }

    /// The docs of the selected tool.
    pub fn selected_doc(&self) -> Option<&ToolDoc> {
        let (server, tool) = self.selected_tool()?;
        self.catalog.server(&server.name)?.tool(&tool.name)
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
