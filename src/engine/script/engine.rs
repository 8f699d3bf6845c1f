//! The Rhai engine of one run: a raw engine with only the pure packages (no file, network,
//! process, time-wasting or module-loading functions), the limits, and codemode's API.

use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use rhai::packages::{
    ArithmeticPackage, BasicArrayPackage, BasicFnPackage, BasicIteratorPackage, BasicMapPackage,
    BasicMathPackage, BasicStringPackage, BitFieldPackage, LogicPackage, MoreStringPackage,
    Package,
};
use rhai::{
    Array, Dynamic, Engine, EvalAltResult, FuncRegistration, INT, Module, NativeCallContext,
    OptimizationLevel,
};
use serde_json::{Map, Value};

use super::api::GLOBALS;
use super::convert::{ToJsonError, from_json, to_json_within};
use super::ctx::{Failure, RhaiResult, RunCtx};
use crate::catalog::names::{Kind, Names};
use crate::util::pyrepr;

/// Builds the engine for one run.
pub(crate) fn build(ctx: &Arc<RunCtx>) -> Engine {
    let mut engine = Engine::new_raw();
    ArithmeticPackage::new().register_into_engine(&mut engine);
    LogicPackage::new().register_into_engine(&mut engine);
    BasicStringPackage::new().register_into_engine(&mut engine);
    MoreStringPackage::new().register_into_engine(&mut engine);
    BasicIteratorPackage::new().register_into_engine(&mut engine);
    BasicFnPackage::new().register_into_engine(&mut engine);
    BasicArrayPackage::new().register_into_engine(&mut engine);
    BasicMapPackage::new().register_into_engine(&mut engine);
    BasicMathPackage::new().register_into_engine(&mut engine);
    BitFieldPackage::new().register_into_engine(&mut engine);

    let l = &ctx.limits;
    engine
        .set_optimization_level(OptimizationLevel::Simple)
        .set_max_operations(l.max_operations.max(1))
        .set_max_call_levels(l.effective_call_depth())
        .set_max_expr_depths(l.max_expr_depth.max(2), (l.max_expr_depth / 2).max(1))
        .set_max_string_size(l.max_string_size.max(1))
        .set_max_array_size(l.max_array_size.max(1))
        .set_max_map_size(l.max_map_size.max(1))
        .set_max_modules(0);
    engine.disable_symbol("eval");

    let c = ctx.clone();
    // Rhai calls this once per operation. Its own count restarts inside the callbacks of
    // built-in functions (`map`, `filter`, `sort`...: they run on a copy of the state), so
    // the run counts operations itself and enforces `max_operations` on the total.
    engine.on_progress(move |_| {
        c.operations
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        c.stop_reason().map(|reason| {
            c.hit(reason);
            Dynamic::from(reason)
        })
    });
    let c = ctx.clone();
    engine.on_print(move |s| c.print(s));
    let c = ctx.clone();
    engine.on_debug(move |s, _, pos| match pos.line() {
        Some(line) => c.print(&format!("[debug line {line}] {s}")),
        None => c.print(&format!("[debug] {s}")),
    });

    super::callbacks::register(&mut engine);
    super::sizes::register(&mut engine);
    register_globals(&mut engine, ctx);
    register_servers(&mut engine, ctx);
    engine
}

/// Registers every non-built-in global of [`GLOBALS`], the table the docs are generated from.
fn register_globals(engine: &mut Engine, ctx: &Arc<RunCtx>) {
    for g in GLOBALS {
        match g.name {
            "call_tool" => register_call_tool(engine, ctx),
            "parallel" => {
                let c = ctx.clone();
                engine.register_fn(
                    "parallel",
                    move |nc: NativeCallContext, calls: Array| -> RhaiResult {
                        parallel(&c, calls, nc.call_position())
                    },
                );
            }
            "parse_json" => {
                engine.register_fn("parse_json", parse_json);
            }
            "parse_repr" => {
                engine.register_fn("parse_repr", parse_repr);
            }
            "to_json" => register_to_json(engine),
            "sleep" => register_sleep(engine, ctx),
            // Rhai statements, routed into the run's events by `on_print`/`on_debug`.
            "print" | "debug" if g.builtin => {}
            other => unreachable!("the documented global `{other}` has no implementation"),
        }
    }
}

