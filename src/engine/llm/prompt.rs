//! What the model reads: the system text (our instructions, then the primer and tool docs
//! rendered by [`crate::catalog::render_prompt`] from the same [`ScriptApi`] as every other
//! rendering), the answers to its `search:` requests, and the error feedback; and what we
//! read back: the script in its reply, or a search request.

use crate::catalog::{Catalog, ScriptApi, render_prompt, tokens};

/// Catalogs whose prompt docs fit in this many tokens are sent whole; larger ones are cut to
/// the tools a search for the task finds, and the model may search for more.
pub const FULL_DOCS_TOKENS: usize = 8000;

/// Tools sent for the task (and per `search:` answer) when the catalog is too large.
pub const SELECTED_TOOLS: usize = 8;

const INSTRUCTIONS: &str = "You write Rhai scripts that codemode runs in a sandbox; the scripts call MCP tools documented below.\n\
Reply with the whole script in one ```rhai fenced block. Keep explanations out of the script; text outside the block is ignored.\n\
If the script fails you get the error with its line, column and the offending line; reply with the whole corrected script in one ```rhai block.\n";

const SEARCH_HINT: &str = "Only the tools that matched the task are documented below. If you need another tool, reply with just one line `search: <words>` (no code) and you get the docs of the tools that match.\n";

/// The catalog with only the tools named in `keep` (`module::function`), empty servers left
/// out.
fn subset(catalog: &Catalog, keep: &[String]) -> Catalog {
    let mut cat = catalog.clone();
    for s in &mut cat.servers {
        s.tools.retain(|t| keep.contains(&t.rhai_name()));
    }
    cat.servers.retain(|s| !s.tools.is_empty());
    cat
}

/// The system text for `task`: instructions, primer, naming rule and the relevant docs (all
/// of them when they fit in [`FULL_DOCS_TOKENS`]).
pub fn system(catalog: &Catalog, api: &ScriptApi, task: &str) -> String {
    let full = render_prompt::catalog(catalog, api);
    if tokens::count(&full) <= FULL_DOCS_TOKENS {
        return format!("{INSTRUCTIONS}\n{full}");
    }
    let hits: Vec<String> = catalog
        .search(task, SELECTED_TOOLS)
        .into_iter()
        .map(|h| h.rhai_name)
        .collect();
    let overview: Vec<String> = catalog
        .servers
        .iter()
        .map(|s| format!("{}:: ({} tools)", s.module, s.tools.len()))
        .collect();
    format!(
        "{INSTRUCTIONS}{SEARCH_HINT}Servers: {}.\n\n{}",
        overview.join(", "),
        render_prompt::catalog(&subset(catalog, &hits), api)
    )
}

/// The answer to a `search:` request: the docs of the best matches.
pub fn search_answer(catalog: &Catalog, query: &str) -> String {
    let hits: Vec<String> = catalog
        .search(query, SELECTED_TOOLS)
        .into_iter()
        .map(|h| h.rhai_name)
        .collect();
    if hits.is_empty() {
        return format!(
            "No tool matches \"{query}\". Try other words, or write the script with the tools you have."
        );
    }
    let mut o = format!("Tools matching \"{query}\":\n");
    for s in &subset(catalog, &hits).servers {
        o.push_str(&render_prompt::server(s));
    }
    o.push_str("\nNow reply with the script in one ```rhai block (or another `search:` line).");
    o
}

/// The first user message.
pub fn task(task: &str) -> String {
    format!("Task: {}", task.trim())
}

/// The feedback after a failed run: the error as the sandbox renders it (message, line and
/// column, the offending line with a caret, a hint).
pub fn repair(error: &str) -> String {
    format!(
        "The script failed:\n\n{}\nFix it and reply with the whole corrected script in one ```rhai block.",
        error.trim_end()
    )
}

/// The feedback after a reply without a script.
pub const NO_SCRIPT: &str =
    "Your reply had no script. Reply with the whole script in one ```rhai fenced block.";

/// A `search: words` request, when the reply is one (a line starting with `search:` and no
/// code block).
pub fn search_request(reply: &str) -> Option<String> {
    if reply.contains("```") {
        return None;
    }
    reply.lines().find_map(|l| {
        let l = l.trim().trim_matches('`').trim();
        let rest = l
            .strip_prefix("search:")
            .or_else(|| l.strip_prefix("Search:"))
            .or_else(|| l.strip_prefix("SEARCH:"))?;
        let q = rest.trim();
        (!q.is_empty()).then(|| q.to_string())
    })
}

