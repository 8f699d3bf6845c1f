//! Calls that may need the user's approval (`run_script`, direct calls), run as jobs the
//! requests wait on. Before protocol 2026-07-28 the client is asked by an
//! `elicitation/create` request. From 2026-07-28, which takes no requests from a server, the
//! question is the answer to the call itself (an `InputRequiredResult`, MCP's multi
//! round-trip requests) and the client's retry brings the user's answer. The job waits in
//! between, parked here under an unguessable id that the client echoes as `requestState` (the
//! only thing taken from it: never trusted as data).

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};

use rmcp::model::{ElicitRequest, InputRequest, InputRequiredResult, InputResponses};
use rmcp::service::{Peer, RoleServer};
use serde_json::{Value, json};
use tokio::runtime::Handle;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::approve::{ElicitApprover, decision, not_approved, question};
use super::run_script::Progress;
use super::tools::Answer;
use crate::script::approval::{Approval, ApprovalRequest, Approver};

/// The key of the one input request of a round (and of the user's answer in the retry).
pub const APPROVAL: &str = "approval";

/// What a job tells the request waiting on it.
pub enum Step {
    /// A call needs the user's approval; the answer goes back through the sender.
    Ask(ApprovalRequest, oneshot::Sender<Approval>),
    /// The job ended with this `CallToolResult` (as JSON).
    Done(Value),
}

/// How the client's user is asked about calls the policy asks about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Asking {
    /// By an `elicitation/create` request to the client (before protocol 2026-07-28; a client
    /// without elicitation is refused with what to do).
    Request,
    /// By answering the call with the question and resuming the job when the client retries
    /// with the user's answer (2026-07-28, elicitation declared).
    Rounds,
}

/// The request that starts or resumes a job: its client and how to reach it.
pub struct Caller {
    /// The client.
    pub peer: Peer<RoleServer>,
    /// Cancelled when the client cancels this request.
    pub cancel: CancellationToken,
    /// Where this request's progress goes.
    pub progress: Option<Progress>,
    /// How to ask the user.
    pub asking: Asking,
}

/// What a call answers: the job's result, or a question for the user.
pub enum Reply {
    /// The job ended with this `CallToolResult` (as JSON).
    Done(Value),
    /// The job waits for the user's answer to this.
    Ask(InputRequiredResult),
}

/// Where a run's progress notifications go: the request waiting on it, if one does.
pub type ProgressSlot = Arc<Mutex<Option<Progress>>>;

/// A run seen from the requests that wait on it, one after another.
pub struct RunHandle {
    /// What the run tells.
    pub steps: mpsc::UnboundedReceiver<Step>,
    /// Cancels the run (the waiting request was cancelled).
    pub cancel: CancellationToken,
    /// Cancelled once the run has ended (a parked run that timed out is then dropped).
    pub ended: CancellationToken,
    /// The current request's progress.
    pub progress: ProgressSlot,
}

/// The approver of a run asked in rounds: each question goes to the request waiting on the
/// run, and the run waits for the answer (or its own end: timeout, cancel).
pub struct RoundApprover {
    /// To the waiting request.
    pub steps: mpsc::UnboundedSender<Step>,
    /// The runtime the script thread blocks on.
    pub handle: Handle,
}

impl Approver for RoundApprover {
    fn approve(&self, req: &ApprovalRequest, cancel: &CancellationToken) -> Approval {
        let (tx, rx) = oneshot::channel();
        if self.steps.send(Step::Ask(req.clone(), tx)).is_err() {
            return not_approved(req, "nobody waits for the run");
        }
        self.handle.block_on(async {
            tokio::select! {
                answer = rx => answer.unwrap_or_else(|_| not_approved(req, "no answer")),
                () = cancel.cancelled() => not_approved(req, "the run was cancelled"),
            }
        })
    }
}

/// A run waiting for its client's next round.
pub struct Parked {
    /// The run.
    pub run: RunHandle,
    /// Where the user's answer goes.
    pub reply: oneshot::Sender<Approval>,
    /// What was asked.
    pub req: ApprovalRequest,
    /// Who asks, in the question.
    pub asker: &'static str,
    /// The tool called and its arguments, which a retry repeats.
    pub call: (String, Value),
}

