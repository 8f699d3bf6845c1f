//! The connection layer: MCP servers over stdio child processes, streamable HTTP and an
//! in-process pipe, many at once. The only room that spawns processes or opens sockets.
//!
//! [`Registry`] owns every connection; front ends read [`ServerState`] snapshots, subscribe
//! to [`Event`]s and call tools through it. [`listen`] serves an MCP server (ours) over
//! streamable HTTP. [`oauth`] authorizes with protected HTTP servers (OAuth 2.1). [`samples`]
//! keeps a short example of each tool's text result, for the docs.

mod bounded;
mod complete;
mod connection;
mod diagnose;
pub mod elicit;
mod error;
mod events;
mod handler;
mod http;
mod lifecycle;
pub mod listen;
mod listen_sessions;
mod lists;
mod model;
mod mrtr;
pub mod oauth;
mod own_stdio;
mod registry;
pub mod samples;
pub mod sampling;
mod spec;
mod stdio;
mod subscribe;
mod tasks;
mod validate;

pub use complete::{CompletionRef, Completions};
pub use connection::{MAX_MESSAGE_BYTES, SUPPORTED_PROTOCOL_VERSIONS};
pub use error::{CallError, ConnectError};
pub use events::{Event, EventKind, ServerStatus};
pub use http::ensure_crypto_provider;
pub use model::{
    CallOutcome, DefHashes, PromptArgument, PromptDef, ResourceDef, ResourceTemplateDef,
    ServerDetails, ToolAnnotations, ToolDef, base64_decoded_len, summarize_block,
};
pub use own_stdio::{StdinReader, StdoutWriter, own_stdio};
pub use registry::{CallOptions, Reconfigured, Registry, ServerState};
pub use samples::{SampleStore, Samples, TextFormat, TextSample};
pub use spec::{
    DEFAULT_CALL_TIMEOUT, DEFAULT_CONNECT_TIMEOUT, InProcessFactory, Lifecycle, ServerSpec,
    TransportSpec,
};
pub use validate::{check_args, parse_args};
