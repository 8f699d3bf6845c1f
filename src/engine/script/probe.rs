//! Probing (`codemode docs --probe`): each read-only tool that has no text sample yet is
//! called once with its synthesized example, so the docs can show what its text looks like
//! before any script called it. The registry keeps the samples
//! ([`crate::mcp::Registry::set_samples`]).
//!
//! Only tools annotated `readOnlyHint` and not `openWorldHint` are probed (nothing is changed
//! and nothing outside the server is reached), only with an example that satisfies their
//! schema, and only when the policy allows the call without asking (it pins on first use
//! like any call). Every call is audited as a `direct_call`.

use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;

use super::Decision;
use super::approval::{ApprovalStore, gate};
use super::audit::AuditLog;
use super::policy::Policy;
use crate::catalog::{Catalog, ToolDoc};
use crate::mcp::{CallOptions, Registry};

/// Calls made at once.
const AT_ONCE: usize = 4;

/// What probing one tool came to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeOutcome {
    /// It answered with text, now kept as its sample.
    Sampled,
    /// It answered, but not with text (structured content, images...), or with text that
    /// reads as an error.
    NotText,
    /// The call failed (the tool's error or the request's).
    Failed(String),
    /// It was not called: the policy does not allow it without asking.
    Skipped(String),
}

/// One probed tool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Probed {
    /// Raw server name.
    pub server: String,
    /// Raw tool name.
    pub tool: String,
    /// What happened.
    pub outcome: ProbeOutcome,
}

/// Whether `t` is probed: read-only, not open-world, no sample yet, a valid example.
fn probed(t: &ToolDoc) -> bool {
    let open_world = t
        .annotations
        .as_ref()
        .is_some_and(|a| a.open_world_hint == Some(true));
    t.raw.is_read_only() && !open_world && t.sample.is_none() && t.example_problem.is_none()
}

/// How to probe: the policy and approvals that gate each call, where calls are audited, how
/// long each may take.
pub struct ProbeSettings<'a> {
    /// Only calls this policy allows without asking are made.
    pub policy: &'a Policy,
    /// The approved definitions (a tool allowed on first use is pinned, as by any call).
    pub approvals: Option<&'a ApprovalStore>,
    /// Where each call is recorded as a `direct_call`.
    pub audit: Option<&'a AuditLog>,
    /// The longest wait for one call.
    pub timeout: Duration,
}

/// Probes every eligible tool of `catalog` (built with its samples, e.g.
/// [`Catalog::from_registry`]) through `registry`.
pub async fn probe(
    registry: &Registry,
    catalog: &Catalog,
    settings: &ProbeSettings<'_>,
) -> Vec<Probed> {
    let tools: Vec<&ToolDoc> = catalog.tools().filter(|t| probed(t)).collect();
    futures::stream::iter(tools)
        .map(|t| probe_one(registry, t, settings))
        .buffered(AT_ONCE)
        .collect()
        .await
}

async fn probe_one(registry: &Registry, t: &ToolDoc, settings: &ProbeSettings<'_>) -> Probed {
    let done = |outcome| Probed {
        server: t.server.clone(),
        tool: t.name.clone(),
        outcome,
    };
    match gate(settings.policy, settings.approvals, &t.server, &t.raw) {
        Decision::Allow => {}
        Decision::Deny(why) => return done(ProbeOutcome::Skipped(why)),
        Decision::Ask(_) => {
            return done(ProbeOutcome::Skipped(
                "the policy asks before calling it".into(),
            ));
        }
    }
    let args = match &t.example {
        Value::Object(m) => m.clone(),
        _ => serde_json::Map::new(),
    };
    let opts = CallOptions {
        timeout: Some(settings.timeout),
        probe: true,
        ..Default::default()
    };
    let started = Instant::now();
    let result = registry
        .call_tool(&t.server, &t.name, Some(args.clone()), &opts)
        .await;
    if let Some(log) = settings.audit {
        log.direct_call(&t.server, &t.name, Some(&args), &result, started.elapsed());
    }
    done(match result {
        Ok(o) if o.is_error => ProbeOutcome::Failed(crate::util::truncate(&o.text(), 200)),
        Ok(_) if registry.samples().get(&t.server, &t.raw).is_some() => ProbeOutcome::Sampled,
        Ok(_) => ProbeOutcome::NotText,
        Err(e) => ProbeOutcome::Failed(e.to_string()),
    })
}
