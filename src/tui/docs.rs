//! The docs pane's text for the selected tool or server.
//!
//! Tool docs come from the catalog (the same model as Markdown and prompt docs); server
//! lines add connection state, which the catalog does not hold, and the server's sample
//! workflows.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::catalog::ToolDoc;
use crate::catalog::names::{Kind, base_identifier};
use crate::catalog::render_lines::{self, LineKind};
use crate::catalog::workflows;
use crate::mcp::{PromptDef, ResourceDef, ServerState, ServerStatus};

/// Lines describing a tool, from the catalog's doc model, styled by kind.
pub fn tool_lines(doc: &ToolDoc, theme: &Theme) -> Vec<Line<'static>> {
    let mut out: Vec<Line<'static>> = render_lines::tool(doc)
        .into_iter()
        .map(|l| {
            let style = match l.kind {
                LineKind::Heading => theme.accent,
                LineKind::Signature | LineKind::Code => theme.title,
                LineKind::Hints => {
                    if doc.flags().contains(&"destructive") {
                        theme.warn
                    } else {
                        theme.muted
                    }
                }
                LineKind::Warning => theme.warn,
                LineKind::Param | LineKind::Returns | LineKind::Text | LineKind::Blank => {
                    Style::default()
                }
            };
            let indent = if matches!(l.kind, LineKind::Param) {
                "  "
            } else {
                ""
            };
            Line::from(Span::styled(format!("{indent}{}", l.text), style))
        })
        .collect();
    out.push(Line::from(Span::styled(
        "i: insert into the code · c: call it now",
        theme.muted,
    )));
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
    let module = base_identifier(&server.name, Kind::Server);
    let workflows = workflows::for_server(&server.name, &module);
    if !workflows.is_empty() {
        out.push(Line::default());
        out.push(Line::from(Span::styled("sample workflows", theme.title)));
        for w in workflows {
            out.push(Line::from(Span::styled(
                format!("  scripts/{}", w.file),
                theme.muted,
            )));
        }
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("r: reconnect", theme.muted)));
    out
}

/// Lines describing a resource.
pub fn resource_lines(res: &ResourceDef, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::from(Span::styled(
            res.title.clone().unwrap_or_else(|| res.name.clone()),
            theme.accent,
        )),
        Line::from(Span::styled(res.uri.clone(), theme.title)),
    ];
    if let Some(m) = &res.mime_type {
        out.push(Line::from(Span::styled(m.clone(), theme.muted)));
    }
    if let Some(d) = &res.description {
        out.push(Line::default());
        out.extend(d.lines().map(|l| Line::from(l.to_string())));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("Enter / c: read it", theme.muted)));
    out
}

/// Lines describing a resource template.
pub fn template_lines(t: &crate::mcp::ResourceTemplateDef, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::from(Span::styled(t.name.clone(), theme.accent)),
        Line::from(Span::styled(t.uri_template.clone(), theme.title)),
    ];
    if let Some(m) = &t.mime_type {
        out.push(Line::from(Span::styled(m.clone(), theme.muted)));
    }
    if let Some(d) = &t.description {
        out.push(Line::default());
        out.extend(d.lines().map(|l| Line::from(l.to_string())));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        "Enter / c: fill in its variables (Tab completes) and read it",
        theme.muted,
    )));
    out
}

/// Lines describing a prompt.
pub fn prompt_lines(prompt: &PromptDef, theme: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        prompt.title.clone().unwrap_or_else(|| prompt.name.clone()),
        theme.accent,
    ))];
    if let Some(d) = &prompt.description {
        out.extend(d.lines().map(|l| Line::from(l.to_string())));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled("Arguments", theme.title)));
    if prompt.arguments.is_empty() {
        out.push(Line::from(Span::styled("  (none)", theme.muted)));
    }
    for a in &prompt.arguments {
        let req = if a.required { "" } else { "?" };
        let desc = a
            .description
            .clone()
            .map(|d| format!(" — {d}"))
            .unwrap_or_default();
        out.push(Line::from(format!("  {}{req}: string{desc}", a.name)));
    }
    out.push(Line::default());
    out.push(Line::from(Span::styled(
        "Enter / c: render it with arguments",
        theme.muted,
    )));
    out
}
