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

/// Validates `args` against `schema`. Returns a message naming each bad field, or `Ok` when
/// the schema itself cannot be compiled (a malformed schema must not block the call; `lint`
/// reports it).
pub fn check_args(schema: &Value, args: &Value) -> Result<(), String> {
    let Some(validator) = validator(schema) else {
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
    fn malformed_schema_does_not_block() {
        assert!(check_args(&json!({"type": 12}), &json!({})).is_ok());
    }
}
