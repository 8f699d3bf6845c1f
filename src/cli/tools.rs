//! `codemode tools`: the catalog of every server's tools.

use serde_json::json;

use super::Exit;
use super::setup;
use crate::mcp::{ServerStatus, ToolDef};

/// Runs the command.
pub async fn run(ctx: &setup::Context, only: Option<&str>, as_json: bool) -> Exit {
    let wait = std::time::Duration::from_secs(60);
    let registry = match ctx.connect(only, wait).await {
        Ok((_, r)) => r,
        Err(code) => return code,
    };
    let servers = registry.servers();
    if as_json {
        let mut list = Vec::new();
        for s in &servers {
            for t in s.tools.iter() {
                let mut v = serde_json::to_value(t).unwrap_or_default();
                v["server"] = json!(s.name);
                list.push(v);
            }
        }
        outln!(
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        );
    }
    let code = setup::warn_unavailable(&servers);
    for s in servers.iter().filter(|s| s.status == ServerStatus::Ready) {
        if !as_json {
            out!("{}", render(&s.name, &s.tools));
        }
    }
    registry.shutdown().await;
    code
}

/// One server's tools as text: name, hints, first line of the description.
pub fn render(server: &str, tools: &[ToolDef]) -> String {
    let mut out = format!("{server} ({} tools)\n", tools.len());
    let width = tools.iter().map(|t| t.name.len()).max().unwrap_or(0);
    for t in tools {
        let mut flags = Vec::new();
        if t.is_read_only() {
            flags.push("read-only");
        }
        if t.is_destructive() {
            flags.push("destructive");
        }
        let summary = t
            .description
            .as_deref()
            .unwrap_or("")
            .lines()
            .next()
            .unwrap_or("");
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!(" [{}]", flags.join(", "))
        };
        out.push_str(&format!(
            "  {:<width$}  {}{flags}\n",
            t.name,
            crate::util::truncate(summary, 100)
        ));
    }
    out
}
