//! The conversation with the model: the task, its `search:` requests and our answers, its
//! scripts and the errors we send back. [`Session`] is one conversation (the TUI drives it a
//! turn at a time); [`ask`] runs the whole loop headless: ask, run the script in the sandbox,
//! send the error back, up to `max_repairs` times.

use std::sync::Arc;

use serde::Serialize;
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::client::Client;
use super::prompt;
use super::wire::{Message, Usage};
use crate::catalog::{Catalog, ScriptApi, tokens};
use crate::script::{self, RunOptions, RunReport, ToolInvoker};

/// `search:` steps allowed per turn before the model must answer with a script.
pub const MAX_SEARCHES: usize = 3;

/// One conversation.
#[derive(Clone, Debug, PartialEq)]
pub struct Session {
    /// The system text.
    pub system: String,
    /// The turns so far.
    pub messages: Vec<Message>,
}

/// The model's answer to one turn (after any search steps).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Turn {
    /// The reply's text.
    pub reply: String,
    /// The script in it, if any.
    pub script: Option<String>,
    /// The `search:` requests answered on the way.
    pub searches: Vec<String>,
    /// Tokens of what we sent for the reply (system + messages), counted offline.
    pub prompt_tokens: usize,
    /// What the API reported, summed over the turn's requests.
    pub usage: Usage,
}

/// What happens while a turn streams.
#[derive(Clone, Debug, PartialEq)]
pub enum AskEvent {
    /// A request goes out (attempt number, 1-based).
    Request {
        /// Attempt number.
        attempt: usize,
    },
    /// Answer text arrived.
    Text(String),
    /// The model asked for more docs.
    Search(String),
}

fn add(a: Option<u64>, b: Option<u64>) -> Option<u64> {
    match (a, b) {
        (None, None) => None,
        _ => Some(a.unwrap_or(0) + b.unwrap_or(0)),
    }
}

impl Session {
    /// A conversation about `task` over `catalog`.
    pub fn new(catalog: &Catalog, api: &ScriptApi, task: &str) -> Session {
        Session {
            system: prompt::system(catalog, api, task),
            messages: vec![Message::user(prompt::task(task))],
        }
    }

    /// Tokens of everything that would be sent now.
    pub fn prompt_tokens(&self) -> usize {
        tokens::count(&self.system)
            + self
                .messages
                .iter()
                .map(|m| tokens::count(&m.content))
                .sum::<usize>()
    }

    /// Asks the model; answers up to [`MAX_SEARCHES`] `search:` requests from `catalog`
    /// along the way. The reply is added to the conversation.
    pub async fn turn(
        &mut self,
        client: &Client,
        catalog: &Catalog,
        on_event: &mut (dyn FnMut(AskEvent) + Send),
        cancel: &CancellationToken,
    ) -> Result<Turn, String> {
        let mut searches = Vec::new();
        let mut usage = Usage::default();
        loop {
            let prompt_tokens = self.prompt_tokens();
            let mut on_text = |t: &str| on_event(AskEvent::Text(t.to_string()));
            let c = client
                .complete(&self.system, &self.messages, &mut on_text, cancel)
                .await?;
            usage.input_tokens = add(usage.input_tokens, c.usage.input_tokens);
            usage.output_tokens = add(usage.output_tokens, c.usage.output_tokens);
            self.messages.push(Message::assistant(c.text.clone()));
            if searches.len() < MAX_SEARCHES
                && let Some(q) = prompt::search_request(&c.text)
            {
                on_event(AskEvent::Search(q.clone()));
                self.messages
                    .push(Message::user(prompt::search_answer(catalog, &q)));
                searches.push(q);
                continue;
            }
            return Ok(Turn {
                script: prompt::extract_script(&c.text),
                reply: c.text,
                searches,
                prompt_tokens,
                usage,
            });
        }
    }

    /// Sends `script`'s error back. When the script is not the one the model wrote last (the
    /// user edited it), the edited script is quoted first.
    pub fn repair(&mut self, script: &str, error: &str) {
        let last = self
            .messages
            .iter()
            .rev()
            .find(|m| m.role == super::Role::Assistant)
            .and_then(|m| prompt::extract_script(&m.content));
        let mut text = String::new();
        if last.as_deref().map(str::trim) != Some(script.trim()) {
            text.push_str(&format!(
                "I changed the script to:\n```rhai\n{}\n```\n",
                script.trim_end()
            ));
        }
        text.push_str(&prompt::repair(error));
        self.messages.push(Message::user(text));
    }

    /// Asks again after a reply without a script.
    pub fn no_script(&mut self) {
        self.messages.push(Message::user(prompt::NO_SCRIPT));
    }
}

/// One attempt of [`ask`].
#[derive(Clone, Debug, Serialize)]
pub struct Attempt {
    /// 1-based.
    pub attempt: usize,
    /// The model's turn.
    #[serde(flatten)]
    pub turn: Turn,
    /// The run of its script (none when the reply had no script).
    pub report: Option<RunReport>,
    /// The error as sent back to the model (code frame included).
    pub error: Option<String>,
}

