//! `sampling/createMessage`: a server asks our model to write something. Declared per server
//! only when it is configured (`capabilities = { sampling = true }` next to an `[llm]`
//! table); a front end's [`Sampler`] shows the request to the user and, once approved, sends
//! it to the model (the `llm` room; this room only carries the request).

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{Value, json};

/// One sampling request, as shown to the user.
#[derive(Clone, Debug, PartialEq)]
pub struct SamplingRequest {
    /// The server that asks.
    pub server: String,
    /// Its system prompt.
    pub system_prompt: Option<String>,
    /// The conversation: (role, text); non-text content is summarised.
    pub messages: Vec<(String, String)>,
    /// The most tokens it wants back.
    pub max_tokens: u32,
    /// Its temperature, if it asked for one.
    pub temperature: Option<f64>,
    /// Its model preferences (hints, priorities), as sent.
    pub model_preferences: Option<Value>,
}

/// What the model answered.
#[derive(Clone, Debug, PartialEq)]
pub struct Sampled {
    /// The text.
    pub text: String,
    /// The model that wrote it.
    pub model: String,
    /// Why it stopped (`endTurn`, `maxTokens`, ...).
    pub stop_reason: String,
}

/// Why no answer: the user denied it, or the model failed.
#[derive(Clone, Debug, PartialEq)]
pub enum SamplingError {
    /// The user (or the policy) said no.
    Denied(String),
    /// The model could not answer.
    Failed(String),
}

/// Answers sampling requests (the TUI's approval panel, a headless policy).
pub type Sampler = Arc<
    dyn Fn(SamplingRequest) -> BoxFuture<'static, Result<Sampled, SamplingError>> + Send + Sync,
>;

/// A sampler that denies every request with `why`.
pub fn deny_sampler(why: &'static str) -> Sampler {
    Arc::new(move |_| Box::pin(std::future::ready(Err(SamplingError::Denied(why.into())))))
}

fn content_text(c: &Value) -> String {
    match c {
        Value::Array(parts) => parts
            .iter()
            .map(content_text)
            .collect::<Vec<_>>()
            .join("\n"),
        _ => match c.get("text").and_then(Value::as_str) {
            Some(t) => t.to_string(),
            None => super::summarize_block(c),
        },
    }
}

impl SamplingRequest {
    /// The request from its wire JSON (`createMessage` params).
    pub fn from_params(server: &str, params: &Value) -> SamplingRequest {
        let messages = params["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|m| {
                let role = m["role"].as_str().unwrap_or("user").to_string();
                (role, content_text(&m["content"]))
            })
            .collect();
        SamplingRequest {
            server: server.to_string(),
            system_prompt: params["systemPrompt"].as_str().map(str::to_string),
            messages,
            max_tokens: params["maxTokens"]
                .as_u64()
                .map_or(0, |n| n.min(u64::from(u32::MAX)) as u32),
            temperature: params["temperature"].as_f64(),
            model_preferences: params.get("modelPreferences").cloned(),
        }
    }

    /// A one-line summary for logs: sizes only, never the text.
    pub fn summary(&self) -> String {
        let chars: usize = self.messages.iter().map(|(_, t)| t.chars().count()).sum();
        format!(
            "{} message(s), {chars} characters, maxTokens {}",
            self.messages.len(),
            self.max_tokens
        )
    }
}

impl Sampled {
    /// The `CreateMessageResult` JSON.
    pub fn to_result(&self) -> Value {
        json!({
            "role": "assistant",
            "content": {"type": "text", "text": self.text},
            "model": self.model,
            "stopReason": self.stop_reason,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_read_from_the_wire() {
        let params = json!({
            "messages": [
                {"role": "user", "content": {"type": "text", "text": "hello"}},
                {"role": "assistant", "content": [{"type": "text", "text": "a"},
                    {"type": "image", "data": "AAAA", "mimeType": "image/png"}]}
            ],
            "systemPrompt": "Be brief.", "maxTokens": 100, "temperature": 0.5,
            "modelPreferences": {"hints": [{"name": "claude"}]}
        });
        let r = SamplingRequest::from_params("s", &params);
        assert_eq!(r.system_prompt.as_deref(), Some("Be brief."));
        assert_eq!(r.max_tokens, 100);
        assert_eq!(r.temperature, Some(0.5));
        assert_eq!(r.messages[0], ("user".into(), "hello".into()));
        assert!(r.messages[1].1.starts_with("a\n["), "{:?}", r.messages[1]);
        assert_eq!(
            r.summary(),
            format!(
                "2 message(s), {} characters, maxTokens 100",
                5 + r.messages[1].1.chars().count()
            )
        );
        let out = Sampled {
            text: "hi".into(),
            model: "m".into(),
            stop_reason: "endTurn".into(),
        };
        assert_eq!(out.to_result()["content"]["text"], "hi");
        assert_eq!(out.to_result()["role"], "assistant");
    }
}
