//! The catalog: what the servers offer, seen from a script.
//!
//! - [`names`]: the naming rule from raw server/tool names to Rhai identifiers;
//! - [`schema`]: JSON Schema → the doc model ([`Shape`]);
//! - [`example`]: example arguments synthesized from a schema, spelled in Rhai;
//! - [`Catalog`] / [`ServerDoc`] / [`ToolDoc`]: every server's tools, documented;
//! - renderers: [`render_md`] (full Markdown), [`render_prompt`] (compact, for an LLM),
//!   [`render_lines`] (tagged plain lines for the TUI), all opening with the Rhai primer
//!   generated from a [`ScriptApi`] ([`primer`]);
//! - [`sample`]: real text results of tools ([`crate::mcp::samples`]) as the docs show them;
//! - [`search()`]: ranked search across servers;
//! - [`tokens`]: what each form costs in tokens;
//! - [`workflows`]: the sample workflows of `scripts/`, embedded, shown with their servers;
//! - [`lint`]: findings and scores for server authors.

pub mod dirs;
pub mod doc;
pub mod example;
pub mod lint;
pub mod names;
pub mod primer;
pub mod render_lines;
pub mod render_md;
pub mod render_prompt;
pub mod sample;
pub mod schema;
pub mod search;
pub mod text;
pub mod tokens;
pub mod workflows;

pub use doc::{Catalog, ServerDoc, ToolDoc};
pub use primer::{FnDoc, ScriptApi};
pub use render_lines::{DocLine, LineKind};
pub use schema::{Additional, Constraints, Property, Shape, Ty};
pub use search::{SearchHit, search};

#[cfg(test)]
mod render_tests;
