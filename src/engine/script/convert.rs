//! Values between Rhai and JSON, and tool results as script values.
//!
//! JSON → Rhai: `null` → `()`, integers that fit → `i64`, other numbers → `f64`, strings,
//! arrays and objects → strings, arrays and object maps.
//! Rhai → JSON: `()` → `null`, characters → one-character strings, BLOBs → arrays of bytes,
//! non-finite floats → error; function pointers and timestamps cannot be converted.

use rhai::{Array, Dynamic, Map as RhaiMap};
use serde_json::{Map, Number, Value};

use crate::mcp::{CallOutcome, base64_decoded_len};

/// How deeply arrays and maps may nest in a value turned into JSON (as deep as `serde_json`
/// parses). Deeper values would risk the native stack of whoever walks them next.
pub const MAX_JSON_DEPTH: usize = 128;

/// Rhai value → JSON, or a message saying what could not be converted and where. Values that
/// come from the script are converted with [`to_json_within`] instead.
pub fn to_json(value: &Dynamic) -> Result<Value, String> {
    to_json_within(value, usize::MAX).map_err(|e| e.to_string())
}

/// Why a value did not become JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ToJsonError {
    /// Part of it has no JSON form (the message says which, by its path).
    Invalid(String),
    /// Its JSON text would be longer than the given number of bytes.
    TooLarge(usize),
}

impl std::fmt::Display for ToJsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ToJsonError::Invalid(message) => f.write_str(message),
            ToJsonError::TooLarge(max) => write!(f, "is longer than {max} bytes as JSON"),
        }
    }
}

/// [`to_json`], refused as soon as the JSON text would pass `max_bytes`: a map filled by
/// index assignment (`m[k] = s`, which Rhai does not size-check) can hold one shared string
/// many times, gigabytes as text while it costs a few kilobytes as a value.
pub fn to_json_within(value: &Dynamic, max_bytes: usize) -> Result<Value, ToJsonError> {
    let mut left = max_bytes;
    to_json_at(value, 0, &mut left).map_err(|(mut path, what)| match what {
        Some(what) => {
            path.reverse();
            ToJsonError::Invalid(format!("${} {what}", path.concat()))
        }
        None => ToJsonError::TooLarge(max_bytes),
    })
}

/// On error: the path segments from the failing value up to the root, and what is wrong
/// (`None`: over the byte budget).
type PathError = (Vec<String>, Option<String>);

/// Takes `n` bytes of JSON text from the budget `left`.
fn spend(left: &mut usize, n: usize) -> Result<(), PathError> {
    *left = left.checked_sub(n).ok_or((Vec::new(), None))?;
    Ok(())
}

fn to_json_at(value: &Dynamic, depth: usize, left: &mut usize) -> Result<Value, PathError> {
    if value.is_shared() {
        return to_json_at(&value.flatten_clone(), depth, left);
    }
    let fail = |what: String| Err((Vec::new(), Some(what)));
    if depth > MAX_JSON_DEPTH {
        return fail(format!("is nested deeper than {MAX_JSON_DEPTH} levels"));
    }
    // Counted so that the JSON text is never shorter than what was spent: a byte for any
    // value, the quotes' other byte and the text for strings, the closing bracket for
    // arrays and maps, quotes and colon for keys (separators are not counted).
    spend(left, 1)?;
    if value.is_unit() {
        return Ok(Value::Null);
    }
    if let Ok(b) = value.as_bool() {
        return Ok(Value::Bool(b));
    }
    if let Ok(i) = value.as_int() {
        return Ok(Value::from(i));
    }
    if let Ok(f) = value.as_float() {
        return match Number::from_f64(f) {
            Some(n) => Ok(Value::Number(n)),
            None => fail(format!("is {f}, which JSON cannot represent")),
        };
    }
    if let Ok(c) = value.as_char() {
        return Ok(Value::String(c.to_string()));
    }
    if value.is_string() {
        let text = value.clone().into_immutable_string().unwrap_or_default();
        spend(left, text.len() + 1)?;
        return Ok(Value::String(text.to_string()));
    }
    if value.is_array() {
        let arr = value.read_lock::<Array>().expect("checked array");
        spend(left, 1)?;
        let mut items = Vec::with_capacity(arr.len());
        for (i, v) in arr.iter().enumerate() {
            items.push(to_json_at(v, depth + 1, left).map_err(|(mut p, w)| {
                p.push(format!("[{i}]"));
                (p, w)
            })?);
        }
        return Ok(Value::Array(items));
    }
    if value.is_blob() {
        let blob = value.read_lock::<rhai::Blob>().expect("checked blob");
        spend(left, blob.len().saturating_add(1))?;
        return Ok(Value::Array(blob.iter().map(|b| Value::from(*b)).collect()));
    }
    if value.is_map() {
        let map = value.read_lock::<RhaiMap>().expect("checked map");
        spend(left, 1)?;
        let mut out = Map::new();
        for (k, v) in map.iter() {
            spend(left, k.len() + 3)?;
            let item = to_json_at(v, depth + 1, left).map_err(|(mut p, w)| {
                p.push(format!(".{k}"));
                (p, w)
            })?;
            out.insert(k.to_string(), item);
        }
        return Ok(Value::Object(out));
    }
    fail(format!(
        "is a {}, which cannot be turned into JSON",
        value.type_name()
    ))
}

