//! What can happen to the UI (actions) and what the UI asks the app loop to do (effects).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossterm::event::KeyEvent;
use serde_json::{Map, Value};

use super::command::Command;
use crate::mcp::{CallError, CallOutcome, Event, ServerState};

/// An input or a result arriving at the UI.
#[derive(Debug)]
pub enum Action {
    /// A key press (resolved to a [`Command`] by the key table).
    Key(KeyEvent),
    /// A command applied directly (tests, the mouse).
    Command(Command),
    /// Pasted text (bracketed paste).
    Paste(String),
    /// The terminal's size (at start and on every resize): columns, rows.
    Resize(u16, u16),
    /// A mouse click or wheel turn.
    Mouse(crossterm::event::MouseEvent),
    /// Time passed (spinner, elapsed time).
    Tick(Instant),
    /// New server snapshots.
    Servers(Vec<ServerState>),
    /// An event from the connection layer.
    Engine(Event),
    /// Events were dropped because the UI fell behind.
    EventsLagged(u64),
    /// A direct tool call finished.
    CallDone {
        /// Server.
        server: String,
        /// Tool.
        tool: String,
        /// Its result.
        result: Result<CallOutcome, CallError>,
        /// How long it took.
        elapsed: Duration,
    },
    /// A script run reported something.
    Run(RunUpdate),
    /// A resource was read or a prompt rendered: text to show.
    Shown {
        /// Overlay title.
        title: String,
        /// The text, or why it failed.
        result: Result<String, String>,
    },
    /// A file was read.
    Opened {
        /// Which.
        path: PathBuf,
        /// Its text or why not.
        result: Result<String, String>,
    },
    /// A file was written.
    Saved {
        /// Which.
        path: PathBuf,
        /// Ok or why not.
        result: Result<(), String>,
    },
    /// Saving as a new file found one there already: ask before overwriting it.
    Exists {
        /// Which.
        path: PathBuf,
        /// The text that was to be saved.
        text: String,
    },
    /// The model sent something (see `tui::ask`).
    Ask(super::ask::AskUpdate),
    /// SIGTERM/SIGHUP: leave now, restoring the terminal.
    Terminate,
    /// A script call waits for approval ([`super::approval`]).
    Approval {
        /// The request's id in the reply map.
        id: u64,
        /// The call.
        request: crate::script::approval::ApprovalRequest,
    },
    /// A server asks the user for input ([`super::elicit`]).
    Elicit {
        /// The request's id in the reply map.
        id: u64,
        /// What it asks.
        request: crate::mcp::elicit::ElicitRequest,
    },
    /// A server answered a completion request ([`super::complete`]).
    Completed {
        /// The argument.
        argument: String,
        /// The value it completed.
        value: String,
        /// The values, or why not.
        result: Result<crate::mcp::Completions, String>,
    },
    /// A server asks the model to write something ([`super::sampling`]).
    Sample {
        /// The request's id in the reply map.
        id: u64,
        /// What it asks.
        request: crate::mcp::sampling::SamplingRequest,
    },
}

/// Progress of a script run, from the sandbox.
#[derive(Debug)]
pub enum RunUpdate {
    /// A line the script printed.
    Print(String),
    /// A tool call started.
    CallStarted {
        /// Server.
        server: String,
        /// Tool.
        tool: String,
        /// Short summary of the arguments.
        args: String,
    },
    /// A tool call finished.
    CallFinished {
        /// Server.
        server: String,
        /// Tool.
        tool: String,
        /// Duration.
        elapsed: Duration,
        /// Ok (with result bytes) or the error text.
        outcome: Result<usize, String>,
    },
    /// The run ended.
    Finished {
        /// The result as pretty JSON, or the error as a code frame.
        result: Result<String, String>,
        /// Whether a limit stopped it (named in the error).
        limit_hit: bool,
        /// Whether it was cancelled (Esc, Ctrl-C).
        cancelled: bool,
        /// Where the error is in the script (1-based line and column), if it has a place.
        position: Option<(usize, usize)>,
        /// How long it ran.
        elapsed: Duration,
    },
}

/// Work for the app loop.
#[derive(Debug, PartialEq)]
pub enum Effect {
    /// Run the script.
    RunScript(String),
    /// Cancel the running script (and a request to the model).
    CancelRun,
    /// Call one tool directly.
    CallTool {
        /// Server.
        server: String,
        /// Tool.
        tool: String,
        /// Arguments.
        args: Map<String, Value>,
    },
    /// Read a resource.
    ReadResource {
        /// Server.
        server: String,
        /// Its URI.
        uri: String,
    },
    /// Render a prompt.
    GetPrompt {
        /// Server.
        server: String,
        /// Prompt name.
        name: String,
        /// Its arguments.
        args: Map<String, Value>,
    },
    /// Reconnect a server.
    Reconnect(String),
    /// Re-read the config file and apply it (servers added, removed or changed).
    ReloadConfig,
    /// Read a script file.
    Open(PathBuf),
    /// Write the script.
    Save(PathBuf, String),
    /// Write the script to a file that should not exist yet (save as): an existing one is
    /// reported ([`Action::Exists`]) instead of overwritten.
    SaveNew(PathBuf, String),
    /// Clear the terminal and draw everything again.
    Redraw,
    /// Ask the model (see `tui::ask`).
    Ask(super::ask::AskRequest),
    /// Answer a call waiting for approval.
    Answer {
        /// The request's id.
        id: u64,
        /// The answer.
        approval: crate::script::approval::Approval,
    },
    /// Answer a server's elicitation request.
    Elicit {
        /// The request's id.
        id: u64,
        /// The user's answer.
        reply: crate::mcp::elicit::ElicitReply,
    },
    /// Ask a server for completions of a prompt's or resource template's argument.
    Complete {
        /// Server.
        server: String,
        /// The prompt or template.
        reference: crate::mcp::CompletionRef,
        /// The argument.
        argument: String,
        /// What is typed so far.
        value: String,
        /// The other arguments filled in.
        context: Map<String, Value>,
    },
    /// Approve (send to the model) or deny a server's sampling request.
    Sample {
        /// The request's id.
        id: u64,
        /// Whether it may go to the model.
        approve: bool,
    },
}
