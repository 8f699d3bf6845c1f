//! The interactive workbench: servers and tools, docs, a highlighted Rhai editor, the log,
//! direct calls. `State` holds everything; a key resolves through the key table (`keymap`,
//! `bindings`) to a `Command`; `update(&mut State, Action) -> Vec<Effect>` is the one place
//! the state changes; `draw(&State, &mut Frame)` is pure; `app` runs the loop.

// The engine's rooms under their usual names (`crate::mcp::...`).
pub(crate) use codemode_engine::{catalog, config, demo, llm, logging, mcp, script, util};

pub mod action;
mod app;
pub mod approval;
pub mod ask;
pub mod call;
pub mod command;
pub mod complete;
mod docs;
pub mod draw;
pub mod elicit;
mod events;
pub mod highlight;
pub mod keymap;
pub mod log;
mod mouse;
pub mod overlay;
pub mod pane;
mod panes;
mod runner;
pub mod sampling;
pub mod search;
pub mod state;
mod template;
pub mod theme;
pub mod tree;
mod trust;
pub mod update;
pub mod view;
pub mod waiting;
mod welcome;
pub mod widgets;

pub use app::run;
pub use command::Command;
pub use runner::{RunSettings, run_update};
pub use state::State;
pub use update::update;

/// The script shown in a fresh workbench.
pub const WELCOME_SCRIPT: &str =
    "// Welcome to codemode. Pick a tool on the left, press `i` to insert a call,
// then F5 to run. F1 lists every key.
let issues = demo::list_issues(#{ status: \"open\" });
let high = issues.issues.filter(|i| i.priority == \"high\");
print(`${high.len()} high-priority issue(s)`);
high.map(|i| i.title)
";
