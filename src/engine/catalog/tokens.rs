//! Token accounting: what each form of the docs costs in an LLM's context, counted with a real
//! tokenizer (`o200k_base`, the GPT-4o / o-series encoding; its BPE table is embedded in the
//! `tiktoken-rs` crate, so counting works offline).

use serde::Serialize;

use super::primer::{self, ScriptApi};
use super::search::{SearchHit, render_hits};
use super::{Catalog, ServerDoc, names, render_md, render_prompt};

/// The encoding used for every count.
pub const ENCODING: &str = "o200k_base";

/// Tools shown on one search page.
pub const SEARCH_PAGE: usize = 10;

/// Tokens of `text` in [`ENCODING`].
pub fn count(text: &str) -> usize {
    tiktoken_rs::o200k_base_singleton()
        .encode_ordinary(text)
        .len()
}

/// Token counts of one server (or of the shared primer, or the total).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TokenStats {
    /// Server name, `(primer)` or `total`.
    pub server: String,
    /// Tools.
    pub tools: usize,
    /// The raw `tools/list` result as compact JSON (what a plain MCP client puts in context).
    pub raw_json: usize,
    /// The full Markdown docs.
    pub markdown: usize,
    /// The compact prompt form.
    pub prompt: usize,
    /// One search page of short entries (the first [`SEARCH_PAGE`] tools).
    pub search_page: usize,
}

/// One server's counts (its sections only; the primer is counted once, see [`stats`]).
pub fn server_stats(s: &ServerDoc) -> TokenStats {
    let raw: Vec<&crate::mcp::ToolDef> = s.tools.iter().map(|t| &t.raw).collect();
    let raw_json = serde_json::to_string(&serde_json::json!({ "tools": raw })).unwrap_or_default();
    let hits: Vec<SearchHit> = s
        .tools
        .iter()
        .take(SEARCH_PAGE)
        .map(|t| SearchHit {
            server: t.server.clone(),
            tool: t.name.clone(),
            rhai_name: t.rhai_name(),
            summary: t.summary(),
            score: 0,
        })
        .collect();
    TokenStats {
        server: s.name.clone(),
        tools: s.tools.len(),
        raw_json: count(&raw_json),
        markdown: count(&render_md::server(s)),
        prompt: count(&render_prompt::server(s)),
        search_page: if hits.is_empty() {
            0
        } else {
            count(&render_hits("", &hits, super::search::CLI_NEXT_STEP))
        },
    }
}

/// A row per server, then the primer and naming rule (paid once per document), then the
/// total.
pub fn stats(catalog: &Catalog, api: &ScriptApi) -> Vec<TokenStats> {
    let mut rows: Vec<TokenStats> = catalog.servers.iter().map(server_stats).collect();
    let md_primer = format!(
        "# Tools for Rhai scripts\n\n{}## Names\n\n{}\n\n",
        primer::markdown(api),
        names::RULE.trim_end()
    );
    let prompt_primer = format!("{}{}", primer::compact(api), primer::NAMES_SHORT);
    rows.push(TokenStats {
        server: "(primer + naming rule)".into(),
        markdown: count(&md_primer),
        prompt: count(&prompt_primer),
        ..TokenStats::default()
    });
    let mut total = TokenStats {
        server: "total".into(),
        ..TokenStats::default()
    };
    for r in &rows {
        total.tools += r.tools;
        total.raw_json += r.raw_json;
        total.markdown += r.markdown;
        total.prompt += r.prompt;
        total.search_page += r.search_page;
    }
    rows.push(total);
    rows
}

/// The rows as an aligned text table.
pub fn render_table(rows: &[TokenStats]) -> String {
    let width = rows
        .iter()
        .map(|r| r.server.chars().count())
        .max()
        .unwrap_or(0)
        .max(6);
    let mut o = format!(
        "{:<width$}  {:>5}  {:>15}  {:>8}  {:>6}  {:>11}\n",
        "server", "tools", "tools/list JSON", "Markdown", "prompt", "search page"
    );
    for r in rows {
        let dash = |n: usize| {
            if n == 0 && r.tools == 0 {
                "-".to_string()
            } else {
                n.to_string()
            }
        };
        o.push_str(&format!(
            "{:<width$}  {:>5}  {:>15}  {:>8}  {:>6}  {:>11}\n",
            r.server,
            dash(r.tools),
            dash(r.raw_json),
            dash(r.markdown),
            dash(r.prompt),
            dash(r.search_page)
        ));
    }
    o.push_str(&format!("Tokens counted with {ENCODING}.\n"));
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::ToolDef;

    #[test]
    fn counts_with_the_embedded_o200k_table() {
        // Known o200k_base counts (checked against the reference tokenizer).
        assert_eq!(count(""), 0);
        assert_eq!(count("hello world"), 2);
        assert!(count("demo::create_issue(#{ title: string })") > 5);
    }

    #[test]
    fn stats_have_a_row_per_server_the_primer_and_a_total() {
        let tools: Vec<ToolDef> = crate::demo::tool_definitions(false)
            .into_iter()
            .map(|v| serde_json::from_value(v).unwrap())
            .collect();
        let cat = Catalog::from_tools("demo", &tools);
        let rows = stats(&cat, &crate::script::script_api(&Default::default()));
        assert_eq!(rows.len(), 3);
        let (demo, primer, total) = (&rows[0], &rows[1], &rows[2]);
        assert_eq!(demo.tools, 9);
        assert!(demo.prompt < demo.markdown, "{demo:?}");
        assert!(demo.search_page < demo.prompt, "{demo:?}");
        assert!(demo.raw_json > demo.search_page);
        assert!(primer.markdown > primer.prompt && primer.raw_json == 0);
        assert_eq!(total.markdown, demo.markdown + primer.markdown);
        let table = render_table(&rows);
        assert!(table.lines().next().unwrap().starts_with("server"));
        assert!(table.contains("(primer + naming rule)      -                -"));
        assert!(table.ends_with("Tokens counted with o200k_base.\n"));
    }
}
