//! The catalog: what the servers offer, seen from a script. For now only the naming rule that
//! maps raw server and tool names to Rhai identifiers ([`names`]); docs, search and lint come
//! next.

pub mod names;
