use serde_json::Value;

use super::*;
use crate::mcp::ToolDef;

fn demo() -> Catalog {
    let tools: Vec<ToolDef> = crate::demo::tool_definitions(true)
        .into_iter()
        .map(|v: Value| serde_json::from_value(v).unwrap())
        .collect();
    Catalog::from_tools("demo", &tools)
}

#[test]
fn signatures_use_rhai_types_optional_marks_and_defaults() {
    let cat = demo();
    let s = cat.server("demo").unwrap();
    let create = text::signature(s.tool("create_issue").unwrap());
    assert!(
        create.starts_with(
            "demo::create_issue(#{ title: string, body?: string, priority?: \"low\"|\"medium\"|\"high\" = \"medium\", labels?: [string], assignee?: #{ name: string, email?: string } }) -> #{ id: int, title: string"
        ),
        "{create}"
    );
    assert!(create.contains("assignee?: string | ()"), "{create}");
    assert_eq!(
        text::signature(s.tool("archive_closed_issues").unwrap()),
        "demo::archive_closed_issues() -> #{ archived: int }"
    );
    assert_eq!(
        text::signature(s.tool("add_comment").unwrap()),
        "demo::add_comment(#{ issue_id: int, text: string }) -> string"
    );
}

#[test]
fn parameter_rows_flatten_nested_objects_with_constraints() {
    let cat = demo();
    let t = cat.server("demo").unwrap().tool("create_issue").unwrap();
    let rows = text::param_rows(&t.input, 3);
    let paths: Vec<&str> = rows.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "title",
            "body",
            "priority",
            "labels",
            "assignee",
            "assignee.name",
            "assignee.email"
        ]
    );
    assert_eq!(rows[0].constraints, ["1..200 chars"]);
    assert_eq!(
        rows[3].constraints,
        ["<= 10 items", "unique", "each pattern `^[a-z0-9-]+$`"]
    );
    assert_eq!(rows[6].constraints, ["format email"]);
    assert_eq!(rows[2].default.as_deref(), Some("\"medium\""));
}

