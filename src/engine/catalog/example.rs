//! Example arguments synthesized from a schema, and their Rhai spelling.
//!
//! Preference at every node: the schema's own `examples`, then `default`, then the first
//! `enum`/`const` value, then a value made up from the type, the constraints (ranges,
//! `multipleOf`, lengths, `pattern`, `format`, item counts) and the property name (`email`,
//! `url`, `path`, ...). Required properties are always filled; optional ones only when the
//! schema gives an example for them, or when nothing else would show (one cheap scalar).

use serde_json::{Map, Number, Value, json};

use super::schema::{Additional, Shape, Ty};

/// Past this depth examples stop nesting (a `null` is written).
const MAX_DEPTH: usize = 12;

/// An example value for `shape` (for a tool's input: the argument map).
pub fn synthesize(shape: &Shape) -> Value {
    value(shape, "", 0, 0)
}

fn value(shape: &Shape, hint: &str, variant: usize, depth: usize) -> Value {
    if depth > MAX_DEPTH {
        return Value::Null;
    }
    if let Some(x) = shape.examples.first() {
        return x.clone();
    }
    if let Some(d) = &shape.default {
        return d.clone();
    }
    match &shape.ty {
        Ty::Any => json!("example"),
        Ty::Never | Ty::Null | Ty::Recursive { .. } => Value::Null,
        Ty::Boolean => Value::Bool(true),
        Ty::Integer => integer(shape, variant),
        Ty::Number => number(shape, variant),
        Ty::String => Value::String(string(shape, hint, variant)),
        Ty::Enum { values } => values
            .get(variant % values.len().max(1))
            .cloned()
            .unwrap_or(Value::Null),
        Ty::Array { items, prefix } => array(shape, items.as_deref(), prefix, hint, depth),
        Ty::Object {
            properties,
            additional,
        } => object(shape, properties, additional, depth),
        Ty::Union { variants, .. } => variants
            .iter()
            .find(|v| !matches!(v.ty, Ty::Never | Ty::Recursive { .. }))
            .or(variants.first())
            .map_or(Value::Null, |v| value(v, hint, variant, depth + 1)),
    }
}

fn object(
    shape: &Shape,
    properties: &[super::schema::Property],
    additional: &Additional,
    depth: usize,
) -> Value {
    let mut map = Map::new();
    for p in properties {
        if p.required || !p.shape.examples.is_empty() {
            map.insert(p.name.clone(), value(&p.shape, &p.name, 0, depth + 1));
        }
    }
    if map.is_empty()
        && let Some(p) = properties.iter().find(|p| is_cheap(&p.shape))
    {
        map.insert(p.name.clone(), value(&p.shape, &p.name, 0, depth + 1));
    }
    let min = shape.constraints.min_properties.unwrap_or(0) as usize;
    let mut n = 1;
    while map.len() < min && *additional != Additional::Forbidden && n < 1000 {
        let key = format!("key{n}");
        let v = match additional {
            Additional::Schema { shape } => value(shape, &key, n, depth + 1),
            _ => json!("example"),
        };
        map.entry(key).or_insert(v);
        n += 1;
    }
    Value::Object(map)
}

/// A scalar that costs one short token to show.
fn is_cheap(s: &Shape) -> bool {
    matches!(
        s.ty,
        Ty::Boolean | Ty::Integer | Ty::Number | Ty::Enum { .. }
    ) || (s.ty == Ty::String && s.constraints.pattern.is_none())
}

fn array(
    shape: &Shape,
    items: Option<&Shape>,
    prefix: &[Shape],
    hint: &str,
    depth: usize,
) -> Value {
    let c = &shape.constraints;
    let mut out: Vec<Value> = prefix
        .iter()
        .enumerate()
        .map(|(i, p)| value(p, hint, i, depth + 1))
        .collect();
    let recursive = items.is_some_and(|i| matches!(i.ty, Ty::Recursive { .. } | Ty::Never));
    let wanted = c.min_items.unwrap_or(0) as usize;
    let mut wanted = if wanted == 0 && !recursive && out.is_empty() {
        1
    } else {
        wanted
    };
    if let Some(max) = c.max_items {
        wanted = wanted.min(max as usize);
    }
    let item_hint = singular(hint);
    while out.len() < wanted {
        let v = match items {
            Some(s) => value(s, &item_hint, out.len(), depth + 1),
            None => json!(format!("item{}", out.len() + 1)),
        };
        out.push(v);
    }
    Value::Array(out)
}

fn singular(hint: &str) -> String {
    hint.strip_suffix('s').unwrap_or(hint).to_string()
}

fn to_number(f: f64, integral: bool) -> Value {
    if integral && f.fract() == 0.0 && f.abs() < 9.0e15 {
        json!(f as i64)
    } else {
        Number::from_f64(f).map(Value::Number).unwrap_or(json!(0))
    }
}

fn f(n: Option<&Number>) -> Option<f64> {
    n.and_then(Number::as_f64).filter(|x| x.is_finite())
}

/// The bounds `[lo, hi]` of a number, exclusive ones moved inwards by `step`.
fn bounds(shape: &Shape, step: f64) -> (Option<f64>, Option<f64>) {
    let c = &shape.constraints;
    let lo = match (f(c.minimum.as_ref()), f(c.exclusive_minimum.as_ref())) {
        (Some(a), Some(b)) => Some(a.max(b + step)),
        (a, b) => a.or(b.map(|b| b + step)),
    };
    let hi = match (f(c.maximum.as_ref()), f(c.exclusive_maximum.as_ref())) {
        (Some(a), Some(b)) => Some(a.min(b - step)),
        (a, b) => a.or(b.map(|b| b - step)),
    };
    (lo, hi)
}