/// JSON → Rhai value.
pub fn from_json(value: &Value) -> Dynamic {
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            None => Dynamic::from_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Dynamic::from(s.clone()),
        Value::Array(items) => Dynamic::from_array(items.iter().map(from_json).collect()),
        Value::Object(map) => Dynamic::from_map(
            map.iter()
                .map(|(k, v)| (k.as_str().into(), from_json(v)))
                .collect(),
        ),
    }
}

/// A successful tool result as a script value: `structuredContent` as a map (or array);
/// otherwise the content blocks: text blocks as one string (several joined by newlines),
/// images and audio as `#{type, mime_type, bytes}`, embedded resources as
/// `#{type: "resource", uri, mime_type, text}` (or `bytes` when binary), resource links as
/// `#{type: "resource_link", uri, name}`. Several blocks that are not all text give an
/// array. No content gives `()`. Text is never parsed as JSON; use `parse_json`.
pub fn outcome_value(outcome: CallOutcome) -> Value {
    if let Some(structured) = outcome.structured_content {
        return structured;
    }
    let mut content = outcome.content;
    let all_text = content
        .iter()
        .all(|b| b.get("type").and_then(Value::as_str) == Some("text"));
    if all_text && content.len() == 1 {
        // The one text is moved out, not copied.
        return match content[0].get_mut("text").map(Value::take) {
            Some(Value::String(text)) => Value::String(text),
            _ => Value::String(String::new()),
        };
    }
    if all_text && !content.is_empty() {
        let texts: Vec<&str> = content
            .iter()
            .map(|b| b.get("text").and_then(Value::as_str).unwrap_or_default())
            .collect();
        return Value::String(texts.join("\n"));
    }
    let mut values: Vec<Value> = content.iter().map(block_value).collect();
    match values.len() {
        0 => Value::Null,
        1 => values.remove(0),
        _ => Value::Array(values),
    }
}

fn block_value(block: &Value) -> Value {
    let get = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    let kind = block
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("unknown");
    match kind {
        "text" => get(block, "text"),
        "image" | "audio" => serde_json::json!({
            "type": kind,
            "mime_type": get(block, "mimeType"),
            "bytes": block.get("data").and_then(Value::as_str).map_or(0, base64_decoded_len),
        }),
        "resource" => {
            let res = get(block, "resource");
            let mut v = serde_json::json!({
                "type": "resource",
                "uri": get(&res, "uri"),
                "mime_type": get(&res, "mimeType"),
            });
            match res.get("blob").and_then(Value::as_str) {
                Some(blob) => v["bytes"] = base64_decoded_len(blob).into(),
                None => v["text"] = get(&res, "text"),
            }
            v
        }
        "resource_link" => serde_json::json!({
            "type": "resource_link",
            "uri": get(block, "uri"),
            "name": get(block, "name"),
        }),
        other => serde_json::json!({ "type": other }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_round_trips_through_rhai() {
        let v = json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3}});
        let back = to_json(&from_json(&v)).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn non_finite_floats_name_their_path() {
        let mut m = RhaiMap::new();
        m.insert(
            "x".into(),
            Dynamic::from_array(vec![Dynamic::from_float(f64::NAN)]),
        );
        let err = to_json(&Dynamic::from_map(m)).unwrap_err();
        assert!(err.contains("$.x[0] is NaN"), "{err}");
    }

    #[test]
    fn nesting_is_capped() {
        let mut v = Dynamic::from_int(1);
        for _ in 0..MAX_JSON_DEPTH {
            v = Dynamic::from_array(vec![v]);
        }
        assert!(to_json(&v).is_ok());
        let v = Dynamic::from_array(vec![v]);
        let err = to_json(&v).unwrap_err();
        assert!(err.contains("nested deeper than 128"), "{err}");
    }

    #[test]
    fn outcomes_become_values_without_base64() {
        let text = CallOutcome {
            content: vec![json!({"type": "text", "text": "{\"not\": \"parsed\"}"})],
            ..Default::default()
        };
        assert_eq!(outcome_value(text), json!("{\"not\": \"parsed\"}"));
        let mixed = CallOutcome {
            content: vec![
                json!({"type": "text", "text": "hi"}),
                json!({"type": "image", "mimeType": "image/png", "data": "AAAAAAAA"}),
            ],
            ..Default::default()
        };
        assert_eq!(
            outcome_value(mixed),
            json!(["hi", {"type": "image", "mime_type": "image/png", "bytes": 6}])
        );
        let structured = CallOutcome {
            content: vec![json!({"type": "text", "text": "ignored"})],
            structured_content: Some(json!({"result": 42})),
            is_error: false,
        };
        assert_eq!(outcome_value(structured), json!({"result": 42}));
        assert_eq!(outcome_value(CallOutcome::default()), Value::Null);
    }
}
