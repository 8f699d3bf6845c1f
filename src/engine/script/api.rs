//! The script API as data: the one table of global functions the engine registers
//! ([`GLOBALS`]; `engine.rs` registers from it), the error map, and [`script_api`], which
//! turns them, [`CallKind::ALL`] and the [`Limits`] in force into the
//! [`ScriptApi`](crate::catalog::ScriptApi) the docs' primer is generated from.

use super::error::CallKind;
use super::limits::Limits;
use super::policy::Policy;
use crate::catalog::{FnDoc, ScriptApi};

/// One global function of the script API.
#[derive(Clone, Copy, Debug)]
pub struct Global {
    /// Its name.
    pub name: &'static str,
    /// How it is called.
    pub signature: &'static str,
    /// One or two sentences.
    pub doc: &'static str,
    /// A call that succeeds against the demo server (tests run every one).
    pub example: &'static str,
    /// A Rhai built-in statement (`print`, `debug`) that the engine routes into the run's
    /// events instead of registering a function.
    pub builtin: bool,
}

/// Every global a script can call besides the server modules, in the order the docs list
/// them. `engine.rs` registers exactly these; a test fails if it registers anything else.
pub const GLOBALS: &[Global] = &[
    Global {
        name: "call_tool",
        signature: "call_tool(server, tool, #{...})",
        doc: "Calls a tool by its module and function names (`\"my_server\", \"get_sum\"`) or its raw names (`\"my-server\", \"get-sum\"`; a raw name is looked up first).",
        example: r#"call_tool("demo", "get_issue", #{ id: 1 })"#,
        builtin: false,
    },
    Global {
        name: "parallel",
        signature: "parallel([[server, tool, #{...}], ...]) -> array",
        doc: "Runs calls concurrently, at most `max_parallel` at once (the rest queue), and returns their results in order; names as for `call_tool`. If one fails it throws that failure's error map, with `index` and `results` added.",
        example: r#"parallel([["demo", "get_issue", #{ id: 1 }], ["demo", "get_issue", #{ id: 2 }]])"#,
        builtin: false,
    },
    Global {
        name: "parse_json",
        signature: "parse_json(text) -> value",
        doc: "Parses JSON text (tool results that are text are never parsed for you).",
        example: r#"parse_json("{\"a\": [1, 2]}")"#,
        builtin: false,
    },
    Global {
        name: "parse_repr",
        signature: "parse_repr(text) -> value",
        doc: "Parses Python literal text (`[{'id': 1, 'ok': True}]`, `None`, tuples), as Python servers often return `str(result)`; JSON too.",
        example: r#"parse_repr("[{'id': 1, 'ok': True, 'note': None}]")"#,
        builtin: false,
    },
    Global {
        name: "to_json",
        signature: "to_json(value) -> string",
        doc: "Serializes a value as JSON text.",
        example: "to_json(#{ a: [1, 2] })",
        builtin: false,
    },
    Global {
        name: "print",
        signature: "print(value)",
        doc: "Writes a line to the run log (not part of the result).",
        example: r#"print("hello")"#,
        builtin: true,
    },
    Global {
        name: "debug",
        signature: "debug(value)",
        doc: "Like `print`, with the line number.",
        example: "debug([1, 2])",
        builtin: true,
    },
    Global {
        name: "sleep",
        signature: "sleep(ms)",
        doc: "Waits; interrupted when the run is cancelled.",
        example: "sleep(1)",
        builtin: false,
    },
];

/// Fields of the error map a failed call throws (`e.field`), with what each holds.
pub const ERROR_FIELDS: &[(&str, &str)] = &[
    ("server", "the server's configured name"),
    ("tool", "the tool's raw name"),
    (
        "message",
        "what went wrong (the tool's own error text for `tool_error`)",
    ),
    ("kind", "why, see below"),
];

/// The script API as the engine implements it, with `limits` and the default policy in force.
pub fn script_api(limits: &Limits) -> ScriptApi {
    script_api_for(limits, &Policy::default())
}

/// The script API with `limits` and `policy` in force (the primer says which calls need
/// approval).
pub fn script_api_for(limits: &Limits, policy: &Policy) -> ScriptApi {
    ScriptApi {
        globals: GLOBALS
            .iter()
            .map(|g| FnDoc {
                name: g.name.into(),
                signature: g.signature.into(),
                doc: g.doc.into(),
            })
            .collect(),
        error_fields: ERROR_FIELDS
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        error_kinds: CallKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), k.doc().to_string()))
            .collect(),
        limits: limits
            .entries()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        approval: approval(policy),
    }
}

