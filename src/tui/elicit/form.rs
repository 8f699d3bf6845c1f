//! The elicitation form's model: fields built from the requested schema (a flat object of
//! primitives), edited by keys, validated and turned into typed values.

use serde_json::{Map, Value};

use crate::mcp::elicit::{ElicitRequest, typed};

/// One choice of an enum field: the value sent and the label shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Choice {
    /// What is sent.
    pub value: Value,
    /// What is shown (`oneOf`/`anyOf` `title`, legacy `enumNames`, else the value).
    pub label: String,
}

/// What a field holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Kind {
    /// Free text; `format` is the schema's hint (email, uri, date, date-time).
    Text {
        /// The `format` keyword.
        format: Option<String>,
    },
    /// Whole number.
    Integer,
    /// Any number.
    Number,
    /// Yes/no; `None` is unset (left out unless required).
    Boolean(Option<bool>),
    /// One of the choices (`picked` indexes them).
    Select {
        /// The choices.
        choices: Vec<Choice>,
        /// The chosen one.
        picked: Option<usize>,
    },
    /// Any number of the choices (an array of enum items).
    Multi {
        /// The choices.
        choices: Vec<Choice>,
        /// Which are chosen.
        chosen: Vec<bool>,
        /// The choice under the cursor.
        cursor: usize,
    },
}

/// One field of the form.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The property name (the key sent back).
    pub name: String,
    /// The title shown (`title`, else the name).
    pub label: String,
    /// The schema's description.
    pub description: Option<String>,
    /// Listed in `required`.
    pub required: bool,
    /// Its type and selection.
    pub kind: Kind,
    /// The text typed (text, integer and number fields).
    pub text: String,
    /// Why the last accept refused this field.
    pub error: Option<String>,
    /// The property's schema (bounds are read from it when validating).
    pub schema: Value,
}

/// An elicitation request being answered in the workbench.
#[derive(Clone, Debug, PartialEq)]
pub struct ElicitForm {
    /// The request's id in the reply map.
    pub id: u64,
    /// The server that asks.
    pub server: String,
    /// What it says.
    pub message: String,
    /// URL mode: the page to open (the form has no fields then).
    pub url: Option<String>,
    /// The fields, in the schema's order.
    pub fields: Vec<Field>,
    /// The focused field.
    pub focus: usize,
}

fn choices_of(prop: &Value) -> Option<Vec<Choice>> {
    let titled = prop
        .get("oneOf")
        .or_else(|| prop.get("anyOf"))
        .and_then(Value::as_array);
    if let Some(options) = titled {
        return Some(
            options
                .iter()
                .filter_map(|o| {
                    let value = o.get("const")?.clone();
                    let label = o
                        .get("title")
                        .and_then(Value::as_str)
                        .map_or_else(|| plain(&value), str::to_string);
                    Some(Choice { value, label })
                })
                .collect(),
        );
    }
    let values = prop.get("enum").and_then(Value::as_array)?;
    let names = prop.get("enumNames").and_then(Value::as_array);
    Some(
        values
            .iter()
            .enumerate()
            .map(|(i, v)| Choice {
                value: v.clone(),
                label: names
                    .and_then(|n| n.get(i))
                    .and_then(Value::as_str)
                    .map_or_else(|| plain(v), str::to_string),
            })
            .collect(),
    )
}

