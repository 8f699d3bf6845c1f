//! Per-call cost and parallel calls, side by side in one run:
//!
//! - 1 000 sequential calls of a trivial tool (`echo` of server-everything, `calculate` of
//!   our demo server, both over stdio) by a raw rmcp client, by a codemode Rhai script loop,
//!   by the official Python SDK client and by the official TypeScript SDK client. Every
//!   client is timed from inside, from the first call to the last answer: process start,
//!   server start and the handshake are left out (and one warm-up call). The script's time
//!   also includes compiling the script and the sandbox setup.
//! - `parallel` with 50 and with 1 000 calls of the demo's `wait` (50 ms, all in flight at
//!   once) against one such call; the slowest of ten rounds is the one held to the goal. The
//!   list is made in one step (`pad`); made by a loop of `push`es and sent by a bare rmcp
//!   client, the same batch is shown beside (rounds interleaved).
//!
//! Run with `scripts/bench` (or `cargo bench --bench calls`, after `scripts/test` installed
//! the servers).

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/it/common/servers.rs"]
mod servers;

use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use codemode::mcp::{CallOptions, Registry};
use codemode::script::{self, Limits, RunOptions, ToolInvoker};
use common::{human, median, ratio_row, runtime};
use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, ClientCapabilities, ClientConfig, Implementation, ProtocolVersion,
};
use rmcp::transport::TokioChildProcess;
use serde_json::{Value, json};
use servers::ExternalServer;

/// As in the binary.
#[global_allocator]
static ALLOC: script::memory::CountingAlloc = script::memory::CountingAlloc;

/// Calls per loop.
const CALLS: usize = 1_000;
/// Loops per client, round-robin over the clients (the median is kept).
const ROUNDS: usize = 15;
/// Calls inside one `parallel`.
const PARALLEL: usize = 50;
/// Calls inside the big `parallel`.
const PARALLEL_MANY: usize = 1_000;
/// What each of them waits, in ms.
const WAIT_MS: u64 = 50;

/// A server and the trivial tool called on it.
struct Target {
    /// The server's name (also its Rhai module).
    name: &'static str,
    server: ExternalServer,
    tool: &'static str,
    args: Value,
}

/// The demo server, run from the bench build of the binary.
fn demo_server() -> ExternalServer {
    ExternalServer {
        program: env!("CARGO_BIN_EXE_codemode").into(),
        args: vec!["demo-server".into()],
        roots: vec![],
    }
}

fn targets() -> Vec<Target> {
    vec![
        Target {
            name: "everything",
            server: servers::everything(),
            tool: "echo",
            args: json!({ "message": "hi" }),
        },
        Target {
            name: "demo",
            server: demo_server(),
            tool: "calculate",
            args: json!({ "op": "add", "a": 1, "b": 2 }),
        },
    ]
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported here.
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    for t in targets() {
        per_call(&t);
    }
    parallel();
}

