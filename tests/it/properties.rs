//! Property tests (proptest) over the parts that read what nobody here wrote: JSON Schema →
//! docs, JSON ↔ Rhai values, config files, and name sanitizing. Each property also runs the
//! committed corpus in `tests/corpus/` first. `PROPTEST_CASES` raises the case count
//! (`scripts/fuzz` runs them longer); the normal test run is the short pass.

use std::path::{Path, PathBuf};

use codemode::catalog::names::{self, Kind, Names};
use codemode::catalog::{ServerDoc, render_lines, render_md, render_prompt};
use codemode::config::Config;
use codemode::mcp::ToolDef;
use codemode::script as convert;
use proptest::prelude::*;
use serde_json::{Value, json};

fn corpus(dir: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(dir);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| (p.clone(), std::fs::read(&p).unwrap()))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus {}", dir.display());
    files
}

// ---- JSON Schema → docs ----

/// JSON values shaped like schemas: schema keywords, `$ref`s and junk, nested.
fn schema_like() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("type"),
        Just("properties"),
        Just("items"),
        Just("required"),
        Just("enum"),
        Just("const"),
        Just("default"),
        Just("description"),
        Just("$ref"),
        Just("$defs"),
        Just("definitions"),
        Just("allOf"),
        Just("anyOf"),
        Just("oneOf"),
        Just("not"),
        Just("minimum"),
        Just("maxLength"),
        Just("pattern"),
        Just("format"),
        Just("additionalProperties"),
        Just("examples"),
        Just("title"),
        Just("a"),
        Just("b"),
    ]
    .prop_map(str::to_string);
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just("object"),
            Just("string"),
            Just("integer"),
            Just("number"),
            Just("array"),
            Just("boolean"),
            Just("null"),
            Just("#"),
            Just("#/$defs/a"),
            Just("#/properties/a"),
            Just("#/definitions/b"),
            Just("a"),
            Just("`*_[x](y)\n# h"),
        ]
        .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(6, 120, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Renders every doc form of one tool with these schemas; returns the total output size.
fn render_all(input: &Value, output: Option<&Value>) -> usize {
    let tool: ToolDef = serde_json::from_value(json!({
        "name": "t", "description": "d", "inputSchema": input, "outputSchema": output,
    }))
    .unwrap();
    let doc = ServerDoc::from_tools("s", "s", &[tool]);
    let md = render_md::server(&doc);
    let prompt = render_prompt::server(&doc);
    let lines = render_lines::server(&doc);
    md.len() + prompt.len() + lines.iter().map(|l| format!("{l:?}").len()).sum::<usize>()
}

/// Docs may be larger than the schema, but within a fixed factor plus a constant.
fn assert_bounded(schema: &Value, out: usize) {
    let size = schema.to_string().len();
    assert!(
        out < 64 * size + 200_000,
        "{out} bytes of docs for a {size}-byte schema"
    );
}

#[test]
fn schema_corpus_renders() {
    for (path, bytes) in corpus("schemas") {
        let schema: Value = serde_json::from_slice(&bytes).expect("corpus files are JSON");
        let out = render_all(&schema, Some(&schema));
        assert_bounded(&schema, out / 2);
        eprintln!("{}: {out} bytes", path.display());
    }
}

proptest! {
    #[test]
    fn schemas_render_without_panicking_and_bounded(input in schema_like(), output in schema_like()) {
        let out = render_all(&input, Some(&output));
        assert_bounded(&json!([input, output]), out);
    }
}

// ---- JSON ↔ Rhai ----

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(8, 200, 10, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..10).prop_map(Value::Array),
            prop::collection::btree_map(any::<String>(), inner, 0..10)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn json_round_trips_through_rhai(v in json_value()) {
        let back = convert::to_json(&convert::from_json(&v)).unwrap();
        prop_assert_eq!(back, v);
    }
}

#[test]
fn too_deep_rhai_values_are_an_error_not_a_crash() {
    let mut v = json!(1);
    for _ in 0..(convert::MAX_JSON_DEPTH + 5) {
        v = json!([v]);
    }
    let err = convert::to_json(&convert::from_json(&v)).unwrap_err();
    assert!(err.contains("nested deeper than"), "{err}");
}

