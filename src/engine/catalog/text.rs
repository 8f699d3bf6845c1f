//! Shared pieces of every renderer: Rhai-style type text, constraint text, parameter rows and
//! the tool signature.

use serde_json::Value;

use super::ToolDoc;
use super::example::{is_bare_key, rhai_literal};
use super::schema::{Additional, Shape, Ty};

/// Marks a type the docs could not express precisely.
pub const IMPRECISE: &str = "⚠";

/// Nested object maps deeper than this are written `#{..}` in type text.
const TYPE_DEPTH: usize = 3;

/// Enums with more values than this are cut in type text.
const ENUM_SHOWN: usize = 8;

/// `shape` as Rhai-style type text: `string`, `int`, `"a"|"b"`, `[string]`,
/// `#{ id: int, note?: string }`, `T | ()` when nullable.
pub fn type_text(shape: &Shape) -> String {
    ty(shape, 0)
}

fn ty(s: &Shape, depth: usize) -> String {
    let mut t = match &s.ty {
        Ty::Any => "any".to_string(),
        Ty::Never => "never".to_string(),
        Ty::Null => "()".to_string(),
        Ty::Boolean => "bool".to_string(),
        Ty::Integer => "int".to_string(),
        Ty::Number => "number".to_string(),
        Ty::String => "string".to_string(),
        Ty::Enum { values } => {
            let mut shown: Vec<String> = values.iter().take(ENUM_SHOWN).map(rhai_literal).collect();
            if values.len() > ENUM_SHOWN {
                shown.push(format!("… ({} more)", values.len() - ENUM_SHOWN));
            }
            shown.join("|")
        }
        Ty::Array { items, prefix } => {
            let mut parts: Vec<String> = prefix.iter().map(|p| ty(p, depth + 1)).collect();
            match items {
                Some(i) if prefix.is_empty() => format!("[{}]", ty(i, depth + 1)),
                Some(i) => {
                    parts.push(format!("..{}", ty(i, depth + 1)));
                    format!("[{}]", parts.join(", "))
                }
                None if prefix.is_empty() => "array".to_string(),
                None => format!("[{}]", parts.join(", ")),
            }
        }
        Ty::Object {
            properties,
            additional,
        } => {
            if properties.is_empty() {
                match additional {
                    Additional::Schema { shape } => {
                        format!("#{{ [key]: {} }}", ty(shape, depth + 1))
                    }
                    Additional::Forbidden => "#{}".to_string(),
                    Additional::Unspecified => "map".to_string(),
                }
            } else if depth >= TYPE_DEPTH {
                "#{..}".to_string()
            } else {
                let mut fields: Vec<String> = properties
                    .iter()
                    .map(|p| {
                        format!(
                            "{}{}: {}",
                            key(&p.name),
                            if p.required { "" } else { "?" },
                            ty(&p.shape, depth + 1)
                        )
                    })
                    .collect();
                if let Additional::Schema { shape } = additional {
                    fields.push(format!("[key]: {}", ty(shape, depth + 1)));
                }
                format!("#{{ {} }}", fields.join(", "))
            }
        }
        Ty::Union { variants, .. } => {
            let vs: Vec<String> = variants.iter().map(|v| ty(v, depth + 1)).collect();
            vs.join(" | ")
        }
        Ty::Recursive { name } => name.clone(),
    };
    if s.nullable {
        t.push_str(" | ()");
    }
    if !s.unsupported.is_empty() {
        t.push_str(IMPRECISE);
    }
    t
}

/// A map key as written in Rhai: bare when it can be, else quoted.
pub fn key(name: &str) -> String {
    if is_bare_key(name) {
        name.to_string()
    } else {
        super::example::rhai_string(name)
    }
}

fn num(n: &serde_json::Number) -> String {
    n.to_string()
}

/// The constraints of one node in short words: `>= 1`, `<= 100`, `1..200 chars`,
/// `pattern ^[a-z]+$`, `format email`, `<= 10 items`, `unique`, `deprecated`.
pub fn constraint_text(s: &Shape) -> Vec<String> {
    let c = &s.constraints;
    let mut out = Vec::new();
    if let Some(n) = &c.minimum {
        out.push(format!(">= {}", num(n)));
    }
    if let Some(n) = &c.exclusive_minimum {
        out.push(format!("> {}", num(n)));
    }
    if let Some(n) = &c.maximum {
        out.push(format!("<= {}", num(n)));
    }
    if let Some(n) = &c.exclusive_maximum {
        out.push(format!("< {}", num(n)));
    }
    if let Some(n) = &c.multiple_of {
        out.push(format!("multiple of {}", num(n)));
    }
    if let Some(t) = range(c.min_length, c.max_length, "chars") {
        out.push(t);
    }
    if let Some(p) = &c.pattern {
        out.push(format!("pattern `{p}`"));
    }
    if let Some(f) = &c.format {
        out.push(format!("format {f}"));
    }
    if let Some(t) = range(c.min_items, c.max_items, "items") {
        out.push(t);
    }
    if c.unique_items {
        out.push("unique".into());
    }
    if let Some(t) = range(c.min_properties, c.max_properties, "keys") {
        out.push(t);
    }
    if let Ty::Array {
        items: Some(i),
        prefix,
    } = &s.ty
        && prefix.is_empty()
        && !matches!(i.ty, Ty::Object { .. })
    {
        let inner = constraint_text(i);
        if !inner.is_empty() {
            out.push(format!("each {}", inner.join(", ")));
        }
    }
    if s.deprecated {
        out.push("deprecated".into());
    }
    out.extend(s.notes.iter().map(|n| format!("[{n}]")));
    out.extend(s.unsupported.iter().map(|u| format!("{IMPRECISE} {u}")));
    out
}

