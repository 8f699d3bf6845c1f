//! `codemode run`: runs a Rhai script against the configured servers.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use serde_json::Value;

use super::Exit;
use super::setup;

mod replay;
use crate::script::{self, ErrorKind, RunEvent, RunOptions, RunReport};
use replay::{read_audit, replay};

/// What to run and how.
#[derive(Debug, clap::Args)]
pub struct Request {
    /// The script file, or `-` to read it from stdin.
    pub file: PathBuf,
    /// Print one JSON object (result, prints, calls, error, limit) instead.
    #[arg(long)]
    pub json: bool,
    /// Limits and tool policy.
    #[command(flatten)]
    pub sandbox: super::sandbox::SandboxArgs,
    /// Approve calls the policy asks about (destructive tools, definitions changed since
    /// approved, `[policy] ask`) for this run and pin their definitions: `server::tool` (`*`
    /// at the end allowed) or a server name; repeatable. Unapproved asks are refused.
    #[arg(long, value_name = "SERVER::TOOL")]
    pub approve: Vec<String>,
    /// A JSON Schema file the script's result must match.
    #[arg(long, value_name = "FILE")]
    pub result_schema: Option<PathBuf>,
    /// Record every call's full result in the audit log (also `[audit] record = true`).
    #[arg(long)]
    pub record: bool,
    /// Run against the results recorded for this run (an id or its start, as `codemode
    /// audit` shows it) instead of the servers, and report where the script diverges.
    #[arg(long, value_name = "RUN_ID", conflicts_with_all = ["plan", "record"])]
    pub replay: Option<String>,
    /// Run without calling any tool: a call recorded before (`--record`) gets its newest
    /// recorded result, others a value synthesized from the tool's outputSchema or a text
    /// saying the tool was not called. Servers are only asked for their tool lists.
    #[arg(long, conflicts_with_all = ["plan", "replay"])]
    pub dry_run: bool,
    /// Show every tool call the script can make (read from its source) and do not run it;
    /// with `--json`, as one JSON object.
    #[arg(long)]
    pub plan: bool,
}

/// Reads the script (from stdin for `-`).
pub fn read_source(file: &Path) -> Result<String, String> {
    if file == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read the script from stdin: {e}"))?;
        return Ok(text);
    }
    std::fs::read_to_string(file).map_err(|e| format!("cannot read {}: {e}", file.display()))
}

/// Reads and compiles `--result-schema`.
pub fn read_schema(file: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let schema: Value = serde_json::from_str(&text)
        .map_err(|e| format!("{} is not valid JSON: {e}", file.display()))?;
    jsonschema::validator_for(&schema)
        .map_err(|e| format!("{} is not a valid JSON Schema: {e}", file.display()))?;
    Ok(schema)
}

/// The exit code of a finished run: 0 ok, 6 script error (parse, runtime, uncaught tool
/// error, bad result), 7 limit hit, 70 internal failure, 130 cancelled.
pub fn exit_for(report: &RunReport) -> Exit {
    match report.error.as_ref().map(|e| e.kind) {
        None => Exit::Ok,
        Some(ErrorKind::Limit) => Exit::LimitHit,
        Some(ErrorKind::Cancelled) => Exit::Interrupted,
        Some(ErrorKind::Internal) => Exit::Internal,
        Some(_) => Exit::ScriptError,
    }
}

