//! The lint rules, one function per concern.

use super::poison::{hidden_chars, poison_markers};
use super::{Finding, Severity};
use crate::catalog::names::{Kind, base_identifier, words};
use crate::catalog::schema::{Shape, Ty};
use crate::catalog::{ServerDoc, ToolDoc};

/// Shorter descriptions than this (characters) are too short to pick a tool by.
pub const SHORT_DESCRIPTION: usize = 20;
/// Longer descriptions than this (characters) crowd the context.
pub const LONG_DESCRIPTION: usize = 2000;

/// Words that make a tool look destructive.
const DESTRUCTIVE: &[&str] = &[
    "delete",
    "remove",
    "drop",
    "destroy",
    "kill",
    "reset",
    "overwrite",
    "purge",
    "erase",
    "wipe",
    "truncate",
    "terminate",
];

fn finding(rule: &'static str, severity: Severity, message: String, hint: &'static str) -> Finding {
    Finding {
        rule,
        severity,
        message,
        hint,
    }
}

/// Every per-tool rule except collisions and pins.
pub(super) fn tool_findings(t: &ToolDoc) -> Vec<Finding> {
    let mut out = Vec::new();
    description(t, &mut out);
    parameters(t, &mut out);
    if t.output.is_none() {
        out.push(finding(
            "output-schema-missing",
            Severity::Warning,
            "no outputSchema: scripts cannot know the result's shape".into(),
            "declare an outputSchema and return structuredContent",
        ));
    }
    annotations(t, &mut out);
    poisoning(t, &mut out);
    schema(t, &mut out);
    out
}

fn description(t: &ToolDoc, out: &mut Vec<Finding>) {
    let d = t.description.as_deref().map_or("", str::trim);
    if d.is_empty() {
        out.push(finding(
            "description-missing",
            Severity::Error,
            "no description".into(),
            "say in one sentence what the tool does, then what it returns and when it fails",
        ));
    } else if d.chars().count() < SHORT_DESCRIPTION {
        out.push(finding(
            "description-short",
            Severity::Warning,
            format!(
                "description is only {} characters: \"{d}\"",
                d.chars().count()
            ),
            "say what the tool does, what it returns and when it fails",
        ));
    } else if d.chars().count() > LONG_DESCRIPTION {
        out.push(finding(
            "description-long",
            Severity::Warning,
            format!("description is {} characters", d.chars().count()),
            "keep the description under 2000 characters; move background to the server instructions",
        ));
    }
}

fn parameters(t: &ToolDoc, out: &mut Vec<Finding>) {
    if !matches!(t.input.ty, Ty::Object { .. }) {
        out.push(finding(
            "input-not-object",
            Severity::Error,
            "inputSchema is not an object schema".into(),
            "make inputSchema `{\"type\": \"object\", \"properties\": {...}}`",
        ));
        return;
    }
    let props = t.input.properties();
    let undescribed: Vec<&str> = props
        .iter()
        .filter(|p| {
            p.shape
                .description
                .as_deref()
                .is_none_or(|d| d.trim().is_empty())
        })
        .map(|p| p.name.as_str())
        .collect();
    if !undescribed.is_empty() {
        out.push(finding(
            "param-no-description",
            Severity::Warning,
            format!(
                "parameters without a description: {}",
                undescribed.join(", ")
            ),
            "describe each parameter: meaning, units, format and an example value",
        ));
    }
    let untyped: Vec<String> = t
        .input
        .walk()
        .into_iter()
        .filter(|(path, s)| !path.is_empty() && s.ty == Ty::Any && s.unsupported.is_empty())
        .map(|(path, _)| path)
        .collect();
    if !untyped.is_empty() {
        out.push(finding(
            "param-no-type",
            Severity::Warning,
            format!("parameters without a type: {}", untyped.join(", ")),
            "give every parameter a `type`",
        ));
    }
    let loose: Vec<String> = t
        .input
        .walk()
        .into_iter()
        .filter_map(|(path, s)| unconstrained(&path, s).map(|why| format!("{path} ({why})")))
        .collect();
    if !loose.is_empty() {
        out.push(finding(
            "param-unconstrained",
            Severity::Info,
            format!("obvious constraints missing: {}", loose.join(", ")),
            "add minimum/maximum for counts and pages, format (email, uri, date) or pattern for such strings",
        ));
    }
}

/// Why a parameter named like an id, count, email, url or date lacks its obvious constraint.
fn unconstrained(path: &str, s: &Shape) -> Option<&'static str> {
    let name = path.rsplit(['.', '[']).next().unwrap_or(path);
    let w = words(name);
    let last = w.last().map_or("", String::as_str);
    let has = |k: &str| w.iter().any(|x| x == k);
    let c = &s.constraints;
    let string_free = c.pattern.is_none() && c.format.is_none();
    let number_free = c.minimum.is_none() && c.exclusive_minimum.is_none();
    match (&s.ty, last) {
        (
            Ty::Integer | Ty::Number,
            "count" | "limit" | "page" | "size" | "offset" | "top" | "id",
        ) if number_free => Some("no minimum"),
        (Ty::String, "count" | "limit" | "page" | "size" | "offset") => {
            Some("a number typed as string")
        }
        (Ty::String, _) if has("email") && string_free => Some("no format or pattern"),
        (Ty::String, _) if (has("url") || has("uri")) && string_free => {
            Some("no format or pattern")
        }
        (Ty::String, "date" | "datetime" | "timestamp") if string_free => {
            Some("no format or pattern")
        }
        _ => None,
    }
}

