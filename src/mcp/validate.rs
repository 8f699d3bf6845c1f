//! Checking tool arguments against a tool's `inputSchema` before sending them.

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

/// Validates `args` against `schema`. Returns a message naming each bad field, or `Ok` when
/// the schema itself cannot be compiled (a malformed schema must not block the call; `lint`
/// reports it).
pub fn check_args(schema: &Value, args: &Value) -> Result<(), String> {
    let validator = match jsonschema::validator_for(schema) {
        Ok(v) => v,
        Err(e) => {
            tracing::debug!("inputSchema does not compile, not validating: {e}");
            return Ok(());
        }
    };
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
    fn malformed_schema_does_not_block() {
        assert!(check_args(&json!({"type": 12}), &json!({})).is_ok());
    }
}