fn range(min: Option<u64>, max: Option<u64>, unit: &str) -> Option<String> {
    match (min, max) {
        (Some(a), Some(b)) if a == b => Some(format!("exactly {a} {unit}")),
        (Some(a), Some(b)) => Some(format!("{a}..{b} {unit}")),
        (Some(0) | None, None) => None,
        (Some(a), None) => Some(format!(">= {a} {unit}")),
        (None, Some(b)) => Some(format!("<= {b} {unit}")),
    }
}

/// One row of a parameter table.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamRow {
    /// Dotted path: `assignee.name`, `labels[]`.
    pub path: String,
    /// Type text.
    pub ty: String,
    /// Listed in `required` (of its own object).
    pub required: bool,
    /// The default, as a Rhai literal.
    pub default: Option<String>,
    /// Constraint text.
    pub constraints: Vec<String>,
    /// The description (first paragraph).
    pub description: String,
}

/// The rows of an object shape's properties, nested objects (also inside arrays) flattened to
/// dotted paths, at most `depth` levels down.
pub fn param_rows(shape: &Shape, depth: usize) -> Vec<ParamRow> {
    let mut rows = Vec::new();
    rows_into(shape, "", depth, &mut rows);
    rows
}

fn rows_into(shape: &Shape, prefix: &str, depth: usize, rows: &mut Vec<ParamRow>) {
    let Ty::Object {
        properties: props, ..
    } = &shape.ty
    else {
        return;
    };
    for p in props {
        let path = format!("{prefix}{}", p.name);
        let s = &p.shape;
        rows.push(ParamRow {
            path: path.clone(),
            ty: short_type(s),
            required: p.required,
            default: s.default.as_ref().map(rhai_literal),
            constraints: constraint_text(s),
            description: s
                .description
                .as_deref()
                .map(|d| {
                    d.split("\n\n")
                        .next()
                        .unwrap_or("")
                        .trim()
                        .replace('\n', " ")
                })
                .unwrap_or_default(),
        });
        if depth > 1 {
            match &s.ty {
                Ty::Object { .. } => rows_into(s, &format!("{path}."), depth - 1, rows),
                Ty::Array { items: Some(i), .. } if matches!(i.ty, Ty::Object { .. }) => {
                    rows_into(i, &format!("{path}[]."), depth - 1, rows);
                }
                _ => {}
            }
        }
    }
}

/// Type text with nested object fields elided (they get their own rows).
fn short_type(s: &Shape) -> String {
    match &s.ty {
        Ty::Object { properties, .. } if !properties.is_empty() => {
            format!("#{{..}}{}", if s.nullable { " | ()" } else { "" })
        }
        Ty::Array {
            items: Some(i),
            prefix,
        } if prefix.is_empty() && !i.properties().is_empty() => {
            format!("[#{{..}}]{}", if s.nullable { " | ()" } else { "" })
        }
        _ => type_text(s),
    }
}

/// Longest default value written in a signature, in bytes (the parameter rows have it all).
const SIGNATURE_DEFAULT_MAX: usize = 40;

/// A default value for a signature: its Rhai literal, a long string cut inside its quotes.
fn default_literal(v: &Value) -> String {
    match v {
        Value::String(s) if s.len() > SIGNATURE_DEFAULT_MAX => {
            let cut = crate::util::truncate(s, SIGNATURE_DEFAULT_MAX);
            super::example::rhai_string(&cut)
        }
        _ => rhai_literal(v),
    }
}

/// The Rhai signature: `demo::create_issue(#{ title: string, priority?: "low"|"high" }) ->
/// #{..}`; defaults appear as `= value`. Tools without parameters read `demo::tool()`.
pub fn signature(t: &ToolDoc) -> String {
    let args = match &t.input.ty {
        Ty::Object {
            properties,
            additional,
        } if properties.is_empty() => match additional {
            Additional::Schema { .. } => type_text(&t.input),
            _ => String::new(),
        },
        Ty::Object {
            properties,
            additional,
        } => {
            let mut fields: Vec<String> = properties
                .iter()
                .map(|p| {
                    let mut f = format!(
                        "{}{}: {}",
                        key(&p.name),
                        if p.required { "" } else { "?" },
                        ty(&p.shape, 1)
                    );
                    if let Some(d) = &p.shape.default {
                        f.push_str(&format!(" = {}", default_literal(d)));
                    }
                    f
                })
                .collect();
            if let Additional::Schema { shape } = additional {
                fields.push(format!("[key]: {}", ty(shape, 1)));
            }
            format!("#{{ {} }}", fields.join(", "))
        }
        _ => type_text(&t.input),
    };
    format!("{}({args}) -> {}", t.rhai_name(), return_type(t))
}

/// The result's type text: the outputSchema's shape, else `string` (text content).
pub fn return_type(t: &ToolDoc) -> String {
    match &t.output {
        Some(o) => type_text(o),
        None => "string".to_string(),
    }
}

/// How the result is described in words.
pub fn return_words(t: &ToolDoc) -> String {
    match &t.output {
        Some(o) => format!("`{}` (structured content, a map)", type_text(o)),
        None => "text (string); no outputSchema, so the shape is not declared — `parse_json` it if the text is JSON, `parse_repr` if it is a Python literal".to_string(),
    }
}

/// A JSON value shown inline (defaults, examples).
pub fn inline(v: &Value) -> String {
    crate::util::truncate(&rhai_literal(v), 80)
}
