//! Hash pinning: the sha256 of each tool's canonical JSON, saved when the user accepts the
//! current definitions (`codemode lint --pin`), so a definition that changes later (a "rug
//! pull") is reported.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Finding, Severity};
use crate::catalog::{ServerDoc, ToolDoc};
use crate::mcp::ToolDef;

/// Pinned hashes: server name → tool name → sha256 (hex).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pins {
    /// The hashes.
    pub servers: BTreeMap<String, BTreeMap<String, String>>,
}

/// How a tool compares with its pin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PinStatus {
    /// Same definition as pinned.
    Same,
    /// Pinned with another hash.
    Changed,
    /// The server is pinned but this tool is not.
    New,
    /// Nothing pinned for this server.
    Unpinned,
}

/// The sha256 (hex) of a tool definition's canonical JSON (keys sorted, no whitespace).
pub fn tool_hash(tool: &ToolDef) -> String {
    tool.sha256()
}

/// The pins file could not be used.
pub type PinsError = crate::util::private::JsonFileError;

impl Pins {
    /// The default file: `<state dir>/codemode/pins.json`.
    pub fn default_path() -> PathBuf {
        crate::logging::state_dir().join("pins.json")
    }

    /// Reads the pins; a missing file is empty pins.
    pub fn load(path: &Path) -> Result<Self, PinsError> {
        crate::util::private::read_json(path, "pins")
    }

    /// Writes the pins (creating the folder).
    pub fn save(&self, path: &Path) -> Result<(), PinsError> {
        crate::util::private::write_json(path, "pins", self)
    }

    /// Replaces the server's pins with its current definitions.
    pub fn pin(&mut self, server: &ServerDoc) {
        let tools = server
            .tools
            .iter()
            .map(|t| (t.name.clone(), tool_hash(&t.raw)))
            .collect();
        self.servers.insert(server.name.clone(), tools);
    }

    /// Pins tool `name` of `server` at `hash` (its [`tool_hash`]), keeping the server's other
    /// pins.
    pub fn pin_hash(&mut self, server: &str, name: &str, hash: String) {
        self.servers
            .entry(server.to_string())
            .or_default()
            .insert(name.to_string(), hash);
    }

    /// How `tool` of `server` compares with its pin.
    pub fn status(&self, server: &str, tool: &ToolDef) -> PinStatus {
        self.status_of(server, &tool.name, &tool_hash(tool))
    }

    /// How tool `name` of `server`, whose [`tool_hash`] is `hash`, compares with its pin.
    pub fn status_of(&self, server: &str, name: &str, hash: &str) -> PinStatus {
        let Some(pinned) = self.servers.get(server) else {
            return PinStatus::Unpinned;
        };
        match pinned.get(name) {
            None => PinStatus::New,
            Some(h) if h == hash => PinStatus::Same,
            Some(_) => PinStatus::Changed,
        }
    }
}

/// The pin finding of one tool, if any.
pub(super) fn finding(pins: &Pins, server: &ServerDoc, t: &ToolDoc) -> Option<Finding> {
    match pins.status(&server.name, &t.raw) {
        PinStatus::Changed => Some(Finding {
            rule: "definition-changed",
            severity: Severity::Error,
            message: "the definition changed since it was pinned".into(),
            hint: "review the new description and schema (tool poisoning often arrives as an update), then accept it with `codemode lint --pin`",
        }),
        PinStatus::New => Some(Finding {
            rule: "tool-new",
            severity: Severity::Info,
            message: "the tool appeared since the server was pinned".into(),
            hint: "review it, then accept it with `codemode lint --pin`",
        }),
        PinStatus::Same | PinStatus::Unpinned => None,
    }
}

/// Server-level findings: pinned tools that are gone.
pub(super) fn removed_findings(pins: &Pins, server: &ServerDoc) -> Vec<Finding> {
    let Some(pinned) = pins.servers.get(&server.name) else {
        return vec![];
    };
    pinned
        .keys()
        .filter(|name| !server.tools.iter().any(|t| &t.name == *name))
        .map(|name| Finding {
            rule: "tool-removed",
            severity: Severity::Info,
            message: format!("pinned tool `{name}` is gone"),
            hint: "accept the current list with `codemode lint --pin`",
        })
        .collect()
}
