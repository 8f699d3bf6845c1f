//! Code Mode against direct tool calls, on the sample workflows of `scripts/`: what an agent
//! would spend doing each workflow step by step (one model round trip per tool call, carrying
//! the call's arguments in and its full result out, plus the `tools/list` result once)
//! against one `run_script` (the servers' prompt-form docs once, the script in, the budgeted
//! output out). Computed from the calls the script really made (run events), no LLM needed;
//! tokens counted with `catalog::tokens` (o200k).
//!
//! Run with `scripts/bench` (or `cargo bench --bench workflows`, after `scripts/test`
//! installed the servers).

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/it/common/servers.rs"]
mod servers;

use std::sync::Arc;
use std::time::Duration;

use codemode::catalog::workflows::{WORKFLOWS, Workflow};
use codemode::catalog::{Catalog, render_prompt, tokens};
use codemode::mcp::{Registry, ServerSpec, ServerStatus};
use codemode::script::{self, Limits, RunEvent, RunOptions, ToolInvoker, budget};
use common::ratio_row;
use serde_json::json;

/// As in the binary.
#[global_allocator]
static ALLOC: script::memory::CountingAlloc = script::memory::CountingAlloc;

/// The spec of a server a workflow names, with its state in `dir` (None: not measured here).
fn spec(name: &str, dir: &std::path::Path) -> Option<ServerSpec> {
    Some(match name {
        "demo" => codemode::demo::in_process_spec(),
        "time" => servers::time().spec("time", &[]),
        "memory" => {
            let file = dir.join("memory.jsonl").to_string_lossy().to_string();
            servers::memory().spec("memory", &[(servers::MEMORY_FILE_PATH_ENV, file)])
        }
        // The filesystem and git workflows need prepared trees (tests/workflows_external.rs).
        _ => return None,
    })
}

/// What one workflow costs each way.
struct Cost {
    calls: usize,
    direct_tokens: usize,
    script_tokens: usize,
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let (mut direct_total, mut script_total, mut trips) = (0, 0, 0);
    let mut measured = 0;
    for w in WORKFLOWS {
        let Some(cost) = measure(w) else {
            continue;
        };
        measured += 1;
        trips += cost.calls;
        direct_total += cost.direct_tokens;
        script_total += cost.script_tokens;
        let ratio = cost.script_tokens as f64 / cost.direct_tokens as f64;
        ratio_row(
            "workflows",
            format!(
                "{}: run_script vs step by step ({} calls = {} round trips -> 1)",
                w.name(),
                cost.calls,
                cost.calls
            ),
            format!("{} vs {} tokens", cost.script_tokens, cost.direct_tokens),
            ratio,
            "< 1x",
            ratio < 1.0,
        );
    }
    let ratio = script_total as f64 / direct_total as f64;
    ratio_row(
        "workflows",
        format!("all {measured} workflows: {trips} round trips -> {measured}"),
        format!("{script_total} vs {direct_total} tokens"),
        ratio,
        "< 1x",
        ratio < 1.0,
    );
}

/// Runs `w` against fresh servers and counts both ways.
fn measure(w: &Workflow) -> Option<Cost> {
    let dir = tempfile::tempdir().unwrap();
    let specs: Vec<ServerSpec> = w
        .servers()
        .iter()
        .map(|s| spec(s, dir.path()))
        .collect::<Option<_>>()?;
    let rt = common::runtime();
    let registry = rt.block_on(async {
        let r = Registry::new(specs, vec![]);
        r.start();
        assert!(r.wait_settled(Duration::from_secs(60)).await);
        r
    });
    let states = registry.servers();
    assert!(states.iter().all(|s| s.status == ServerStatus::Ready));
    let invoker: Arc<dyn ToolInvoker> = Arc::new(script::RegistryInvoker {
        registry: registry.clone(),
        handle: rt.handle().clone(),
    });
    let (observer, mut events) = script::event_channel();
    let limits = Limits::default();
    let opts = RunOptions {
        limits: limits.clone(),
        observers: vec![observer],
        record: true,
        ..Default::default()
    };
    let report = script::run(w.source, invoker, opts);
    rt.block_on(registry.shutdown());
    if let Some(e) = &report.error {
        panic!("{} failed:\n{}", w.file, e.render(w.source));
    }
    // Step by step: tools/list once, then per call its arguments in and its full result out.
    let tools: Vec<&codemode::mcp::ToolDef> = states.iter().flat_map(|s| s.tools.iter()).collect();
    let mut direct = tokens::count(&json!({ "tools": tools }).to_string());
    while let Ok(event) = events.try_recv() {
        if let RunEvent::CallStarted { tool, args, .. } = event {
            direct += tokens::count(&json!({ "name": tool, "arguments": args }).to_string());
        }
    }
    for call in &report.calls {
        let outcome = call.outcome.as_ref().expect("recorded outcome");
        direct += tokens::count(&outcome.to_string());
    }
    // Code Mode: the prompt-form docs once, the script in, the budgeted output out.
    let docs = render_prompt::catalog(&Catalog::from_states(&states), &script::script_api(&limits));
    let output = budget::budgeted(&report, w.source, limits.max_output_tokens);
    let script_tokens =
        tokens::count(&docs) + tokens::count(w.source) + tokens::count(&output.text);
    Some(Cost {
        calls: report.calls.len(),
        direct_tokens: direct,
        script_tokens,
    })
}