/// The clients of one target, each timed for one loop of `CALLS` calls per round. The rounds
/// go round-robin over the clients, so that the load of a shared machine weighs on all of
/// them alike, and each round starts one client later, so that no client always follows the
/// same one (an SDK client's exiting processes, say); each client keeps the median of its
/// rounds.
fn per_call(t: &Target) {
    // The baseline negotiates the protocol version codemode pins, so that the server does
    // the same work per call; rmcp's own default (the newest version) is shown beside it.
    let rmcp = RawClient::connect(t, ProtocolVersion::V_2025_11_25);
    let rmcp_latest = RawClient::connect(t, ProtocolVersion::LATEST);
    let script = ScriptLoop::connect(t);
    let mut times: [Vec<Duration>; 6] = Default::default();
    for round in 0..ROUNDS {
        for k in 0..times.len() {
            let client = (round + k) % times.len();
            times[client].push(match client {
                0 => rmcp.round(t),
                1 => rmcp_latest.round(t),
                2 => script.round(),
                3 => sdk_round(t, "python"),
                4 => sdk_round(t, "node"),
                _ => script.registry_round(t),
            });
        }
    }
    rmcp.close();
    rmcp_latest.close();
    script.close();
    let [rmcp, rmcp_latest, script, python, typescript, registry] =
        times.map(|mut v| median(&mut v));
    let what = |client: &str| format!("{CALLS} x {}::{} via {client}, per call", t.name, t.tool);
    let per = |d: Duration| d / CALLS as u32;
    common::plain_row(
        "calls",
        what("raw rmcp client, protocol 2025-11-25 as codemode (baseline)"),
        human(per(rmcp)),
    );
    let ratio = |d: Duration| d.as_secs_f64() / rmcp.as_secs_f64();
    common::record(common::Row {
        section: "calls",
        what: what(&format!(
            "raw rmcp client, protocol {}",
            ProtocolVersion::LATEST
        )),
        value: human(per(rmcp_latest)),
        ratio: Some(ratio(rmcp_latest)),
        goal: "",
        met: None,
    });
    // Where the script loop's time goes: the same calls through codemode's registry (argument
    // validation, the connection's request with its timeout and cancel, the result read and
    // redacted), without the script, its records and the hand-off to the runtime.
    common::record(common::Row {
        section: "calls",
        what: what("codemode registry without a script (Registry::call_tool)"),
        value: human(per(registry)),
        ratio: Some(ratio(registry)),
        goal: "",
        met: None,
    });
    let goal_script = 1.10;
    ratio_row(
        "calls",
        what("codemode script loop"),
        human(per(script)),
        ratio(script),
        "<= 1.10x, < both SDKs",
        ratio(script) <= goal_script && script < python && script < typescript,
    );
    for (client, d) in [("Python SDK", python), ("TypeScript SDK", typescript)] {
        ratio_row(
            "calls",
            what(client),
            human(per(d)),
            ratio(d),
            "> script",
            d > script,
        );
    }
}

/// A bare rmcp client (no handler, no capabilities) over one connection.
struct RawClient {
    client: rmcp::service::RunningService<rmcp::RoleClient, ClientConfig>,
    params: CallToolRequestParams,
}

impl RawClient {
    /// Spawns `t`'s server and connects negotiating `version`; one warm-up call.
    fn connect(t: &Target, version: ProtocolVersion) -> RawClient {
        runtime().block_on(async {
            let mut cmd = tokio::process::Command::from(t.server.command());
            cmd.stderr(Stdio::null());
            let (transport, _) = TokioChildProcess::builder(cmd)
                .stderr(Stdio::null())
                .spawn()
                .expect("spawn the server");
            let config = ClientConfig::new(
                ClientCapabilities::default(),
                Implementation::new("codemode-bench", "0"),
            )
            .with_protocol_version(version);
            let client = config.serve(transport).await.expect("rmcp handshake");
            let params = CallToolRequestParams::new(t.tool)
                .with_arguments(t.args.as_object().expect("object args").clone());
            let raw = RawClient { client, params };
            raw.call(t).await; // warm-up
            raw
        })
    }

    async fn call(&self, t: &Target) {
        let r = self
            .client
            .call_tool(self.params.clone())
            .await
            .expect("rmcp call");
        assert_ne!(r.is_error, Some(true), "{} failed: {r:?}", t.tool);
    }

    /// One loop of `CALLS` calls.
    fn round(&self, t: &Target) -> Duration {
        runtime().block_on(async {
            let start = Instant::now();
            for _ in 0..CALLS {
                self.call(t).await;
            }
            start.elapsed()
        })
    }

    /// `n` calls at once, joined; the wall time.
    fn all_at_once(&self, t: &Target, n: usize) -> Duration {
        runtime().block_on(async {
            let start = Instant::now();
            futures::future::join_all((0..n).map(|_| self.call(t))).await;
            start.elapsed()
        })
    }

    fn close(self) {
        let _ = runtime().block_on(self.client.cancel());
    }
}

