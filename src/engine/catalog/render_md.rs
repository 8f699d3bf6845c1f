//! Full Markdown docs: the Rhai primer, the naming rule, then per server an overview, a tool
//! index, one section per tool, resources and prompts.

use super::primer::{self, ScriptApi};
use super::text::{self, IMPRECISE};
use super::{Catalog, ServerDoc, ToolDoc, names};

/// Escapes `|` and newlines for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The whole catalog as Markdown.
pub fn catalog(cat: &Catalog, api: &ScriptApi) -> String {
    let mut o = String::from("# Tools for Rhai scripts\n\n");
    o.push_str(&primer::markdown(api));
    o.push_str("## Names\n\n");
    o.push_str(names::RULE.trim_end());
    o.push_str("\n\n");
    if cat.servers.is_empty() {
        o.push_str("No server is ready: there are no tools to document.\n");
    }
    for s in &cat.servers {
        o.push_str(&server(s));
    }
    o
}

/// The sample workflows of `scripts/` that use the server, each in a `rhai` block.
fn workflows(s: &ServerDoc) -> String {
    let ws = s.sample_workflows();
    if ws.is_empty() {
        return String::new();
    }
    let mut o = format!("### Sample workflows ({})\n\n", ws.len());
    for w in ws {
        o.push_str(&format!(
            "`scripts/{}`\n\n```rhai\n{}\n```\n\n",
            w.file,
            w.source.trim_end()
        ));
    }
    o
}

/// One server's section.
pub fn server(s: &ServerDoc) -> String {
    let mut o = format!("## Server `{}` — module `{}::`\n\n", s.name, s.module);
    if let Some(d) = &s.details {
        let name = d.title.as_deref().or(d.name.as_deref()).unwrap_or(&s.name);
        let version = d
            .version
            .as_deref()
            .map(|v| format!(" {v}"))
            .unwrap_or_default();
        o.push_str(&format!(
            "**{name}**{version} (MCP {})\n\n",
            d.protocol_version
        ));
    }
    if let Some(i) = s.instructions() {
        for line in i.trim().lines() {
            o.push_str(&format!("> {line}\n"));
        }
        o.push('\n');
    }
    if let Some(dirs) = super::dirs::line(s) {
        o.push_str(&format!("{dirs}\n\n"));
    }
    o.push_str(&format!("### Tools ({})\n\n", s.tools.len()));
    if !s.tools.is_empty() {
        o.push_str("| Function | Summary | Hints |\n|---|---|---|\n");
        for t in &s.tools {
            o.push_str(&format!(
                "| `{}` | {} | {} |\n",
                t.rhai_name(),
                cell(&t.summary()),
                t.flags().join(", ")
            ));
        }
        o.push('\n');
    }
    for t in &s.tools {
        o.push_str(&tool(t));
    }
    o.push_str(&workflows(s));
    if !s.resources.is_empty() || !s.templates.is_empty() {
        o.push_str("### Resources\n\nRead by the host, not callable from scripts.\n\n");
        for r in &s.resources {
            o.push_str(&format!("- `{}` {}", r.uri, r.name));
            if let Some(d) = &r.description {
                o.push_str(&format!(
                    " — {}",
                    crate::util::truncate(d.lines().next().unwrap_or(""), 160)
                ));
            }
            if let Some(m) = &r.mime_type {
                o.push_str(&format!(" ({m})"));
            }
            o.push('\n');
        }
        for t in &s.templates {
            o.push_str(&format!("- template `{}` {}", t.uri_template, t.name));
            if let Some(d) = &t.description {
                o.push_str(&format!(
                    " — {}",
                    crate::util::truncate(d.lines().next().unwrap_or(""), 160)
                ));
            }
            o.push('\n');
        }
        o.push('\n');
    }
    if !s.prompts.is_empty() {
        o.push_str("### Prompts\n\nFor the host, not callable from scripts.\n\n");
        for p in &s.prompts {
            let args: Vec<String> = p
                .arguments
                .iter()
                .map(|a| format!("{}{}", a.name, if a.required { "" } else { "?" }))
                .collect();
            o.push_str(&format!("- `{}({})`", p.name, args.join(", ")));
            if let Some(d) = &p.description {
                o.push_str(&format!(
                    " — {}",
                    crate::util::truncate(d.lines().next().unwrap_or(""), 160)
                ));
            }
            o.push('\n');
        }
        o.push('\n');
    }
    o
}

