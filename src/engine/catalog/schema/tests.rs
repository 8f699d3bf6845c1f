use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;

fn prop<'a>(s: &'a Shape, name: &str) -> &'a Property {
    s.properties()
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no property {name} in {s:?}"))
}

#[test]
fn types_required_defaults_and_enums() {
    let s = parse(&json!({
        "type": "object",
        "properties": {
            "title": { "type": "string", "minLength": 1, "maxLength": 200, "description": "T" },
            "priority": { "type": "string", "enum": ["low", "high"], "default": "low" },
            "kind": { "const": "bug" },
            "n": { "type": "integer", "minimum": 1, "exclusiveMaximum": 10, "multipleOf": 3 }
        },
        "required": ["title"],
        "additionalProperties": false
    }));
    let Ty::Object { additional, .. } = &s.ty else {
        panic!("{s:?}")
    };
    assert_eq!(*additional, Additional::Forbidden);
    let title = prop(&s, "title");
    assert!(title.required);
    assert_eq!(title.shape.ty, Ty::String);
    assert_eq!(title.shape.constraints.min_length, Some(1));
    assert_eq!(title.shape.constraints.max_length, Some(200));
    assert_eq!(title.shape.description.as_deref(), Some("T"));
    let p = prop(&s, "priority");
    assert!(!p.required);
    assert_eq!(p.shape.default, Some(json!("low")));
    assert_eq!(
        p.shape.ty,
        Ty::Enum {
            values: vec![json!("low"), json!("high")]
        }
    );
    assert_eq!(
        prop(&s, "kind").shape.ty,
        Ty::Enum {
            values: vec![json!("bug")]
        }
    );
    let n = &prop(&s, "n").shape.constraints;
    assert_eq!(n.minimum, Some(1.into()));
    assert_eq!(n.exclusive_maximum, Some(10.into()));
    assert_eq!(n.multiple_of, Some(3.into()));
    assert!(s.unsupported_all().is_empty());
}

#[test]
fn nullable_forms() {
    for schema in [
        json!({ "type": ["string", "null"] }),
        json!({ "type": "string", "nullable": true }),
        json!({ "anyOf": [{ "type": "string" }, { "type": "null" }] }),
        json!({ "oneOf": [{ "type": "null" }, { "type": "string" }] }),
    ] {
        let s = parse(&schema);
        assert_eq!(s.ty, Ty::String, "{schema}");
        assert!(s.nullable, "{schema}");
    }
    let e = parse(&json!({ "enum": ["a", null] }));
    assert!(e.nullable);
    assert_eq!(
        e.ty,
        Ty::Enum {
            values: vec![json!("a")]
        }
    );
    assert_eq!(parse(&json!({ "type": "null" })).ty, Ty::Null);
}

#[test]
fn draft04_boolean_exclusive_bounds() {
    let s =
        parse(&json!({ "type": "number", "minimum": 0, "exclusiveMinimum": true, "maximum": 5 }));
    assert_eq!(s.constraints.minimum, None);
    assert_eq!(s.constraints.exclusive_minimum, Some(0.into()));
    assert_eq!(s.constraints.maximum, Some(5.into()));
}

#[test]
fn arrays_and_tuples() {
    let s = parse(&json!({
        "type": "array", "items": { "type": "string", "pattern": "^[a-z]+$" },
        "minItems": 1, "maxItems": 3, "uniqueItems": true
    }));
    let Ty::Array {
        items: Some(items),
        prefix,
    } = &s.ty
    else {
        panic!("{s:?}")
    };
    assert!(prefix.is_empty());
    assert_eq!(items.constraints.pattern.as_deref(), Some("^[a-z]+$"));
    assert!(s.constraints.unique_items);
    assert_eq!(
        (s.constraints.min_items, s.constraints.max_items),
        (Some(1), Some(3))
    );
    for tuple in [
        json!({ "prefixItems": [{ "type": "integer" }, { "type": "string" }] }),
        json!({ "type": "array", "items": [{ "type": "integer" }, { "type": "string" }] }),
    ] {
        let Ty::Array { prefix, .. } = parse(&tuple).ty else {
            panic!()
        };
        assert_eq!(prefix.len(), 2);
        assert_eq!(prefix[1].ty, Ty::String);
    }
}

#[test]
fn refs_defs_definitions_and_cycles() {
    let s = parse(&json!({
        "type": "object",
        "properties": {
            "a": { "$ref": "#/$defs/Point", "description": "where" },
            "b": { "$ref": "#/definitions/Name" },
            "tree": { "$ref": "#/$defs/Node" }
        },
        "$defs": {
            "Point": { "type": "object", "properties": { "x": { "type": "number" } }, "required": ["x"] },
            "Node": { "type": "object", "properties": { "children": { "type": "array", "items": { "$ref": "#/$defs/Node" } } } }
        },
        "definitions": { "Name": { "type": "string", "minLength": 2 } }
    }));
    let a = &prop(&s, "a").shape;
    assert_eq!(a.description.as_deref(), Some("where"));
    assert!(prop(a, "x").required);
    assert_eq!(prop(&s, "b").shape.constraints.min_length, Some(2));
    let tree = &prop(&s, "tree").shape;
    let Ty::Array {
        items: Some(item), ..
    } = &prop(tree, "children").shape.ty
    else {
        panic!()
    };
    assert_eq!(
        item.ty,
        Ty::Recursive {
            name: "Node".into()
        }
    );
    assert!(s.unsupported_all().is_empty(), "{:?}", s.unsupported_all());
    let self_ref = parse(&json!({ "$ref": "#" }));
    assert_eq!(self_ref.ty, Ty::Recursive { name: "#".into() });
}

