use proptest::prelude::*;
use serde_json::{Value, json};

use super::*;
use crate::catalog::schema::parse;

fn check(schema: &Value) -> Value {
    let example = synthesize(&parse(schema));
    let validator = jsonschema::validator_for(schema).expect("fixture schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&example)
        .map(|e| e.to_string())
        .collect();
    assert!(
        errors.is_empty(),
        "example {example} does not validate against {schema}: {errors:?}"
    );
    example
}

#[test]
fn demo_tools_examples_validate() {
    for tool in crate::demo::tool_definitions(true) {
        check(&tool["inputSchema"]);
        if let Some(out) = tool.get("outputSchema") {
            check(out);
        }
    }
}

#[test]
fn fixture_schemas_examples_validate() {
    let text = include_str!("../../../../tests/fixtures/schemas.json");
    let schemas: Vec<Value> = serde_json::from_str(text).unwrap();
    assert!(schemas.len() >= 15);
    for s in &schemas {
        check(s);
    }
}

#[test]
fn prefers_examples_then_defaults_then_enums_and_fills_required_only() {
    let ex = check(&json!({
        "type": "object",
        "properties": {
            "q": { "type": "string", "examples": ["rust async"] },
            "mode": { "enum": ["fast", "slow"] },
            "limit": { "type": "integer", "default": 20 },
            "when": { "type": "string", "format": "date" },
            "user_email": { "type": "string" }
        },
        "required": ["mode", "limit", "when", "user_email"]
    }));
    assert_eq!(
        ex,
        json!({ "q": "rust async", "mode": "fast", "limit": 20, "when": "2024-01-31", "user_email": "user@example.com" })
    );
    // Nothing required: one cheap optional scalar shows how to call it.
    let ex = check(
        &json!({ "type": "object", "properties": { "deep": { "type": "object" }, "n": { "type": "integer", "minimum": 3 } } }),
    );
    assert_eq!(ex, json!({ "n": 3 }));
}

#[test]
fn respects_ranges_lengths_and_patterns() {
    let ex = check(&json!({
        "type": "object",
        "properties": {
            "a": { "type": "integer", "exclusiveMinimum": 4, "multipleOf": 5 },
            "b": { "type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1 },
            "c": { "type": "string", "minLength": 12 },
            "d": { "type": "string", "pattern": "^[A-Z]{3}$" },
            "e": { "type": "array", "items": { "type": "integer" }, "minItems": 3 }
        },
        "required": ["a", "b", "c", "d", "e"]
    }));
    assert_eq!(ex["a"], json!(5));
    assert_eq!(ex["b"], json!(0.5));
    assert_eq!(ex["c"].as_str().unwrap().len(), 12);
    assert_eq!(ex["d"], json!("ABC"));
    assert_eq!(ex["e"], json!([1, 2, 3]));
}

#[test]
fn rhai_literals_spell_maps_null_floats_and_escapes() {
    let v = json!({ "title": "say \"hi\"\n", "n": null, "x": 1.0, "big": 1e300, "list": [1, true], "my-key": {}, "fn": 2 });
    assert_eq!(
        rhai_literal(&v),
        r#"#{ title: "say \"hi\"\n", n: (), x: 1.0, big: 1.0e300, list: [1, true], "my-key": #{}, "fn": 2 }"#
    );
    assert_eq!(rhai_string("a\u{202E}b\u{200B}"), r#""a\u202Eb\u200B""#);
}

/// Evaluates a literal with a plain Rhai engine and converts it back to JSON.
fn eval(lit: &str) -> Value {
    let engine = ::rhai::Engine::new();
    let d: ::rhai::Dynamic = engine
        .eval_expression(lit)
        .unwrap_or_else(|e| panic!("`{lit}` does not parse: {e}"));
    ::rhai::serde::from_dynamic(&d).unwrap()
}

fn same_number_loosely(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same_number_loosely(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_number_loosely(v, w)))
        }
        _ => a == b,
    }
}

fn arb_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e12f64..1e12).prop_map(|n| json!(n)),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_ -]{1,6}|fn|let", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn int_schema() -> impl Strategy<Value = Value> {
    (
        -100i64..100,
        2i64..100,
        any::<bool>(),
        any::<bool>(),
        prop::option::of(1i64..5),
    )
        .prop_map(|(lo, width, lo_ex, hi_ex, m)| {
            let mut s = json!({ "type": "integer" });
            s[if lo_ex { "exclusiveMinimum" } else { "minimum" }] = json!(lo);
            s[if hi_ex { "exclusiveMaximum" } else { "maximum" }] = json!(lo + width + 6);
            if let Some(m) = m {
                s["multipleOf"] = json!(m);
            }
            s
        })
}

