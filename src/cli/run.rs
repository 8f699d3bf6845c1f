//! `codemode run`: runs a Rhai script against the configured servers.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use super::Exit;
use super::setup;
use crate::script::{self, ErrorKind, RunEvent, RunReport};

/// What to run and how.
#[derive(Debug, clap::Args)]
pub struct Request {
    /// The script file, or `-` to read it from stdin.
    pub file: PathBuf,
    /// Print one JSON object (result, prints, calls, error, limit) instead.
    #[arg(long)]
    pub json: bool,
    /// Limits and policy.
    #[command(flatten)]
    pub sandbox: super::sandbox::SandboxArgs,
    /// A JSON Schema file the script's result must match.
    #[arg(long, value_name = "FILE")]
    pub result_schema: Option<PathBuf>,
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
pub async fn run(config: Option<&Path>, req: Request) -> Exit {
    let source = match read_source(&req.file) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let result_schema = match req.result_schema.as_deref().map(read_schema).transpose() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Usage;
        }
    };
    let config = match setup::load_config(config) {
        Ok(c) => c,
        Err(code) => return code,
    };
    let specs = match setup::specs(&config, None) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut opts = match super::sandbox::sandbox_options(&config, &req.sandbox, vec![]) {
        Ok(o) => o,
        Err(code) => return code,
    };
    opts.result_schema = result_schema;
    let secrets = config.secrets();
    let registry = setup::new_registry(specs, secrets.clone());
    registry.start();
    registry.wait_settled(Duration::from_secs(60)).await;
    setup::warn_unavailable(&registry.servers());
    if !req.json {
        opts.observers.push(Arc::new(|event: &RunEvent| {
            if let RunEvent::Print { text } = event {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{text}");
                let _ = out.flush();
            }
        }));
    }
    let ctrl_c = cancel_on_ctrl_c(opts.cancel.clone());
    let invoker = Arc::new(script::RegistryInvoker {
        registry: registry.clone(),
        handle: tokio::runtime::Handle::current(),
    });
    let text = source.clone();
    let report = tokio::task::spawn_blocking(move || script::run(&text, invoker, opts)).await;
    ctrl_c.abort();
    registry.shutdown().await;
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: the script task failed: {e}");
            return Exit::Internal;
        }
    };
    print_report(&report, &source, req.json, &secrets);
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

/// Prints the result (stdout) or the error (stderr, with the config's secrets redacted: its
/// source excerpt may quote them).
fn print_report(report: &RunReport, source: &str, json: bool, secrets: &[String]) {
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(report).unwrap_or_default()
        );
        return;
    }
    match &report.error {
        None => outln!(
            "{}",
            serde_json::to_string_pretty(&report.result).unwrap_or_default()
        ),
        Some(e) => eprint!("{}", crate::config::redact(&e.render(source), secrets)),
    }
}