/// The runs waiting for a round, over every session.
#[derive(Default)]
pub struct Paused(Mutex<HashMap<String, Parked>>);

impl Paused {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Parked>> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Keeps `parked` until its retry; its id. Runs that ended meanwhile (their timeout) go.
    pub fn park(&self, parked: Parked) -> String {
        let id = crate::script::new_run_id();
        let mut runs = self.lock();
        runs.retain(|_, p| !p.run.ended.is_cancelled());
        runs.insert(id.clone(), parked);
        id
    }

    /// The run parked under `id`, taken out, unless it has ended meanwhile (its timeout).
    pub fn take(&self, id: &str) -> Option<Parked> {
        self.lock()
            .remove(id)
            .filter(|p| !p.run.ended.is_cancelled())
    }

    /// Puts back a run taken out by [`Paused::take`] under its id.
    pub fn restore(&self, id: &str, parked: Parked) {
        self.lock().insert(id.to_string(), parked);
    }
}

/// The round asking `req` of the user: one elicitation, resumed by `id`.
pub fn input_required(
    caller: &str,
    req: &ApprovalRequest,
    id: String,
) -> Result<InputRequiredResult, String> {
    let request: ElicitRequest = serde_json::from_value(json!({
        "method": "elicitation/create",
        "params": question(caller, req),
    }))
    .map_err(|e| format!("internal error: bad elicitation request: {e}"))?;
    let asks = BTreeMap::from([(APPROVAL.to_string(), InputRequest::Elicitation(request))]);
    Ok(InputRequiredResult::new(Some(asks), Some(id)))
}

/// The job's approver, its cancel token and where its progress goes.
pub struct JobContext {
    /// Asks the user as the caller can be asked.
    pub approver: Arc<dyn Approver>,
    /// Cancelled when the waiting request is cancelled.
    pub cancel: CancellationToken,
    /// The waiting request's progress; `None` when no request of this call can take any (no
    /// progress token, and no retry to bring one), so that none is gathered.
    pub progress: Option<ProgressSlot>,
}

/// Starts `job` for the call of `name` with `args`, which asks as `asker` ("A Code Mode
/// script"), and waits on it for `caller`'s request.
pub async fn start<F, Fut>(
    paused: &Paused,
    (name, args): (&str, &Value),
    caller: Caller,
    asker: &'static str,
    job: F,
) -> Reply
where
    F: FnOnce(JobContext) -> Fut,
    Fut: Future<Output = Value> + Send + 'static,
{
    let (steps_tx, steps) = mpsc::unbounded_channel();
    let handle = Handle::current();
    let approver: Arc<dyn Approver> = match caller.asking {
        Asking::Request => Arc::new(ElicitApprover {
            peer: caller.peer.clone(),
            handle,
            caller: asker,
        }),
        Asking::Rounds => Arc::new(RoundApprover {
            steps: steps_tx.clone(),
            handle,
        }),
    };
    let run = RunHandle {
        steps,
        cancel: CancellationToken::new(),
        ended: CancellationToken::new(),
        progress: Arc::new(Mutex::new(caller.progress)),
    };
    let reports = caller.asking == Asking::Rounds || lock(&run.progress).is_some();
    let work = job(JobContext {
        approver,
        cancel: run.cancel.clone(),
        progress: reports.then(|| run.progress.clone()),
    });
    let ended = run.ended.clone();
    tokio::spawn(async move {
        let _ended = ended.drop_guard();
        let _ = steps_tx.send(Step::Done(work.await));
    });
    let call = (name.to_string(), args.clone());
    wait(paused, run, call, caller.cancel, asker).await
}

