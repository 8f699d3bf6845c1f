//! A plain structured form of the docs for front ends that style text themselves (the TUI):
//! lines tagged with what they are, no styling and no terminal dependency.

use serde::Serialize;

use super::render_md::hints;
use super::text::{self, IMPRECISE};
use super::{ServerDoc, ToolDoc};

/// What a line shows; the front end picks the style.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// A server or tool heading.
    Heading,
    /// A Rhai signature.
    Signature,
    /// Prose (descriptions, instructions).
    Text,
    /// One parameter with its type and constraints.
    Param,
    /// The return shape.
    Returns,
    /// Annotation hints.
    Hints,
    /// Rhai code (the example call).
    Code,
    /// Something the docs could not express, or an example that does not validate.
    Warning,
    /// An empty separator line.
    Blank,
}

/// One line of docs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DocLine {
    /// What it is.
    pub kind: LineKind,
    /// The text, unstyled.
    pub text: String,
}

fn line(kind: LineKind, text: impl Into<String>) -> DocLine {
    DocLine {
        kind,
        text: text.into(),
    }
}

/// One tool's docs as lines.
pub fn tool(t: &ToolDoc) -> Vec<DocLine> {
    let mut out = vec![line(
        LineKind::Heading,
        match &t.title {
            Some(title) => format!("{} — {title}", t.rhai_name()),
            None => t.rhai_name(),
        },
    )];
    out.push(line(LineKind::Signature, text::signature(t)));
    if let Some(d) = t
        .description
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        out.extend(d.lines().map(|l| line(LineKind::Text, l)));
    }
    out.push(line(LineKind::Blank, ""));
    for r in text::param_rows(&t.input, 3) {
        let mut s = format!("{}{}: {}", r.path, if r.required { "" } else { "?" }, r.ty);
        if let Some(d) = &r.default {
            s.push_str(&format!(" = {d}"));
        }
        if !r.constraints.is_empty() {
            s.push_str(&format!(" ({})", r.constraints.join(", ")));
        }
        if !r.description.is_empty() {
            s.push_str(&format!(" — {}", r.description));
        }
        out.push(line(LineKind::Param, s));
    }
    out.push(line(
        LineKind::Returns,
        format!("returns {}", text::return_words(t)),
    ));
    out.push(line(LineKind::Hints, hints(t)));
    out.push(line(LineKind::Code, t.example_call()));
    if let Some(p) = &t.example_problem {
        out.push(line(
            LineKind::Warning,
            format!("{IMPRECISE} example does not validate: {p}"),
        ));
    }
    for u in &t.unsupported {
        out.push(line(LineKind::Warning, format!("{IMPRECISE} {u}")));
    }
    out
}

/// One server's overview and tool index as lines (each tool's own lines come from [`tool`]).
pub fn server(s: &ServerDoc) -> Vec<DocLine> {
    let mut out = vec![line(
        LineKind::Heading,
        format!("{} ({}::)", s.name, s.module),
    )];
    if let Some(d) = &s.details {
        let name = d.title.as_deref().or(d.name.as_deref()).unwrap_or(&s.name);
        let version = d.version.as_deref().unwrap_or("");
        out.push(line(
            LineKind::Text,
            format!("{name} {version}").trim_end().to_string(),
        ));
    }
    if let Some(i) = s.instructions() {
        out.extend(i.trim().lines().map(|l| line(LineKind::Text, l)));
    }
    out.push(line(LineKind::Blank, ""));
    for t in &s.tools {
        out.push(line(
            LineKind::Signature,
            format!("{} — {}", t.rhai_name(), t.summary()),
        ));
    }
    let ws = s.sample_workflows();
    if !ws.is_empty() {
        out.push(line(LineKind::Blank, ""));
        out.push(line(LineKind::Heading, "Sample workflows"));
        for w in ws {
            out.push(line(
                LineKind::Text,
                format!("scripts/{} — {}", w.file, w.summary()),
            ));
        }
    }
    out
}
