//! Checking tool arguments against a tool's `inputSchema` before sending them.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Map, Value};

/// Parses tool arguments typed by a user: a JSON object, with a line/column error otherwise.
pub fn parse_args(text: &str) -> Result<Map<String, Value>, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(format!(
            "arguments must be a JSON object like {{\"key\": 1}}, not {}",
            json_kind(&other)
        )),
        Err(e) => Err(format!(
            "arguments are not valid JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        )),
    }
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Compiled schemas kept by [`validator`]: compiling costs far more than validating, and a
/// script calls the same few tools over and over.
const CACHED_VALIDATORS: usize = 512;

type Validators = HashMap<String, Option<Arc<jsonschema::Validator>>>;

/// Schemas compared by value before the cache keyed by their text is asked: writing a schema
/// out as text for the key cost more than validating a call's arguments.
const RECENT_VALIDATORS: usize = 8;

type Recent = VecDeque<(Value, Option<Arc<jsonschema::Validator>>)>;

/// The compiled validator of `schema` (None when it does not compile): one of the
/// [`RECENT_VALIDATORS`] schemas used last when it equals one, else from [`by_text`].
fn validator(schema: &Value) -> Option<Arc<jsonschema::Validator>> {
    static RECENT: Mutex<Recent> = Mutex::new(VecDeque::new());
    let recent = || {
        RECENT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    };
    if let Some((_, v)) = recent().iter().find(|(s, _)| s == schema) {
        return v.clone();
    }
    let compiled = by_text(schema);
    let mut recent = recent();
    recent.truncate(RECENT_VALIDATORS - 1);
    recent.push_front((schema.clone(), compiled.clone()));
    compiled
}

/// The compiled validator of `schema`, from a cache keyed by the schema's JSON text (so a
/// changed definition gets a new one). The cache is emptied when it holds
/// [`CACHED_VALIDATORS`] schemas.
fn by_text(schema: &Value) -> Option<Arc<jsonschema::Validator>> {
    static CACHE: OnceLock<Mutex<Validators>> = OnceLock::new();
    let key = schema.to_string();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .get(&key)
    {
        return v.clone();
    }
    let compiled = match jsonschema::validator_for(schema) {
        Ok(v) => Some(Arc::new(v)),
        Err(e) => {
            tracing::debug!("schema does not compile, not validating: {e}");
            None
        }
    };
    let mut cache = cache
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if cache.len() >= CACHED_VALIDATORS {
        cache.clear();
    }
    cache.insert(key, compiled.clone());
    compiled
}

/// A tool's schemas compiled for checking, made on first use ([`crate::mcp::ToolDef`] keeps
/// one, shared by its clones). Finding a schema's validator in [`validator`]'s caches compares
/// or writes out the whole schema, which costs more than checking a call's arguments.
#[derive(Clone, Default)]
pub struct Compiled(Arc<[OnceLock<Option<Arc<jsonschema::Validator>>>; 2]>);

impl Compiled {
    /// The validator of `schema`, which is the definition's input (`0`) or output (`1`) schema.
    fn get(&self, which: usize, schema: &Value) -> Option<&jsonschema::Validator> {
        self.0[which].get_or_init(|| validator(schema)).as_deref()
    }
}

/// Compiled schemas are derived from the definition's own: they never make two definitions
/// differ.
impl PartialEq for Compiled {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Compiled")
    }
}

impl crate::mcp::ToolDef {
    /// [`check_args`] against the tool's `inputSchema`, compiled once per definition.
    pub fn check_input(&self, args: &Value) -> Result<(), String> {
        check_with(self.compiled.get(0, &self.input_schema), args)
    }

    /// [`check_args`] against the tool's `outputSchema`, compiled once per definition; `Ok`
    /// when it declares none.
    pub fn check_output(&self, value: &Value) -> Result<(), String> {
        match &self.output_schema {
            Some(schema) => check_with(self.compiled.get(1, schema), value),
            None => Ok(()),
        }
    }
}

/// Validates `args` against `schema`. Returns a message naming each bad field, or `Ok` when
/// the schema itself cannot be compiled (a malformed schema must not block the call; `lint`
/// reports it).
pub fn check_args(schema: &Value, args: &Value) -> Result<(), String> {
    check_with(validator(schema).as_deref(), args)
}

