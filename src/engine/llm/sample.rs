//! Answering a server's `sampling/createMessage` with the configured model, once a front end
//! has approved it: the server's system prompt and messages, its `maxTokens` (capped by the
//! config's `max_tokens`) and temperature.

use tokio_util::sync::CancellationToken;

use super::client::Client;
use super::config::LlmConfig;
use super::wire::{Message, Role};
use crate::mcp::sampling::{Sampled, SamplingError, SamplingRequest};

/// Sends the request to the model and collects its streamed answer.
pub async fn sample(
    cfg: &LlmConfig,
    req: &SamplingRequest,
    cancel: &CancellationToken,
) -> Result<Sampled, SamplingError> {
    let mut cfg = cfg.clone();
    if req.max_tokens > 0 {
        cfg.max_tokens = cfg.max_tokens.min(req.max_tokens);
    }
    if let Some(t) = req.temperature {
        cfg.temperature = Some(t as f32);
    }
    let client = Client::new(cfg.clone()).map_err(SamplingError::Failed)?;
    let messages: Vec<Message> = req
        .messages
        .iter()
        .map(|(role, text)| Message {
            role: if role == "assistant" {
                Role::Assistant
            } else {
                Role::User
            },
            content: text.clone(),
        })
        .collect();
    let system = req.system_prompt.clone().unwrap_or_default();
    let done = client
        .complete(&system, &messages, &mut |_| {}, cancel)
        .await
        .map_err(SamplingError::Failed)?;
    let stop_reason = match done.usage.output_tokens {
        Some(n) if n >= u64::from(cfg.max_tokens) => "maxTokens",
        _ => "endTurn",
    };
    Ok(Sampled {
        text: done.text,
        model: cfg.model,
        stop_reason: stop_reason.into(),
    })
}
