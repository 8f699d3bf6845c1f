//! The doc model of a JSON Schema: what a tool's `inputSchema` / `outputSchema` says, in a form
//! the renderers, the example synthesizer and the linter can walk.
//!
//! Both JSON Schema 2020-12 and draft-07 (and the draft-04 / `OpenAPI` habits servers still send:
//! boolean `exclusiveMinimum`, `nullable: true`) are read. Local `$ref`s (`#/$defs/..`,
//! `#/definitions/..`, any `#/...` pointer) are inlined; a reference back into itself becomes
//! [`Ty::Recursive`]. Keywords we do not know survive as [`Shape::notes`]; constructs we know
//! but cannot express precisely are listed in [`Shape::unsupported`] and never silently shown
//! as "any". Building never panics, whatever JSON it is given.

use serde::Serialize;
use serde_json::{Number, Value};

/// Deeper nesting than this is cut off (reported), so hostile schemas cannot blow the stack.
pub const MAX_DEPTH: usize = 24;

/// One schema node in doc form.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Shape {
    /// What kind of value.
    pub ty: Ty,
    /// `null` is accepted too (`type: [x, "null"]`, `nullable: true`, a `null` variant).
    #[serde(skip_serializing_if = "is_false")]
    pub nullable: bool,
    /// `title`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// `description`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `default`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// `examples` (and the `OpenAPI` `example`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Value>,
    /// Range, length, pattern, format and item constraints.
    #[serde(skip_serializing_if = "Constraints::is_empty")]
    pub constraints: Constraints,
    /// `deprecated: true`.
    #[serde(skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// Unknown keywords, kept raw as `keyword: json`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Constructs we could not express precisely at this node (shown in docs, listed by lint).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The kind of value a [`Shape`] describes.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Ty {
    /// Any JSON value (the empty schema `{}` or `true`).
    #[default]
    Any,
    /// No value is valid (`false`, `not: {}`).
    Never,
    /// `null` only.
    Null,
    /// `true` or `false`.
    Boolean,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// A string.
    String,
    /// One of these exact values (`enum`, `const`).
    Enum {
        /// The allowed values.
        values: Vec<Value>,
    },
    /// An array.
    Array {
        /// Schema of the items after `prefix` (`None`: any item).
        items: Option<Box<Shape>>,
        /// Positional items (`prefixItems`, draft-07 array-valued `items`).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        prefix: Vec<Shape>,
    },
    /// An object map.
    Object {
        /// Declared properties, in the schema's order.
        properties: Vec<Property>,
        /// What other keys may hold.
        additional: Additional,
    },
    /// One of several shapes (`oneOf`, `anyOf`, a list of types).
    Union {
        /// The alternatives.
        variants: Vec<Shape>,
        /// `true` for `oneOf` (exactly one must match), `false` for `anyOf`.
        exclusive: bool,
    },
    /// A reference back to a schema being described (a recursive structure).
    Recursive {
        /// The reference's last path segment, e.g. `Node` for `#/$defs/Node`.
        name: String,
    },
}

/// One property of an object.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Property {
    /// The key exactly as the schema names it.
    pub name: String,
    /// Listed in `required`.
    pub required: bool,
    /// Its schema.
    pub shape: Shape,
}

/// What an object accepts beyond its declared properties.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Additional {
    /// Not said: any other key is allowed.
    #[default]
    Unspecified,
    /// `additionalProperties: false`.
    Forbidden,
    /// `additionalProperties: {schema}` (a map of values of this shape).
    Schema {
        /// The values' shape.
        shape: Box<Shape>,
    },
}

/// Validation keywords that narrow a value.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Constraints {
    /// `minimum`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<Number>,
    /// `maximum`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<Number>,
    /// `exclusiveMinimum` (a number; draft-04's boolean form is converted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_minimum: Option<Number>,
    /// `exclusiveMaximum`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exclusive_maximum: Option<Number>,
    /// `multipleOf`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multiple_of: Option<Number>,
    /// `minLength`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    /// `maxLength`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// `pattern`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// `format`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `minItems`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_items: Option<u64>,
    /// `maxItems`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// `uniqueItems: true`.
    #[serde(skip_serializing_if = "is_false")]
    pub unique_items: bool,
    /// `minProperties`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_properties: Option<u64>,
    /// `maxProperties`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_properties: Option<u64>,
}

impl Constraints {
    /// Whether no constraint is set.
    pub fn is_empty(&self) -> bool {
        *self == Constraints::default()
    }
}

impl Shape {
    /// A shape of this type and nothing else.
    pub fn of(ty: Ty) -> Self {
        Shape {
            ty,
            ..Shape::default()
        }
    }

    /// The declared properties, if this is an object.
    pub fn properties(&self) -> &[Property] {
        match &self.ty {
            Ty::Object { properties, .. } => properties,
            _ => &[],
        }
    }

    /// Every node below and including this one, depth first, with its dotted path from here
    /// (`""` for this node, `assignee.name`, `labels[]`, `a|1` for a union's 2nd variant).
    pub fn walk(&self) -> Vec<(String, &Shape)> {
        let mut out = Vec::new();
        walk_into(self, String::new(), &mut out);
        out
    }

    /// Every construct that could not be expressed, as `path: what` (path empty at the root).
    pub fn unsupported_all(&self) -> Vec<String> {
        self.walk()
            .into_iter()
            .flat_map(|(path, s)| {
                s.unsupported.iter().map(move |u| {
                    if path.is_empty() {
                        u.clone()
                    } else {
                        format!("{path}: {u}")
                    }
                })
            })
            .collect()
    }
}

fn walk_into<'a>(shape: &'a Shape, path: String, out: &mut Vec<(String, &'a Shape)>) {
    out.push((path.clone(), shape));
    let join = |seg: &str| {
        if path.is_empty() {
            seg.to_string()
        } else {
            format!("{path}.{seg}")
        }
    };
    match &shape.ty {
        Ty::Object {
            properties,
            additional,
        } => {
            for p in properties {
                walk_into(&p.shape, join(&p.name), out);
            }
            if let Additional::Schema { shape } = additional {
                walk_into(shape, join("*"), out);
            }
        }
        Ty::Array { items, prefix } => {
            for (i, p) in prefix.iter().enumerate() {
                walk_into(p, format!("{path}[{i}]"), out);
            }
            if let Some(items) = items {
                walk_into(items, format!("{path}[]"), out);
            }
        }
        Ty::Union { variants, .. } => {
            for (i, v) in variants.iter().enumerate() {
                walk_into(v, format!("{path}|{}", i + 1), out);
            }
        }
        _ => {}
    }
}

/// Builds the doc model of `schema` (a whole tool schema: `$ref`s resolve against it).
pub fn parse(schema: &Value) -> Shape {
    let mut p = Parser {
        root: schema,
        stack: Vec::new(),
        nodes: 0,
    };
    p.node(schema, 0)
}

mod keywords;
mod merge;
mod parse;

pub use merge::ty_name;

use parse::Parser;

#[cfg(test)]
mod tests;
