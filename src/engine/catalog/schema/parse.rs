//! JSON Schema → [`Shape`]: the keyword-by-keyword reading.

use serde_json::{Map, Value};

use super::keywords::{KNOWN, QUIET, UNEXPRESSED};
use super::merge::{merge, union};
use super::{Additional, Constraints, MAX_DEPTH, Property, Shape, Ty};

/// At most this many nodes per schema: `$ref` expansion of a hostile schema cannot explode.
const MAX_NODES: usize = 5_000;

pub(super) struct Parser<'a> {
    pub(super) root: &'a Value,
    pub(super) stack: Vec<String>,
    pub(super) nodes: usize,
}

fn short(v: &Value) -> String {
    crate::util::json_prefix(v, 120)
}

impl Parser<'_> {
    pub(super) fn node(&mut self, v: &Value, depth: usize) -> Shape {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return unsupported(format!("schema too large (over {MAX_NODES} nodes)"));
        }
        if depth > MAX_DEPTH {
            return unsupported(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        match v {
            Value::Bool(true) => Shape::of(Ty::Any),
            Value::Bool(false) => Shape::of(Ty::Never),
            Value::Object(m) => self.object(m, depth),
            other => unsupported(format!("not a schema: {}", short(other))),
        }
    }

    fn object(&mut self, m: &Map<String, Value>, depth: usize) -> Shape {
        if let Some(r) = m.get("$ref") {
            return self.reference(r, m, depth);
        }
        if let Some(Value::Array(parts)) = m.get("allOf") {
            let mut rest = m.clone();
            rest.remove("allOf");
            let mut shape = self.object(&rest, depth);
            for part in parts {
                let s = self.node(part, depth + 1);
                shape = merge(shape, s);
            }
            return shape;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(Value::Array(parts)) = m.get(key) {
                let mut rest = m.clone();
                rest.remove(key);
                let base = self.object(&rest, depth);
                let variants = parts.iter().map(|p| self.node(p, depth + 1)).collect();
                return union(base, variants, key == "oneOf");
            }
        }
        let mut s = Shape::default();
        self.annotations(m, &mut s);
        s.ty = self.ty(m, &mut s, depth);
        self.constraints(m, &mut s);
        for (k, v) in m {
            let k = k.as_str();
            if UNEXPRESSED.contains(&k) {
                s.unsupported.push(format!("`{k}`: {}", short(v)));
            } else if !KNOWN.contains(&k) && !QUIET.contains(&k) {
                s.notes.push(format!("{k}: {}", short(v)));
            }
        }
        s
    }

    fn reference(&mut self, r: &Value, m: &Map<String, Value>, depth: usize) -> Shape {
        let mut rest = m.clone();
        rest.remove("$ref");
        let Some(r) = r.as_str() else {
            return unsupported(format!("`$ref` is not a string: {}", short(r)));
        };
        let name = r.rsplit('/').next().unwrap_or(r).to_string();
        let target = if self.stack.iter().any(|s| s == r) {
            Shape::of(Ty::Recursive { name })
        } else {
            match r.strip_prefix('#').and_then(|p| self.root.pointer(p)) {
                Some(t) => {
                    self.stack.push(r.to_string());
                    let s = self.node(t, depth + 1);
                    self.stack.pop();
                    s
                }
                None => unsupported(format!("unresolved `$ref` {r}")),
            }
        };
        if rest.is_empty() {
            return target;
        }
        let siblings = self.object(&rest, depth);
        // Sibling annotations describe this use of the referenced schema: they win.
        let mut merged = merge(siblings.clone(), target);
        if siblings.description.is_some() {
            merged.description = siblings.description;
        }
        merged
    }

    fn annotations(&self, m: &Map<String, Value>, s: &mut Shape) {
        s.title = m.get("title").and_then(Value::as_str).map(str::to_string);
        s.description = m
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_string);
        s.default = m.get("default").cloned();
        match m.get("examples") {
            Some(Value::Array(xs)) => s.examples.clone_from(xs),
            Some(other) => s.examples = vec![other.clone()],
            None => {}
        }
        if let Some(x) = m.get("example") {
            s.examples.push(x.clone());
        }
        s.deprecated = m.get("deprecated") == Some(&Value::Bool(true));
        s.nullable = m.get("nullable") == Some(&Value::Bool(true));
    }

    fn ty(&mut self, m: &Map<String, Value>, s: &mut Shape, depth: usize) -> Ty {
        if let Some(c) = m.get("const") {
            return enum_of(vec![c.clone()], s);
        }
        if let Some(e) = m.get("enum") {
            return match e {
                Value::Array(xs) => enum_of(xs.clone(), s),
                other => {
                    s.unsupported
                        .push(format!("`enum` is not an array: {}", short(other)));
                    Ty::Any
                }
            };
        }
        let names: Vec<String> = match m.get("type") {
            Some(Value::String(t)) => vec![t.clone()],
            Some(Value::Array(ts)) => ts
                .iter()
                .filter_map(|t| t.as_str().map(str::to_string))
                .collect(),
            Some(other) => {
                s.unsupported
                    .push(format!("`type` is not a name: {}", short(other)));
                vec![]
            }
            None => vec![infer(m).to_string()],
        };
        let mut tys = Vec::new();
        for n in names {
            match n.as_str() {
                "null" => s.nullable = true,
                "any" | "" => tys.push(Ty::Any),
                "boolean" => tys.push(Ty::Boolean),
                "integer" => tys.push(Ty::Integer),
                "number" => tys.push(Ty::Number),
                "string" => tys.push(Ty::String),
                "array" => tys.push(self.array(m, s, depth)),
                "object" => tys.push(self.object_ty(m, s, depth)),
                other => s.unsupported.push(format!("unknown type `{other}`")),
            }
        }
        match tys.len() {
            0 if s.nullable => {
                s.nullable = false;
                Ty::Null
            }
            0 => Ty::Any,
            1 => tys.pop().unwrap_or_default(),
            _ => Ty::Union {
                variants: tys.into_iter().map(Shape::of).collect(),
                exclusive: false,
            },
        }
    }

    fn array(&mut self, m: &Map<String, Value>, s: &mut Shape, depth: usize) -> Ty {
        let mut prefix = Vec::new();
        if let Some(Value::Array(p)) = m.get("prefixItems") {
            prefix = p.iter().map(|x| self.node(x, depth + 1)).collect();
        }
        let items = match m.get("items") {
            // draft-07 tuple form; `additionalItems` then says what follows.
            Some(Value::Array(p)) => {
                prefix = p.iter().map(|x| self.node(x, depth + 1)).collect();
                m.get("additionalItems")
                    .map(|a| Box::new(self.node(a, depth + 1)))
            }
            Some(other) => Some(Box::new(self.node(other, depth + 1))),
            None => None,
        };
        if items.is_none() && prefix.is_empty() && m.contains_key("items") {
            s.unsupported.push("empty tuple `items`".into());
        }
        Ty::Array { items, prefix }
    }

    fn object_ty(&mut self, m: &Map<String, Value>, s: &mut Shape, depth: usize) -> Ty {
        let required: Vec<&str> = match m.get("required") {
            Some(Value::Array(r)) => r.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let mut properties = Vec::new();
        match m.get("properties") {
            Some(Value::Object(props)) => {
                for (name, p) in props {
                    properties.push(Property {
                        name: name.clone(),
                        required: required.contains(&name.as_str()),
                        shape: self.node(p, depth + 1),
                    });
                }
            }
            Some(other) => s
                .unsupported
                .push(format!("`properties` is not an object: {}", short(other))),
            None => {}
        }
        for r in &required {
            if !properties.iter().any(|p| p.name == *r) {
                properties.push(Property {
                    name: r.to_string(),
                    required: true,
                    shape: Shape::default(),
                });
            }
        }
        let additional = match m
            .get("additionalProperties")
            .or_else(|| m.get("unevaluatedProperties"))
        {
            None | Some(Value::Bool(true)) => Additional::Unspecified,
            Some(Value::Bool(false)) => Additional::Forbidden,
            Some(v) => Additional::Schema {
                shape: Box::new(self.node(v, depth + 1)),
            },
        };
        Ty::Object {
            properties,
            additional,
        }
    }

    fn constraints(&self, m: &Map<String, Value>, s: &mut Shape) {
        let mut c = Constraints::default();
        let mut bad = Vec::new();
        let mut num = |k: &str| match m.get(k) {
            None | Some(Value::Bool(_)) => None,
            Some(Value::Number(n)) => Some(n.clone()),
            Some(other) => {
                bad.push(format!("`{k}` is not a number: {}", short(other)));
                None
            }
        };
        c.minimum = num("minimum");
        c.maximum = num("maximum");
        c.exclusive_minimum = num("exclusiveMinimum");
        c.exclusive_maximum = num("exclusiveMaximum");
        c.multiple_of = num("multipleOf");
        // draft-04: `exclusiveMinimum: true` makes `minimum` exclusive.
        if m.get("exclusiveMinimum") == Some(&Value::Bool(true)) {
            c.exclusive_minimum = c.minimum.take();
        }
        if m.get("exclusiveMaximum") == Some(&Value::Bool(true)) {
            c.exclusive_maximum = c.maximum.take();
        }
        let mut count = |k: &str| match m.get(k) {
            None => None,
            Some(v) => {
                if let Some(n) = v.as_u64().or_else(|| whole_float(v)) {
                    Some(n)
                } else {
                    bad.push(format!("`{k}` is not a count: {}", short(v)));
                    None
                }
            }
        };
        c.min_length = count("minLength");
        c.max_length = count("maxLength");
        c.min_items = count("minItems");
        c.max_items = count("maxItems");
        c.min_properties = count("minProperties");
        c.max_properties = count("maxProperties");
        c.pattern = m.get("pattern").and_then(Value::as_str).map(str::to_string);
        c.format = m.get("format").and_then(Value::as_str).map(str::to_string);
        c.unique_items = m.get("uniqueItems") == Some(&Value::Bool(true));
        s.constraints = c;
        s.unsupported.extend(bad);
    }
}

