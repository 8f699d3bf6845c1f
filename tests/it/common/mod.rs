//! Helpers shared by the test modules: the demo server, the real third-party servers,
//! the binary in a sandbox, the stub model, the in-repo authorization server.

pub mod cmd;
pub mod demo;
pub mod llm_stub;
pub mod oauth_server;
pub mod real_catalog;
pub mod real_env;
pub mod sandbox;
pub mod servers;
pub mod tui;
