//! The Rhai primer at the top of every Markdown and prompt rendering, generated from a
//! [`ScriptApi`] description so that the docs and the engine share one source: the script
//! module builds the real instance (`script::script_api`) from the table the engine registers
//! its globals from, its error kinds and the limits in force.

use serde::Serialize;

/// One global function of the script API.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FnDoc {
    /// Its name, e.g. `parallel`.
    pub name: String,
    /// How it is called, e.g. `parallel([[server, tool, #{...}], ...]) -> array`.
    pub signature: String,
    /// One or two sentences.
    pub doc: String,
}

/// What a script can use: the description the primer is generated from.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScriptApi {
    /// Global functions (besides the per-server modules).
    pub globals: Vec<FnDoc>,
    /// Fields of the error map a failed call throws, with what each holds.
    pub error_fields: Vec<(String, String)>,
    /// Values of the error map's `kind`, with when each happens.
    pub error_kinds: Vec<(String, String)>,
    /// Limits in force for a run: `(name, value)`.
    pub limits: Vec<(String, String)>,
    /// Which calls need approval under the policy in force and how it is given (one
    /// sentence or two; empty: not said).
    pub approval: String,
}

/// Mistakes JS and Python writers make: (Rhai code to write, what not to write).
const MISTAKES: &[(&str, &str)] = &[
    ("#{ a: 1 }", "`{ a: 1 }` (a block, not a map)"),
    ("()", "`null`, `None`, `undefined`"),
    ("|x| x + 1", "`x => x + 1`, `lambda x: x + 1`"),
    ("fn name(x) { x }", "`function name(x)`, `def name(x):`"),
    (
        "server::tool(#{...})",
        "`await`, `async`, `.then()`: calls block until done",
    ),
    (
        "`total: ${n}`",
        "`\"total: ${n}\"`, `f\"total: {n}\"`: only backticks interpolate",
    ),
    (
        "for i in 0..n { }",
        "`for (let i = 0; i < n; i++)`, `forEach`",
    ),
    ("x.len()", "`x.length`"),
    (
        "s.trim(); let t = s;",
        "`let t = s.trim()`: `trim`, `replace`, `make_upper`, `pad` change the string in place and return `()`",
    ),
    (
        "let x = (); try { x = f(); } catch (e) { }",
        "`let x = try { f() } catch ...`: `try` is a statement",
    ),
    ("let x = 1;", "`var x = 1`"),
];

/// The Rhai traps a JavaScript habit walks into, one line each in the prompt form (the
/// Markdown form has them in [`MISTAKES`]; the errors they cause carry the same hints).
const TRAPS: &[&str] = &[
    "`s.trim()`, `s.replace(a, b)`, `s.make_upper()` change `s` in place and return `()`: write `s.trim();` then use `s`.",
    "Lengths are a method: `xs.len()`, never `xs.length`.",
    "`try` is a statement, not a value: `let x = (); try { x = f(); } catch (e) { x = 0; }`.",
];

/// A Markdown code span for a table cell (longer fence around backticks, `|` escaped).
fn code_cell(code: &str) -> String {
    let code = code.replace('|', "\\|");
    if code.contains('`') {
        format!("`` {code} ``")
    } else {
        format!("`{code}`")
    }
}