/// One tool's section.
pub fn tool(t: &ToolDoc) -> String {
    let mut o = format!("### `{}`\n\n", t.rhai_name());
    if let Some(title) = &t.title {
        o.push_str(&format!("*{title}*"));
        if t.name != t.function {
            o.push_str(&format!(" — raw name `{}`", t.name));
        }
        o.push_str("\n\n");
    } else if t.name != t.function {
        o.push_str(&format!("Raw name `{}`.\n\n", t.name));
    }
    match t
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => o.push_str(&format!("{d}\n\n")),
        None => o.push_str("*(No description.)*\n\n"),
    }
    o.push_str(&format!("```rhai\n{}\n```\n\n", text::signature(t)));
    let rows = text::param_rows(&t.input, 3);
    if rows.is_empty() {
        o.push_str("No parameters.\n\n");
    } else {
        o.push_str("| Parameter | Type | Required | Default | Constraints | Description |\n|---|---|---|---|---|---|\n");
        for r in rows {
            o.push_str(&format!(
                "| `{}` | `{}` | {} | {} | {} | {} |\n",
                r.path,
                cell(&r.ty),
                if r.required { "yes" } else { "no" },
                r.default
                    .map(|d| format!("`{}`", cell(&d)))
                    .unwrap_or_default(),
                cell(&r.constraints.join(", ")),
                cell(&r.description)
            ));
        }
        o.push('\n');
    }
    o.push_str(&format!("**Returns:** {}\n\n", text::return_words(t)));
    if let Some(out) = &t.output {
        let rows = text::param_rows(out, 1);
        if !rows.is_empty() {
            o.push_str("| Field | Type | Always | Description |\n|---|---|---|---|\n");
            for r in rows {
                o.push_str(&format!(
                    "| `{}` | `{}` | {} | {} |\n",
                    r.path,
                    cell(&r.ty),
                    if r.required { "yes" } else { "no" },
                    cell(&r.description)
                ));
            }
            o.push('\n');
        }
    }
    if let Some(s) = &t.sample {
        o.push_str(&super::sample::markdown(s));
    }
    o.push_str(&format!("**Hints:** {}\n\n", hints(t)));
    o.push_str(&format!(
        "**Example:**\n\n```rhai\nlet r = {};\n```\n\n",
        t.example_call()
    ));
    if let Some(p) = &t.example_problem {
        o.push_str(&format!(
            "{IMPRECISE} The example does not satisfy the schema: {p}\n\n"
        ));
    }
    o.push_str(&format!(
        "**Errors:** a failure throws `#{{ server: \"{}\", tool: \"{}\", message, kind }}`; catch it with `try {{ ... }} catch (e) {{ ... }}`.\n\n",
        t.server, t.name
    ));
    if !t.unsupported.is_empty() {
        o.push_str(&format!(
            "{IMPRECISE} **Not shown precisely** (see the raw schema):\n\n"
        ));
        for u in &t.unsupported {
            o.push_str(&format!("- {u}\n"));
        }
        o.push('\n');
    }
    o
}

/// The four annotation hints in words, `not declared` for the missing ones.
pub fn hints(t: &ToolDoc) -> String {
    let Some(a) = &t.annotations else {
        return "none declared".into();
    };
    let word = |v: Option<bool>| match v {
        Some(true) => "yes",
        Some(false) => "no",
        None => "not declared",
    };
    format!(
        "read-only: {}, destructive: {}, idempotent: {}, open-world: {}",
        word(a.read_only_hint),
        word(a.destructive_hint),
        word(a.idempotent_hint),
        word(a.open_world_hint)
    )
}
