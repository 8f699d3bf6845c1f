//! The script a fresh workbench opens with: the demo tracker's tour when the demo server is
//! there, else one call of the first ready server's first read-only tool (its synthesized
//! example), so F5 works at once whatever the config holds.

use super::docs::LazyDocs;
use crate::mcp::{ServerState, ServerStatus};

const HEADER: &str = "// Welcome to codemode. Pick a tool on the left, press `i` to insert a call,
// then F5 to run. F1 lists every key.
";

/// The welcome script for these servers: `None` while none is ready (or when the demo
/// server is, whose tour [`super::WELCOME_SCRIPT`] already is).
pub fn script(docs: &LazyDocs, servers: &[ServerState]) -> Option<String> {
    let ready = |name: &str| {
        servers
            .iter()
            .any(|s| s.name == name && s.status == ServerStatus::Ready)
    };
    if ready("demo") {
        return None;
    }
    let server = servers
        .iter()
        .find(|s| s.status == ServerStatus::Ready && !s.tools.is_empty())?;
    let tool = server
        .tools
        .iter()
        .find(|t| t.is_read_only())
        .or(server.tools.first())?;
    let doc = docs.tool(&server.name, &tool.name)?;
    Some(format!(
        "{HEADER}let result = {};\nprint(result);\nresult\n",
        doc.example_call()
    ))
}
