//! The served tools' definitions and the two documentation tools, `search_tools` and
//! `get_docs`.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::catalog::{Catalog, ServerDoc, render_prompt, search};
use crate::catalog::{ScriptApi, primer};

/// `search_tools`.
pub const SEARCH: &str = "search_tools";
/// `get_docs`.
pub const DOCS: &str = "get_docs";
/// `run_script`.
pub const RUN: &str = "run_script";

/// What `search_tools` says after the hits.
const SEARCH_NEXT_STEP: &str = "Next: get_docs with the names you need.";

/// Default and largest number of `search_tools` hits.
const SEARCH_DEFAULT: usize = 10;
const SEARCH_MAX: usize = 50;

/// The three Code Mode tools as MCP tool definitions (JSON). `api` feeds the Rhai primer
/// that `run_script`'s description carries, so the model learns the language where it
/// learns the tool.
pub fn definitions(api: &ScriptApi) -> Vec<Value> {
    let run_description = format!(
        "Run a Rhai script that calls the downstream MCP tools, in a sandbox (no files, network \
         or processes except through the tools; limits below). Use it for multi-step jobs: \
         loops, conditions, combining results — one run_script instead of many tool calls. \
         Find tools with search_tools, read their signatures with get_docs, then write the \
         script. Returns the result (the script's last expression), prints and a call trace; \
         on failure the error with its line and column: fix that line and run again.\n\n{}{}",
        primer::compact(api),
        primer::NAMES_SHORT
    );
    vec![
        json!({
            "name": SEARCH,
            "title": "Search the tools",
            "description": "Find downstream tools by what they do. Returns one line per tool: \
                its Rhai function name and summary, best first. Then call get_docs with the \
                names you need.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "query": {"type": "string", "minLength": 1, "description": "Words describing the task, e.g. \"list open issues\"."},
                    "limit": {"type": "integer", "minimum": 1, "maximum": SEARCH_MAX, "default": SEARCH_DEFAULT, "description": "At most this many tools."}
                },
                "required": ["query"]
            },
            "annotations": {"readOnlyHint": true, "openWorldHint": false}
        }),
        json!({
            "name": DOCS,
            "title": "Get tool docs",
            "description": "The docs of chosen tools as Rhai signatures with parameter types, \
                constraints, result shapes and an example call. Give `names` (Rhai names like \
                \"demo::get_issue\", as search_tools prints them) or `server` for all of one \
                server's tools.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "names": {"type": "array", "items": {"type": "string"}, "description": "Tools as `module::function` (raw `server::tool` also accepted)."},
                    "server": {"type": "string", "description": "Every tool of this server."}
                }
            },
            "annotations": {"readOnlyHint": true, "openWorldHint": false}
        }),
        json!({
            "name": RUN,
            "title": "Run a Code Mode script",
            "description": run_description,
            "inputSchema": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "minLength": 1, "description": "The Rhai script."},
                    "timeout": {"type": ["string", "number"], "description": "Stop the run after this long: seconds, or \"500ms\", \"10s\", \"2m\". At most the configured limit."},
                    "result_schema": {"type": "object", "description": "A JSON Schema the script's result must match."}
                },
                "required": ["code"]
            },
            "annotations": {"readOnlyHint": false, "destructiveHint": true, "openWorldHint": true}
        }),
    ]
}

/// A tool's answer: text for the model, optional structured content, error flag.
#[derive(Debug)]
pub struct Answer {
    /// The text block.
    pub text: String,
    /// `structuredContent`.
    pub structured: Option<Value>,
    /// `isError`.
    pub is_error: bool,
}

impl Answer {
    /// The `CallToolResult` (as JSON) answering the call.
    pub fn into_result(self) -> Value {
        let mut v = json!({
            "content": [{ "type": "text", "text": self.text }],
            "isError": self.is_error,
            "resultType": "complete",
        });
        if let Some(s) = self.structured {
            v["structuredContent"] = s;
        }
        v
    }

    /// A failure the model can act on (a tool-level error, not a protocol error).
    pub fn error(text: impl Into<String>) -> Self {
        Answer {
            text: text.into(),
            structured: None,
            is_error: true,
        }
    }
}

