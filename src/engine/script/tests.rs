//! The sandbox against the in-process demo server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;

use super::*;

pub(super) struct Demo {
    runtime: tokio::runtime::Runtime,
    pub(super) invoker: Arc<dyn ToolInvoker>,
}

pub(super) fn demo() -> Demo {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let registry = runtime.block_on(async {
        let r = crate::mcp::Registry::new(vec![crate::demo::in_process_spec()], vec![]);
        r.start();
        assert!(r.wait_settled(Duration::from_secs(30)).await);
        r
    });
    let invoker = Arc::new(RegistryInvoker {
        registry,
        handle: runtime.handle().clone(),
    });
    Demo { runtime, invoker }
}

impl Demo {
    pub(super) fn run(&self, src: &str) -> RunReport {
        self.run_with(src, RunOptions::default())
    }
    pub(super) fn run_with(&self, src: &str, opts: RunOptions) -> RunReport {
        let _ = &self.runtime;
        run(src, self.invoker.clone(), opts)
    }
}

fn limits(f: impl FnOnce(&mut Limits)) -> RunOptions {
    let mut l = Limits::default();
    f(&mut l);
    RunOptions {
        limits: l,
        ..Default::default()
    }
}

fn limit_of(r: &RunReport) -> &str {
    r.limit_hit.as_ref().map_or("none", |h| h.limit.as_str())
}

