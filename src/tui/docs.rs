//! The docs pane's text for the selected tool or server.
//!
//! Interim renderer from the raw schemas; the catalog's doc model (docs issue) replaces it.

use ratatui::text::{Line, Span};
use serde_json::Value;

use super::snippet::call_snippet;
use super::theme::Theme;
use crate::mcp::{ServerState, ServerStatus, ToolDef};

/// Lines describing a tool.
pub fn tool_lines(server: &ServerState, tool: &ToolDef, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        format!("{}::{}", server.name, tool.name),
        theme.accent,
    ))];
    if let Some(title) = &tool.title {
        out.push(Line::from(Span::styled(title.clone(), theme.title)));
    }
    let mut hints = Vec::new();
    if tool.is_read_only() {
        hints.push("read-only");
    }
    if tool.is_destructive() {
        hints.push("DESTRUCTIVE");
    }
    if let Some(a) = &tool.annotations {
        if a.idempotent_hint == Some(true) {
            hints.push("idempotent");
        }
        if a.open_world_hint == Some(true) {
            hints.push("open-world");
        }
    }
    if !hints.is_empty() {
        let style = if tool.is_destructive() {
            theme.warn
        } else {
            theme.muted
        };
        out.push(Line::from(Span::styled(
            format!("[{}]", hints.join(", ")),
            style,
        )));
    }
    out.push(Line::default());
    for l in tool
        .description
        .as_deref()
        .unwrap_or("(no description)")
        .lines()
    {
        out.push(Line::from(l.to_string()));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("Parameters", theme.title)));
    out.extend(params(&tool.input_schema, theme));
    out.push(Line::default());
    out.push(Line::from(Span::styled("Returns", theme.title)));
    match &tool.output_schema {
        Some(schema) => out.extend(params(schema, theme)),
        None => out.push(Line::from("  text content (a string)")),
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("Example", theme.title)));
    out.push(Line::from(format!(
        "  {}",
        call_snippet(&server.name, &tool.name, &tool.input_schema)
    )));
    out.push(Line::from(Span::styled(
        "  i: insert into the code · c: call it now",
        theme.muted,
    )));
    out
}

fn params(schema: &Value, theme: &Theme) -> Vec<Line<'static>> {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return vec![Line::from(Span::styled("  (none)", theme.muted))];
    };
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for (name, p) in props {
        let ty = match p.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("|"),
            _ => "any".into(),
        };
        let ty = match p.get("enum").and_then(Value::as_array) {
            Some(e) => e
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join("|"),
            None => ty,
        };
        let req = if required.contains(&name.as_str()) {
            ""
        } else {
            "?"
        };
        let mut spans = vec![
            Span::raw("  "),
            Span::styled(format!("{name}{req}"), theme.accent),
            Span::raw(format!(": {ty}")),
        ];
        if let Some(d) = p.get("description").and_then(Value::as_str) {
            spans.push(Span::styled(format!("  {d}"), theme.muted));
        }
        out.push(Line::from(spans));
    }
    out
}

/// Lines describing a server.
pub fn server_lines(server: &ServerState, theme: &Theme) -> Vec<Line<'static>> {
    let status_style = match server.status {
        ServerStatus::Ready => theme.ok,
        ServerStatus::Failed { .. } => theme.error,
        _ => theme.warn,
    };
    let mut out = vec![
        Line::from(Span::styled(server.name.clone(), theme.accent)),
        Line::from(vec![
            Span::raw(format!("{} · ", server.transport)),
            Span::styled(server.status.to_string(), status_style),
        ]),
        Line::from(Span::styled(server.target.clone(), theme.muted)),
    ];
    if let Some(d) = &server.details {
        out.push(Line::from(format!(
            "{} {} · protocol {}",
            d.name.as_deref().unwrap_or("?"),
            d.version.as_deref().unwrap_or(""),
            d.protocol_version
        )));
        out.push(Line::from(format!(
            "{} tools · {} resources · {} prompts",
            server.tools.len(),
            server.resources.len() + server.templates.len(),
            server.prompts.len()
        )));
        if let Some(i) = &d.instructions {
            out.push(Line::default());
            out.extend(i.lines().map(|l| Line::from(l.to_string())));
        }
    }
    if !server.stderr_tail.is_empty() && !matches!(server.status, ServerStatus::Ready) {
        out.push(Line::default());
        out.push(Line::from(Span::styled("stderr (last lines)", theme.title)));
        for l in server.stderr_tail.iter().rev().take(10).rev() {
            out.push(Line::from(Span::styled(format!("  {l}"), theme.muted)));
        }
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("r: reconnect", theme.muted)));
    out
}