/// `search_tools`.
pub fn search_tools(catalog: &Catalog, args: &Value) -> Answer {
    let query = args
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim();
    if query.is_empty() {
        return Answer::error("`query` is required: words describing the task.");
    }
    let limit = args
        .get("limit")
        .and_then(Value::as_u64)
        .map_or(SEARCH_DEFAULT, |n| (n as usize).clamp(1, SEARCH_MAX));
    let hits = search::search(catalog, query, limit);
    let mut text = search::render_hits(query, &hits, SEARCH_NEXT_STEP);
    if hits.is_empty() {
        text = format!("{}Servers: {}.\n", text, server_list(catalog));
    }
    Answer {
        text,
        structured: Some(json!({ "hits": hits })),
        is_error: false,
    }
}

/// `name (N tools)` for every ready server.
pub fn server_list(catalog: &Catalog) -> String {
    if catalog.servers.is_empty() {
        return "none ready".into();
    }
    catalog
        .servers
        .iter()
        .map(|s| format!("{} ({} tools)", s.module, s.tools.len()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `get_docs`.
pub fn get_docs(catalog: &Catalog, args: &Value) -> Answer {
    let names: Vec<&str> = args
        .get("names")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let server = args.get("server").and_then(Value::as_str);
    if names.is_empty() && server.is_none() {
        return Answer::error(format!(
            "Give `names` (e.g. [\"demo::get_issue\"]) or `server`. Servers: {}.",
            server_list(catalog)
        ));
    }
    let mut chosen: Vec<ServerDoc> = Vec::new();
    if let Some(name) = server {
        match catalog.server(name) {
            Some(s) => chosen.push(s.clone()),
            None => return Answer::error(unknown_server(catalog, name)),
        }
    }
    let mut wanted: BTreeSet<(String, String)> = BTreeSet::new();
    for name in &names {
        match find_tool(catalog, name) {
            Ok(key) => {
                wanted.insert(key);
            }
            Err(e) => return Answer::error(e),
        }
    }
    for s in &catalog.servers {
        if chosen.iter().any(|c| c.name == s.name) {
            continue;
        }
        let mut doc = s.clone();
        doc.tools
            .retain(|t| wanted.contains(&(s.name.clone(), t.name.clone())));
        if !doc.tools.is_empty() {
            doc.workflows.clear();
            chosen.push(doc);
        }
    }
    let text: Vec<String> = chosen.iter().map(render_prompt::server).collect();
    Answer {
        text: text.join("\n"),
        structured: None,
        is_error: false,
    }
}

fn unknown_server(catalog: &Catalog, name: &str) -> String {
    let known = catalog
        .servers
        .iter()
        .flat_map(|s| [s.name.as_str(), s.module.as_str()]);
    let hint = crate::util::closest(name, known)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    format!(
        "No server `{name}`{hint}. Servers: {}.",
        server_list(catalog)
    )
}

/// Finds a tool by `module::function`, raw `server::tool`, or a bare name that only one
/// server has; returns (raw server, raw tool).
fn find_tool(catalog: &Catalog, name: &str) -> Result<(String, String), String> {
    let matches: Vec<(String, String)> = match name.split_once("::") {
        Some((server, tool)) => match catalog.server(server) {
            None => return Err(unknown_server(catalog, server)),
            Some(s) => s
                .tools
                .iter()
                .filter(|t| t.function == tool || t.name == tool)
                .map(|t| (s.name.clone(), t.name.clone()))
                .collect(),
        },
        None => catalog
            .tools()
            .filter(|t| t.function == name || t.name == name)
            .map(|t| (t.server.clone(), t.name.clone()))
            .collect(),
    };
    match matches.len() {
        1 => Ok(matches.into_iter().next().expect("one match")),
        0 => {
            let known: Vec<String> = catalog
                .tools()
                .map(codemode_engine::catalog::ToolDoc::rhai_name)
                .collect();
            let hint = crate::util::closest(name, known.iter().map(String::as_str))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            Err(format!(
                "No tool `{name}`{hint}. Use search_tools to find tools."
            ))
        }
        _ => {
            let all: Vec<String> = matches.iter().map(|(s, t)| format!("{s}::{t}")).collect();
            Err(format!(
                "`{name}` is ambiguous: {}. Give it as server::tool.",
                all.join(", ")
            ))
        }
    }
}

/// Whether `name` is one of the three Code Mode tools.
pub fn is_own(name: &str) -> bool {
    [SEARCH, DOCS, RUN].contains(&name)
}
