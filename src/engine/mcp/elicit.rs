//! Client features a server can ask for: `roots/list` (roots as `file://` URIs) and
//! `elicitation/create`.
//!
//! What we declare is per server ([`ClientFeatures`]) and never more than we implement:
//! roots (with `listChanged`), elicitation in form and URL mode, and sampling only where it is
//! configured.

use std::path::PathBuf;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{Map, Value};

/// What one server may ask of us.
#[derive(Clone, Debug, PartialEq)]
pub struct ClientFeatures {
    /// The roots we declare and answer `roots/list` with; `None` does not declare the
    /// capability.
    pub roots: Option<Vec<PathBuf>>,
    /// Whether we declare elicitation (form mode, and URL mode shown as a link).
    pub elicitation: bool,
    /// Whether we declare sampling (only with a configured model; see [`super::sampling`]).
    pub sampling: bool,
}

impl Default for ClientFeatures {
    /// Roots: the working directory; elicitation declared; sampling not.
    fn default() -> Self {
        ClientFeatures {
            roots: std::env::current_dir().ok().map(|d| vec![d]),
            elicitation: true,
            sampling: false,
        }
    }
}

/// A `file://` URI for a path (percent-encoding what is not unreserved or `/`).
pub fn file_uri(path: &std::path::Path) -> String {
    let mut uri = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

/// One elicitation request.
#[derive(Clone, Debug, PartialEq)]
pub struct ElicitRequest {
    /// The server that asks.
    pub server: String,
    /// What it says to the user.
    pub message: String,
    /// Form mode: the requested schema (flat object of primitives); `None` in URL mode.
    pub schema: Option<Value>,
    /// URL mode: the page the user should open.
    pub url: Option<String>,
}

/// The user's answer.
#[derive(Clone, Debug, PartialEq)]
pub enum ElicitReply {
    /// Accepted with these values (form mode), or acknowledged (URL mode).
    Accept(Map<String, Value>),
    /// Declined: the server goes on without the information.
    Decline,
    /// Dismissed: the whole operation is cancelled.
    Cancel,
}

/// Answers elicitation requests (a front end: a terminal prompt, the TUI form, a policy).
pub type Elicitor = Arc<dyn Fn(ElicitRequest) -> BoxFuture<'static, ElicitReply> + Send + Sync>;

/// How headless commands answer (`--elicit`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ElicitPolicy {
    /// Decline every request.
    #[default]
    Decline,
    /// Accept with every field that has a `default`.
    AcceptDefaults,
    /// Ask on the terminal when one is attached, else decline.
    Ask,
}

impl std::str::FromStr for ElicitPolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "decline" => Ok(ElicitPolicy::Decline),
            "accept-defaults" => Ok(ElicitPolicy::AcceptDefaults),
            "ask" => Ok(ElicitPolicy::Ask),
            other => Err(format!(
                "unknown elicitation policy `{other}` (decline, accept-defaults, ask)"
            )),
        }
    }
}

/// An elicitor answering by `policy` without asking anyone (`Ask` needs a front end and
/// declines here).
pub fn policy_elicitor(policy: ElicitPolicy) -> Elicitor {
    Arc::new(move |req: ElicitRequest| {
        let reply = match (policy, &req.schema) {
            (ElicitPolicy::AcceptDefaults, Some(schema)) => {
                ElicitReply::Accept(accept_defaults(schema))
            }
            _ => ElicitReply::Decline,
        };
        Box::pin(std::future::ready(reply))
    })
}

/// Every field of a requested schema that has a `default`, typed as its schema says
/// (`"42"` for an integer field becomes `42`, `1` for a boolean becomes `true`, ...).
/// Fields without a default are left out.
pub fn accept_defaults(schema: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    let Some(props) = schema.get("properties").and_then(Value::as_object) else {
        return out;
    };
    for (name, prop) in props {
        if let Some(default) = prop.get("default")
            && let Some(v) = typed(prop, default)
        {
            out.insert(name.clone(), v);
        }
    }
    out
}