fn whole_float(v: &Value) -> Option<u64> {
    let f = v.as_f64()?;
    (f >= 0.0 && f.fract() == 0.0 && f < 9.0e15).then_some(f as u64)
}

fn unsupported(what: String) -> Shape {
    Shape {
        unsupported: vec![what],
        ..Shape::default()
    }
}

fn enum_of(mut values: Vec<Value>, s: &mut Shape) -> Ty {
    if values.iter().any(Value::is_null) {
        values.retain(|v| !v.is_null());
        s.nullable = true;
        if values.is_empty() {
            s.nullable = false;
            return Ty::Null;
        }
    }
    if values.is_empty() {
        return Ty::Never;
    }
    Ty::Enum { values }
}

/// The type a schema without `type` implies by its keywords.
fn infer(m: &Map<String, Value>) -> &'static str {
    let has = |ks: &[&str]| ks.iter().any(|k| m.contains_key(*k));
    if has(&[
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
        "maxProperties",
    ]) {
        "object"
    } else if has(&[
        "items",
        "prefixItems",
        "minItems",
        "maxItems",
        "uniqueItems",
    ]) {
        "array"
    } else if has(&["minLength", "maxLength", "pattern"]) {
        "string"
    } else if has(&[
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    ]) {
        "number"
    } else {
        "any"
    }
}
