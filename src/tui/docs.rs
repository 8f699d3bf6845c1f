//! The docs pane's text for the selected tool or server.
//!
//! Tool docs come from the catalog (the same model as Markdown and prompt docs); server
//! lines add connection state, which the catalog does not hold, and the server's sample
//! workflows.

use std::sync::{Arc, OnceLock};

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::theme::Theme;
use crate::catalog::ToolDoc;
use crate::catalog::names::{Kind, Names, base_identifier};
use crate::catalog::render_lines::{self, LineKind};
use crate::catalog::workflows;
use crate::mcp::{PromptDef, ResourceDef, ServerState, ServerStatus, ToolDef};

/// Tool docs built when a tool is first shown, then kept: a workbench with thousands of tools
/// holds the docs of the few looked at (a [`ToolDoc`] carries parsed schemas, an example and a
/// copy of the definition, ~17 KB for a mid-sized tool), not of every tool. Names and docs are
/// the catalog's ([`crate::catalog::Catalog::from_states`] would build the same ones).
#[derive(Default)]
pub struct LazyDocs {
    servers: Vec<LazyServer>,
}

struct LazyServer {
    name: String,
    module: String,
    tools: Arc<Vec<ToolDef>>,
    functions: OnceLock<Names>,
    docs: Vec<OnceLock<Box<ToolDoc>>>,
}

impl LazyDocs {
    /// The ready servers among `states`, no doc built yet.
    pub fn new(states: &[ServerState]) -> Self {
        let servers = crate::catalog::doc::ready_modules(states)
            .into_iter()
            .map(|(s, module)| LazyServer {
                name: s.name.clone(),
                module,
                tools: s.tools.clone(),
                functions: OnceLock::new(),
                docs: s.tools.iter().map(|_| OnceLock::new()).collect(),
            })
            .collect();
        LazyDocs { servers }
    }

    /// The docs of `server`'s tool `tool` (raw names), built on the first call.
    pub fn tool(&self, server: &str, tool: &str) -> Option<&ToolDoc> {
        let s = self.servers.iter().find(|s| s.name == server)?;
        let i = s.tools.iter().position(|t| t.name == tool)?;
        let doc = s.docs[i].get_or_init(|| {
            let functions = s
                .functions
                .get_or_init(|| Names::assign(s.tools.iter().map(|t| t.name.as_str()), Kind::Tool));
            let function = functions.get(tool).unwrap_or("tool");
            Box::new(ToolDoc::new(&s.name, &s.module, function, &s.tools[i]))
        });
        Some(doc)
    }

    /// How many tool docs have been built.
    pub fn built(&self) -> usize {
        self.servers
            .iter()
            .map(|s| s.docs.iter().filter(|d| d.get().is_some()).count())
            .sum()
    }
}

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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::json;

    use super::LazyDocs;
    use crate::catalog::Catalog;
    use crate::mcp::{ServerState, ServerStatus, ToolDef};

    fn server(name: &str, status: ServerStatus, tools: &[&str]) -> ServerState {
        let tools: Vec<ToolDef> = tools
            .iter()
            .map(|t| {
                serde_json::from_value(json!({
                    "name": t,
                    "inputSchema": { "type": "object", "properties": { "q": { "type": "string" } },
                                     "required": ["q"] }
                }))
                .unwrap()
            })
            .collect();
        ServerState {
            name: name.into(),
            transport: "stdio",
            target: "test".into(),
            status,
            details: None,
            tools: Arc::new(tools),
            resources: Arc::default(),
            templates: Arc::default(),
            prompts: Arc::default(),
            stderr_tail: vec![],
            reconnects: 0,
        }
    }

    fn states() -> Vec<ServerState> {
        vec![
            server(
                "my-server",
                ServerStatus::Ready,
                &["get-item", "get_item", "list"],
            ),
            server("my_server", ServerStatus::Ready, &["list"]),
            server("down", ServerStatus::Connecting, &["list"]),
        ]
    }

    #[test]
    fn docs_are_built_when_first_asked_for_and_kept() {
        let states = states();
        let docs = LazyDocs::new(&states);
        assert_eq!(docs.built(), 0, "listing servers builds no doc");
        let first = docs.tool("my-server", "get_item").unwrap();
        assert_eq!(docs.built(), 1);
        let again = docs.tool("my-server", "get_item").unwrap();
        assert!(std::ptr::eq(first, again), "built once, then kept");
        assert_eq!(docs.built(), 1);
        assert!(
            docs.tool("down", "list").is_none(),
            "only ready servers have docs"
        );
        assert!(docs.tool("my-server", "nope").is_none());
    }

    #[test]
    fn lazy_docs_match_the_catalog() {
        let states = states();
        let docs = LazyDocs::new(&states);
        let catalog = Catalog::from_states(&states);
        for (server, tool) in [
            ("my-server", "get-item"),
            ("my-server", "get_item"),
            ("my-server", "list"),
            ("my_server", "list"),
        ] {
            let lazy = docs.tool(server, tool).unwrap();
            let eager = catalog.server(server).unwrap().tool(tool).unwrap();
            // Colliding names are numbered the same way (module and function).
            assert_eq!(lazy.rhai_name(), eager.rhai_name(), "{server}::{tool}");
            assert_eq!(lazy.example, eager.example);
            assert_eq!(lazy.raw, eager.raw);
        }
        assert_eq!(docs.built(), 4);
    }
}
