//! Combining schemas: `allOf` parts merged into one shape, `oneOf`/`anyOf` into a union.

use super::{Additional, Constraints, Shape, Ty};

/// `oneOf`/`anyOf`: `null` variants make the rest nullable; a typed base is merged into each
/// variant (the common `{properties, oneOf: [{required: [a]}, {required: [b]}]}` pattern).
pub(super) fn union(base: Shape, variants: Vec<Shape>, exclusive: bool) -> Shape {
    let mut nullable = base.nullable;
    let mut kept = Vec::new();
    for v in variants {
        if v.ty == Ty::Null {
            nullable = true;
        } else {
            kept.push(v);
        }
    }
    let base_has_type = base.ty != Ty::Any;
    let mut variants: Vec<Shape> = if base_has_type {
        let bare = Shape {
            ty: base.ty.clone(),
            constraints: base.constraints.clone(),
            ..Shape::default()
        };
        kept.into_iter().map(|v| merge(bare.clone(), v)).collect()
    } else {
        kept
    };
    let mut out = Shape {
        ty: Ty::Any,
        constraints: if base_has_type {
            Constraints::default()
        } else {
            base.constraints
        },
        ..base
    };
    out.nullable = nullable;
    match variants.len() {
        0 if nullable => {
            out.ty = Ty::Null;
            out.nullable = false;
        }
        0 => out.ty = Ty::Never,
        1 => {
            let only = variants.pop().unwrap_or_default();
            out = merge(out, only);
            out.nullable = nullable;
        }
        _ => {
            out.ty = Ty::Union {
                variants,
                exclusive,
            }
        }
    }
    out
}

/// `allOf` of two shapes, as one shape. Objects merge their properties; equal primitive types
/// merge their constraints; anything else is reported as unsupported (keeping `a`).
pub(super) fn merge(mut a: Shape, b: Shape) -> Shape {
    a.title = a.title.or(b.title);
    a.description = a.description.or(b.description);
    a.default = a.default.or(b.default);
    a.examples.extend(b.examples);
    a.deprecated |= b.deprecated;
    a.notes.extend(b.notes);
    a.unsupported.extend(b.unsupported);
    // An untyped side (a `$ref`'s sibling `nullable: true`, a bare `{}`) adds its nullability;
    // two typed sides must both accept null.
    a.nullable = if a.ty == Ty::Any || b.ty == Ty::Any {
        a.nullable || b.nullable
    } else {
        a.nullable && b.nullable
    };
    a.constraints = merge_constraints(a.constraints, b.constraints);
    a.ty = match (std::mem::take(&mut a.ty), b.ty) {
        (Ty::Any, t) | (t, Ty::Any) => t,
        (
            Ty::Object {
                properties: mut pa,
                additional: xa,
            },
            Ty::Object {
                properties: pb,
                additional: xb,
            },
        ) => {
            for p in pb {
                match pa.iter_mut().find(|q| q.name == p.name) {
                    Some(q) => {
                        q.required |= p.required;
                        q.shape = merge(std::mem::take(&mut q.shape), p.shape);
                    }
                    None => pa.push(p),
                }
            }
            let additional = match (xa, xb) {
                (Additional::Forbidden, _) | (_, Additional::Forbidden) => Additional::Forbidden,
                (Additional::Schema { shape }, _) | (_, Additional::Schema { shape }) => {
                    Additional::Schema { shape }
                }
                _ => Additional::Unspecified,
            };
            Ty::Object {
                properties: pa,
                additional,
            }
        }
        (Ty::Enum { values }, other) | (other, Ty::Enum { values })
            if matches!(
                other,
                Ty::String | Ty::Integer | Ty::Number | Ty::Boolean | Ty::Enum { .. }
            ) =>
        {
            match other {
                Ty::Enum { values: vb } => Ty::Enum {
                    values: values.into_iter().filter(|v| vb.contains(v)).collect(),
                },
                _ => Ty::Enum { values },
            }
        }
        (Ty::Integer, Ty::Number) | (Ty::Number, Ty::Integer) => Ty::Integer,
        (ta, tb) if ta == tb => ta,
        (ta, tb) => {
            a.unsupported.push(format!(
                "`allOf` of incompatible types ({} and {}); showing the first",
                ty_name(&ta),
                ty_name(&tb)
            ));
            ta
        }
    };
    a
}

fn merge_constraints(a: Constraints, b: Constraints) -> Constraints {
    Constraints {
        minimum: a.minimum.or(b.minimum),
        maximum: a.maximum.or(b.maximum),
        exclusive_minimum: a.exclusive_minimum.or(b.exclusive_minimum),
        exclusive_maximum: a.exclusive_maximum.or(b.exclusive_maximum),
        multiple_of: a.multiple_of.or(b.multiple_of),
        min_length: a.min_length.max(b.min_length),
        max_length: match (a.max_length, b.max_length) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        },
        pattern: a.pattern.or(b.pattern),
        format: a.format.or(b.format),
        min_items: a.min_items.max(b.min_items),
        max_items: match (a.max_items, b.max_items) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        },
        unique_items: a.unique_items || b.unique_items,
        min_properties: a.min_properties.max(b.min_properties),
        max_properties: a.max_properties.or(b.max_properties),
    }
}

/// A short name of a type, for messages.
pub fn ty_name(t: &Ty) -> &'static str {
    match t {
        Ty::Any => "any",
        Ty::Never => "never",
        Ty::Null => "null",
        Ty::Boolean => "boolean",
        Ty::Integer => "integer",
        Ty::Number => "number",
        Ty::String => "string",
        Ty::Enum { .. } => "enum",
        Ty::Array { .. } => "array",
        Ty::Object { .. } => "object",
        Ty::Union { .. } => "union",
        Ty::Recursive { .. } => "recursive",
    }
}
