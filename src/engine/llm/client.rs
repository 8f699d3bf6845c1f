//! The HTTP side: one streaming request per model turn, with reqwest (rustls, `ring`).
//! The API key goes only into the request header (marked sensitive) and is redacted from
//! every error message, since a server may echo it.

use tokio_util::sync::CancellationToken;

use super::config::{LlmConfig, Provider};
use super::sse::SseParser;
use super::wire::{self, Chunk, Message, Usage};

/// A model's answer.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    /// The text.
    pub text: String,
    /// The tokens it reported.
    pub usage: Usage,
}

/// A client for the configured model.
#[derive(Clone)]
pub struct Client {
    cfg: LlmConfig,
    key: Option<String>,
    http: reqwest::Client,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("provider", &self.cfg.provider)
            .field("base_url", &self.cfg.base_url)
            .field("model", &self.cfg.model)
            .field("key", &self.key.as_ref().map(|_| crate::config::REDACTED))
            .finish_non_exhaustive()
    }
}

/// Bytes of an error body kept for the message.
const ERROR_BODY: usize = 600;

impl Client {
    /// A client for `cfg`, reading the API key from its environment variable.
    pub fn new(cfg: LlmConfig) -> Result<Client, String> {
        let key = cfg.api_key()?;
        crate::mcp::ensure_crypto_provider();
        let http = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(15))
            .read_timeout(cfg.timeout)
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(Client { cfg, key, http })
    }

    /// The configuration.
    pub fn config(&self) -> &LlmConfig {
        &self.cfg
    }

    /// Values to redact from anything shown or logged (the API key).
    pub fn secrets(&self) -> Vec<String> {
        self.key.iter().cloned().collect()
    }

    fn redact(&self, text: &str) -> String {
        crate::config::redact(text, &self.secrets())
    }

    /// Sends the conversation and streams the answer: `on_text` sees every piece of text as
    /// it arrives. Errors are sentences, with the key redacted.
    pub async fn complete(
        &self,
        system: &str,
        messages: &[Message],
        on_text: &mut (dyn FnMut(&str) + Send),
        cancel: &CancellationToken,
    ) -> Result<Completion, String> {
        tokio::select! {
            r = self.stream(system, messages, on_text) => r.map_err(|e| self.redact(&e)),
            () = cancel.cancelled() => Err("cancelled".into()),
        }
    }

    async fn stream(
        &self,
        system: &str,
        messages: &[Message],
        on_text: &mut (dyn FnMut(&str) + Send),
    ) -> Result<Completion, String> {
        let (url, body) = wire::request(&self.cfg, system, messages);
        let mut req = self
            .http
            .post(&url)
            .header(http::header::CONTENT_TYPE, "application/json")
            .header(http::header::ACCEPT, "text/event-stream, application/json")
            .body(serde_json::to_vec(&body).unwrap_or_default());
        if self.cfg.provider == Provider::Anthropic {
            req = req.header("anthropic-version", "2023-06-01");
        }
        if let Some(key) = &self.key {
            let (name, value) = match self.cfg.provider {
                Provider::Openai => (http::header::AUTHORIZATION, format!("Bearer {key}")),
                Provider::Anthropic => (http::HeaderName::from_static("x-api-key"), key.clone()),
            };
            let mut value = http::HeaderValue::try_from(value)
                .map_err(|_| "the API key holds characters a header cannot carry".to_string())?;
            value.set_sensitive(true);
            req = req.header(name, value);
        }
        tracing::debug!(url, model = %self.cfg.model, "llm request");
        let mut resp = req
            .send()
            .await
            .map_err(|e| format!("cannot reach the model API at {url}: {}", error_chain(&e)))?;
        let status = resp.status();
        if !status.is_success() {
            let text = resp.text().await.unwrap_or_default();
            let detail = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| {
                    v["error"]["message"]
                        .as_str()
                        .or(v["error"].as_str())
                        .map(str::to_string)
                })
                .unwrap_or_else(|| crate::util::truncate(text.trim(), ERROR_BODY));
            return Err(format!(
                "the model API at {url} answered {status}: {detail}"
            ));
        }
        let is_stream = resp
            .headers()
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/event-stream"));
        if !is_stream {
            let v: serde_json::Value = resp
                .json()
                .await
                .map_err(|e| format!("the model API answered something that is not JSON: {e}"))?;
            let (text, usage) = wire::parse_whole(self.cfg.provider, &v)?;
            on_text(&text);
            return Ok(Completion { text, usage });
        }
        let mut parser = SseParser::default();
        let mut done = Completion {
            text: String::new(),
            usage: Usage::default(),
        };
        let mut finished = false;
        loop {
            let chunk = resp
                .chunk()
                .await
                .map_err(|e| format!("the model API stream broke: {}", error_chain(&e)))?;
            let events = match &chunk {
                Some(bytes) => parser.feed(bytes),
                None => parser.finish(),
            };
            for data in events {
                for c in wire::parse_event(self.cfg.provider, &data)? {
                    match c {
                        Chunk::Text(t) => {
                            on_text(&t);
                            done.text.push_str(&t);
                        }
                        Chunk::Usage(u) => done.usage.merge(u),
                        Chunk::Done => finished = true,
                    }
                }
            }
            if chunk.is_none() || finished {
                break;
            }
        }
        if done.text.is_empty() && !finished {
            return Err("the model API closed the stream without an answer".into());
        }
        Ok(done)
    }
}

/// An error with its sources (reqwest's own message is often just "error sending request").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        s.push_str(&format!(": {inner}"));
        src = inner.source();
    }
    s
}