fn integer(shape: &Shape, variant: usize) -> Value {
    let (lo, hi) = bounds(shape, 1.0);
    let lo = lo.map(f64::ceil);
    let hi = hi.map(f64::floor);
    let mut x = lo.unwrap_or(1.0_f64.min(hi.unwrap_or(1.0))) + variant as f64;
    if let Some(m) = f(shape.constraints.multiple_of.as_ref()).filter(|m| *m > 0.0) {
        let m = if m.fract() == 0.0 { m } else { m.ceil() };
        x = (x / m).ceil() * m;
        if hi.is_some_and(|h| x > h) {
            x = (hi.unwrap_or(x) / m).floor() * m;
        }
    }
    if let Some(h) = hi {
        x = x.min(h);
    }
    to_number(x, true)
}

fn number(shape: &Shape, variant: usize) -> Value {
    let c = &shape.constraints;
    let (lo_in, hi_in) = (f(c.minimum.as_ref()), f(c.maximum.as_ref()));
    let (lo_ex, hi_ex) = (
        f(c.exclusive_minimum.as_ref()),
        f(c.exclusive_maximum.as_ref()),
    );
    let lo = lo_in.into_iter().chain(lo_ex).reduce(f64::max);
    let hi = hi_in.into_iter().chain(hi_ex).reduce(f64::min);
    let v = variant as f64;
    if let Some(m) = f(c.multiple_of.as_ref()).filter(|m| *m > 0.0) {
        let mut k = lo.map_or(1.0, |l| (l / m).ceil()) + v;
        if lo_ex.is_some_and(|l| k * m <= l) {
            k += 1.0;
        }
        if let Some(h) = hi
            && k * m > h
        {
            k = (h / m).floor();
        }
        return to_number(k * m, false);
    }
    let x = match (lo, hi) {
        (Some(l), Some(h)) => {
            let open = lo_ex.is_some() || hi_ex.is_some();
            let candidate = if open { f64::midpoint(l, h) } else { l };
            candidate + v * (h - candidate) / (v + 2.0)
        }
        (Some(l), None) => l + 1.0 + v,
        (None, Some(h)) => h.min(1.0) - 1.0 - v,
        (None, None) => 1.0 + v,
    };
    to_number(x, true)
}

fn string(shape: &Shape, hint: &str, variant: usize) -> String {
    let c = &shape.constraints;
    let mut s = match c.format.as_deref() {
        Some("email" | "idn-email") => "user@example.com".to_string(),
        Some("uri" | "url" | "iri" | "uri-reference" | "iri-reference") => {
            "https://example.com".to_string()
        }
        Some("date") => "2024-01-31".to_string(),
        Some("date-time") => "2024-01-31T12:00:00Z".to_string(),
        Some("time") => "12:00:00Z".to_string(),
        Some("uuid") => "123e4567-e89b-12d3-a456-426614174000".to_string(),
        Some("ipv4") => "192.0.2.1".to_string(),
        Some("ipv6") => "2001:db8::1".to_string(),
        Some("hostname" | "idn-hostname") => "example.com".to_string(),
        Some("duration") => "PT1H".to_string(),
        _ => from_hint(hint).to_string(),
    };
    if variant > 0 {
        s = format!("{s}{}", variant + 1);
    }
    if let Some(p) = &c.pattern
        && !matches_pattern(p, &s)
        && let Some(found) = CANDIDATES.iter().find(|cand| matches_pattern(p, cand))
    {
        s = found.to_string();
    }
    fit_length(s, c.min_length, c.max_length)
}

/// Strings tried, in order, against a `pattern`.
const CANDIDATES: &[&str] = &[
    "example",
    "abc",
    "a",
    "A",
    "ABC",
    "1",
    "123",
    "a1",
    "a-b",
    "a_b",
    "example-1",
    "2024-01-31",
    "12:00",
    "user@example.com",
    "https://example.com",
    "/tmp/example",
    "owner/repo",
    "v1.0.0",
    "1.0.0",
    "#fff",
    "+15550100",
    "",
];

fn matches_pattern(pattern: &str, s: &str) -> bool {
    let schema = json!({ "type": "string", "pattern": pattern });
    match jsonschema::validator_for(&schema) {
        Ok(v) => v.is_valid(&json!(s)),
        Err(_) => true,
    }
}

fn fit_length(s: String, min: Option<u64>, max: Option<u64>) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let min = min.unwrap_or(0).min(10_000) as usize;
    while chars.len() < min {
        chars.push('x');
    }
    if let Some(max) = max {
        chars.truncate(max as usize);
    }
    chars.into_iter().collect()
}

fn from_hint(hint: &str) -> &'static str {
    let words = super::names::words(hint);
    let last = words.last().map_or("", String::as_str);
    let has = |w: &str| words.iter().any(|x| x == w);
    if has("email") {
        "user@example.com"
    } else if has("url") || has("uri") || has("link") || has("endpoint") {
        "https://example.com"
    } else if [
        "dir",
        "directory",
        "folder",
        "repo",
        "repository",
        "root",
        "cwd",
    ]
    .iter()
    .any(|w| has(w))
    {
        "/tmp/example"
    } else if has("path") || has("file") {
        "/tmp/example.txt"
    } else if has("timezone") || has("tz") {
        "Europe/Paris"
    } else if has("date") {
        "2024-01-31"
    } else if last == "id" || last == "ids" || last == "key" {
        "abc123"
    } else if has("query") || has("search") || has("q") {
        "search terms"
    } else if has("name") || has("title") {
        "Example"
    } else {
        "example"
    }
}

mod rhai;

pub use rhai::{is_bare_key, is_hidden_char, rhai_literal, rhai_string};

#[cfg(test)]
mod tests;
