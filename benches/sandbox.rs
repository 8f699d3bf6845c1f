//! Time to stop: for each limit of the script sandbox, the wall time from the start of a run
//! to its stop by a script that breaches that limit (and nothing else), next to the configured
//! limit so the margin is visible; for the timeout, also the overshoot past the deadline.
//! Each run must end with the expected limit, or the bench panics.
//! Run with `scripts/bench` (or `cargo bench --bench sandbox`).
//!
//! divan prints its own table (fastest / slowest / median / mean per class); the summary
//! printed after it is computed from the same runs.

#[path = "common/mod.rs"]
mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use codemode::script::{self, Limits, RunOptions, ToolInvoker, memory::CountingAlloc};

/// As in the binary, so `max_memory` is enforced here too.
#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// The timeout used by the timeout classes.
const TIMEOUT: Duration = Duration::from_millis(200);

/// One way to breach one limit.
struct Class {
    /// Bench name.
    name: &'static str,
    /// The limit that must stop the run (its config key).
    limit: &'static str,
    /// The script (most come from `tests/adversarial/`).
    source: &'static str,
    /// The limits of the run.
    limits: Limits,
}

fn classes() -> Vec<Class> {
    let d = Limits::default;
    // High enough that only the limit under test can stop the run.
    let no_op_limit = 1_000_000_000_000;
    vec![
        Class {
            name: "max_operations",
            limit: "max_operations",
            source: include_str!("../tests/adversarial/loop_forever.rhai"),
            limits: Limits {
                max_operations: 1_000_000,
                ..d()
            },
        },
        Class {
            name: "timeout_busy",
            limit: "timeout",
            source: include_str!("../tests/adversarial/loop_forever.rhai"),
            limits: Limits {
                timeout: TIMEOUT,
                max_operations: no_op_limit,
                ..d()
            },
        },
        Class {
            name: "timeout_sleep",
            limit: "timeout",
            source: include_str!("../tests/adversarial/sleep_forever.rhai"),
            limits: Limits {
                timeout: TIMEOUT,
                ..d()
            },
        },
        Class {
            name: "string_size",
            limit: "max_string_size",
            source: include_str!("../tests/adversarial/string_doubling.rhai"),
            limits: d(),
        },
        Class {
            name: "array_growth",
            limit: "max_array_size",
            source: include_str!("../tests/adversarial/array_push.rhai"),
            limits: d(),
        },
        Class {
            name: "map_growth",
            limit: "max_map_size",
            source: include_str!("../tests/adversarial/map_mixin_growth.rhai"),
            limits: d(),
        },
        Class {
            name: "memory",
            limit: "max_memory",
            source: include_str!("../tests/adversarial/map_index_growth_big_values.rhai"),
            limits: Limits {
                max_operations: no_op_limit,
                ..d()
            },
        },
        Class {
            name: "call_depth",
            limit: "max_call_depth",
            source: include_str!("../tests/adversarial/deep_recursion.rhai"),
            limits: d(),
        },
        Class {
            name: "tool_call_flood",
            limit: "max_tool_calls",
            source: include_str!("../tests/adversarial/tool_call_flood.rhai"),
            limits: d(),
        },
        Class {
            name: "giant_tool_result",
            limit: "max_result_bytes",
            // One call returns the 100 issues made by `setup` (about 1 MB).
            source: "demo::list_issues(#{ status: \"all\", label: \"big\", limit: 100 })",
            limits: Limits {
                max_result_bytes: 256 << 10,
                ..d()
            },
        },
    ]
}

/// The bench argument: the class names, in table order.
fn names() -> Vec<&'static str> {
    classes().iter().map(|c| c.name).collect()
}