/// Which calls `policy` asks about and how approval is given, for the primer: what a model
/// must know before it writes a call a headless run will refuse.
pub fn approval(policy: &Policy) -> String {
    let mut needs = Vec::new();
    if !policy.allow_destructive {
        let mut d = "[destructive] tools".to_string();
        if !policy.allow.is_empty() {
            d.push_str(&format!(" (except {})", policy.allow.join(", ")));
        }
        needs.push(d);
    }
    if policy.ask_new {
        needs.push("tools never approved".into());
    }
    if policy.block_changed {
        needs.push("tools changed since approved".into());
    }
    if !policy.ask.is_empty() {
        needs.push(policy.ask.join(", "));
    }
    let mut o = if needs.is_empty() {
        "no call needs approval under this policy.".to_string()
    } else {
        format!(
            "calls of {} need approval: the workbench and `serve` ask the user; a headless `codemode run` refuses them (a `policy` error) unless given `--approve server::tool` (`--allow server::tool` for destructive ones).",
            join_and(&needs)
        )
    };
    let denied: Vec<String> = policy
        .servers
        .iter()
        .flat_map(|(server, sp)| sp.deny.iter().map(move |t| format!("{server}::{t}")))
        .collect();
    if !denied.is_empty() {
        o.push_str(&format!(" Always refused: {}.", denied.join(", ")));
    }
    o
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        _ => items.join(""),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::sync::Arc;

    use serde_json::{Map, Value};
    use tokio_util::sync::CancellationToken;

    use super::*;
    use crate::mcp::{CallError, CallOutcome};
    use crate::script::ctx::RunCtx;
    use crate::script::invoker::{ServerTools, ToolInvoker};
    use crate::script::policy::Policy;

    struct NoServers;

    impl ToolInvoker for NoServers {
        fn servers(&self) -> Vec<ServerTools> {
            vec![]
        }
        fn call(
            &self,
            server: &str,
            _: &str,
            _: Map<String, Value>,
            _: &CancellationToken,
        ) -> Result<CallOutcome, CallError> {
            Err(CallError::UnknownServer {
                server: server.into(),
                known: String::new(),
            })
        }
    }

    /// The names of the functions the real engine registers outside Rhai's standard packages.
    fn registered() -> BTreeSet<String> {
        let ctx = Arc::new(RunCtx::new(
            Arc::new(NoServers),
            Limits::default(),
            Policy::default(),
            CancellationToken::new(),
            vec![],
        ));
        let engine = crate::script::engine::build(&ctx);
        engine
            .gen_fn_signatures(false)
            .iter()
            .map(|s| s.split('(').next().unwrap_or("").to_string())
            .filter(|name| {
                !crate::script::callbacks::REPLACED.contains(&name.as_str())
                    && !crate::script::sizes::REPLACED.contains(&name.as_str())
            })
            .collect()
    }

    #[test]
    fn the_engine_registers_exactly_the_documented_globals() {
        let registered = registered();
        let documented: BTreeSet<String> = GLOBALS
            .iter()
            .filter(|g| !g.builtin)
            .map(|g| g.name.to_string())
            .collect();
        assert_eq!(
            registered, documented,
            "engine.rs and script::api::GLOBALS disagree: document every global the engine registers"
        );
    }

    #[test]
    fn the_primer_says_which_calls_need_approval_under_the_policy() {
        let api = script_api_for(&Limits::default(), &Policy::default());
        let prompt = crate::catalog::primer::compact(&api);
        let line = prompt
            .lines()
            .find(|l| l.starts_with("Approval: "))
            .unwrap();
        for part in [
            "[destructive] tools",
            "changed since approved",
            "--approve server::tool",
        ] {
            assert!(line.contains(part), "{part}: {line}");
        }
        assert!(crate::catalog::primer::markdown(&api).contains("**Approval.** calls of"));
        let mut policy = Policy {
            allow: vec!["demo::delete_issue".into()],
            ask: vec!["demo::create_*".into()],
            ..Policy::default()
        };
        policy.servers.insert(
            "fs".into(),
            crate::script::ServerPolicy {
                allow: None,
                deny: vec!["write_*".into()],
            },
        );
        let text = approval(&policy);
        assert!(text.contains("(except demo::delete_issue)"), "{text}");
        assert!(text.contains("demo::create_*"), "{text}");
        assert!(text.contains("Always refused: fs::write_*."), "{text}");
        let open = Policy {
            allow_destructive: true,
            block_changed: false,
            ..Policy::default()
        };
        assert_eq!(approval(&open), "no call needs approval under this policy.");
    }

    #[test]
    fn the_api_lists_every_kind_limit_and_global() {
        let api = script_api(&Limits::default());
        let kinds: Vec<&str> = api.error_kinds.iter().map(|(k, _)| k.as_str()).collect();
        for k in CallKind::ALL {
            assert!(kinds.contains(&k.as_str()), "{k:?}");
        }
        let keys: Vec<&str> = api.limits.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, Limits::KEYS);
        assert_eq!(api.globals.len(), GLOBALS.len());
        let md = crate::catalog::primer::markdown(&api);
        for g in GLOBALS {
            assert!(md.contains(g.signature), "{}", g.name);
        }
    }
}
