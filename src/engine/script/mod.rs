//! The script sandbox: Rhai programs that call MCP tools, with limits, a policy, events and a
//! report.
//!
//! The script API:
//! - every ready server is a module and every tool a function of it taking one object map:
//!   `demo::get_issue(#{ id: 1 })`; tools without required parameters can also be called with
//!   no argument. Names follow [`crate::catalog::names`].
//! - `call_tool(server, tool, #{...})` takes raw names or the module and function names
//!   (Rhai reserves `call` for function pointers, hence the longer name); so does `parallel`.
//! - `parallel([[server, tool, #{...}], ...])` runs calls concurrently and returns their
//!   results in order; if any fails it throws the first failure's error map, with `index`
//!   and `results` (all results, error maps in the failed places) added.
//! - a failed call (the tool's `isError`, a transport failure, a policy refusal, a result that
//!   does not match the tool's `outputSchema`) throws a catchable map
//!   `#{ server, tool, message, kind }`.
//! - results: `structuredContent` becomes a map; text becomes a string (never parsed: use
//!   `parse_json`); images, audio and binary resources become `#{ type, mime_type, bytes }`.
//! - `parse_json(text)`, `parse_repr(text)` (Python literals), `to_json(value)`, `print(x)`,
//!   `debug(x)` (into the run's events, never stdout), `sleep(ms)` (interruptible).
//! - the last value is the result, as JSON.
//! - `try { ... } catch (e) { ... }` is a statement in Rhai, not an expression: assign inside
//!   it (`let r = (); try { r = ... } catch (e) { r = e.message }`).
//!
//! Limits ([`Limits`]) stop the run with an error naming the limit; they cannot be caught.

mod aliases;
pub mod api;
pub mod approval;
pub mod audit;
pub mod budget;
mod callbacks;
mod convert;
mod ctx;
pub mod dry_run;
mod engine;
mod error;
mod invoker;
mod limits;
pub mod memory;
mod plan;
pub mod policy;
pub mod probe;
pub mod replay;
mod report;
mod run;
mod sizes;
mod suggest;
pub mod tool_hashes;
mod wait;

pub use api::{script_api, script_api_for};
pub use convert::{MAX_JSON_DEPTH, ToJsonError, from_json, outcome_value, to_json, to_json_within};
pub use ctx::Observer;
pub use error::{CallKind, ErrorKind, ScriptError, hint};
pub use invoker::{RegistryInvoker, ServerTools, ToolInvoker};
pub use limits::duration_text;
pub use limits::{
    CALL_DEPTH_CEILING, LimitError, Limits, MEMORY_CEILING, SCRIPT_STACK_BYTES,
    STACK_PER_MEMORY_BYTE,
};
pub use plan::{COMPUTED, CallForm, Flag, Plan, PlannedCall, plan};
pub use policy::{AskReason, Decision, Policy, ServerPolicy};
pub use report::{CallRecord, LimitHit, RunEvent, RunReport};
pub use run::{LimitAdvice, RunOptions, event_channel, new_run_id, run};

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_aliases;
#[cfg(test)]
mod tests_approval;
#[cfg(test)]
mod tests_dry_run;
#[cfg(test)]
mod tests_parallel;
#[cfg(test)]
mod tests_text;
#[cfg(test)]
mod tests_tool_hashes;