/// The code blocks of a Markdown text tagged `rhai`.
fn rhai_blocks(md: &str) -> Vec<String> {
    md.split("```rhai\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap().to_string())
        .collect()
}

#[test]
fn markdown_has_primer_rule_sections_and_compiling_examples() {
    let md = render_md::catalog(&demo(), &real_api());
    assert!(md.contains("## Rhai primer"));
    assert!(md.contains(names::RULE.trim_end()));
    assert!(md.contains("### `demo::delete_issue`"));
    assert!(md.contains("read-only: no, destructive: yes, idempotent: yes, open-world: no"));
    assert!(md.contains("**Returns:** text (string)"));
    assert!(md.contains("`e.kind`"));
    assert!(md.contains("| `#{ a: 1 }` | `{ a: 1 }` (a block, not a map) |\n"));
    assert!(md.contains("| `\\|x\\| x + 1` | `x => x + 1`, `lambda x: x + 1` |\n"));
    assert!(md.contains("| `` `total: ${n}` `` |"));
    let engine = rhai::Engine::new();
    let blocks = rhai_blocks(&md);
    assert!(blocks.len() > 10);
    for b in blocks {
        if b.contains("->") {
            continue; // signatures are not code
        }
        engine
            .compile(&b)
            .unwrap_or_else(|e| panic!("{b}\ndoes not compile: {e}"));
    }
}

#[test]
fn prompt_is_compact_and_complete() {
    let cat = demo();
    let p = render_prompt::catalog(&cat, &real_api());
    let md = render_md::catalog(&cat, &real_api());
    assert!(
        p.len() * 2 < md.len(),
        "prompt {} vs markdown {}",
        p.len(),
        md.len()
    );
    assert!(p.contains(primer::NAMES_SHORT));
    for t in cat.tools() {
        // The arguments in full; repeated result shapes are named once (`Type Issue = ...`).
        let sig = text::signature(t);
        let call = sig.split(" -> ").next().unwrap();
        assert!(p.contains(&format!("{call} -> ")), "{}", t.name);
    }
    let issue = text::return_type(cat.tools().find(|t| t.name == "get_issue").unwrap());
    assert_eq!(p.matches(&issue).count(), 1, "{p}");
    assert!(p.contains(&format!("Type Issue = {issue}\n")));
    assert!(p.contains("demo::get_issue(#{ id: int }) -> Issue\n"));
    // Examples only where arguments nest: create_issue's assignee is an object.
    let create = cat.tools().find(|t| t.name == "create_issue").unwrap();
    assert!(p.contains(&format!("e.g. {}", create.example_call())));
    let get = cat.tools().find(|t| t.name == "get_issue").unwrap();
    assert!(!p.contains(&format!("e.g. {}", get.example_call())));
    // `idempotent` only where it means something (not on read-only tools).
    assert!(p.contains("non-finite result. [read-only]\n"));
    assert!(!p.contains("[read-only, idempotent]"));
    assert!(p.contains("[idempotent]"));
    assert!(p.contains("- title: 1..200 chars; One-line summary."));
    assert!(p.contains("tool_error|"));
    assert!(p.contains("max_tool_calls 200"));
}

#[test]
fn prompt_states_a_sentence_shared_by_most_tools_once() {
    let tools: Vec<crate::mcp::ToolDef> = ["a", "b", "c", "d"]
        .iter()
        .map(|n| {
            serde_json::from_value(serde_json::json!({
                "name": n,
                "description": format!("Does {n}. Only works within allowed directories."),
                "inputSchema": {"type": "object"}
            }))
            .unwrap()
        })
        .collect();
    let cat = Catalog::from_tools("fs", &tools);
    let p = render_prompt::server(&cat.servers[0]);
    assert_eq!(
        p.matches("Only works within allowed directories.").count(),
        1,
        "{p}"
    );
    assert!(
        p.contains("Every tool below: Only works within allowed directories.\n"),
        "{p}"
    );
    assert!(p.contains("  Does a.\n"), "{p}");
    // Raw names only when the naming rule does not give them back.
    let hyphen: crate::mcp::ToolDef = serde_json::from_value(serde_json::json!({
        "name": "get-sum", "inputSchema": {"type": "object"}
    }))
    .unwrap();
    let one = Catalog::from_tools("e", &[hyphen]);
    assert!(
        !render_prompt::server(&one.servers[0]).contains("(raw"),
        "rule covers it"
    );
}

#[test]
fn primer_is_generated_from_the_api_description() {
    let mut api = real_api();
    api.globals.push(FnDoc {
        name: "now".into(),
        signature: "now() -> string".into(),
        doc: "The time.".into(),
    });
    api.limits = vec![("max_tool_calls".into(), "7".into())];
    let md = primer::markdown(&api);
    assert!(md.contains("- `now() -> string` — The time."));
    assert!(md.contains("`max_tool_calls` 7"));
    assert!(!md.contains("max_operations"));
    let c = primer::compact(&api);
    assert!(c.contains("now() -> string") && c.contains("Limits: max_tool_calls 7."));
}

#[test]
fn the_prompt_primer_names_each_rhai_trap_on_its_own_line() {
    let c = primer::compact(&real_api());
    for trap in [
        "`s.trim()`, `s.replace(a, b)`",
        "`xs.len()`, never `xs.length`",
        "`try` is a statement",
    ] {
        let line = c.lines().find(|l| l.contains(trap));
        assert!(line.is_some_and(|l| l.starts_with("Trap: ")), "{trap}: {c}");
    }
    let md = primer::markdown(&real_api());
    assert!(md.contains("`try` is a statement"), "{md}");
}

#[test]
fn the_prompt_says_how_parallel_and_call_tool_take_names_and_queue() {
    let p = render_prompt::catalog(&demo(), &real_api());
    assert!(
        p.contains("`call_tool` and `parallel` take these names or the raw ones"),
        "{p}"
    );
    assert!(
        p.contains("`parallel` runs max_parallel calls at once; the rest queue"),
        "{p}"
    );
}

#[test]
fn lines_tag_each_part() {
    let cat = demo();
    let t = cat.server("demo").unwrap().tool("create_issue").unwrap();
    let lines = render_lines::tool(t);
    assert_eq!(
        lines[0],
        DocLine {
            kind: LineKind::Heading,
            text: "demo::create_issue — Create issue".into()
        }
    );
    assert_eq!(lines[1].kind, LineKind::Signature);
    assert!(lines.iter().any(|l| {
        l.kind == LineKind::Param
            && l.text
                .starts_with("priority?: \"low\"|\"medium\"|\"high\" = \"medium\"")
    }));
    assert!(
        lines
            .iter()
            .any(|l| l.kind == LineKind::Code && l.text == t.example_call())
    );
    assert!(!lines.iter().any(|l| l.kind == LineKind::Warning));
}

#[test]
fn demo_examples_validate_and_nothing_is_imprecise() {
    for t in demo().tools() {
        assert_eq!(t.example_problem, None, "{}", t.name);
        assert!(t.unsupported.is_empty(), "{}: {:?}", t.name, t.unsupported);
    }
}

#[test]
fn imprecise_constructs_are_marked_in_every_form() {
    let tool: ToolDef = serde_json::from_value(serde_json::json!({
        "name": "odd.tool",
        "inputSchema": { "type": "object", "properties": { "x": { "type": "string", "not": { "const": "" } } }, "required": ["x"] }
    }))
    .unwrap();
    let cat = Catalog::from_tools("my-server", &[tool]);
    let t = cat.tools().next().unwrap();
    assert_eq!(t.rhai_name(), "my_server::odd_tool");
    assert!(text::signature(t).contains("x: string⚠"));
    let md = render_md::tool(t);
    assert!(md.contains("**Not shown precisely**") && md.contains("input: x: `not`"));
    assert!(render_prompt::tool(t).contains("⚠ `not`"));
    assert!(
        render_lines::tool(t)
            .iter()
            .any(|l| l.kind == LineKind::Warning)
    );
}

/// The script API the engine implements, with default limits.
fn real_api() -> ScriptApi {
    crate::script::script_api(&crate::script::Limits::default())
}

#[test]
fn servers_show_the_sample_workflows_that_use_them() {
    let cat = demo();
    let s = &cat.servers[0];
    assert_eq!(s.name, "demo");
    let md = render_md::server(s);
    assert!(md.contains("### Sample workflows"), "{md}");
    assert!(md.contains("```rhai\n// try/catch"), "{md}");
    let p = render_prompt::server(s);
    assert!(p.contains("triage_report"), "{p}");
    let lines = render_lines::server(s);
    assert!(
        lines
            .iter()
            .any(|l| l.text.starts_with("scripts/triage_report.rhai — ")),
        "{lines:?}"
    );
    let other = Catalog::from_tools(
        "elsewhere",
        &s.tools.iter().map(|t| t.raw.clone()).collect::<Vec<_>>(),
    );
    assert!(!render_md::server(&other.servers[0]).contains("Sample workflows"));
}
