//! The catalog: what the servers offer, seen from a script.
//!
//! - [`names`]: the naming rule from raw server/tool names to Rhai identifiers;
//! - [`schema`]: JSON Schema → the doc model ([`Shape`]);
//! - [`example`]: example arguments synthesized from a schema, spelled in Rhai;
//! - [`Catalog`] / [`ServerDoc`] / [`ToolDoc`]: every server's tools, documented.

pub mod doc;
pub mod example;
pub mod names;
pub mod schema;

pub use doc::{Catalog, ServerDoc, ToolDoc};
pub use schema::{Additional, Constraints, Property, Shape, Ty};
