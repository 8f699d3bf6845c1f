//! codemode's engine: everything but the front ends.
//!
//! - [`config`]: reading and finding the configuration;
//! - [`mcp`]: connections to servers (stdio, streamable HTTP, in-process) — the only room that
//!   spawns processes or opens sockets (with [`llm`] for the model API);
//! - [`catalog`]: the tools as docs (naming rule, renderers, search, lint, token counts);
//! - [`script`]: the Rhai sandbox (limits, policy, events, audit, report);
//! - [`llm`]: a model writes the script from a task, with error feedback;
//! - [`demo`]: the embedded demo server (the default when no config exists; test faults);
//! - [`settings`]: the config's tables, typed and decoded once.
//!
//! The front ends (`codemode-tui`, and the `codemode` binary's `cli` and `serve`) depend on
//! this crate; it depends on none of them.

pub mod catalog;
pub mod config;
pub mod demo;
pub mod llm;
pub mod logging;
pub mod mcp;
pub mod script;
pub mod settings;
pub mod util;