/// The client's retry of a call answered with a question (`requestState` `id`): the user's
/// answer goes to the job, which goes on to its end or its next question.
pub async fn resume(
    paused: &Paused,
    id: &str,
    (name, args): (&str, &Value),
    answers: Option<&InputResponses>,
    caller: Caller,
) -> Reply {
    let Some(parked) = paused.take(id) else {
        return Reply::Done(
            Answer::error(
                "This call is no longer waiting for an answer (it timed out, was cancelled or was \
             already answered): make it again.",
            )
            .into_result(),
        );
    };
    if parked.call.0 != name || parked.call.1 != *args {
        // Not the call that was asked about: it stays parked for the right retry.
        paused.restore(id, parked);
        return Reply::Done(
            Answer::error(
                "A retry must repeat the tool and the arguments of the call that asked for input.",
            )
            .into_result(),
        );
    }
    let approval = match answers.and_then(|a| a.get(APPROVAL)) {
        Some(answer) => decision(&parked.req, answer),
        None => not_approved(&parked.req, "no answer"),
    };
    let _ = parked.reply.send(approval);
    *lock(&parked.run.progress) = caller.progress;
    wait(paused, parked.run, parked.call, caller.cancel, parked.asker).await
}

/// The job's progress slot, locked.
pub fn lock(slot: &ProgressSlot) -> std::sync::MutexGuard<'_, Option<Progress>> {
    slot.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Waits on `run` for the current request (cancelled by the client: the job is cancelled and
/// its end awaited): the job's result, or its next question with the job parked.
async fn wait(
    paused: &Paused,
    mut run: RunHandle,
    call: (String, Value),
    request: CancellationToken,
    asker: &'static str,
) -> Reply {
    loop {
        let step = tokio::select! {
            step = run.steps.recv() => step,
            () = request.cancelled(), if !run.cancel.is_cancelled() => {
                run.cancel.cancel();
                continue;
            }
        };
        match step {
            None => {
                return Reply::Done(
                    Answer::error("internal error: the call ended without a result").into_result(),
                );
            }
            Some(Step::Done(result)) => return Reply::Done(result),
            // Cancelled: the question is dropped (a denial) and the job ends.
            Some(Step::Ask(..)) if run.cancel.is_cancelled() => {}
            Some(Step::Ask(req, reply)) => {
                // Nobody to tell of progress until the client comes back.
                *lock(&run.progress) = None;
                let asked = req.clone();
                let id = paused.park(Parked {
                    run,
                    reply,
                    req,
                    asker,
                    call,
                });
                return match input_required(asker, &asked, id.clone()) {
                    Ok(question) => Reply::Ask(question),
                    Err(e) => {
                        drop(paused.take(&id));
                        Reply::Done(Answer::error(e).into_result())
                    }
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parked() -> (Parked, CancellationToken) {
        let (_tx, steps) = mpsc::unbounded_channel();
        let (reply, _rx) = oneshot::channel();
        let ended = CancellationToken::new();
        let run = RunHandle {
            steps,
            cancel: CancellationToken::new(),
            ended: ended.clone(),
            progress: Arc::default(),
        };
        let req = ApprovalRequest {
            index: 0,
            server: "demo".into(),
            tool: "delete_issue".into(),
            args: json!({"id": 1}),
            reasons: vec![],
        };
        let call = ("run_script".to_string(), json!({"code": "1"}));
        let parked = Parked {
            run,
            reply,
            req,
            asker: "A Code Mode script",
            call,
        };
        (parked, ended)
    }

    #[test]
    fn parked_runs_are_taken_once_and_those_that_ended_are_dropped() {
        let paused = Paused::default();
        let (a, a_ended) = parked();
        let (b, _) = parked();
        let a = paused.park(a);
        let b = paused.park(b);
        assert_ne!(a, b);
        assert!(paused.take(&b).is_some());
        assert!(paused.take(&b).is_none(), "taken once");
        // `a` timed out while parked: it cannot be taken, and the next park drops it.
        a_ended.cancel();
        let (c, _) = parked();
        let c = paused.park(c);
        assert!(!paused.lock().contains_key(&a));
        assert!(paused.take(&a).is_none());
        assert!(paused.take(&c).is_some());
        let (d, d_ended) = parked();
        let d = paused.park(d);
        d_ended.cancel();
        assert!(paused.take(&d).is_none());
        assert!(paused.take("not-an-id").is_none());
    }
}