// ---- config parsing ----

/// Checks one config text: no panic; an error names the file, and a syntax error has a line.
fn check_config(text: &str, toml: bool) {
    let path = Path::new(if toml {
        "/x/codemode.toml"
    } else {
        "/x/mcp.json"
    });
    let result = if toml {
        Config::from_toml_str(text, path)
    } else {
        Config::from_json_str(text, path)
    };
    let Err(e) = result else { return };
    assert_eq!(e.file, path);
    let shown = e.to_string();
    assert!(shown.starts_with(&path.display().to_string()), "{shown}");
    let syntax_ok = if toml {
        text.parse::<toml::Table>().is_ok()
    } else {
        serde_json::from_str::<Value>(text).is_ok()
    };
    if syntax_ok {
        assert!(
            e.line.is_some() || e.field.is_some(),
            "error not located: {shown}"
        );
    } else {
        assert!(
            e.line.is_some() && e.column.is_some(),
            "syntax error without a position: {shown}"
        );
    }
}

#[test]
fn config_corpus_is_parsed_or_located() {
    for (path, bytes) in corpus("configs") {
        let text = String::from_utf8_lossy(&bytes);
        check_config(&text, path.extension().is_some_and(|e| e == "toml"));
    }
}

fn config_like() -> impl Strategy<Value = Value> {
    let server = prop::collection::btree_map(
        prop_oneof![
            Just("command"),
            Just("args"),
            Just("env"),
            Just("url"),
            Just("headers"),
            Just("type"),
            Just("cwd"),
            Just("timeout"),
            Just("disabled"),
            Just("inherit_env"),
        ]
        .prop_map(str::to_string),
        json_value(),
        0..6,
    )
    .prop_map(|m| Value::Object(m.into_iter().collect()));
    prop::collection::btree_map(".{0,12}", server, 0..4)
        .prop_map(|servers| json!({ "mcpServers": Value::Object(servers.into_iter().collect()) }))
}

proptest! {
    #[test]
    fn any_text_is_a_config_or_a_located_error(text in ".{0,200}", toml in any::<bool>()) {
        check_config(&text, toml);
    }

    #[test]
    fn config_shaped_json_is_a_config_or_a_located_error(v in config_like(), cut in any::<prop::sample::Index>()) {
        let text = serde_json::to_string_pretty(&v).unwrap();
        check_config(&text, false);
        // A prefix is a syntax error (or, rarely, still valid).
        let mut at = cut.index(text.len().max(1));
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        check_config(&text[..at], false);
    }
}

// ---- names ----

/// Whether Rhai accepts `ident` as a variable and function name.
fn is_rhai_identifier(ident: &str) -> bool {
    let engine = rhai::Engine::new_raw();
    engine
        .compile(format!(
            "fn {ident}() {{ 1 }} let {ident} = {ident}(); {ident}"
        ))
        .is_ok()
}

proptest! {
    #[test]
    fn names_are_injective_valid_identifiers(raws in prop::collection::btree_set(
        prop_oneof![".{0,16}", "[a-zA-Z0-9_ .-]{0,12}", Just("fn".to_string()), Just("call".to_string())],
        1..12,
    ), tool in any::<bool>()) {
        let kind = if tool { Kind::Tool } else { Kind::Server };
        let names = Names::assign(raws.iter().map(String::as_str), kind);
        prop_assert_eq!(names.len(), raws.len());
        let mut seen = std::collections::BTreeSet::new();
        for (raw, ident) in names.iter() {
            prop_assert!(seen.insert(ident.to_string()), "`{}` given twice", ident);
            prop_assert!(!names::is_reserved(ident), "`{}` (from {:?}) is reserved", ident, raw);
            prop_assert!(is_rhai_identifier(ident), "`{}` (from {:?}) is not a Rhai identifier", ident, raw);
            prop_assert_eq!(names.raw(ident), Some(raw));
        }
    }
}
