//! The interactive workbench: servers and tools, docs, a highlighted Rhai editor, the log,
//! direct calls. `State` holds everything; `update(&mut State, Action) -> Vec<Effect>` is the
//! one place it changes; `draw(&State, &mut Frame)` is pure; `app` runs the loop.

// The engine's rooms under their usual names (`crate::mcp::...`).
pub(crate) use codemode_engine::{catalog, config, demo, llm, logging, mcp, script, util};

pub mod action;
mod app;
pub mod approval;
pub mod ask;
pub mod complete;
mod docs;
pub mod draw;
pub mod elicit;
mod help;
pub mod highlight;
mod keys;
pub mod log;
pub mod sampling;
pub mod state;
mod template;
pub mod theme;
mod trust;
pub mod update;
pub mod waiting;

pub use app::{RunSettings, run, run_update};
pub use help::KEYS;
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
