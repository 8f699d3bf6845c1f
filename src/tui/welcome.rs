//! The script a fresh workbench opens with: the demo tracker's tour when the demo server is
//! there, else one call of the first ready server's first read-only tool (its synthesized
//! example), so F5 works at once whatever the config holds.

use crate::catalog::Catalog;
use crate::mcp::{ServerState, ServerStatus};

const HEADER: &str = "// Welcome to codemode. Pick a tool on the left, press `i` to insert a call,
// then F5 to run. F1 lists every key.
";

/// The welcome script for these servers: `None` while none is ready (or when the demo
/// server is, whose tour [`super::WELCOME_SCRIPT`] already is).
pub fn script(catalog: &Catalog, servers: &[ServerState]) -> Option<String> {
    let ready = |name: &str| {
        servers
            .iter()
            .any(|s| s.name == name && s.status == ServerStatus::Ready)
    };
    if ready("demo") {
        return None;
    }
    let server = catalog
        .servers
        .iter()
        .find(|s| ready(&s.name) && !s.tools.is_empty())?;
    let tool = server
        .tools
        .iter()
        .find(|t| t.raw.is_read_only())
        .or(server.tools.first())?;
    Some(format!(
        "{HEADER}let result = {};\nprint(result);\nresult\n",
        tool.example_call()
    ))
}