/// A registry connected to `t`'s server, and a script invoker over it.
fn connect(t: &Target) -> (Registry, Arc<dyn ToolInvoker>) {
    let registry = runtime().block_on(async {
        let r = Registry::new(vec![t.server.spec(t.name, &[])], vec![]);
        r.start();
        assert!(
            r.wait_settled(Duration::from_secs(60)).await,
            "server did not start"
        );
        // server-everything announces a tools/list_changed right after start; let it land.
        tokio::time::sleep(Duration::from_millis(300)).await;
        r
    });
    let invoker: Arc<dyn ToolInvoker> = Arc::new(script::RegistryInvoker {
        registry: registry.clone(),
        handle: runtime().handle().clone(),
    });
    (registry, invoker)
}

/// Runs `source` (which must succeed) and returns its wall time.
fn timed_run(source: &str, invoker: &Arc<dyn ToolInvoker>, limits: &Limits) -> Duration {
    let opts = RunOptions {
        limits: limits.clone(),
        ..Default::default()
    };
    let start = Instant::now();
    let report = script::run(source, invoker.clone(), opts);
    let took = start.elapsed();
    if let Some(e) = &report.error {
        panic!("bench script failed: {}", e.render(source));
    }
    took
}

/// A script calling the tool `CALLS` times in a loop, over a registry.
struct ScriptLoop {
    registry: Registry,
    invoker: Arc<dyn ToolInvoker>,
    source: String,
    limits: Limits,
}

impl ScriptLoop {
    /// Connects a registry to `t`'s server; one warm-up run of one call.
    fn connect(t: &Target) -> ScriptLoop {
        let (registry, invoker) = connect(t);
        let args = codemode::catalog::example::rhai_literal(&t.args);
        let call = format!("{}::{}({args})", t.name, t.tool);
        let limits = Limits {
            max_tool_calls: CALLS + 1,
            ..Limits::default()
        };
        timed_run(&call, &invoker, &limits); // warm-up
        ScriptLoop {
            registry,
            invoker,
            source: format!("for i in 0..{CALLS} {{ {call}; }}"),
            limits,
        }
    }

    /// One run of the loop.
    fn round(&self) -> Duration {
        timed_run(&self.source, &self.invoker, &self.limits)
    }

    /// `CALLS` calls straight through the registry (no script), like the raw client's loop.
    fn registry_round(&self, t: &Target) -> Duration {
        let args = t.args.as_object().expect("object args").clone();
        let opts = CallOptions::default();
        runtime().block_on(async {
            let start = Instant::now();
            for _ in 0..CALLS {
                let out = self
                    .registry
                    .call_tool(t.name, t.tool, Some(args.clone()), &opts)
                    .await
                    .expect("registry call");
                assert!(!out.is_error, "{} failed: {out:?}", t.tool);
            }
            start.elapsed()
        })
    }

    fn close(self) {
        runtime().block_on(self.registry.shutdown());
    }
}

/// One run of `benches/clients/loop.py` or `loop.mjs`: the time it prints.
fn sdk_round(t: &Target, runtime: &str) -> Duration {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = if runtime == "python" {
        let mut c = std::process::Command::new(servers::python_bin("python"));
        c.arg(root.join("benches/clients/loop.py"));
        c
    } else {
        let mut c = std::process::Command::new("node");
        c.arg(root.join("benches/clients/loop.mjs"))
            .env("NODE_PATH", root.join("tests/servers/npm/node_modules"));
        c
    };
    cmd.arg(CALLS.to_string())
        .arg(t.tool)
        .arg(t.args.to_string())
        .arg("--")
        .args(t.server.argv())
        .stderr(Stdio::null());
    let out = cmd.output().expect("run the SDK client loop");
    assert!(out.status.success(), "{runtime} loop failed: {out:?}");
    let v: Value = serde_json::from_slice(&out.stdout).expect("loop output JSON");
    Duration::from_secs_f64(v["seconds"].as_f64().expect("seconds"))
}

