//! `codemode ask`: a model writes the script for a task; codemode runs it in the sandbox and
//! sends errors back to the model for `--max-repairs` rounds.

use std::io::IsTerminal;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::Exit;
use super::run::{cancel_on_ctrl_c, exit_for};
use super::sandbox::{SandboxArgs, sandbox_options};
use super::setup;
use crate::catalog::Catalog;
use crate::llm::{self, AskEvent, AskOptions, AskOutcome};

/// What to ask.
#[derive(Debug, clap::Args)]
pub struct Request {
    /// What the script should do, in plain words.
    pub task: String,
    /// Rounds of error feedback after the first attempt.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub max_repairs: usize,
    /// Print one JSON object (script, result, error, every attempt) instead.
    #[arg(long)]
    pub json: bool,
    /// Limits and policy of the runs.
    #[command(flatten)]
    pub sandbox: SandboxArgs,
}

/// Runs the command.
pub async fn run(ctx: &setup::Context, req: Request) -> Exit {
    let loaded = match ctx.load() {
        Ok(l) => l,
        Err(code) => return code,
    };
    let Some(llm_config) = loaded.settings.llm.clone() else {
        errln!("error: {}", llm::NOT_CONFIGURED);
        return Exit::Config;
    };
    let client = match llm::Client::new(llm_config) {
        Ok(c) => c,
        Err(e) => {
            errln!("error: {e}");
            return Exit::Config;
        }
    };
    crate::logging::add_secrets(&client.secrets());
    let opts = match sandbox_options(&loaded, &req.sandbox, client.secrets()) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let api = crate::script::script_api_for(&opts.limits, &opts.policy);
    let registry = match ctx.connect_to(&loaded, None, Duration::from_secs(60)).await {
        Ok(r) => r,
        Err(code) => return code,
    };
    setup::warn_unavailable(&registry.servers());
    let catalog = Catalog::from_registry(&registry);
    if catalog.servers.is_empty() {
        errln!(
            "warning: no server is ready, so the model sees no tools (a codemode.toml replaces the demo server: add [servers.NAME] tables)"
        );
    }
    let invoker = Arc::new(crate::script::RegistryInvoker {
        registry: registry.clone(),
        handle: tokio::runtime::Handle::current(),
    });
    let ctrl_c = cancel_on_ctrl_c(opts.cancel.clone());
    let live = std::io::stderr().is_terminal() && !req.json;
    let mut on_event = |e: AskEvent| {
        if !live {
            return;
        }
        match e {
            AskEvent::Request { attempt } => errln!("\n── attempt {attempt} ──"),
            AskEvent::Text(t) => err!("{t}"),
            AskEvent::Search(q) => errln!("\n(search: {q})"),
        }
    };
    let ask_opts = AskOptions {
        max_repairs: req.max_repairs,
        run: opts,
    };
    let outcome = llm::ask(
        &client,
        &catalog,
        &api,
        invoker,
        &req.task,
        ask_opts,
        &mut on_event,
    )
    .await;
    if live {
        errln!();
    }
    ctrl_c.abort();
    registry.shutdown().await;
    if req.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&as_json(&outcome)).unwrap_or_default()
        );
    } else {
        print_text(&outcome);
    }
    exit_code(&outcome)
}

/// 0 when the last script ran; 5 when the model API failed; 6 when no script worked (or
/// none came); 7, 70, 130 as for `codemode run`.
fn exit_code(outcome: &AskOutcome) -> Exit {
    if outcome.api_error.is_some() {
        return match outcome.api_error.as_deref() {
            Some("cancelled") => Exit::Interrupted,
            _ => Exit::RequestFailed,
        };
    }
    match outcome.last().and_then(|a| a.report.as_ref()) {
        Some(report) => exit_for(report),
        None => Exit::ScriptError,
    }
}

fn as_json(outcome: &AskOutcome) -> Value {
    let last = outcome.last();
    let report = last.and_then(|a| a.report.as_ref());
    json!({
        "ok": outcome.ok(),
        "task": outcome.task,
        "provider": outcome.provider,
        "model": outcome.model,
        "script": last.and_then(|a| a.turn.script.clone()),
        "result": report.map_or(Value::Null, |r| r.result.clone()),
        "error": outcome.api_error.clone().map(Value::String)
            .or_else(|| report.and_then(|r| r.error.as_ref()).map(|e| json!(e)))
            .unwrap_or(Value::Null),
        "attempts": outcome.attempts,
    })
}

fn tokens_note(a: &llm::Attempt) -> String {
    let mut s = format!("prompt {} tokens", a.turn.prompt_tokens);
    let u = a.turn.usage;
    if let (Some(i), Some(o)) = (u.input_tokens, u.output_tokens) {
        s.push_str(&format!(", model reported {i} in / {o} out"));
    }
    if !a.turn.searches.is_empty() {
        s.push_str(&format!(", searched: {}", a.turn.searches.join("; ")));
    }
    s
}

fn print_text(outcome: &AskOutcome) {
    outln!("Attempts ({} {}):", outcome.provider, outcome.model);
    for a in &outcome.attempts {
        let status = match &a.report {
            None => "no script in the reply".to_string(),
            Some(r) => match &r.error {
                None => "ok".to_string(),
                Some(e) => match (e.line, e.column) {
                    (Some(l), Some(c)) => format!("{} at line {l}, column {c}", e.message),
                    _ => e.message.clone(),
                },
            },
        };
        outln!("  {}. {status} ({})", a.attempt, tokens_note(a));
    }
    let Some(last) = outcome.last() else {
        if let Some(e) = &outcome.api_error {
            errln!("error: {e}");
        }
        return;
    };
    if let Some(script) = &last.turn.script {
        outln!("\nScript:\n{}", script.trim_end());
    }
    if let Some(e) = &outcome.api_error {
        errln!("error: {e}");
        return;
    }
    match &last.report {
        None => errln!("error: the model's last reply had no script"),
        Some(r) => {
            if !r.prints.is_empty() {
                outln!("\nPrinted:");
                for p in &r.prints {
                    outln!("{p}");
                }
            }
            match &r.error {
                None => outln!(
                    "\nResult:\n{}",
                    serde_json::to_string_pretty(&r.result).unwrap_or_default()
                ),
                Some(e) => err!("{}", e.render(last.turn.script.as_deref().unwrap_or(""))),
            }
        }
    }
}
