//! Call snippets and call-form prefills for the selected tool.
//!
//! Interim: the catalog's example synthesis (docs issue) will replace the value guesses here;
//! snippets use the raw-name `call(...)` form, which is valid whatever the naming rule.

use serde_json::{Map, Value, json};

/// A plausible value for a schema: its default, first example, const or enum value, else a
/// typed placeholder.
pub fn example_value(schema: &Value) -> Value {
    for key in ["default", "const"] {
        if let Some(v) = schema.get(key) {
            return v.clone();
        }
    }
    if let Some(v) = schema
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return v.clone();
    }
    if let Some(v) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return v.clone();
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ => "",
    };
    match ty {
        "string" => {
            let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
            json!("x".repeat(min))
        }
        "integer" => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(0)),
        "number" => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0)),
        "boolean" => json!(false),
        "array" => json!([]),
        "object" => Value::Object(example_args(schema)),
        _ => Value::Null,
    }
}

/// Example arguments: every required property of an object schema.
pub fn example_args(schema: &Value) -> Map<String, Value> {
    let props = schema.get("properties").and_then(Value::as_object);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Map::new();
    if let Some(props) = props {
        for (name, prop) in props {
            if required.contains(&name.as_str()) {
                out.insert(name.clone(), example_value(prop));
            }
        }
    }
    out
}

/// A JSON value written as a Rhai literal (`#{...}` maps, `()` for null).
pub fn rhai_literal(v: &Value) -> String {
    match v {
        Value::Null => "()".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(rhai_literal).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => {
            let fields: Vec<String> = m
                .iter()
                .map(|(k, v)| format!("{}: {}", rhai_key(k), rhai_literal(v)))
                .collect();
            if fields.is_empty() {
                "#{}".into()
            } else {
                format!("#{{ {} }}", fields.join(", "))
            }
        }
    }
}

fn rhai_key(k: &str) -> String {
    let ident = k
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ident {
        k.to_string()
    } else {
        serde_json::to_string(k).unwrap_or_default()
    }
}

/// A statement calling `tool` on `server` with example arguments.
pub fn call_snippet(server: &str, tool: &str, input_schema: &Value) -> String {
    let args = rhai_literal(&Value::Object(example_args(input_schema)));
    let var = tool
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect::<String>();
    let var = if var.starts_with(|c: char| c.is_ascii_digit()) {
        format!("r_{var}")
    } else {
        var
    };
    format!(
        "let {var} = call({}, {}, {args});",
        serde_json::to_string(server).unwrap_or_default(),
        serde_json::to_string(tool).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippet_uses_required_fields_with_typed_examples() {
        let schema = json!({
            "type": "object",
            "properties": {
                "title": {"type": "string"},
                "priority": {"type": "string", "enum": ["low", "high"]},
                "count": {"type": "integer", "minimum": 1},
                "opt": {"type": "string"},
                "odd-key": {"type": ["null", "boolean"]}
            },
            "required": ["title", "priority", "count", "odd-key"]
        });
        assert_eq!(
            call_snippet("demo", "create-issue", &schema),
            r#"let create_issue = call("demo", "create-issue", #{ title: "", priority: "low", count: 1, "odd-key": false });"#
        );
    }

    #[test]
    fn examples_validate_against_the_demo_schemas() {
        for tool in crate::demo::tool_definitions(true) {
            let schema = &tool["inputSchema"];
            let args = Value::Object(example_args(schema));
            crate::mcp::check_args(schema, &args)
                .unwrap_or_else(|e| panic!("{}: {e}", tool["name"]));
        }
    }
}
