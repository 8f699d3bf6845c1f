//! The integration tests, one crate (one link of the library instead of one per file):
//! each module is one area, the shared helpers live in `common`.
//! Modules marked `external-servers` need the pinned third-party servers `scripts/test`
//! installs.

// Tests signal child processes with libc (`kill`); the library itself denies `unsafe`.
#![allow(unsafe_code)]

use codemode::script::memory::CountingAlloc;

/// As in the binary, so `max_memory` is enforced in the sandbox tests too.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

mod common;
/// The workbench harness (`crate::harness::screen`, `key`, ...).
pub(crate) use common::tui as harness;
#[allow(unused_imports)]
pub(crate) use common::{
    cmd, demo, llm_stub, oauth_server, real_catalog, real_env, sandbox, servers,
};

mod adversarial;
mod cli;
mod cli_ask;
mod cli_audit;
mod cli_run;
mod cli_trust;
mod client_features;
mod conformance;
mod demo_registry;
mod docs_cli;
mod docs_external;
mod docs_samples;
mod docs_snapshots;
mod docs_tasks;
mod e2e_tmux;
mod everything_http;
mod external_servers;
mod faults;
mod http_headers;
mod http_resume;
mod http_session;
mod oauth;
mod properties;
mod replay_external;
mod secrets;
mod serve;
mod stateless;
mod tasks;
mod tui;
mod tui_run;
mod workbench;
mod workflows;
mod workflows_external;