/// The in-process demo server, on a runtime that lives as long as the bench.
fn invoker() -> Arc<dyn ToolInvoker> {
    static INVOKER: OnceLock<Arc<dyn ToolInvoker>> = OnceLock::new();
    INVOKER
        .get_or_init(|| {
            let runtime = Box::leak(Box::new(
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(2)
                    .enable_all()
                    .build()
                    .unwrap(),
            ));
            let registry = runtime.block_on(async {
                let r =
                    codemode::mcp::Registry::new(vec![codemode::demo::in_process_spec()], vec![]);
                r.start();
                assert!(r.wait_settled(Duration::from_secs(30)).await);
                r
            });
            let invoker: Arc<dyn ToolInvoker> = Arc::new(script::RegistryInvoker {
                registry,
                handle: runtime.handle().clone(),
            });
            setup(&invoker);
            invoker
        })
        .clone()
}

/// Fills the demo tracker with 100 issues of 9 000 bytes each, for the giant result.
fn setup(invoker: &Arc<dyn ToolInvoker>) {
    let source = r#"
        let body = "x";
        body.pad(9000, 'x');
        for i in 0..100 { demo::create_issue(#{ title: `big ${i}`, body: body, labels: ["big"] }); }
    "#;
    let report = script::run(source, invoker.clone(), RunOptions::default());
    assert!(report.ok(), "setup failed: {:?}", report.error);
}

/// Every measured time-to-stop, by class.
fn times() -> &'static Mutex<BTreeMap<&'static str, Vec<Duration>>> {
    static TIMES: OnceLock<Mutex<BTreeMap<&'static str, Vec<Duration>>>> = OnceLock::new();
    TIMES.get_or_init(Default::default)
}

fn main() {
    divan::main();
    summary();
}

#[divan::bench(args = names(), sample_count = 10, sample_size = 1)]
fn time_to_stop(bencher: divan::Bencher, name: &str) {
    let class = classes().into_iter().find(|c| c.name == name).unwrap();
    let invoker = invoker();
    bencher.bench_local(|| {
        let opts = RunOptions {
            limits: class.limits.clone(),
            ..Default::default()
        };
        let start = Instant::now();
        let report = script::run(class.source, invoker.clone(), opts);
        let took = start.elapsed();
        let hit = report.limit_hit.as_ref().map(|h| h.limit.as_str());
        assert_eq!(
            hit,
            Some(class.limit),
            "{name} stopped otherwise: {:?}",
            report.error
        );
        times()
            .lock()
            .unwrap()
            .entry(class.name)
            .or_default()
            .push(took);
    });
}

fn summary() {
    let mut times = times().lock().unwrap();
    if times.is_empty() {
        return; // filtered out, or `--list`
    }
    println!();
    println!("time to stop, per limit (median of the runs above)");
    println!(
        "{:<18} {:<17} {:>16} {:>5} {:>12} {:>12}",
        "class", "limit", "configured", "runs", "median", "overshoot"
    );
    for class in classes() {
        let Some(runs) = times.get_mut(class.name) else {
            continue;
        };
        let m = common::median(runs);
        let overshoot = if class.limit == "timeout" {
            format!("{:.1?}", m.saturating_sub(class.limits.timeout))
        } else {
            "-".into()
        };
        println!(
            "{:<18} {:<17} {:>16} {:>5} {:>12} {:>12}",
            class.name,
            class.limit,
            class.limits.describe(class.limit),
            runs.len(),
            format!("{m:.1?}"),
            overshoot
        );
        let what = format!(
            "{}: run start to stop, {} = {}",
            class.name,
            class.limit,
            class.limits.describe(class.limit)
        );
        if class.limit == "timeout" {
            let ratio = m.as_secs_f64() / class.limits.timeout.as_secs_f64();
            common::ratio_row(
                "sandbox",
                what,
                format!("{} (median of {})", common::human(m), runs.len()),
                ratio,
                "<= 1.1x timeout",
                ratio <= 1.1,
            );
        } else {
            common::plain_row(
                "sandbox",
                what,
                format!("{} (median of {})", common::human(m), runs.len()),
            );
        }
    }
}