fn register_call_tool(engine: &mut Engine, ctx: &Arc<RunCtx>) {
    let c = ctx.clone();
    engine.register_fn(
        "call_tool",
        move |nc: NativeCallContext, server: &str, tool: &str, args: Dynamic| -> RhaiResult {
            let (server, tool) = c.aliases.resolve(server, tool);
            c.call(&server, &tool, args, nc.call_position())
        },
    );
    let c = ctx.clone();
    engine.register_fn(
        "call_tool",
        move |nc: NativeCallContext, server: &str, tool: &str| -> RhaiResult {
            let (server, tool) = c.aliases.resolve(server, tool);
            c.call(&server, &tool, Dynamic::UNIT, nc.call_position())
        },
    );
}

/// `parse_json(text)`; an error names the place, quotes the text around it and, for a Python
/// literal, points at `parse_repr`.
fn parse_json(nc: NativeCallContext, text: &str) -> RhaiResult {
    serde_json::from_str::<Value>(text)
        .map(|v| from_json(&v))
        .map_err(|e| {
            let (line, column) = (e.line(), e.column());
            let what = e.to_string();
            let what = what
                .strip_suffix(&format!(" at line {line} column {column}"))
                .unwrap_or(&what);
            let near = pyrepr::near(text, pyrepr::offset_of(text, line, column));
            let mut msg =
                format!("parse_json: invalid JSON at line {line}, column {column}: {what}, {near}");
            if pyrepr::parse(text).is_ok() {
                msg.push_str(
                    "; the text is a Python literal (single quotes, None, True): use parse_repr",
                );
            }
            EvalAltResult::ErrorRuntime(msg.into(), nc.call_position()).into()
        })
}

/// `parse_repr(text)`: Python literal text (`[{'id': 1}]`, `None`, tuples) as a value.
fn parse_repr(nc: NativeCallContext, text: &str) -> RhaiResult {
    pyrepr::parse(text).map(|v| from_json(&v)).map_err(|e| {
        EvalAltResult::ErrorRuntime(
            format!("parse_repr: not a Python literal: {e}").into(),
            nc.call_position(),
        )
        .into()
    })
}

fn register_to_json(engine: &mut Engine) {
    /// The text is a string: longer than `max_string_size` is refused before it is made.
    fn json_text(nc: &NativeCallContext, v: &Dynamic) -> RhaiResult {
        match to_json_within(v, super::sizes::string_cap(nc.engine())) {
            Ok(j) => Ok(Dynamic::from(j.to_string())),
            Err(ToJsonError::TooLarge(_)) => Err(EvalAltResult::ErrorDataTooLarge(
                "Length of string".into(),
                nc.call_position(),
            )
            .into()),
            Err(e) => Err(EvalAltResult::ErrorRuntime(
                format!("to_json: {e}").into(),
                nc.call_position(),
            )
            .into()),
        }
    }
    engine.register_fn("to_json", |nc: NativeCallContext, v: Dynamic| {
        json_text(&nc, &v)
    });
    engine.register_fn("to_json", |nc: NativeCallContext, v: rhai::Map| {
        json_text(&nc, &Dynamic::from_map(v))
    });
    engine.register_fn("to_json", |nc: NativeCallContext, v: Array| {
        json_text(&nc, &Dynamic::from_array(v))
    });
}

fn register_sleep(engine: &mut Engine, ctx: &Arc<RunCtx>) {
    let c = ctx.clone();
    engine.register_fn(
        "sleep",
        move |nc: NativeCallContext, ms: INT| -> RhaiResult {
            // A deadline past what `Instant` holds sleeps until the run is stopped.
            let until = Instant::now().checked_add(Duration::from_millis(ms.max(0) as u64));
            loop {
                if let Some(reason) = c.stop_reason() {
                    return Err(c.stop(reason, nc.call_position()));
                }
                let left = until.map_or(Duration::MAX, |u| {
                    u.saturating_duration_since(Instant::now())
                });
                if left.is_zero() {
                    return Ok(Dynamic::UNIT);
                }
                thread::sleep(left.min(Duration::from_millis(5)));
            }
        },
    );
}