#[test]
fn unresolved_refs_and_unexpressed_keywords_are_reported_with_paths() {
    let s = parse(&json!({
        "type": "object",
        "properties": {
            "x": { "$ref": "https://example.com/s.json" },
            "y": { "type": "string", "not": { "const": "" } },
            "z": { "type": "object", "patternProperties": { "^a": {} } }
        },
        "if": { "required": ["x"] }, "then": { "required": ["y"] },
        "x-internal": 7
    }));
    let u = s.unsupported_all();
    assert!(
        u.iter().any(|m| m.starts_with("x: unresolved `$ref`")),
        "{u:?}"
    );
    assert!(u.iter().any(|m| m.starts_with("y: `not`")), "{u:?}");
    assert!(
        u.iter().any(|m| m.starts_with("z: `patternProperties`")),
        "{u:?}"
    );
    assert!(u.iter().any(|m| m.starts_with("`if`")), "{u:?}");
    assert_eq!(s.notes, vec!["x-internal: 7".to_string()]);
}

#[test]
fn all_of_merges_objects_and_reports_conflicts() {
    let s = parse(&json!({
        "allOf": [
            { "type": "object", "properties": { "a": { "type": "string" } }, "required": ["a"] },
            { "properties": { "b": { "type": "integer" } }, "required": ["b"] }
        ]
    }));
    assert!(prop(&s, "a").required && prop(&s, "b").required);
    assert_eq!(prop(&s, "b").shape.ty, Ty::Integer);
    let bad = parse(&json!({ "allOf": [{ "type": "string" }, { "type": "object" }] }));
    assert!(bad.unsupported[0].contains("incompatible"), "{bad:?}");
}

#[test]
fn one_of_with_a_typed_base_merges_into_each_variant() {
    let s = parse(&json!({
        "type": "object",
        "properties": { "id": { "type": "integer" }, "name": { "type": "string" } },
        "oneOf": [{ "required": ["id"] }, { "required": ["name"] }]
    }));
    let Ty::Union {
        variants,
        exclusive,
    } = &s.ty
    else {
        panic!("{s:?}")
    };
    assert!(*exclusive);
    assert!(prop(&variants[0], "id").required && !prop(&variants[0], "name").required);
    assert!(prop(&variants[1], "name").required);
    assert_eq!(prop(&variants[1], "id").shape.ty, Ty::Integer);
}

#[test]
fn odd_inputs_are_reported_not_panicked_on() {
    assert_eq!(parse(&json!(true)).ty, Ty::Any);
    assert_eq!(parse(&json!(false)).ty, Ty::Never);
    assert!(!parse(&json!(42)).unsupported.is_empty());
    assert!(!parse(&json!({ "type": "strnig" })).unsupported.is_empty());
    assert!(!parse(&json!({ "minLength": -1 })).unsupported.is_empty());
    assert!(!parse(&json!({ "enum": "a" })).unsupported.is_empty());
    // Deep nesting is cut off and reported.
    let mut deep = json!({ "type": "string" });
    for _ in 0..200 {
        deep = json!({ "type": "array", "items": deep });
    }
    assert!(
        parse(&deep)
            .unsupported_all()
            .iter()
            .any(|u| u.contains("deeper"))
    );
    // Exponential `$ref` fan-out stays bounded.
    let mut defs = serde_json::Map::new();
    for i in 0..30 {
        let next = format!("#/$defs/d{}", i + 1);
        defs.insert(
            format!("d{i}"),
            json!({ "type": "object", "properties": { "l": { "$ref": next }, "r": { "$ref": next } } }),
        );
    }
    defs.insert("d30".into(), json!({ "type": "string" }));
    let wide = json!({ "$ref": "#/$defs/d0", "$defs": defs });
    assert!(
        parse(&wide)
            .unsupported_all()
            .iter()
            .any(|u| u.contains("too large") || u.contains("deeper"))
    );
}

fn arb_json() -> impl Strategy<Value = Value> {
    let key = prop::sample::select(vec![
        "type",
        "properties",
        "items",
        "required",
        "$ref",
        "$defs",
        "enum",
        "const",
        "anyOf",
        "oneOf",
        "allOf",
        "minimum",
        "exclusiveMinimum",
        "maxLength",
        "nullable",
        "prefixItems",
        "additionalProperties",
        "definitions",
        "not",
        "x",
        "a",
        "b",
    ]);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        prop::sample::select(vec![
            "string",
            "object",
            "array",
            "null",
            "integer",
            "number",
            "#",
            "#/$defs/a",
            "#/properties/a",
            "#/definitions/b",
            "boolean",
        ])
        .prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(5, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..6).prop_map(|kv| Value::Object(
                kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Random JSON as a tool's input and output schema: parsing, example synthesis, every
    /// renderer and the linter survive it.
    #[test]
    fn never_panics_on_random_json(v in arb_json(), out in arb_json()) {
        let s = parse(&v);
        let _ = s.walk();
        let _ = serde_json::to_string(&s).unwrap();
        let _ = crate::catalog::example::synthesize(&s);
        let tool = crate::mcp::ToolDef {
            name: "t".into(),
            title: None,
            description: Some("A tool.".into()),
            input_schema: v,
            output_schema: Some(out),
            annotations: None,
            extra: serde_json::Map::new(),
            compiled: Default::default(),
        };
        let cat = crate::catalog::Catalog::from_tools("s", &[tool]);
        let t = cat.tools().next().unwrap();
        let _ = crate::catalog::render_md::tool(t);
        let _ = crate::catalog::render_prompt::tool(t);
        let _ = crate::catalog::render_lines::tool(t);
        let _ = crate::catalog::lint::lint(&cat, None);
        let _ = cat.search("t a", 5);
    }
}
