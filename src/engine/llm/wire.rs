//! The two API dialects on the wire: request bodies, streamed events, whole answers.
//!
//! - `OpenAI` Chat Completions: `POST {base}/chat/completions`, the system text as the first
//!   message, `stream: true` with `stream_options.include_usage`; events are
//!   `{"choices":[{"delta":{"content":"..."}}]}`, a last one with `usage`
//!   (`prompt_tokens`, `completion_tokens`), then `[DONE]`.
//! - Anthropic Messages: `POST {base}/messages`, `system` apart; events are typed:
//!   `message_start` (input tokens), `content_block_delta` (`text_delta`), `message_delta`
//!   (output tokens), `message_stop`, `error`.

use serde::Serialize;
use serde_json::{Value, json};

use super::config::{LlmConfig, Provider};

/// Who said it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The user (our prompts, error feedback, search results).
    User,
    /// The model.
    Assistant,
}

/// One turn of the conversation.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Message {
    /// Who.
    pub role: Role,
    /// What.
    pub content: String,
}

impl Message {
    /// A user turn.
    pub fn user(content: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }

    /// A model turn.
    pub fn assistant(content: impl Into<String>) -> Self {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// Token usage as the API reported it (absent when it did not).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Prompt tokens.
    pub input_tokens: Option<u64>,
    /// Answer tokens.
    pub output_tokens: Option<u64>,
}

/// Something a streamed event said.
#[derive(Clone, Debug, PartialEq)]
pub enum Chunk {
    /// More answer text.
    Text(String),
    /// Token counts (either may be missing).
    Usage(Usage),
    /// The end of the answer.
    Done,
}

/// The URL and JSON body of a streaming request.
pub fn request(cfg: &LlmConfig, system: &str, messages: &[Message]) -> (String, Value) {
    let mut body = match cfg.provider {
        Provider::Openai => {
            let mut msgs = vec![json!({"role": "system", "content": system})];
            msgs.extend(messages.iter().map(|m| json!(m)));
            json!({
                "model": cfg.model, "messages": msgs, "stream": true,
                "stream_options": {"include_usage": true}, "max_tokens": cfg.max_tokens,
            })
        }
        Provider::Anthropic => json!({
            "model": cfg.model, "system": system, "messages": messages, "stream": true,
            "max_tokens": cfg.max_tokens,
        }),
    };
    if let Some(t) = cfg.temperature {
        body["temperature"] = json!(t);
    }
    let path = match cfg.provider {
        Provider::Openai => "chat/completions",
        Provider::Anthropic => "messages",
    };
    (format!("{}/{path}", cfg.base_url), body)
}

fn api_error(v: &Value) -> Option<String> {
    let e = v.get("error")?;
    Some(
        e.get("message")
            .and_then(Value::as_str)
            .map_or_else(|| e.to_string(), str::to_string),
    )
}

/// Parses one streamed `data` payload.
pub fn parse_event(provider: Provider, data: &str) -> Result<Vec<Chunk>, String> {
    if data.trim() == "[DONE]" {
        return Ok(vec![Chunk::Done]);
    }
    let v: Value = serde_json::from_str(data)
        .map_err(|e| format!("the model API streamed something that is not JSON ({e})"))?;
    if let Some(m) = api_error(&v) {
        return Err(format!("the model API reported an error: {m}"));
    }
    let mut out = Vec::new();
    match provider {
        Provider::Openai => {
            for c in v["choices"].as_array().into_iter().flatten() {
                if let Some(t) = c["delta"]["content"].as_str().filter(|t| !t.is_empty()) {
                    out.push(Chunk::Text(t.to_string()));
                }
            }
            if v["usage"].is_object() {
                out.push(Chunk::Usage(Usage {
                    input_tokens: v["usage"]["prompt_tokens"].as_u64(),
                    output_tokens: v["usage"]["completion_tokens"].as_u64(),
                }));
            }
        }
        Provider::Anthropic => match v["type"].as_str().unwrap_or("") {
            "message_start" => out.push(Chunk::Usage(Usage {
                input_tokens: v["message"]["usage"]["input_tokens"].as_u64(),
                output_tokens: None,
            })),
            "content_block_delta" => {
                if let Some(t) = v["delta"]["text"].as_str() {
                    out.push(Chunk::Text(t.to_string()));
                }
            }
            "message_delta" => out.push(Chunk::Usage(Usage {
                input_tokens: v["usage"]["input_tokens"].as_u64(),
                output_tokens: v["usage"]["output_tokens"].as_u64(),
            })),
            "message_stop" => out.push(Chunk::Done),
            _ => {}
        },
    }
    Ok(out)
}

/// Parses a whole (non-streamed) JSON answer: some servers ignore `stream: true`.
pub fn parse_whole(provider: Provider, v: &Value) -> Result<(String, Usage), String> {
    if let Some(m) = api_error(v) {
        return Err(format!("the model API reported an error: {m}"));
    }
    let (text, usage) = match provider {
        Provider::Openai => (
            v["choices"][0]["message"]["content"]
                .as_str()
                .map(str::to_string),
            Usage {
                input_tokens: v["usage"]["prompt_tokens"].as_u64(),
                output_tokens: v["usage"]["completion_tokens"].as_u64(),
            },
        ),
        Provider::Anthropic => (
            v["content"].as_array().map(|blocks| {
                blocks
                    .iter()
                    .filter_map(|b| b["text"].as_str())
                    .collect::<String>()
            }),
            Usage {
                input_tokens: v["usage"]["input_tokens"].as_u64(),
                output_tokens: v["usage"]["output_tokens"].as_u64(),
            },
        ),
    };
    let text = text.ok_or("the model API answered without any text")?;
    Ok((text, usage))
}

impl Usage {
    /// Merges a later report into this one (Anthropic sends input and output apart).
    pub fn merge(&mut self, later: Usage) {
        self.input_tokens = later.input_tokens.or(self.input_tokens);
        self.output_tokens = later.output_tokens.or(self.output_tokens);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::config::LlmConfig;

    fn cfg(provider: &str) -> LlmConfig {
        let extra = json!({"llm": {"provider": provider, "model": "m", "temperature": 0.25}});
        let tables = crate::config::Tables::from_values(extra.as_object().unwrap().clone());
        LlmConfig::from_tables(&tables).unwrap().unwrap()
    }

    #[test]
    fn requests_follow_each_dialect() {
        let msgs = [Message::user("task")];
        let (url, body) = request(&cfg("openai"), "sys", &msgs);
        assert_eq!(url, "https://api.openai.com/v1/chat/completions");
        assert_eq!(
            body["messages"][0],
            json!({"role": "system", "content": "sys"})
        );
        assert_eq!(
            body["messages"][1],
            json!({"role": "user", "content": "task"})
        );
        assert_eq!(body["stream"], true);
        assert_eq!(body["temperature"], 0.25);
        let (url, body) = request(&cfg("anthropic"), "sys", &msgs);
        assert_eq!(url, "https://api.anthropic.com/v1/messages");
        assert_eq!(body["system"], "sys");
        assert_eq!(
            body["messages"],
            json!([{"role": "user", "content": "task"}])
        );
        assert!(body["max_tokens"].as_u64().unwrap() > 0);
    }

    #[test]
    fn streamed_events_become_text_usage_and_done() {
        let o = Provider::Openai;
        assert_eq!(
            parse_event(o, r#"{"choices":[{"delta":{"content":"let"}}]}"#).unwrap(),
            [Chunk::Text("let".into())]
        );
        assert_eq!(
            parse_event(
                o,
                r#"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":3}}"#
            )
            .unwrap(),
            [Chunk::Usage(Usage {
                input_tokens: Some(10),
                output_tokens: Some(3)
            })]
        );
        assert_eq!(parse_event(o, "[DONE]").unwrap(), [Chunk::Done]);
        let a = Provider::Anthropic;
        assert_eq!(
            parse_event(a, r#"{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}"#)
                .unwrap(),
            [Chunk::Text("x".into())]
        );
        assert_eq!(parse_event(a, r#"{"type":"ping"}"#).unwrap(), []);
        let e = parse_event(
            a,
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        )
        .unwrap_err();
        assert!(e.contains("Overloaded"), "{e}");
        assert!(parse_event(o, "not json").is_err());
    }

    #[test]
    fn whole_answers_are_read_too() {
        let (t, u) = parse_whole(
            Provider::Anthropic,
            &json!({"content": [{"type": "text", "text": "hi"}],
                "usage": {"input_tokens": 5, "output_tokens": 1}}),
        )
        .unwrap();
        assert_eq!(
            (t.as_str(), u.input_tokens, u.output_tokens),
            ("hi", Some(5), Some(1))
        );
        let (t, _) = parse_whole(
            Provider::Openai,
            &json!({"choices": [{"message": {"role": "assistant", "content": "yo"}}]}),
        )
        .unwrap();
        assert_eq!(t, "yo");
        assert!(parse_whole(Provider::Openai, &json!({})).is_err());
    }
}
