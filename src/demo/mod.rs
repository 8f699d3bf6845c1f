//! The embedded demo server: a tiny issue tracker plus a calculator, written with rmcp's
//! server side. It runs in-process when no config exists (so the first run shows something
//! real), over stdio as `codemode demo-server`, and doubles as the hermetic test server.

mod server;
mod tools;
mod tracker;

pub use server::{DemoServer, Faults, TOOLS_PAGE_SIZE, in_process_spec, serve_stdio};
pub use tools::definitions as tool_definitions;
pub use tracker::{Issue, Tracker};