fn annotations(t: &ToolDoc, out: &mut Vec<Finding>) {
    let text = format!("{} {}", t.name, t.description.as_deref().unwrap_or(""));
    let lower: Vec<String> = words(&text);
    let hit = DESTRUCTIVE.iter().find(|d| lower.iter().any(|w| w == *d));
    let a = t.annotations.as_ref();
    let declared = a.and_then(|a| a.destructive_hint).is_some()
        || a.and_then(|a| a.read_only_hint) == Some(true);
    if let Some(word) = hit
        && !declared
    {
        out.push(finding(
            "destructive-unannotated",
            Severity::Error,
            format!("looks destructive (\"{word}\") but declares no destructiveHint"),
            "set annotations.destructiveHint (true if it deletes or overwrites data) so hosts can ask before running it",
        ));
    } else if a.is_none() {
        out.push(finding(
            "annotations-missing",
            Severity::Info,
            "no annotations (readOnlyHint, destructiveHint, idempotentHint, openWorldHint)".into(),
            "declare the hints; read-only tools can then run without confirmation",
        ));
    }
}

fn poisoning(t: &ToolDoc, out: &mut Vec<Finding>) {
    let mut texts: Vec<(String, &str)> = vec![
        ("name".into(), t.name.as_str()),
        ("description".into(), t.description.as_deref().unwrap_or("")),
    ];
    if let Some(title) = &t.title {
        texts.push(("title".into(), title));
    }
    for (path, s) in t.input.walk() {
        if let Some(d) = &s.description {
            texts.push((
                format!(
                    "parameter {}",
                    if path.is_empty() { "schema" } else { &path }
                ),
                d,
            ));
        }
    }
    for (where_, text) in texts {
        let markers = poison_markers(text);
        if !markers.is_empty() {
            out.push(finding(
                "tool-poisoning",
                Severity::Error,
                format!("{where_} contains instructions aimed at the model: {}", markers.iter().map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", ")),
                "remove hidden instructions; descriptions must only describe the tool (do not use this server until it is fixed)",
            ));
        }
        let hidden = hidden_chars(text);
        if !hidden.is_empty() {
            out.push(finding(
                "hidden-characters",
                Severity::Error,
                format!(
                    "{where_} contains invisible characters: {}",
                    hidden.join(", ")
                ),
                "remove zero-width and bidi control characters: they hide text from the user",
            ));
        }
    }
}

fn schema(t: &ToolDoc, out: &mut Vec<Finding>) {
    let (broken, unexpressed): (Vec<&String>, Vec<&String>) = t
        .unsupported
        .iter()
        .partition(|u| u.contains("does not compile"));
    if !broken.is_empty() {
        out.push(finding(
            "schema-invalid",
            Severity::Error,
            broken
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            "fix the schema so that it is valid JSON Schema",
        ));
    }
    if !unexpressed.is_empty() {
        out.push(finding(
            "schema-unexpressed",
            Severity::Info,
            unexpressed
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join("; "),
            "prefer plain types, enums and properties over not/if/patternProperties/external $refs",
        ));
    }
    if let Some(p) = &t.example_problem {
        out.push(finding(
            "example-invalid",
            Severity::Info,
            format!("no valid example could be made: {p}"),
            "add `examples` to the parameters",
        ));
    }
}

/// A finding when this tool's name collides with another's after sanitizing.
pub(super) fn collision_findings(server: &ServerDoc, t: &ToolDoc) -> Option<Finding> {
    let base = base_identifier(&t.name, Kind::Tool);
    let others: Vec<&str> = server
        .tools
        .iter()
        .filter(|o| o.name != t.name && base_identifier(&o.name, Kind::Tool) == base)
        .map(|o| o.name.as_str())
        .collect();
    (!others.is_empty()).then(|| {
        finding(
            "name-collision",
            Severity::Warning,
            format!(
                "`{}` and `{}` both sanitize to `{base}`; this one is `{}`",
                t.name,
                others.join("`, `"),
                t.rhai_name()
            ),
            "give tools names that differ in letters or digits, not only in punctuation or case",
        )
    })
}

/// Findings about the server itself: its instructions.
pub(super) fn server_findings(server: &ServerDoc) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(i) = server.instructions() {
        let markers = poison_markers(i);
        if !markers.is_empty() {
            out.push(finding(
                "tool-poisoning",
                Severity::Error,
                format!(
                    "server instructions contain instructions aimed at the model: {}",
                    markers.join(", ")
                ),
                "remove hidden instructions from the server's instructions",
            ));
        }
        let hidden = hidden_chars(i);
        if !hidden.is_empty() {
            out.push(finding(
                "hidden-characters",
                Severity::Error,
                format!(
                    "server instructions contain invisible characters: {}",
                    hidden.join(", ")
                ),
                "remove zero-width and bidi control characters",
            ));
        }
    }
    out
}