fn number_schema() -> impl Strategy<Value = Value> {
    (
        -100i32..100,
        1i32..50,
        any::<bool>(),
        any::<bool>(),
        prop::option::of(prop::sample::select(vec![0.25, 0.5, 2.0])),
    )
        .prop_map(|(lo, width, lo_ex, hi_ex, m)| {
            let (lo, hi) = (f64::from(lo) / 2.0, f64::from(lo + width) / 2.0 + 4.0);
            let mut s = json!({ "type": "number" });
            s[if lo_ex { "exclusiveMinimum" } else { "minimum" }] = json!(lo);
            s[if hi_ex { "exclusiveMaximum" } else { "maximum" }] = json!(hi);
            if let Some(m) = m {
                s["multipleOf"] = json!(m);
            }
            s
        })
}

fn string_schema() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0u64..6, 0u64..20).prop_map(
            |(min, extra)| json!({ "type": "string", "minLength": min, "maxLength": min + extra })
        ),
        prop::sample::select(vec![
            "^[a-z]+$",
            "^[A-Z]{3}$",
            "^\\d+$",
            "^[a-z0-9-]+$",
            "^v?\\d+\\.\\d+\\.\\d+$",
            "@"
        ])
        .prop_map(|p| json!({ "type": "string", "pattern": p })),
        prop::sample::select(vec!["email", "uri", "date", "date-time", "uuid", "ipv4"])
            .prop_map(|f| json!({ "type": "string", "format": f })),
    ]
}

fn scalar_schema() -> impl Strategy<Value = Value> {
    prop_oneof![
        int_schema(),
        number_schema(),
        string_schema(),
        Just(json!({ "type": "boolean" })),
        Just(json!({ "type": "null" })),
        prop::collection::vec("[a-z]{1,5}", 1..4).prop_map(|v| json!({ "enum": v })),
        any::<i32>().prop_map(|n| json!({ "const": n })),
        Just(json!({})),
    ]
}

const KEYS: &[&str] = &[
    "name", "count", "path", "email", "url", "id", "tags", "mode", "user_id", "q",
];

/// Schemas in the subset the synthesizer promises to satisfy.
fn arb_schema() -> impl Strategy<Value = Value> {
    scalar_schema().prop_recursive(3, 32, 5, |inner| {
        prop_oneof![
            (inner.clone(), 0u64..3, 0u64..3).prop_map(|(items, min, extra)| {
                json!({ "type": "array", "items": items, "minItems": min, "maxItems": min + extra })
            }),
            Just(json!({ "type": "array", "items": { "type": "string" }, "minItems": 3, "uniqueItems": true })),
            prop::collection::vec((prop::sample::select(KEYS), inner.clone(), any::<bool>()), 0..5)
                .prop_map(|props| {
                    let mut properties = serde_json::Map::new();
                    let mut required = Vec::new();
                    for (k, s, req) in props {
                        if properties.insert(k.to_string(), s).is_none() && req {
                            required.push(k);
                        }
                    }
                    json!({ "type": "object", "properties": properties, "required": required, "additionalProperties": false })
                }),
            inner.clone().prop_map(|s| {
                let t = s.get("type").cloned().unwrap_or(Value::Null);
                let mut s = s;
                if let Value::String(t) = t
                    && t != "null"
                {
                    s["type"] = json!([t, "null"]);
                }
                s
            }),
            (inner.clone(), inner).prop_map(|(a, b)| json!({ "anyOf": [a, b] })),
        ]
    })
}

fn tool_schema() -> impl Strategy<Value = Value> {
    (arb_schema(), any::<bool>()).prop_map(|(inner, via_ref)| {
        if via_ref {
            json!({ "type": "object", "properties": { "arg": { "$ref": "#/$defs/Arg" } }, "required": ["arg"], "$defs": { "Arg": inner } })
        } else {
            json!({ "type": "object", "properties": { "arg": inner }, "required": ["arg"] })
        }
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(192))]

    #[test]
    fn synthesized_examples_validate(schema in tool_schema()) {
        check(&schema);
    }

    #[test]
    fn rhai_literals_round_trip_through_rhai(v in arb_value()) {
        let lit = rhai_literal(&v);
        let back = eval(&lit);
        prop_assert!(same_number_loosely(&v, &back), "{v} → {lit} → {back}");
    }
}
