//! `codemode servers`: each server's transport, status, protocol, identity and counts.

use std::time::Duration;

use serde_json::json;

use super::Exit;
use super::setup;
use crate::mcp::{ServerState, ServerStatus};

/// Runs the command.
pub async fn run(ctx: &setup::Context, as_json: bool, wait: Duration) -> Exit {
    let registry = match ctx.connect(None, wait).await {
        Ok((_, r)) => r,
        Err(code) => return code,
    };
    let servers = registry.servers();
    if as_json {
        let list: Vec<_> = servers.iter().map(to_json).collect();
        outln!(
            "{}",
            serde_json::to_string_pretty(&list).unwrap_or_default()
        );
    } else {
        out!("{}", table(&servers));
    }
    registry.shutdown().await;
    if servers.iter().all(|s| s.status == ServerStatus::Ready) {
        Exit::Ok
    } else {
        Exit::Connection
    }
}

fn to_json(s: &ServerState) -> serde_json::Value {
    let d = s.details.clone().unwrap_or_default();
    let failed = !matches!(s.status, ServerStatus::Ready);
    json!({
        "name": s.name,
        "transport": s.transport,
        "target": s.target,
        "status": s.status,
        "protocolVersion": s.details.as_ref().map(|d| d.protocol_version.clone()),
        "serverInfo": s.details.as_ref().map(|_| json!({ "name": d.name, "version": d.version, "title": d.title })),
        "instructions": d.instructions,
        "tools": s.tools.len(),
        "resources": s.resources.len(),
        "resourceTemplates": s.templates.len(),
        "prompts": s.prompts.len(),
        "stderrTail": if failed { s.stderr_tail.clone() } else { vec![] },
    })
}

/// The human-readable table, with failure reasons and stderr under failed rows.
pub fn table(servers: &[ServerState]) -> String {
    let mut rows = vec![[
        "NAME".to_string(),
        "TRANSPORT".into(),
        "STATUS".into(),
        "PROTOCOL".into(),
        "SERVER".into(),
        "TOOLS".into(),
        "RES".into(),
        "PROMPTS".into(),
    ]];
    for s in servers {
        let ready = s.status == ServerStatus::Ready;
        let count = |n: usize| if ready { n.to_string() } else { "-".into() };
        let server = s.details.as_ref().map_or_else(
            || "-".into(),
            |d| {
                format!(
                    "{} {}",
                    d.name.as_deref().unwrap_or("?"),
                    d.version.as_deref().unwrap_or("")
                )
                .trim()
                .to_string()
            },
        );
        rows.push([
            s.name.clone(),
            s.transport.to_string(),
            s.status.label().to_string(),
            s.details
                .as_ref()
                .map_or_else(|| "-".into(), |d| d.protocol_version.clone()),
            server,
            count(s.tools.len()),
            count(s.resources.len() + s.templates.len()),
            count(s.prompts.len()),
        ]);
    }
    let widths: Vec<usize> = (0..8)
        .map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
        if i == 0 {
            continue;
        }
        let s = &servers[i - 1];
        if !matches!(s.status, ServerStatus::Ready) {
            out.push_str(&format!("  └ {}\n", s.status));
            for line in s.stderr_tail.iter().rev().take(5).rev() {
                out.push_str(&format!("    stderr: {line}\n"));
            }
        }
    }
    out
}