/// `value` coerced to the property's type, or `None` when it cannot be.
pub fn typed(prop: &Value, value: &Value) -> Option<Value> {
    let ty = prop.get("type").and_then(Value::as_str).unwrap_or("");
    let as_text = || match value {
        Value::String(s) => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    };
    match ty {
        "string" => as_text().map(Value::String),
        "integer" => match value {
            Value::Number(n) if n.is_i64() || n.is_u64() => Some(value.clone()),
            Value::Number(n) => n
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .map(|f| Value::from(f as i64)),
            _ => as_text()?.parse::<i64>().ok().map(Value::from),
        },
        "number" => match value {
            Value::Number(_) => Some(value.clone()),
            _ => as_text()?
                .parse::<f64>()
                .ok()
                .and_then(serde_json::Number::from_f64)
                .map(Value::Number),
        },
        "boolean" => match value {
            Value::Bool(_) => Some(value.clone()),
            Value::Number(n) => Some(Value::Bool(n.as_f64() != Some(0.0))),
            _ => match as_text()?.to_ascii_lowercase().as_str() {
                "true" | "yes" | "y" | "1" => Some(Value::Bool(true)),
                "false" | "no" | "n" | "0" => Some(Value::Bool(false)),
                _ => None,
            },
        },
        "array" => match value {
            Value::Array(_) => Some(value.clone()),
            _ => Some(Value::Array(
                as_text()?
                    .split(',')
                    .map(|s| Value::String(s.trim().to_string()))
                    .filter(|v| v.as_str() != Some(""))
                    .collect(),
            )),
        },
        _ => Some(value.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn defaults_are_returned_typed() {
        let schema = json!({"type": "object", "required": ["name"], "properties": {
            "name": {"type": "string"},
            "line": {"type": "string", "default": "It was a dark night."},
            "count": {"type": "integer", "default": 42.0},
            "ratio": {"type": "number", "default": "2.5"},
            "ok": {"type": "boolean", "default": "yes"},
            "pick": {"type": "string", "enum": ["a", "b"], "default": "b"},
            "tags": {"type": "array", "items": {"type": "string"}, "default": ["x"]}
        }});
        let got = Value::Object(accept_defaults(&schema));
        assert_eq!(
            got,
            json!({"line": "It was a dark night.", "count": 42, "ratio": 2.5, "ok": true,
                   "pick": "b", "tags": ["x"]})
        );
        assert!(got["count"].is_i64());
    }

    #[test]
    fn typing_refuses_what_does_not_fit() {
        assert_eq!(typed(&json!({"type": "integer"}), &json!("4.5")), None);
        assert_eq!(
            typed(&json!({"type": "integer"}), &json!(" 7 ")),
            Some(json!(7))
        );
        assert_eq!(typed(&json!({"type": "boolean"}), &json!("maybe")), None);
        assert_eq!(
            typed(&json!({"type": "array"}), &json!("a, b,")),
            Some(json!(["a", "b"]))
        );
    }

    #[tokio::test]
    async fn policies_answer_without_asking() {
        let req = ElicitRequest {
            server: "s".into(),
            message: "m".into(),
            schema: Some(json!({"properties": {"n": {"type": "integer", "default": 1}}})),
            url: None,
        };
        let decline = policy_elicitor(ElicitPolicy::Decline)(req.clone()).await;
        assert_eq!(decline, ElicitReply::Decline);
        let accept = policy_elicitor(ElicitPolicy::AcceptDefaults)(req.clone()).await;
        assert_eq!(
            accept,
            ElicitReply::Accept(json!({"n": 1}).as_object().unwrap().clone())
        );
        let url = ElicitRequest {
            schema: None,
            url: Some("https://x".into()),
            ..req
        };
        assert_eq!(
            policy_elicitor(ElicitPolicy::AcceptDefaults)(url).await,
            ElicitReply::Decline
        );
    }
}