/// `parallel` of 50 and of 1 000 calls of `wait` (50 ms, all at once), against one call.
fn parallel() {
    let t = Target {
        name: "demo",
        server: demo_server(),
        tool: "wait",
        args: json!({ "ms": WAIT_MS, "steps": 1 }),
    };
    let (registry, invoker) = connect(&t);
    let raw = RawClient::connect(&t, ProtocolVersion::V_2025_11_25);
    let one = format!("demo::wait(#{{ ms: {WAIT_MS}, steps: 1 }})");
    let rounds = 10;
    let mut ones: Vec<Duration> = (0..rounds)
        .map(|_| timed_run(&one, &invoker, &Limits::default()))
        .collect();
    let one = median(&mut ones);
    common::plain_row(
        "parallel",
        format!("1 x demo::wait {WAIT_MS} ms, script wall time (baseline)"),
        human(one),
    );
    for (calls, goal) in [(PARALLEL, 1.15), (PARALLEL_MANY, 1.5)] {
        let limits = Limits {
            max_parallel: calls,
            max_tool_calls: calls,
            ..Limits::default()
        };
        // `parallel()` itself: the list made in one step (`pad`), so that only the batch is
        // timed. The same batch with its list made by `push` after `push` is shown beside:
        // Rhai re-measures the whole array after every push (see "Array growth").
        let item = format!("[\"demo\", \"wait\", #{{ ms: {WAIT_MS}, steps: 1 }}]");
        let padded = format!("let calls = []; calls.pad({calls}, {item}); parallel(calls)");
        let pushed = format!(
            "let calls = []; for i in 0..{calls} {{ calls.push({item}); }} parallel(calls)"
        );
        timed_run(&padded, &invoker, &limits); // warm-up
        // Rounds go round-robin over the three, each starting one later (as for `calls`).
        let mut times: [Vec<Duration>; 3] = Default::default();
        for round in 0..rounds {
            for k in 0..times.len() {
                let which = (round + k) % times.len();
                times[which].push(match which {
                    0 => timed_run(&padded, &invoker, &limits),
                    1 => timed_run(&pushed, &invoker, &limits),
                    _ => raw.all_at_once(&t, calls),
                });
            }
        }
        let [mut batches, pushes, bare] = times;
        // The goal holds in every round: the slowest round is the one compared.
        let worst = *batches.iter().max().expect("rounds");
        let median_batch = median(&mut batches);
        let ratio = worst.as_secs_f64() / one.as_secs_f64();
        ratio_row(
            "parallel",
            format!(
                "parallel() of {calls} x demo::wait {WAIT_MS} ms (max_parallel {calls}), the list made by pad, slowest of {rounds} (median {})",
                human(median_batch)
            ),
            human(worst),
            ratio,
            &format!("<= {goal}x every round"),
            ratio <= goal,
        );
        median_row(
            format!(
                "the same with the list made by {calls} pushes (Rhai's array re-measure included), median of {rounds}"
            ),
            pushes,
            one,
        );
        // The floor on this machine: a bare rmcp client sending as many at once.
        median_row(
            format!(
                "{calls} x demo::wait {WAIT_MS} ms at once via raw rmcp client (join_all), median of {rounds}"
            ),
            bare,
            one,
        );
    }
    raw.close();
    runtime().block_on(registry.shutdown());
}

/// A `parallel` row without a goal: the median of `times` and its ratio to `one` call, with
/// the slowest round named (to set beside the goal row's).
fn median_row(what: String, mut times: Vec<Duration>, one: Duration) {
    let slowest = *times.iter().max().expect("rounds");
    let m = median(&mut times);
    common::record(common::Row {
        section: "parallel",
        what: format!("{what} (slowest {})", human(slowest)),
        value: human(m),
        ratio: Some(m.as_secs_f64() / one.as_secs_f64()),
        goal: "",
        met: None,
    });
}