/// The script in a reply: the first `` ```rhai `` block, else the first fenced block of any
/// kind.
/// An unclosed last block (a cut-off answer) counts up to the end.
pub fn extract_script(reply: &str) -> Option<String> {
    let mut blocks: Vec<(String, String)> = Vec::new();
    let mut open: Option<(String, Vec<&str>)> = None;
    for line in reply.lines() {
        let t = line.trim_start();
        match &mut open {
            None => {
                if let Some(info) = t.strip_prefix("```") {
                    open = Some((info.trim().to_lowercase(), Vec::new()));
                }
            }
            Some((info, body)) => {
                if t.trim_end() == "```" {
                    blocks.push((std::mem::take(info), body.join("\n")));
                    open = None;
                } else {
                    body.push(line);
                }
            }
        }
    }
    if let Some((info, body)) = open {
        blocks.push((info, body.join("\n")));
    }
    let pick = blocks
        .iter()
        .find(|(info, _)| info == "rhai")
        .or_else(|| blocks.first())?;
    let script = pick.1.trim_matches('\n').to_string();
    (!script.trim().is_empty()).then(|| format!("{script}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::mcp::ToolDef;
    use serde_json::json;

    #[test]
    fn scripts_come_from_the_rhai_block_else_any_block() {
        let r = "Here:\n```js\nnope\n```\n```rhai\nlet x = 1;\nx\n```\nDone.";
        assert_eq!(extract_script(r).unwrap(), "let x = 1;\nx\n");
        assert_eq!(extract_script("```\n42\n```").unwrap(), "42\n");
        assert_eq!(extract_script("```rhai\n40 + 2").unwrap(), "40 + 2\n");
        assert_eq!(extract_script("no code at all"), None);
        assert_eq!(extract_script("```rhai\n\n```"), None);
    }

    #[test]
    fn search_requests_are_lines_without_code() {
        assert_eq!(
            search_request("I need more.\nsearch: close issue\n").as_deref(),
            Some("close issue")
        );
        assert_eq!(search_request("`search: time`").as_deref(), Some("time"));
        assert_eq!(search_request("```rhai\n// search: x\n```"), None);
        assert_eq!(search_request("search:"), None);
    }

    fn tool(name: &str, desc: &str) -> ToolDef {
        serde_json::from_value(json!({"name": name, "description": desc,
            "inputSchema": {"type": "object", "properties": {"id": {"type": "integer"}}}}))
        .unwrap()
    }

    #[test]
    fn small_catalogs_go_whole_and_large_ones_by_search() {
        let small = Catalog::from_tools("demo", &[tool("get_issue", "Get an issue.")]);
        let api = crate::script::script_api(&crate::script::Limits::default());
        let s = system(&small, &api, "anything");
        assert!(
            s.contains("demo::get_issue(") && !s.contains("search: <words>"),
            "{s}"
        );
        assert!(s.contains(&crate::catalog::primer::compact(&api)));
        let many: Vec<ToolDef> = (0..400)
            .map(|i| {
                // Sentences differ per tool: the prompt form says shared ones only once.
                tool(
                    &format!("tool_{i}_thing"),
                    &format!("Does thing {i} with widget {i}. ").repeat(8),
                )
            })
            .chain([tool("frobnicate_gizmo", "Frobnicates the gizmo.")])
            .collect();
        let large = Catalog::from_tools("big", &many);
        let s = system(&large, &api, "frobnicate the gizmo");
        assert!(s.contains("search: <words>"), "{s}");
        assert!(s.contains("big::frobnicate_gizmo("), "{s}");
        assert!(s.contains("big:: (401 tools)"));
        assert!(
            tokens::count(&s) < FULL_DOCS_TOKENS,
            "{}",
            tokens::count(&s)
        );
        let a = search_answer(&large, "tool_7_thing");
        assert!(a.contains("big::tool_7_thing("), "{a}");
        assert!(search_answer(&large, "zzzz").starts_with("No tool matches"));
    }
}