/// Each ready server as a static module of functions named by the naming rule.
fn register_servers(engine: &mut Engine, ctx: &Arc<RunCtx>) {
    let servers = Names::assign(ctx.tools.keys().map(String::as_str), Kind::Server);
    for (server, module_name) in servers.iter() {
        let tools = &ctx.tools[server];
        let names = Names::assign(tools.keys().map(String::as_str), Kind::Tool);
        let mut module = Module::new();
        for (tool, fn_name) in names.iter() {
            let no_required = tools[tool]
                .input_schema
                .get("required")
                .and_then(Value::as_array)
                .is_none_or(std::vec::Vec::is_empty);
            let (c, s, t) = (ctx.clone(), server.to_string(), tool.to_string());
            FuncRegistration::new(fn_name).set_into_module(
                &mut module,
                move |nc: NativeCallContext, args: Dynamic| -> RhaiResult {
                    c.call(&s, &t, args, nc.call_position())
                },
            );
            if no_required {
                let (c, s, t) = (ctx.clone(), server.to_string(), tool.to_string());
                FuncRegistration::new(fn_name).set_into_module(
                    &mut module,
                    move |nc: NativeCallContext| -> RhaiResult {
                        c.call(&s, &t, Dynamic::UNIT, nc.call_position())
                    },
                );
            }
        }
        engine.register_static_module(module_name, module.into());
    }
}

/// `parallel([[server, tool, args], ...])`: every call at once (at most `max_parallel` in
/// flight), results in the same order. If any call fails, `parallel` throws the error map of
/// the first failed call (in list order) once all have finished, with two more fields:
/// `index` (its position in the list) and `results` (every call's result, error maps in the
/// places of the failed ones).
fn parallel(ctx: &Arc<RunCtx>, calls: Array, pos: rhai::Position) -> RhaiResult {
    let mut jobs = Vec::with_capacity(calls.len());
    // Items are taken apart, not copied: the list is the script's own value (passed by value).
    for (i, item) in calls.into_iter().enumerate() {
        let bad = |what: &str| -> Box<EvalAltResult> {
            EvalAltResult::ErrorRuntime(
                format!("parallel: item {i} {what}; expected [server, tool, #{{ args }}]").into(),
                pos,
            )
            .into()
        };
        let parts = item.into_array().map_err(|_| bad("is not an array"))?;
        if parts.len() < 2 || parts.len() > 3 {
            return Err(bad(&format!("has {} elements", parts.len())));
        }
        let mut parts = parts.into_iter();
        let mut name = |what: &str| {
            parts
                .next()
                .and_then(|p| p.into_immutable_string().ok())
                .ok_or_else(|| bad(what))
        };
        let server = name("has no server name")?;
        let tool = name("has no tool name")?;
        let (server, tool) = ctx.aliases.resolve(&server, &tool);
        let args = parts.next().unwrap_or(Dynamic::UNIT);
        let args: Map<String, Value> = ctx.args_map(&server, &tool, &args, pos)?;
        jobs.push((server, tool, args));
    }
    let first = ctx.reserve(jobs.len()).map_err(|r| ctx.stop(r, pos))?;
    let results = ctx.invoke_many(first, &jobs);
    if let Some(reason) = results.iter().find_map(|r| match r {
        Err(Failure::Stop(reason)) => Some(*reason),
        _ => None,
    }) {
        return Err(ctx.stop(reason, pos));
    }
    let first_error = results.iter().position(std::result::Result::is_err);
    let values: Array = results
        .into_iter()
        .map(|r| match r {
            Ok(v) | Err(Failure::Thrown(v)) => from_json(&v),
            Err(Failure::Stop(_)) => Dynamic::UNIT,
        })
        .collect();
    match first_error {
        None => Ok(Dynamic::from_array(values)),
        Some(i) => {
            let mut err = values[i]
                .clone()
                .try_cast::<rhai::Map>()
                .unwrap_or_default();
            err.insert("index".into(), Dynamic::from_int(i as INT));
            err.insert("results".into(), Dynamic::from_array(values));
            Err(EvalAltResult::ErrorRuntime(Dynamic::from_map(err), pos).into())
        }
    }
}
