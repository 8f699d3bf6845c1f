//! Search across every server's tools (progressive disclosure: find the few tools that matter,
//! then read their full docs).
//!
//! Scoring is plain and tested: the query and each field are split into lower-case words
//! (the naming rule's splitting, so `getUser` matches `user`), a light plural stem is applied,
//! and each query word scores the best match in each field:
//!
//! | field | exact word | prefix (2+ letters) |
//! |---|---|---|
//! | tool name | 10 | 6 |
//! | title | 6 | 3 |
//! | parameter names and enum values | 4 | 2 |
//! | server name | 3 | 2 |
//! | description | 2 | 1 |
//!
//! plus 30 when the query is the tool's name (raw or Rhai), and 5 when every query word
//! matched somewhere. Ties keep the catalog order.

use serde::Serialize;

use super::names::words;
use super::{Catalog, ToolDoc};

/// One search result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchHit {
    /// The server's configured name.
    pub server: String,
    /// The tool's raw name.
    pub tool: String,
    /// `module::function`.
    pub rhai_name: String,
    /// The tool's one-line summary.
    pub summary: String,
    /// Higher is better.
    pub score: u32,
}

const STOP: &[&str] = &[
    "a", "an", "the", "to", "of", "and", "or", "for", "in", "on", "by", "with", "is", "it", "me",
    "my", "i",
];

fn stem(w: &str) -> String {
    if w.len() > 4 && w.ends_with("ies") {
        format!("{}y", &w[..w.len() - 3])
    } else if w.len() > 3 && w.ends_with('s') && !w.ends_with("ss") {
        w[..w.len() - 1].to_string()
    } else {
        w.to_string()
    }
}

fn tokens(text: &str) -> Vec<String> {
    words(text).iter().map(|w| stem(w)).collect()
}

/// Weights of one field: (exact, prefix).
fn field_score(q: &str, field: &[String], exact: u32, prefix: u32) -> u32 {
    if field.iter().any(|w| w == q) {
        exact
    } else if q.len() >= 2 && field.iter().any(|w| w.starts_with(q)) {
        prefix
    } else {
        0
    }
}

/// The score of one tool for the query words (0: no match).
pub fn score(tool: &ToolDoc, query: &str) -> u32 {
    let q: Vec<String> = tokens(query)
        .into_iter()
        .filter(|w| !STOP.contains(&w.as_str()))
        .collect();
    if q.is_empty() {
        return 0;
    }
    let name = tokens(&tool.name);
    let title = tokens(tool.title.as_deref().unwrap_or(""));
    let mut params: Vec<String> = Vec::new();
    for (path, shape) in tool.input.walk() {
        params.extend(tokens(&path));
        if let super::Ty::Enum { values } = &shape.ty {
            params.extend(values.iter().filter_map(|v| v.as_str()).flat_map(tokens));
        }
    }
    let server = tokens(&tool.server);
    let desc = tokens(tool.description.as_deref().unwrap_or(""));
    let mut total = 0;
    let mut matched = 0;
    for w in &q {
        let s = field_score(w, &name, 10, 6)
            + field_score(w, &title, 6, 3)
            + field_score(w, &params, 4, 2)
            + field_score(w, &server, 3, 2)
            + field_score(w, &desc, 2, 1);
        if s > 0 {
            matched += 1;
        }
        total += s;
    }
    if total == 0 {
        return 0;
    }
    let whole = query.trim();
    if whole == tool.name || whole == tool.function || whole == tool.rhai_name() {
        total += 30;
    }
    if matched == q.len() {
        total += 5;
    }
    total
}

/// The best `limit` tools of `catalog` for `query`, best first.
pub fn search(catalog: &Catalog, query: &str, limit: usize) -> Vec<SearchHit> {
    let mut hits: Vec<SearchHit> = catalog
        .tools()
        .filter_map(|t| {
            let score = score(t, query);
            (score > 0).then(|| SearchHit {
                server: t.server.clone(),
                tool: t.name.clone(),
                rhai_name: t.rhai_name(),
                summary: t.summary(),
                score,
            })
        })
        .collect();
    hits.sort_by_key(|h| std::cmp::Reverse(h.score));
    hits.truncate(limit);
    hits
}

impl Catalog {
    /// See [`search`].
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        search(self, query, limit)
    }
}

/// What `codemode docs` says after the hits.
pub const CLI_NEXT_STEP: &str = "Full docs of one: codemode docs --server SERVER --tool TOOL";

/// Hits as short lines: `module::function  summary`, then `next` (the hint for the next
/// step, which depends on the front end) on its own line.
pub fn render_hits(query: &str, hits: &[SearchHit], next: &str) -> String {
    if hits.is_empty() {
        return format!("No tool matches \"{query}\".\n");
    }
    let width = hits.iter().map(|h| h.rhai_name.len()).max().unwrap_or(0);
    let mut o = String::new();
    for h in hits {
        o.push_str(&format!("{:<width$}  {}\n", h.rhai_name, h.summary));
    }
    o.push_str(next);
    o.push('\n');
    o
}

#[cfg(test)]
mod tests;
