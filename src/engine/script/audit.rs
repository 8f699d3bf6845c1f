//! The audit log: append-only JSON Lines, one record per event of every run, whatever the
//! front end. Each record is written with one `write` call as soon as it happens, so a killed
//! process loses nothing already done. Secrets are redacted from every record.
//!
//! Records (all have `type`, `run_id`, `ts` in RFC 3339):
//! - `run_start`: `script`, `sha256` (of the script), `limits`, `servers`
//!   (`[{name, tools: {tool: sha256 of its definition}}]`);
//! - `call`: `index`, `server`, `tool`, `args` (redacted), `duration_ms`, `ok`, `error`,
//!   `result_bytes`; with `record = true` (or `codemode run --record`) also `result`, the
//!   full outcome (`content`, `structuredContent`, `isError`), or `result_omitted: true` past
//!   `record_max_bytes` (default 1 MiB);
//! - `print`: `text`;
//! - `limit_hit`: `limit`, `value`;
//! - `run_end`: `status` (`ok`, `error`, `limit`, `cancelled`, `internal`), `result` or `error`,
//!   `tools_used` (`server::tool`, sorted; their hashes are in `run_start`), `operations`,
//!   `elapsed_ms`.
//!
//! Config (`[audit]` table): `enabled` (default true), `path` (default
//! `<state dir>/codemode/audit.jsonl`), `max_bytes` (rotate above this size, default 10 MiB),
//! `keep` (rotated files kept as `audit.1.jsonl`..., default 3).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::util::private::Rotating;

use super::ctx::Observer;
use super::invoker::ServerTools;
use super::limits::Limits;
use super::report::{RunEvent, RunReport};

/// The `[audit]` table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// Write the audit log at all.
    pub enabled: bool,
    /// Where; default [`default_path`].
    pub path: Option<PathBuf>,
    /// Rotate when the file would grow past this many bytes.
    pub max_bytes: u64,
    /// How many rotated files to keep.
    pub keep: usize,
    /// Record each call's full result (`result` in `call` records) for replay.
    pub record: bool,
    /// Results larger than this (bytes of JSON) are not recorded (`result_omitted`).
    pub record_max_bytes: usize,
}

impl Default for AuditConfig {
    fn default() -> Self {
        AuditConfig {
            enabled: true,
            path: None,
            max_bytes: 10 << 20,
            keep: 3,
            record: false,
            record_max_bytes: 1 << 20,
        }
    }
}

/// `<state dir>/codemode/audit.jsonl`.
pub fn default_path() -> PathBuf {
    crate::logging::state_dir().join("audit.jsonl")
}

/// An open audit log. Share it with `Arc`; appends are serialized.
pub struct AuditLog {
    path: PathBuf,
    file: Mutex<Rotating>,
    config: AuditConfig,
    secrets: Vec<String>,
}

fn now() -> String {
    humantime::format_rfc3339_millis(SystemTime::now()).to_string()
}

/// Hex SHA-256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

pub use crate::util::private::rotated_path;

impl AuditLog {
    /// Opens (creating) the log at `config.path` or the default path. `secrets` are replaced
    /// by `«redacted»` in every record.
    pub fn open(config: AuditConfig, secrets: Vec<String>) -> std::io::Result<Self> {
        let path = config.path.clone().unwrap_or_else(default_path);
        let file = Rotating::open(&path, config.max_bytes, config.keep)?;
        Ok(AuditLog {
            path,
            file: Mutex::new(file),
            config,
            secrets,
        })
    }

    /// Where the log is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one record (adding `ts`), redacted, as one line in one write.
    pub fn append(&self, mut record: Value) -> std::io::Result<()> {
        if let Some(obj) = record.as_object_mut() {
            obj.insert("ts".into(), Value::String(now()));
        }
        let raw = record.to_string();
        let mut line = crate::config::redact(&raw, &self.secrets);
        if line != raw && serde_json::from_str::<Value>(&line).is_err() {
            line = json!({"type": record["type"], "run_id": record["run_id"], "ts": record["ts"],
                "redaction_failed": true})
            .to_string();
        }
        line.push('\n');
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        file.append(line.as_bytes())
    }

