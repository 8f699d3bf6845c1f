//! Asking a model to write the script: the `[llm]` config ([`LlmConfig`]), a streaming client
//! for OpenAI-compatible Chat Completions and Anthropic Messages ([`Client`]), the prompt
//! (instructions + the primer and tool docs rendered by `catalog`), and the loop that runs the
//! model's script in the sandbox and sends errors back ([`Session`], [`ask`]); `sample`
//! answers servers' sampling requests once a front end approved them.
//!
//! Engine side: depends on `config`, `catalog`, `script` and `mcp` (TLS set-up only), never
//! on a front end. It is the one room besides `mcp` that opens sockets (HTTP to the model
//! API). The API key is read from the environment variable the config names, sent only in
//! a sensitive header, and redacted from every error.

pub mod client;
pub mod config;
pub mod prompt;
pub mod sample;
pub mod session;
pub mod sse;
pub mod wire;

pub use client::{Client, Completion};
pub use config::{LlmConfig, NOT_CONFIGURED, Provider};
pub use session::{AskEvent, AskOptions, AskOutcome, Attempt, Session, Turn, ask};
pub use wire::{Message, Role, Usage};
