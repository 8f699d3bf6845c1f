//! codemode: Code Mode over MCP.
//!
//! MCP servers expose tools; codemode renders them as API docs, runs Rhai programs that call
//! them in a sandbox, and logs every call. The engine is three rooms that never depend on a
//! front end:
//! - [`mcp`]: connections to servers (stdio, streamable HTTP, in-process);
//! - [`catalog`]: the tools as docs (naming rule, renderers, search, lint, token counts);
//! - [`script`]: the Rhai sandbox (limits, policy, events, report);
//! - [`llm`]: a model writes the script from a task, with error feedback.
//!
//! Front ends: [`cli`] (headless subcommands), [`tui`] (the workbench) and [`serve`] (Code Mode
//! as an MCP server).

pub mod catalog;
pub mod cli;
pub mod config;
pub mod demo;
pub mod llm;
pub mod logging;
pub mod mcp;
pub mod script;
pub mod serve;
pub mod tui;
pub mod util;