    /// Writes `run_start`.
    pub fn run_start(&self, run_id: &str, script: &str, limits: &Limits, servers: &[ServerTools]) {
        let servers: Vec<Value> = servers
            .iter()
            .map(|s| {
                let tools: serde_json::Map<String, Value> = s
                    .tools
                    .iter()
                    .map(|t| {
                        let def = serde_json::to_vec(t).unwrap_or_default();
                        (t.name.clone(), Value::String(sha256_hex(&def)))
                    })
                    .collect();
                json!({"name": s.name, "tools": tools})
            })
            .collect();
        self.log(json!({
            "type": "run_start", "run_id": run_id, "script": script,
            "sha256": sha256_hex(script.as_bytes()), "limits": limits, "servers": servers,
        }));
    }

    /// Writes `run_end`.
    pub fn run_end(&self, report: &RunReport) {
        let status = match &report.error {
            None => "ok",
            Some(e) => match e.kind {
                super::ErrorKind::Limit => "limit",
                super::ErrorKind::Cancelled => "cancelled",
                super::ErrorKind::Internal => "internal",
                _ => "error",
            },
        };
        let mut used: Vec<String> = report
            .calls
            .iter()
            .map(|c| format!("{}::{}", c.server, c.tool))
            .collect();
        used.sort();
        used.dedup();
        self.log(json!({
            "type": "run_end", "run_id": report.run_id, "status": status, "tools_used": used,
            "result": report.result, "error": report.error, "operations": report.operations,
            "elapsed_ms": report.elapsed.as_millis() as u64,
        }));
    }

    /// Writes `direct_call`: one tool called without a script (`codemode call`, `serve`'s
    /// pass-through tools), with its outcome.
    pub fn direct_call(
        &self,
        server: &str,
        tool: &str,
        args: Option<&serde_json::Map<String, Value>>,
        outcome: &Result<crate::mcp::CallOutcome, crate::mcp::CallError>,
        elapsed: std::time::Duration,
    ) {
        let (ok, error) = match outcome {
            Ok(o) if o.is_error => (false, Some(o.text())),
            Ok(_) => (true, None),
            Err(e) => (false, Some(e.to_string())),
        };
        self.log(json!({
            "type": "direct_call", "server": server, "tool": tool,
            "args": args.cloned().map_or(Value::Null, Value::Object), "ok": ok,
            "error": error, "duration_ms": elapsed.as_millis() as u64,
        }));
    }

    fn log(&self, record: Value) {
        if let Err(e) = self.append(record) {
            tracing::warn!("audit log {}: {e}", self.path.display());
        }
    }

    /// An observer that writes `call`, `print` and `limit_hit` records for run `run_id`.
    pub fn observer(self: &Arc<Self>, run_id: &str) -> Observer {
        let log = self.clone();
        let run_id = run_id.to_string();
        let pending: Mutex<HashMap<usize, Value>> = Mutex::default();
        Arc::new(move |event: &RunEvent| match event {
            RunEvent::CallStarted { index, args, .. } => {
                let mut p = pending
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                p.insert(*index, args.clone());
            }
            RunEvent::CallFinished(rec) => {
                let args = pending
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .remove(&rec.index)
                    .unwrap_or(Value::Null);
                let mut v = serde_json::to_value(rec).unwrap_or_default();
                v["type"] = "call".into();
                v["run_id"] = run_id.clone().into();
                v["args"] = args;
                if let Some(o) = v.as_object_mut() {
                    o.remove("args_summary");
                }
                if let Some(outcome) = &rec.outcome {
                    if outcome.to_string().len() <= log.config.record_max_bytes {
                        v["result"] = (**outcome).clone();
                    } else {
                        v["result_omitted"] = true.into();
                    }
                }
                log.log(v);
            }
            RunEvent::Print { text } => {
                log.log(json!({"type": "print", "run_id": run_id, "text": text}));
            }
            RunEvent::LimitHit(hit) => {
                log.log(
                    json!({"type": "limit_hit", "run_id": run_id, "limit": hit.limit,
                    "value": hit.value}),
                );
            }
            RunEvent::Finished(_) => {}
        })
    }
}

/// Every record of the log at `path`, oldest first, rotated files included. Lines that do
/// not parse are skipped.
pub fn read_records(path: &Path, keep: usize) -> Vec<Value> {
    let mut files: Vec<PathBuf> = (1..=keep.max(1))
        .rev()
        .map(|n| rotated_path(path, n))
        .collect();
    files.push(path.to_path_buf());
    files
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .flat_map(|text| {
            text.lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect::<Vec<Value>>()
        })
        .collect()
}

#[cfg(test)]
mod tests;