/// A value as text, strings without quotes.
pub fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Field {
    fn new(name: &str, prop: &Value, required: bool) -> Field {
        let default = prop.get("default");
        let ty = prop.get("type").and_then(Value::as_str).unwrap_or("string");
        let mut text = String::new();
        let kind = if ty == "array" {
            let choices = prop.get("items").and_then(choices_of).unwrap_or_default();
            let defaults = default.and_then(Value::as_array);
            let chosen = choices
                .iter()
                .map(|c| defaults.is_some_and(|d| d.contains(&c.value)))
                .collect();
            Kind::Multi {
                choices,
                chosen,
                cursor: 0,
            }
        } else if let Some(choices) = choices_of(prop) {
            let picked = default.and_then(|d| choices.iter().position(|c| &c.value == d));
            Kind::Select { choices, picked }
        } else {
            if let Some(d) = default {
                text = plain(d);
            }
            match ty {
                "integer" => Kind::Integer,
                "number" => Kind::Number,
                "boolean" => {
                    Kind::Boolean(default.and_then(|d| typed(prop, d).and_then(|v| v.as_bool())))
                }
                _ => Kind::Text {
                    format: prop
                        .get("format")
                        .and_then(Value::as_str)
                        .map(str::to_string),
                },
            }
        };
        Field {
            name: name.to_string(),
            label: prop
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or(name)
                .to_string(),
            description: prop
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_string),
            required,
            kind,
            text,
            error: None,
            schema: prop.clone(),
        }
    }

    /// Whether keys type into it.
    pub fn takes_text(&self) -> bool {
        matches!(self.kind, Kind::Text { .. } | Kind::Integer | Kind::Number)
    }

    /// A short hint of what it wants (`email`, `integer 1–100`, ...).
    pub fn hint(&self) -> String {
        let range = || {
            let min = self.schema.get("minimum").map(plain);
            let max = self.schema.get("maximum").map(plain);
            match (min, max) {
                (Some(a), Some(b)) => format!(" {a}–{b}"),
                (Some(a), None) => format!(" ≥ {a}"),
                (None, Some(b)) => format!(" ≤ {b}"),
                (None, None) => String::new(),
            }
        };
        match &self.kind {
            Kind::Text { format: Some(f) } => f.clone(),
            Kind::Text { format: None } => "text".into(),
            Kind::Integer => format!("integer{}", range()),
            Kind::Number => format!("number{}", range()),
            Kind::Boolean(_) => "Space toggles".into(),
            Kind::Select { .. } => "←→ choose".into(),
            Kind::Multi { .. } => "←→ move, Space picks".into(),
        }
    }

    /// The value to send, `Ok(None)` when left empty, or why it is not valid.
    pub fn value(&self) -> Result<Option<Value>, String> {
        let s = &self.schema;
        let num = |k: &str| s.get(k).and_then(Value::as_f64);
        let value = match &self.kind {
            Kind::Boolean(b) => b.map(Value::Bool),
            Kind::Select { choices, picked } => picked.map(|i| choices[i].value.clone()),
            Kind::Multi {
                choices, chosen, ..
            } => {
                let picked: Vec<Value> = choices
                    .iter()
                    .zip(chosen)
                    .filter(|(_, on)| **on)
                    .map(|(c, _)| c.value.clone())
                    .collect();
                let n = picked.len() as f64;
                if let Some(min) = num("minItems").filter(|m| n < *m && (n > 0.0 || self.required))
                {
                    return Err(format!("pick at least {min}"));
                }
                if let Some(max) = num("maxItems").filter(|m| n > *m) {
                    return Err(format!("pick at most {max}"));
                }
                (!picked.is_empty()).then_some(Value::Array(picked))
            }
            _ if self.text.trim().is_empty() => None,
            Kind::Integer | Kind::Number => {
                let v = typed(s, &Value::String(self.text.clone())).ok_or_else(|| {
                    format!(
                        "not {}",
                        self.hint()
                            .replace("integer", "an integer")
                            .replace("number", "a number")
                    )
                })?;
                let x = v.as_f64().unwrap_or_default();
                if num("minimum").is_some_and(|m| x < m) || num("maximum").is_some_and(|m| x > m) {
                    return Err(format!("out of range ({})", self.hint()));
                }
                Some(v)
            }
            Kind::Text { format } => {
                let t = self.text.trim();
                let len = t.chars().count() as f64;
                if let Some(min) = num("minLength").filter(|m| len < *m) {
                    return Err(format!("at least {min} characters"));
                }
                if let Some(max) = num("maxLength").filter(|m| len > *m) {
                    return Err(format!("at most {max} characters"));
                }
                if let Some(f) = format
                    && !format_ok(f, t)
                {
                    return Err(format!("not a valid {f}"));
                }
                Some(Value::String(t.to_string()))
            }
        };
        if value.is_none() && self.required {
            return Err("required".into());
        }
        Ok(value)
    }
}

/// Whether `text` looks like the `format` (email, uri, date, date-time; others pass).
fn format_ok(format: &str, text: &str) -> bool {
    let date = |d: &str| {
        let parts: Vec<&str> = d.split('-').collect();
        parts.len() == 3
            && [4, 2, 2]
                .iter()
                .zip(&parts)
                .all(|(n, p)| p.len() == *n && p.bytes().all(|b| b.is_ascii_digit()))
            && matches!(parts[1].parse::<u8>(), Ok(1..=12))
            && matches!(parts[2].parse::<u8>(), Ok(1..=31))
    };
    match format {
        "email" => {
            text.split_once('@').is_some_and(|(user, host)| {
                !user.is_empty()
                    && host.contains('.')
                    && !host.starts_with('.')
                    && !host.ends_with('.')
            }) && !text.contains(char::is_whitespace)
        }
        "uri" => text.split_once("://").is_some_and(|(scheme, rest)| {
            !rest.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }),
        "date" => date(text),
        "date-time" => text
            .split_once(['T', 't', ' '])
            .is_some_and(|(d, t)| date(d) && t.len() >= 5 && t.as_bytes()[2] == b':'),
        _ => true,
    }
}

impl ElicitForm {
    /// The form for a request: one field per schema property, defaults filled in.
    pub fn new(id: u64, req: ElicitRequest) -> ElicitForm {
        let schema = req.schema.unwrap_or_default();
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let fields = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|props| {
                props
                    .iter()
                    .map(|(name, prop)| Field::new(name, prop, required.contains(&name.as_str())))
                    .collect()
            })
            .unwrap_or_default();
        ElicitForm {
            id,
            server: req.server,
            message: req.message,
            url: req.url,
            fields,
            focus: 0,
        }
    }

    /// The focused field.
    pub fn field(&mut self) -> Option<&mut Field> {
        self.fields.get_mut(self.focus)
    }

    /// Validates every field: the values to send, or (marking each bad field and focusing
    /// the first) `None`.
    pub fn values(&mut self) -> Option<Map<String, Value>> {
        let mut out = Map::new();
        let mut first_bad = None;
        for (i, f) in self.fields.iter_mut().enumerate() {
            match f.value() {
                Ok(v) => {
                    f.error = None;
                    if let Some(v) = v {
                        out.insert(f.name.clone(), v);
                    }
                }
                Err(e) => {
                    f.error = Some(e);
                    first_bad.get_or_insert(i);
                }
            }
        }
        match first_bad {
            Some(i) => {
                self.focus = i;
                None
            }
            None => Some(out),
        }
    }
}
