//! codemode: Code Mode over MCP.
//!
//! MCP servers expose tools; codemode renders them as API docs, runs Rhai programs that call
//! them in a sandbox, and logs every call. The engine (`codemode-engine`: [`mcp`], [`catalog`],
//! [`script`], [`llm`], [`config`], [`demo`]) never depends on a front end; the workbench is
//! `codemode-tui` ([`tui`]). This crate holds the other front ends: [`cli`] (headless
//! subcommands) and [`serve`] (Code Mode as an MCP server), and re-exports the rest so
//! `codemode::mcp::...` paths work for the binary, the tests and the benches.

pub use codemode_engine::{catalog, config, demo, llm, logging, mcp, script, settings, util};
pub use codemode_tui as tui;

pub mod cli;
pub mod serve;