/// Runs the command.
pub async fn run(ctx: &setup::Context, req: Request) -> Exit {
    let source = match read_source(&req.file) {
        Ok(s) => s,
        Err(e) => {
            errln!("error: {e}");
            return Exit::Usage;
        }
    };
    let result_schema = match req.result_schema.as_deref().map(read_schema).transpose() {
        Ok(s) => s,
        Err(e) => {
            errln!("error: {e}");
            return Exit::Usage;
        }
    };
    let loaded = match ctx.load() {
        Ok(l) => l,
        Err(code) => return code,
    };
    // The config's [limits]/[policy]/[audit] tables; flags override them.
    let settings = match super::sandbox::settings(&loaded, &req.sandbox) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let servers = super::sandbox::server_names(&loaded.config);
    if let Err(e) = super::sandbox::check_flag_patterns("--approve", &req.approve, &servers) {
        errln!("error: {e}");
        return Exit::Usage;
    }
    let (limits, policy) = (settings.limits.clone(), settings.policy.clone());
    if let Some(id) = &req.replay {
        return replay(
            &source,
            id,
            &settings.audit,
            limits,
            result_schema,
            req.json,
        )
        .await;
    }
    let secrets = loaded.config.secrets();
    let registry = match ctx.connect_to(&loaded, None, Duration::from_secs(60)).await {
        Ok(r) => r,
        Err(code) => return code,
    };
    setup::warn_unavailable(&registry.servers());
    let invoker = Arc::new(script::RegistryInvoker {
        registry: registry.clone(),
        handle: tokio::runtime::Handle::current(),
    });
    for change in script::tool_hashes::changes(&source, &script::ToolInvoker::servers(&*invoker)) {
        errln!("warning: {change}");
    }
    if req.plan {
        let code = print_plan(&source, &script::ToolInvoker::servers(&*invoker), req.json);
        registry.shutdown().await;
        return code;
    }
    let mut audit_config = settings.audit;
    audit_config.record |= req.record;
    if req.record && !audit_config.enabled {
        errln!("error: --record needs the audit log; it is off ([audit] enabled = false)");
        return Exit::Usage;
    }
    let record = audit_config.record;
    // A dry run answers calls recorded before (by any `--record`ed run) as recorded.
    let recorded = if req.dry_run {
        script::replay::recorded_calls(&read_audit(&audit_config))
    } else {
        vec![]
    };
    let audit = super::sandbox::open_audit(audit_config, secrets.clone());
    let approvals = match script::approval::ApprovalStore::open(
        &script::approval::ApprovalStore::default_path(),
    ) {
        Ok(store) => Some(Arc::new(store)),
        Err(e) => {
            errln!("warning: approvals are not tracked for this run: {e}");
            None
        }
    };
    let mut opts = RunOptions {
        limits,
        policy,
        result_schema,
        audit,
        approver: Some(Arc::new(script::approval::PreApproved(req.approve.clone()))),
        approvals,
        record,
        ..Default::default()
    };
    // Prints stream live up to half the output budget; the rest of the output (prints,
    // result) is budgeted once the run ends, keeping what was shown as the head.
    let budget = opts.limits.max_output_tokens;
    let shown = Arc::new(AtomicUsize::new(0));
    if !req.json {
        let (shown, live) = (shown.clone(), script::budget::live_bytes(budget));
        let stopped = AtomicBool::new(false);
        opts.observers.push(Arc::new(move |event: &RunEvent| {
            if let RunEvent::Print { text } = event {
                let before = shown.load(Ordering::Relaxed);
                if stopped.load(Ordering::Relaxed) || before + text.len() + 1 > live {
                    stopped.store(true, Ordering::Relaxed);
                    return;
                }
                shown.store(before + text.len() + 1, Ordering::Relaxed);
                let mut out = std::io::stdout().lock();
                super::emit(&mut out, &format!("{text}\n"));
                let _ = out.flush();
            }
        }));
    }
    let ctrl_c = cancel_on_ctrl_c(opts.cancel.clone());
    let invoker: Arc<dyn script::ToolInvoker> = if req.dry_run {
        // Nothing is called, so nothing needs approval.
        opts.policy.allow_destructive = true;
        opts.policy.block_changed = false;
        opts.approvals = None;
        Arc::new(script::dry_run::DryRunInvoker {
            inner: invoker,
            recorded,
        })
    } else {
        invoker
    };
    let text = source.clone();
    let report = tokio::task::spawn_blocking(move || script::run(&text, invoker, opts)).await;
    ctrl_c.abort();
    registry.shutdown().await;
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            errln!("error: the script task failed: {e}");
            return Exit::Internal;
        }
    };
    print_report(
        &report,
        &source,
        req.json,
        budget,
        shown.load(Ordering::Relaxed),
        &secrets,
    );
    exit_for(&report)
}

/// Cancels `cancel` on Ctrl-C. The handler is installed before this returns, so a Ctrl-C
/// that arrives once the script runs never kills the process outright.
pub fn cancel_on_ctrl_c(
    cancel: tokio_util::sync::CancellationToken,
) -> tokio::task::JoinHandle<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut sig) = signal(SignalKind::interrupt()) {
            return tokio::spawn(async move {
                if sig.recv().await.is_some() {
                    cancel.cancel();
                }
            });
        }
    }
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            cancel.cancel();
        }
    })
}

/// `--plan`: the calls the script can make; exit 6 when it does not parse.
fn print_plan(source: &str, servers: &[script::ServerTools], json: bool) -> Exit {
    match script::plan(source, servers) {
        Ok(plan) if json => {
            outln!(
                "{}",
                serde_json::to_string_pretty(&plan).unwrap_or_default()
            );
            Exit::Ok
        }
        Ok(plan) => {
            out!("{}", plan.render());
            Exit::Ok
        }
        Err(e) => {
            err!("{}", e.render(source));
            Exit::ScriptError
        }
    }
}

/// The report within the output budget: `--json` as one object, else what was not
/// streamed yet (the result on stdout, or the error on stderr when nothing was cut, with the
/// config's `secrets` redacted: the code frame quotes the script).
fn print_report(
    report: &RunReport,
    source: &str,
    json: bool,
    budget: usize,
    shown: usize,
    secrets: &[String],
) {
    use script::budget::{Parts, fit_keeping, render};
    if json {
        let value = script::budget::report_json(report, source, budget);
        outln!(
            "{}",
            serde_json::to_string_pretty(&value).unwrap_or_default()
        );
        return;
    }
    let full = render(report, source, Parts { calls: false });
    let b = fit_keeping(&full, shown, budget);
    if b.cut.is_none()
        && let Some(e) = &report.error
    {
        let prints: usize = report.prints.iter().map(|p| p.len() + 1).sum();
        out!("{}", &full[shown.min(prints)..prints]);
        err!("{}", crate::config::redact(&e.render(source), secrets));
        return;
    }
    out!("{}", &b.text[shown.min(b.text.len())..]);
}