impl Attempt {
    /// Whether its script ran without error.
    pub fn ok(&self) -> bool {
        self.report.as_ref().is_some_and(RunReport::ok)
    }
}

/// The whole loop's outcome.
#[derive(Clone, Debug, Serialize)]
pub struct AskOutcome {
    /// The task.
    pub task: String,
    /// `openai` or `anthropic`.
    pub provider: &'static str,
    /// The model.
    pub model: String,
    /// Every attempt, in order.
    pub attempts: Vec<Attempt>,
    /// Why the loop stopped early: the model API failed (key redacted).
    pub api_error: Option<String>,
}

impl AskOutcome {
    /// The last attempt, if any.
    pub fn last(&self) -> Option<&Attempt> {
        self.attempts.last()
    }

    /// Whether the last attempt's script ran without error.
    pub fn ok(&self) -> bool {
        self.api_error.is_none() && self.last().is_some_and(Attempt::ok)
    }
}

/// How [`ask`] runs.
#[derive(Clone, Default)]
pub struct AskOptions {
    /// Error feedback rounds after the first attempt.
    pub max_repairs: usize,
    /// Limits, policy, audit log and cancellation for every run (`run_id` is set per run).
    pub run: RunOptions,
}

/// Asks the model for a script doing `task`, runs it, sends errors back up to
/// `opts.max_repairs` times. Every attempt is in the audit log (`ask_attempt` record with
/// the run's id: task, model, prompt tokens, the API's usage, search steps, status).
pub async fn ask(
    client: &Client,
    catalog: &Catalog,
    api: &ScriptApi,
    invoker: Arc<dyn ToolInvoker>,
    task: &str,
    opts: AskOptions,
    on_event: &mut (dyn FnMut(AskEvent) + Send),
) -> AskOutcome {
    let cfg = client.config();
    let mut outcome = AskOutcome {
        task: task.to_string(),
        provider: cfg.provider.as_str(),
        model: cfg.model.clone(),
        attempts: Vec::new(),
        api_error: None,
    };
    let mut session = Session::new(catalog, api, task);
    let cancel = opts.run.cancel.clone();
    for attempt in 1..=opts.max_repairs + 1 {
        on_event(AskEvent::Request { attempt });
        let turn = match session.turn(client, catalog, on_event, &cancel).await {
            Ok(t) => t,
            Err(e) => {
                outcome.api_error = Some(e);
                break;
            }
        };
        let run_id = script::new_run_id();
        let (report, error) = match &turn.script {
            None => {
                session.no_script();
                (None, Some(prompt::NO_SCRIPT.to_string()))
            }
            Some(source) => {
                let mut run = opts.run.clone();
                run.run_id = run_id.clone();
                let (inv, text) = (invoker.clone(), source.clone());
                let report = tokio::task::spawn_blocking(move || script::run(&text, inv, run))
                    .await
                    .unwrap_or_else(|e| internal_report(&run_id, e.to_string()));
                let error = report.error.as_ref().map(|e| e.render(source));
                if let Some(e) = &error {
                    session.repair(source, e);
                }
                (Some(report), error)
            }
        };
        if let Some(log) = &opts.run.audit {
            let status = match &report {
                None => "no_script",
                Some(r) if r.ok() => "ok",
                Some(_) => "error",
            };
            audit_attempt(log, cfg, &run_id, attempt, task, &turn, status);
        }
        let done = report.as_ref().is_some_and(|r| {
            r.ok()
                || matches!(
                    r.error.as_ref().map(|e| e.kind),
                    Some(script::ErrorKind::Cancelled)
                )
        });
        outcome.attempts.push(Attempt {
            attempt,
            turn,
            report,
            error,
        });
        if done || cancel.is_cancelled() {
            break;
        }
    }
    outcome
}

/// Writes one `ask_attempt` audit record: the run it led to (`run_id`), the task, the model,
/// the prompt's size, the API's usage, the search steps and `status`.
pub fn audit_attempt(
    log: &crate::script::audit::AuditLog,
    cfg: &super::LlmConfig,
    run_id: &str,
    attempt: usize,
    task: &str,
    turn: &Turn,
    status: &str,
) {
    let _ = log.append(json!({
        "type": "ask_attempt", "run_id": run_id, "attempt": attempt, "task": task,
        "provider": cfg.provider.as_str(), "model": cfg.model,
        "prompt_tokens": turn.prompt_tokens, "usage": turn.usage,
        "searches": turn.searches, "status": status,
    }));
}

fn internal_report(run_id: &str, why: String) -> RunReport {
    RunReport {
        run_id: run_id.to_string(),
        result: serde_json::Value::Null,
        prints: vec![],
        calls: vec![],
        error: Some(script::ScriptError::new(
            script::ErrorKind::Internal,
            format!("the script task failed: {why}"),
        )),
        limit_hit: None,
        operations: 0,
        elapsed: Default::default(),
    }
}
