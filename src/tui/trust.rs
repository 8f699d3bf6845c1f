//! Trust in the workbench: tool hashes in saved scripts (a fresh header on save, changed tools
//! reported on open, see [`crate::script::tool_hashes`]), the plan overlay (F4) and the
//! tree's mark on tools changed since approved.

use super::log::{Level, Source};
use super::state::{Overlay, State};
use crate::catalog::lint::PinStatus;
use crate::mcp::{ServerStatus, ToolDef};
use crate::script::{self, ServerTools, tool_hashes};

/// The ready servers and their tools, as a run sees them.
pub fn ready_tools(state: &State) -> Vec<ServerTools> {
    state
        .servers
        .iter()
        .filter(|s| s.status == ServerStatus::Ready)
        .map(|s| ServerTools {
            name: s.name.clone(),
            tools: s.tools.clone(),
        })
        .collect()
}

/// The text to save: the script with a fresh `// codemode-tools:` header.
pub fn save_text(state: &State) -> String {
    tool_hashes::with_header(&state.script(), &ready_tools(state))
}

/// After a script is opened: each tool changed since it was saved goes to the log (a
/// warning) and the status line says how many.
pub fn check_opened(state: &mut State) {
    let changes = tool_hashes::changes(&state.script(), &ready_tools(state));
    for c in &changes {
        state
            .log
            .push(Source::App, Level::Warn, Some(&c.server), &c.to_string());
    }
    if let (Some(first), Some(msg)) = (changes.first(), state.message.as_mut()) {
        let more = match changes.len() {
            1 => String::new(),
            n => format!(" (+{} more, see the log)", n - 1),
        };
        msg.push_str(&format!(
            " · ⚠ {}::{} changed since saved{more}",
            first.server, first.tool
        ));
    }
}

/// F4: the script's plan (every call it can make, with its flags) in an overlay.
pub fn show_plan(state: &mut State) {
    let source = state.script();
    let text = match script::plan(&source, &ready_tools(state)) {
        Ok(plan) => plan.render(),
        Err(e) => e.render(&source),
    };
    state.overlay = Some(Overlay::result("Plan".into(), text));
}

/// Whether `tool` of the `server`-th server changed since it was approved (pinned).
pub fn changed_since_approved(state: &State, server: usize, tool: &ToolDef) -> bool {
    let (Some(pins), Some(s)) = (&state.pins, state.servers.get(server)) else {
        return false;
    };
    pins.status(&s.name, tool) == PinStatus::Changed
}
