//! Tool hashes in saved scripts: a header comment line naming each tool the script's plan
//! calls with a short hash of its definition (the sha256 of [`crate::catalog::lint::tool_hash`],
//! the same hash the pins file keeps), so opening or running the script later can say which
//! tools changed since it was saved:
//!
//! ```text
//! // codemode-tools: demo::get_issue=ab12cd34ef56 demo::list_issues=0123456789ab
//! ```

use std::collections::BTreeMap;

use super::ServerTools;
use crate::catalog::lint::tool_hash;

/// The header line's prefix.
pub const HEADER: &str = "// codemode-tools:";

/// How many hex digits of the sha256 the header keeps.
pub const SHORT: usize = 12;

/// A tool whose definition differs from the one the script was saved with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ToolChange {
    /// Raw server name.
    pub server: String,
    /// Raw tool name.
    pub tool: String,
    /// The short hash in the header.
    pub saved: String,
    /// The current short hash; `None` when no ready server has the tool now.
    pub now: Option<String>,
}

impl std::fmt::Display for ToolChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (s, t) = (&self.server, &self.tool);
        match &self.now {
            Some(now) => write!(
                f,
                "{s}::{t} changed since this script was saved (definition hash {}… → {}…)",
                &self.saved[..self.saved.len().min(8)],
                &now[..now.len().min(8)]
            ),
            None => write!(f, "{s}::{t} is gone since this script was saved"),
        }
    }
}

/// The current short hash of each tool the script's plan names: `server::tool` → hash.
/// Tools no ready server has, dynamic calls and unparsable scripts give nothing.
pub fn current(source: &str, servers: &[ServerTools]) -> BTreeMap<String, String> {
    let Ok(plan) = super::plan(source, servers) else {
        return BTreeMap::new();
    };
    plan.calls
        .iter()
        .filter_map(|c| {
            let (server, tool) = (c.server.as_deref()?, c.tool.as_deref()?);
            let def = servers
                .iter()
                .find(|s| s.name == server)?
                .tools
                .iter()
                .find(|t| t.name == tool)?
                .clone();
            Some((format!("{server}::{tool}"), short(&tool_hash(&def))))
        })
        .collect()
}

fn short(hash: &str) -> String {
    hash[..hash.len().min(SHORT)].to_string()
}

/// The header line for `source` (no newline), `None` when the script names no known tool.
pub fn render_header(source: &str, servers: &[ServerTools]) -> Option<String> {
    header_of(&current(source, servers))
}

fn header_of(tools: &BTreeMap<String, String>) -> Option<String> {
    if tools.is_empty() {
        return None;
    }
    let entries: Vec<String> = tools.iter().map(|(k, h)| format!("{k}={h}")).collect();
    Some(format!("{HEADER} {}", entries.join(" ")))
}

/// `source` with its header line replaced by a fresh one (or removed when the script names no
/// known tool): what the workbench saves. Entries of servers that are not in `servers` (not
/// ready) are kept as they were.
pub fn with_header(source: &str, servers: &[ServerTools]) -> String {
    let body: String = source
        .split_inclusive('\n')
        .filter(|l| !l.starts_with(HEADER))
        .collect();
    let mut tools = current(&body, servers);
    for (name, hash) in parse_header(source) {
        let server = name.split("::").next().unwrap_or_default();
        if !servers.iter().any(|s| s.name == server) {
            tools.insert(name, hash);
        }
    }
    match header_of(&tools) {
        Some(h) => format!("{h}\n{body}"),
        None => body,
    }
}

/// The header's entries: `server::tool` → short hash (empty without a header). Malformed
/// entries are skipped.
pub fn parse_header(source: &str) -> BTreeMap<String, String> {
    source
        .lines()
        .filter_map(|l| l.strip_prefix(HEADER))
        .flat_map(|rest| rest.split_whitespace())
        .filter_map(|e| {
            let (name, hash) = e.split_once('=')?;
            (name.contains("::") && !hash.is_empty()).then(|| (name.into(), hash.into()))
        })
        .collect()
}

/// The tools of the header whose definition changed (or is gone) against `servers`, in name
/// order. A tool of a server that is not ready is not reported (it cannot be compared).
pub fn changes(source: &str, servers: &[ServerTools]) -> Vec<ToolChange> {
    parse_header(source)
        .into_iter()
        .filter_map(|(name, saved)| {
            let (server, tool) = name.split_once("::")?;
            let s = servers.iter().find(|s| s.name == server)?;
            let now = s
                .tools
                .iter()
                .find(|t| t.name == tool)
                .map(|d| short(&tool_hash(d)));
            (now.as_deref() != Some(saved.as_str())).then(|| ToolChange {
                server: server.into(),
                tool: tool.into(),
                saved,
                now,
            })
        })
        .collect()
}