/// [`check_args`] with the schema compiled (`None`: it does not compile).
fn check_with(validator: Option<&jsonschema::Validator>, args: &Value) -> Result<(), String> {
    let Some(validator) = validator else {
        return Ok(());
    };
    // Valid arguments (nearly every call) are settled without building any error.
    if validator.is_valid(args) {
        return Ok(());
    }
    let problems: Vec<String> = validator
        .iter_errors(args)
        .take(5)
        .map(|e| {
            let path = e.instance_path().to_string();
            if path.is_empty() {
                e.to_string()
            } else {
                format!("`{}`: {e}", path.trim_start_matches('/').replace('/', "."))
            }
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_the_bad_field() {
        let schema = json!({
            "type": "object",
            "properties": {"a": {"type": "number"}, "b": {"type": "number", "maximum": 10}},
            "required": ["a"]
        });
        assert!(check_args(&schema, &json!({"a": 1, "b": 2})).is_ok());
        let err = check_args(&schema, &json!({"a": "x", "b": 20})).unwrap_err();
        assert!(err.contains("`a`"), "{err}");
        assert!(err.contains("`b`"), "{err}");
        let err = check_args(&schema, &json!({})).unwrap_err();
        assert!(err.contains("\"a\" is a required property"), "{err}");
    }

    #[test]
    fn args_must_be_an_object_with_located_errors() {
        assert_eq!(parse_args(r#"{"a": 1}"#).unwrap()["a"], 1);
        let e = parse_args("[1]").unwrap_err();
        assert!(e.contains("not an array"), "{e}");
        let e = parse_args("{\n  \"a\": }").unwrap_err();
        assert!(e.contains("line 2"), "{e}");
    }

    #[test]
    fn cached_validators_follow_the_schema_text() {
        let schema = |max: u32| json!({"type": "object", "properties": {"n": {"type": "integer", "maximum": max}}});
        for _ in 0..2 {
            assert!(check_args(&schema(5), &json!({"n": 10})).is_err());
            assert!(check_args(&schema(50), &json!({"n": 10})).is_ok());
        }
        // More schemas than the recent ones compared by value: each still gets its own.
        let many = u32::try_from(RECENT_VALIDATORS).unwrap() + 4;
        for _ in 0..2 {
            for max in 0..many {
                assert!(
                    check_args(&schema(max), &json!({"n": max})).is_ok(),
                    "{max}"
                );
                assert!(
                    check_args(&schema(max), &json!({"n": max + 1})).is_err(),
                    "{max}"
                );
            }
        }
    }

    #[test]
    fn a_tool_checks_its_own_schemas_compiled_once_for_all_its_clones() {
        let tool: crate::mcp::ToolDef = serde_json::from_value(json!({
            "name": "t",
            "inputSchema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
            "outputSchema": {"type": "object", "properties": {"sum": {"type": "number"}}, "required": ["sum"]}
        }))
        .unwrap();
        let copy = tool.clone();
        for t in [&tool, &copy, &tool] {
            assert!(t.check_input(&json!({"n": 1})).is_ok());
            let bad = t.check_input(&json!({"n": "one"})).unwrap_err();
            assert!(bad.contains("`n`"), "{bad}");
            assert!(t.check_output(&json!({"sum": 3})).is_ok());
            assert!(t.check_output(&json!({"total": 3})).is_err());
        }
        // The clone did not compile again: both hold the same compiled validators.
        assert!(Arc::ptr_eq(&tool.compiled.0, &copy.compiled.0));
        assert!(
            tool.compiled
                .0
                .iter()
                .all(|v| v.get().is_some_and(Option::is_some))
        );
        // No output schema: any result is accepted; a schema that does not compile blocks nothing.
        let plain: crate::mcp::ToolDef =
            serde_json::from_value(json!({"name": "p", "inputSchema": {"type": 12}})).unwrap();
        assert!(plain.check_output(&json!("anything")).is_ok());
        assert!(plain.check_input(&json!({"x": 1})).is_ok());
    }

    #[test]
    fn malformed_schema_does_not_block() {
        assert!(check_args(&json!({"type": 12}), &json!({})).is_ok());
    }
}
