//! Many calls at once (`parallel`): a sliding window of `max_parallel` calls in flight, each a
//! future joined on the invoker's runtime (no thread per call). The script thread announces,
//! approves and launches each call, and checks and records each as it ends, so the log shows
//! every call when it really starts and finishes.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use serde_json::{Map, Value};
use tokio::runtime::Handle;
use tokio::task::JoinSet;

use super::{Failure, RunCtx};
use crate::mcp::{CallError, CallOutcome, ToolDef};

/// One call of a batch: server, tool and arguments (raw names).
pub(crate) type Job = (String, String, Map<String, Value>);

/// What a finished call sends back: its position, outcome and duration.
type Ended = (usize, Result<CallOutcome, CallError>, Duration);

impl RunCtx {
    /// Runs `jobs` (call indices from `first`) with at most `max_parallel` in flight; the
    /// results in the order of `jobs`. Once the run must stop, no further call starts and the
    /// ones not started fail with the reason.
    pub fn invoke_many(&self, first: usize, jobs: &[Job]) -> Vec<Result<Value, Failure>> {
        let width = self.limits.max_parallel.max(1);
        let mut results: Vec<Option<Result<Value, Failure>>> = Vec::new();
        results.resize_with(jobs.len(), || None);
        // Each started call's definition (borrowed from the run's catalog, not copied) and
        // its arguments' summary, until it ends.
        let mut begun: Vec<(Option<Cow<'_, ToolDef>>, String)> = Vec::new();
        begun.resize_with(jobs.len(), Default::default);
        let mut running: JoinSet<Ended> = JoinSet::new();
        let mut runtime: Option<Handle> = None;
        let mut next = 0;
        loop {
            while running.len() < width && next < jobs.len() && self.stop_reason().is_none() {
                let i = next;
                next += 1;
                let (server, tool, args) = &jobs[i];
                let (def, summary) = self.begin(first + i, server, tool, args);
                if let Some(refused) = self.refusal(first + i, server, tool, def.as_deref(), args) {
                    results[i] = Some(self.finish(first + i, server, tool, summary, refused));
                    continue;
                }
                if let Some((handle, call)) =
                    self.invoker.call_future(server, tool, args, &self.cancel)
                {
                    let t0 = Instant::now();
                    running.spawn_on(async move { (i, call.await, t0.elapsed()) }, &handle);
                    runtime = Some(handle);
                    begun[i] = (def, summary);
                } else {
                    let done = self.call_blocking(server, tool, def.as_deref(), args.clone());
                    results[i] = Some(self.finish(first + i, server, tool, summary, done));
                }
            }
            let Some(handle) = runtime.as_ref().filter(|_| !running.is_empty()) else {
                break;
            };
            // One wake-up of the script thread takes every call that has ended by then (calls
            // started together tend to end together), not one call per park and unpark.
            let first_ended = handle.block_on(running.join_next());
            let ended = first_ended
                .into_iter()
                .chain(std::iter::from_fn(|| running.try_join_next()));
            for joined in ended {
                let Ok((i, outcome, took)) = joined else {
                    // A call's task panicked or was aborted: the run cannot go on sanely.
                    self.cancel.cancel();
                    continue;
                };
                let (server, tool, _) = &jobs[i];
                let (def, summary) = std::mem::take(&mut begun[i]);
                let done = self.conclude(server, tool, def.as_deref(), outcome, took);
                results[i] = Some(self.finish(first + i, server, tool, summary, done));
            }
        }
        let reason = self.stop_reason().unwrap_or("cancelled");
        results
            .into_iter()
            .map(|r| r.unwrap_or(Err(Failure::Stop(reason))))
            .collect()
    }
}
