//! The embedded demo server: a tiny issue tracker plus a calculator, written with rmcp's
//! server side. It runs in-process when no config exists (so the first run shows something
//! real), over stdio as `codemode demo-server`, and doubles as the hermetic test server.

mod fault;
mod raw;
mod server;
pub(crate) mod tools;
mod tracker;

pub use fault::{CallFault, FaultError, Faults};
pub use raw::WRONG_PROTOCOL_VERSION;
pub use server::{DemoServer, TOOLS_PAGE_SIZE, in_process_spec, serve_stdio};
pub use tools::definitions as tool_definitions;
pub use tracker::{Issue, Tracker};

/// The servers to connect to for a config: its servers, or the embedded demo server when no
/// config file exists.
pub fn specs_for(config: &crate::config::Config) -> Vec<crate::mcp::ServerSpec> {
    match config.source {
        crate::config::ConfigSource::Embedded => vec![in_process_spec()],
        crate::config::ConfigSource::File(_) => config
            .servers
            .iter()
            .map(crate::mcp::ServerSpec::from_config)
            .collect(),
    }
}
