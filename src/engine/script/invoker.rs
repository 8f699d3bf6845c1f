//! How scripts reach tools: the [`ToolInvoker`] trait, blocking, called from the script
//! thread, with futures for `parallel`. [`RegistryInvoker`] implements it over [`Registry`]
//! with a tokio runtime handle.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::{Map, Value};
use tokio::runtime::Handle;
use tokio_util::sync::CancellationToken;

use crate::mcp::{CallError, CallOptions, CallOutcome, Registry, ServerStatus, ToolDef};

/// One server whose tools scripts may call.
#[derive(Clone, Debug)]
pub struct ServerTools {
    /// Raw server name.
    pub name: String,
    /// Its tools.
    pub tools: Arc<Vec<ToolDef>>,
}

/// Calls tools on behalf of a script. Implementations block the calling (script) thread until
/// the call ends, fails, or `cancel` fires.
pub trait ToolInvoker: Send + Sync {
    /// The servers that are ready, with their tools.
    fn servers(&self) -> Vec<ServerTools>;

    /// Calls `tool` on `server`; returns when it finishes or `cancel` is cancelled.
    fn call(
        &self,
        server: &str,
        tool: &str,
        args: Map<String, Value>,
        cancel: &CancellationToken,
    ) -> Result<CallOutcome, CallError>;

    /// The same call as a future, with the runtime it runs on, so that `parallel` joins many
    /// calls there without a thread each. `None` (the default) makes `parallel` call
    /// [`ToolInvoker::call`] for one after another: right for invokers that answer at once
    /// (replay, dry run).
    fn call_future(
        &self,
        _server: &str,
        _tool: &str,
        _args: &Map<String, Value>,
        _cancel: &CancellationToken,
    ) -> Option<(Handle, CallFuture)> {
        None
    }
}

/// A tool call running on a runtime ([`ToolInvoker::call_future`]).
pub type CallFuture = BoxFuture<'static, Result<CallOutcome, CallError>>;

/// [`ToolInvoker`] over a [`Registry`]; blocks on the runtime through `handle` (yielding
/// briefly before it parks, see `script::wait`). Never call it from a runtime worker thread.
#[derive(Clone)]
pub struct RegistryInvoker {
    /// The registry.
    pub registry: Registry,
    /// The runtime the registry lives on.
    pub handle: Handle,
}

impl ToolInvoker for RegistryInvoker {
    fn servers(&self) -> Vec<ServerTools> {
        self.registry
            .servers()
            .into_iter()
            .filter(|s| s.status == ServerStatus::Ready)
            .map(|s| ServerTools {
                name: s.name,
                tools: s.tools,
            })
            .collect()
    }

    fn call(
        &self,
        server: &str,
        tool: &str,
        args: Map<String, Value>,
        cancel: &CancellationToken,
    ) -> Result<CallOutcome, CallError> {
        let opts = options(cancel);
        let call = self.registry.call_tool(server, tool, Some(args), &opts);
        super::wait::block_on(&self.handle, call, super::wait::SPIN)
    }

    fn call_future(
        &self,
        server: &str,
        tool: &str,
        args: &Map<String, Value>,
        cancel: &CancellationToken,
    ) -> Option<(Handle, CallFuture)> {
        let opts = options(cancel);
        let (registry, server, tool, args) = (
            self.registry.clone(),
            server.to_string(),
            tool.to_string(),
            args.clone(),
        );
        let call = async move { registry.call_tool(&server, &tool, Some(args), &opts).await };
        Some((self.handle.clone(), Box::pin(call)))
    }
}

/// A script's call: cancelled with the run. The registry only watches the token (never
/// cancels it), so the run's own token serves (a child token per call cost a lock and a node
/// in the token's tree).
fn options(cancel: &CancellationToken) -> CallOptions {
    CallOptions {
        cancel: cancel.clone(),
        ..Default::default()
    }
}
