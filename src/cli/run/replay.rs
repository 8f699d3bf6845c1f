//! `codemode run --replay RUN_ID`: the script against a recorded run, no server started.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::{exit_for, print_report};
use crate::cli::Exit;
use crate::script::{self, RunOptions};

/// `--replay`: the script against a recorded run, no server started; exit 6 when it
/// diverges (each divergence and each recorded call it did not make on stderr).
pub(super) async fn replay(
    source: &str,
    id: &str,
    audit: &script::audit::AuditConfig,
    limits: script::Limits,
    result_schema: Option<Value>,
    json: bool,
) -> Exit {
    let path = audit_path(audit);
    let records = read_audit(audit);
    let recording = match script::replay::Recording::find(&records, id) {
        Ok(r) => r,
        Err(e) => {
            errln!("error: {e} ({})", path.display());
            return Exit::Usage;
        }
    };
    let budget = limits.max_output_tokens;
    let invoker = Arc::new(script::replay::ReplayInvoker::new(recording));
    // Nothing reaches a server: every recorded call may be answered again.
    let policy = script::Policy {
        allow_destructive: true,
        block_changed: false,
        ..Default::default()
    };
    let opts = RunOptions {
        limits,
        policy,
        result_schema,
        ..Default::default()
    };
    let (text, inv) = (source.to_string(), invoker.clone());
    let Ok(report) = tokio::task::spawn_blocking(move || script::run(&text, inv, opts)).await
    else {
        errln!("error: the script task failed");
        return Exit::Internal;
    };
    print_report(&report, source, json, budget, 0, &[]);
    let divergences = invoker.divergences();
    let unused = invoker.unused();
    for d in &divergences {
        errln!("replay: diverged at {d}");
    }
    for u in &unused {
        errln!("replay: recorded call not made: {u}");
    }
    if divergences.is_empty() && unused.is_empty() {
        exit_for(&report)
    } else {
        Exit::ScriptError
    }
}

fn audit_path(audit: &script::audit::AuditConfig) -> PathBuf {
    audit
        .path
        .clone()
        .unwrap_or_else(script::audit::default_path)
}

/// The audit log's records, oldest first.
pub(super) fn read_audit(audit: &script::audit::AuditConfig) -> Vec<Value> {
    script::audit::read_records(&audit_path(audit), audit.keep)
}
