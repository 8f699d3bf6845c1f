//! Soak: 20 000 tool calls and 2 000 script runs against the demo server over stdio (a real
//! child process), measuring this process's RSS and open file descriptors, and the child's
//! RSS, after a warm-up and then every batch. Prints the figures and whether the growth stays
//! within a small bound (16 MiB RSS, 4 fds). Not a test: run by `scripts/soak`.
//!
//! `SOAK_CALLS` and `SOAK_RUNS` change the counts.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use codemode::mcp::{CallOptions, Registry, ServerSpec, TransportSpec};
use codemode::script::{self, RegistryInvoker, RunOptions};

const RSS_BOUND_KIB: u64 = 16 * 1024;
const FD_BOUND: usize = 4;

const SCRIPT: &str = r#"
let sum = demo::calculate(#{ op: "add", a: 40, b: 2 });
let open = demo::list_issues(#{ status: "open" });
let words = [];
for i in 0..50 { words.push(`word ${i}`); }
#{ sum: sum.result, issues: open.len(), text: words.reduce(|a, w| a + w, "").len() }
"#;

fn rss_kib(pid: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn fds() -> usize {
    std::fs::read_dir("/proc/self/fd").map_or(0, std::iter::Iterator::count)
}

fn count(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

struct Sample {
    phase: String,
    rss: u64,
    fds: usize,
    child_rss: u64,
    elapsed: Duration,
}

fn main() {
    let calls = count("SOAK_CALLS", 20_000);
    let runs = count("SOAK_RUNS", 2_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let spec = ServerSpec::new(
        "demo",
        TransportSpec::Stdio {
            command: env!("CARGO_BIN_EXE_codemode").to_string(),
            args: vec!["demo-server".into()],
            env: BTreeMap::new(),
            cwd: None,
            inherit_env: false,
        },
    );
    let registry = runtime.block_on(async {
        let r = Registry::new(vec![spec], vec![]);
        r.start();
        assert!(
            r.wait_settled(Duration::from_secs(30)).await,
            "demo server did not start"
        );
        r
    });
    let child = runtime
        .block_on(registry.pid("demo"))
        .expect("a child")
        .to_string();
    let invoker: Arc<dyn script::ToolInvoker> = Arc::new(RegistryInvoker {
        registry: registry.clone(),
        handle: runtime.handle().clone(),
    });
    let args = serde_json::json!({ "op": "multiply", "a": 6, "b": 7 });
    let call = |n: usize| {
        runtime.block_on(async {
            for _ in 0..n {
                let out = registry
                    .call_tool(
                        "demo",
                        "calculate",
                        args.as_object().cloned(),
                        &CallOptions::default(),
                    )
                    .await
                    .expect("calculate");
                assert!(!out.is_error);
            }
        });
    };
    let run = |n: usize| {
        for _ in 0..n {
            let report = script::run(SCRIPT, invoker.clone(), RunOptions::default());
            assert!(report.error.is_none(), "{:?}", report.error);
        }
    };
    let started = Instant::now();
    let mut samples = Vec::new();
    let mut sample = |phase: String| {
        samples.push(Sample {
            phase,
            rss: rss_kib("self"),
            fds: fds(),
            child_rss: rss_kib(&child),
            elapsed: started.elapsed(),
        });
    };
    // Warm-up: allocator pools, rmcp buffers, Rhai engine caches.
    call(calls / 20);
    run(runs / 20);
    sample("after warm-up".into());
    for batch in 1..=4 {
        call(calls / 4);
        sample(format!("{} calls", batch * calls / 4));
    }
    for batch in 1..=4 {
        run(runs / 4);
        sample(format!("{} script runs", batch * runs / 4));
    }
    runtime.block_on(registry.shutdown());

    println!(
        "soak: {calls} calls + {runs} script runs (each 2 calls) against `codemode demo-server` over stdio"
    );
    println!(
        "{:<22} {:>10} {:>5} {:>15} {:>9}",
        "phase", "RSS KiB", "fds", "child RSS KiB", "elapsed"
    );
    for s in &samples {
        println!(
            "{:<22} {:>10} {:>5} {:>15} {:>8.1}s",
            s.phase,
            s.rss,
            s.fds,
            s.child_rss,
            s.elapsed.as_secs_f64()
        );
    }
    let (first, last) = (&samples[0], &samples[samples.len() - 1]);
    let rss_growth = last.rss.saturating_sub(first.rss);
    let fd_growth = last.fds.saturating_sub(first.fds);
    let child_growth = last.child_rss.saturating_sub(first.child_rss);
    let ok = rss_growth <= RSS_BOUND_KIB && fd_growth <= FD_BOUND && child_growth <= RSS_BOUND_KIB;
    println!(
        "growth after warm-up: RSS {rss_growth} KiB, fds {fd_growth}, child RSS {child_growth} KiB \
         (bound {RSS_BOUND_KIB} KiB, {FD_BOUND} fds): {}",
        if ok { "OK" } else { "OVER BOUND" }
    );
    if !ok {
        std::process::exit(1);
    }
}