#[test]
fn modules_and_raw_calls_return_structured_results() {
    let d = demo();
    let r = d.run(
        r#"
        let a = demo::calculate(#{ op: "multiply", a: 6, b: 7 });
        let b = call_tool("demo", "calculate", #{ a: 1, b: 2 });
        let open = demo::list_issues();
        #{ product: a.result, sum: b.result, open: open.total > 0 }
        "#,
    );
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.result, json!({"product": 42.0, "sum": 3.0, "open": true}));
    assert_eq!(r.calls.len(), 3);
    assert!(r.calls.iter().all(|c| c.ok && c.result_bytes > 0));
    assert_eq!(r.calls[0].tool, "calculate");
}

#[test]
fn text_results_stay_strings_and_json_helpers_work() {
    let d = demo();
    let r = d.run(
        r#"
        let c = demo::add_comment(#{ issue_id: 1, text: "looks good" });
        let parsed = parse_json(`{"x": [1, 2, null]}`);
        [type_of(c), parsed.x.len(), parsed.x[2] == (), to_json(#{ k: "v" })]
        "#,
    );
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.result, json!(["string", 3, true, "{\"k\":\"v\"}"]));
}

#[test]
fn prints_and_events_go_to_the_report_in_order() {
    let d = demo();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let opts = RunOptions {
        observers: vec![Arc::new(move |e: &RunEvent| {
            sink.lock().unwrap().push(e.clone());
        })],
        ..Default::default()
    };
    let r = d.run_with(
        "print(\"before\"); demo::calculate(#{a: 1, b: 1}); debug(\"after\"); 7",
        opts,
    );
    assert_eq!(r.prints, ["before", "[debug line 1] \"after\""]);
    assert_eq!(r.result, json!(7));
    let kinds: Vec<&str> = events
        .lock()
        .unwrap()
        .iter()
        .map(|e| match e {
            RunEvent::Print { .. } => "print",
            RunEvent::CallStarted { .. } => "started",
            RunEvent::CallFinished(_) => "finished",
            RunEvent::LimitHit(_) => "limit",
            RunEvent::Finished(_) => "end",
        })
        .collect();
    assert_eq!(kinds, ["print", "started", "finished", "print", "end"]);
}

#[test]
fn tool_errors_are_catchable_maps() {
    let d = demo();
    let r = d.run(
        r"
        let out = ();
        try { demo::get_issue(#{ id: 999 }) }
        catch (e) { out = #{ kind: e.kind, server: e.server, tool: e.tool, message: e.message } }
        out
        ",
    );
    assert_eq!(
        r.result,
        json!({"kind": "tool_error", "server": "demo", "tool": "get_issue", "message": "issue #999 not found"})
    );
    assert!(!r.calls[0].ok);
}

#[test]
fn uncaught_tool_errors_carry_position_and_the_map() {
    let d = demo();
    let src = "let x = 1;\nlet i = demo::get_issue(#{ id: 999 });\n";
    let r = d.run(src);
    let e = r.error.expect("fails");
    assert_eq!(e.kind, ErrorKind::Runtime);
    assert_eq!(e.line, Some(2));
    assert_eq!(e.thrown.as_ref().unwrap()["kind"], "tool_error");
    assert!(e.message.contains("demo::get_issue"), "{}", e.message);
    assert!(e.render(src).contains("2 | let i = demo::get_issue"));
}

#[test]
fn invalid_arguments_are_caught_before_the_call() {
    let d = demo();
    let r =
        d.run(r#"let k = (); try { demo::get_issue(#{ id: "one" }) } catch (e) { k = e.kind } k"#);
    assert_eq!(r.result, json!("invalid_arguments"));
    let r = d.run(r#"let k = (); try { demo::get_issue("one") } catch (e) { k = e.message } k"#);
    assert!(
        r.result.as_str().unwrap().contains("not a string"),
        "{}",
        r.result
    );
}

#[test]
fn destructive_tools_are_refused_unless_allowed() {
    let d = demo();
    let src = r#"let k = (); try { demo::delete_issue(#{ id: 2 }); k = "deleted" } catch (e) { k = e.kind } k"#;
    let r = d.run(src);
    assert_eq!(r.result, json!("policy"), "{:?}", r.error);
    let opts = RunOptions {
        policy: Policy {
            allow: vec!["demo::delete_issue".into()],
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(d.run_with(src, opts).result, json!("deleted"));
}

#[test]
fn parallel_keeps_order_and_throws_the_first_failure() {
    let d = demo();
    let r = d.run(
        r#"
        let rs = parallel([
            ["demo", "calculate", #{ a: 1, b: 1 }],
            ["demo", "wait", #{ ms: 20 }],
            ["demo", "calculate", #{ a: 2, b: 2 }],
        ]);
        [rs[0].result, rs[1].waited_ms, rs[2].result]
        "#,
    );
    assert_eq!(r.result, json!([2.0, 20, 4.0]), "{:?}", r.error);
    let r = d.run(
        r#"
        let out = ();
        try {
            parallel([["demo", "calculate", #{ a: 1, b: 1 }], ["demo", "get_issue", #{ id: 999 }]])
        } catch (e) { out = [e.index, e.kind, e.results[0].result] }
        out
        "#,
    );
    assert_eq!(r.result, json!([1, "tool_error", 2.0]));
}

#[test]
fn operations_limit_stops_infinite_loops() {
    let d = demo();
    let r = d.run_with(
        "let x = 0; loop { x += 1; }",
        limits(|l| l.max_operations = 10_000),
    );
    assert_eq!(limit_of(&r), "max_operations");
    let e = r.error.unwrap();
    assert_eq!(e.kind, ErrorKind::Limit);
    assert!(
        e.message.contains("max_operations") && e.message.contains("10000"),
        "{}",
        e.message
    );
}

#[test]
fn limits_cannot_be_caught() {
    let d = demo();
    let src = r#"let k = (); try { for i in 0..10 { demo::calculate(#{ a: i, b: 1 }); } } catch (e) { k = "caught" } k"#;
    let r = d.run_with(src, limits(|l| l.max_tool_calls = 3));
    assert_eq!(limit_of(&r), "max_tool_calls");
    assert_eq!(r.calls.len(), 3);
    // The message names the flag that raises it.
    let message = r.error.unwrap().message;
    assert!(message.contains("--max-tool-calls N"), "{message}");
}

#[test]
fn timeout_interrupts_tool_calls_and_sleep() {
    let d = demo();
    let opts = || limits(|l| l.timeout = Duration::from_millis(200));
    let r = d.run_with("demo::wait(#{ ms: 60000 }); 1", opts());
    assert_eq!(limit_of(&r), "timeout", "{:?}", r.error);
    let r = d.run_with("sleep(60000); 1", opts());
    assert_eq!(limit_of(&r), "timeout");
    let r = d.run_with(
        "loop {}",
        limits(|l| {
            l.timeout = Duration::from_millis(200);
            l.max_operations = u64::MAX;
        }),
    );
    assert_eq!(limit_of(&r), "timeout");
}

#[test]
fn external_cancel_stops_the_run() {
    let d = demo();
    let cancel = tokio_util::sync::CancellationToken::new();
    let c = cancel.clone();
    let canceller = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(100));
        c.cancel();
    });
    let mut opts = limits(|l| l.max_operations = u64::MAX);
    opts.cancel = cancel;
    let r = d.run_with("loop { }", opts);
    canceller.join().unwrap();
    assert_eq!(r.error.unwrap().kind, ErrorKind::Cancelled);
    assert!(r.limit_hit.is_none());
}

#[test]
fn data_and_depth_limits_name_themselves() {
    let d = demo();
    let cases = [
        ("let s = \"ab\"; loop { s += s; }", "max_string_size"),
        ("let a = []; loop { a.push(1); }", "max_array_size"),
        ("fn f(n) { f(n + 1) } f(0)", "max_call_depth"),
        // `m[k] = v` grows the map past the limit; it is caught when the map is next used.
        (
            "let m = #{}; for i in 0..100000 { m[`k${i}`] = i; } m.len()",
            "max_map_size",
        ),
    ];
    for (src, expected) in cases {
        let r = d.run_with(
            src,
            limits(|l| {
                l.max_string_size = 1000;
                l.max_array_size = 100;
                l.max_memory = usize::MAX;
            }),
        );
        assert_eq!(limit_of(&r), expected, "{src}: {:?}", r.error);
        let message = r.error.unwrap().message;
        assert!(
            message.contains(&format!("--limit {expected}=N or [limits] {expected}")),
            "{message}"
        );
    }
    let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
    let r = d.run(&deep);
    assert_eq!(limit_of(&r), "max_expr_depth");
}

#[test]
fn parse_errors_have_frames_and_hints() {
    let d = demo();
    let src = "let a = 1;\nlet m = { name: \"x\" };\nm";
    let r = d.run(src);
    let e = r.error.unwrap();
    assert_eq!(e.kind, ErrorKind::Parse);
    assert_eq!(e.line, Some(2));
    assert!(e.hint.as_deref().unwrap_or("").contains("#{"), "{e:?}");
    let e = d.run("let x = null;").error.unwrap();
    assert!(e.hint.unwrap().contains("()"));
}

#[test]
fn eval_and_import_are_unavailable() {
    let d = demo();
    let r = d.run("eval(\"40 + 2\")");
    assert_eq!(r.error.unwrap().kind, ErrorKind::Parse);
    let r = d.run("import \"std\" as s; 1");
    assert!(!r.ok());
}

#[test]
fn result_size_and_schema_are_checked() {
    let d = demo();
    let r = d.run_with(
        "let s = \"x\"; s.pad(5000, 'y'); s",
        limits(|l| l.max_output_bytes = 100),
    );
    assert_eq!(limit_of(&r), "max_output_bytes");
    let opts = RunOptions {
        result_schema: Some(json!({"type": "object", "required": ["total"]})),
        ..Default::default()
    };
    let r = d.run_with("#{ count: 1 }", opts.clone());
    let e = r.error.unwrap();
    assert_eq!(e.kind, ErrorKind::Result);
    assert!(e.message.contains("total"), "{}", e.message);
    assert!(d.run_with("#{ total: 1 }", opts).ok());
    let r = d.run_with("1", limits(|l| l.max_source_bytes = 0));
    assert_eq!(limit_of(&r), "max_source_bytes");
}

#[test]
fn event_channel_streams_until_finished() {
    let d = demo();
    let (observer, mut rx) = event_channel();
    let opts = RunOptions {
        observers: vec![observer],
        ..Default::default()
    };
    let r = d.run_with("print(1); demo::calculate(#{ a: 1, b: 2 }).result", opts);
    let mut events = Vec::new();
    while let Ok(e) = rx.try_recv() {
        events.push(e);
    }
    assert!(matches!(events[0], RunEvent::Print { .. }));
    assert!(matches!(events[1], RunEvent::CallStarted { ref tool, .. } if tool == "calculate"));
    assert!(matches!(events[2], RunEvent::CallFinished(ref c) if c.ok));
    match events.last() {
        Some(RunEvent::Finished(report)) => assert_eq!(**report, r),
        other => panic!("last event {other:?}"),
    }
}

/// A server whose one tool breaks its own outputSchema.
struct Liar;

impl ToolInvoker for Liar {
    fn servers(&self) -> Vec<ServerTools> {
        let tool: crate::mcp::ToolDef = serde_json::from_value(json!({
            "name": "sum",
            "inputSchema": {"type": "object"},
            "outputSchema": {"type": "object", "properties": {"total": {"type": "integer"}}, "required": ["total"]}
        }))
        .unwrap();
        vec![ServerTools {
            name: "my-server".into(),
            tools: Arc::new(vec![tool]),
        }]
    }
    fn call(
        &self,
        _: &str,
        _: &str,
        _: serde_json::Map<String, serde_json::Value>,
        _: &tokio_util::sync::CancellationToken,
    ) -> Result<crate::mcp::CallOutcome, crate::mcp::CallError> {
        Ok(crate::mcp::CallOutcome {
            structured_content: Some(json!({"total": "lots"})),
            ..Default::default()
        })
    }
}

#[test]
fn structured_results_are_checked_against_the_output_schema() {
    let src = "let k = (); try { my_server::sum() } catch (e) { k = [e.kind, e.message] } k";
    let r = run(src, Arc::new(Liar), RunOptions::default());
    assert_eq!(r.result[0], "output_schema");
    let message = r.result[1].as_str().unwrap();
    assert!(message.contains("`total`"), "{message}");
}

#[test]
fn every_documented_global_runs_in_the_real_engine() {
    let d = demo();
    let calls: Vec<String> = api::GLOBALS
        .iter()
        .map(|g| format!("out.push({});", g.example))
        .collect();
    let src = format!("let out = [];\n{}\nout.len()", calls.join("\n"));
    let r = d.run(&src);
    assert!(r.ok(), "{src}\n{:?}", r.error);
    assert_eq!(r.result, json!(api::GLOBALS.len()));
    let r = d.run("let e = (); try { demo::get_issue(#{ id: 999 }) } catch (x) { e = x } e");
    let fields: Vec<&str> = api::ERROR_FIELDS.iter().map(|(k, _)| *k).collect();
    let mut keys: Vec<&str> = r
        .result
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    let mut want = fields.clone();
    want.sort_unstable();
    assert_eq!(keys, want, "{:?}", r.result);
}