/// The primer as Markdown (for `codemode docs`).
pub fn markdown(api: &ScriptApi) -> String {
    let mut o = String::from("## Rhai primer\n\n");
    o.push_str("Scripts are [Rhai](https://rhai.rs), not JavaScript or Python. Every server is a module and every tool a function taking one object map.\n\n");
    o.push_str("```rhai\nlet issue = demo::get_issue(#{ id: 1 });       // call a tool; `()` is null\nlet m = #{ title: issue.title, tags: [\"a\", \"b\"] };\nprint(`issue ${issue.id}: ${m.title}`);         // interpolation only in backticks\nfor label in issue.labels { print(label); }\nfor i in 0..3 { print(i); }\nlet r = ();\ntry { r = demo::get_issue(#{ id: 999 }); } catch (e) { print(`${e.tool} failed (${e.kind}): ${e.message}`); }\nlet both = parallel([[\"demo\", \"get_issue\", #{ id: 1 }], [\"demo\", \"get_issue\", #{ id: 2 }]]);\nissue.title                                       // the last value is the result\n```\n\n");
    o.push_str("- **Result rule:** the value of the last expression is the run's result, returned as JSON. `print` goes to the run log only.\n");
    o.push_str("- **Tool results:** `structuredContent` becomes a map; text content becomes a string (`parse_json` reads JSON, `parse_repr` a Python literal like `[{'id': 1}]`; a tool's **Text result** shows what a real call returned); images and audio become `#{ type, mime_type, bytes }`.\n");
    o.push_str("- **Maps:** `#{ key: value, \"odd-key\": 1 }`; read `m.key` or `m[\"odd-key\"]` (a missing key reads as `()`).\n\n");
    o.push_str("**Global functions**\n\n");
    for g in &api.globals {
        o.push_str(&format!("- `{}` — {}\n", g.signature, g.doc));
    }
    o.push_str("\n**Errors.** A failed call throws a map you can catch with `try { ... } catch (e) { ... }`:\n\n");
    for (k, v) in &api.error_fields {
        o.push_str(&format!("- `e.{k}`: {v}\n"));
    }
    o.push_str("\n`kind` is one of:\n\n");
    for (k, v) in &api.error_kinds {
        o.push_str(&format!("- `{k}`: {v}\n"));
    }
    if !api.approval.is_empty() {
        o.push_str(&format!("\n**Approval.** {}\n", api.approval));
    }
    o.push_str("\nHitting a limit stops the run (it cannot be caught).\n\n**Limits in force:** ");
    let limits: Vec<String> = api
        .limits
        .iter()
        .map(|(k, v)| format!("`{k}` {v}"))
        .collect();
    o.push_str(&limits.join(", "));
    o.push_str("\n\n**Mistakes to avoid**\n\n| Write | Not |\n|---|---|\n");
    for (good, bad) in MISTAKES {
        o.push_str(&format!(
            "| {} | {} |\n",
            code_cell(good),
            bad.replace('|', "\\|")
        ));
    }
    o.push('\n');
    o
}

/// The primer as compact text (for pasting into an LLM prompt).
pub fn compact(api: &ScriptApi) -> String {
    let mut o = String::from("# Rhai scripting (not JS/Python)\n");
    o.push_str("Call tools as `server::tool(#{ key: value })` (one object map; `server::tool()` when nothing is required). Calls block: no await.\n");
    o.push_str("Maps `#{ a: 1 }` (never `{}`), arrays `[1, 2]`, null is `()`, `let x = 1;`, `fn f(x) { x }`, closures `|x| x + 1`, interpolation only in backticks: `n = ${n}`. Loops: `for x in xs {}`, `for i in 0..n {}`, `while c {}`.\n");
    o.push_str("The last expression is the result (as JSON); `print(x)` only logs. Text results are strings (`parse_json` for JSON, `parse_repr` for Python literals; a `→` line shows one a real call returned); structured results are maps.\n");
    for trap in TRAPS {
        o.push_str(&format!("Trap: {trap}\n"));
    }
    let fields: Vec<&str> = api.error_fields.iter().map(|(k, _)| k.as_str()).collect();
    let kinds: Vec<&str> = api.error_kinds.iter().map(|(k, _)| k.as_str()).collect();
    o.push_str(&format!(
        "A failed call throws #{{ {} }} (kind: {}): `try {{ ... }} catch (e) {{ e.message }}`.\n",
        fields.join(", "),
        kinds.join("|")
    ));
    o.push_str("Globals: ");
    let globals: Vec<&str> = api.globals.iter().map(|g| g.signature.as_str()).collect();
    o.push_str(&globals.join("; "));
    if api.globals.iter().any(|g| g.name == "parallel") {
        o.push_str(". `parallel` runs max_parallel calls at once; the rest queue");
    }
    o.push_str(".\nLimits: ");
    let limits: Vec<String> = api.limits.iter().map(|(k, v)| format!("{k} {v}")).collect();
    o.push_str(&limits.join(", "));
    o.push_str(".\n");
    if !api.approval.is_empty() {
        o.push_str(&format!("Approval: {}\n", api.approval));
    }
    o
}

/// The naming rule in two lines (the prompt's short form of [`super::names::RULE`]).
pub const NAMES_SHORT: &str = "Names: server and tool names are snake_case identifiers (`getUser` → `get_user`, `my-server` → `my_server`); a leading digit gets `n`, reserved words get a trailing `_`, collisions get `_2`. `call_tool` and `parallel` take these names or the raw ones (`\"my-server\"`, `\"get-sum\"`).\n";
