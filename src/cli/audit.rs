//! `codemode audit`: the recent runs from the audit log, and one run in full.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::Exit;
use crate::script::audit::{AuditConfig, default_path, read_records};

/// One run, summarised from its records.
fn summarize(run_id: &str, records: &[&Value]) -> Value {
    let start = records.iter().find(|r| r["type"] == "run_start");
    let end = records.iter().find(|r| r["type"] == "run_end");
    let calls = records.iter().filter(|r| r["type"] == "call").count();
    let first_line = start
        .and_then(|s| s["script"].as_str())
        .and_then(|s| s.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("")
        .to_string();
    json!({
        "run_id": run_id,
        "started": start.map_or(Value::Null, |s| s["ts"].clone()),
        "status": end.map_or("unfinished".into(), |e| e["status"].clone()),
        "calls": calls,
        "elapsed_ms": end.map_or(Value::Null, |e| e["elapsed_ms"].clone()),
        "sha256": start.map_or(Value::Null, |s| s["sha256"].clone()),
        "script": first_line,
    })
}

/// Records grouped by run, in order of first appearance.
fn runs(records: &[Value]) -> Vec<(String, Vec<&Value>)> {
    let mut order: Vec<String> = Vec::new();
    let mut by_run: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for r in records {
        let Some(id) = r["run_id"].as_str() else {
            continue;
        };
        if !by_run.contains_key(id) {
            order.push(id.to_string());
        }
        by_run.entry(id.to_string()).or_default().push(r);
    }
    order
        .into_iter()
        .map(|id| {
            let recs = by_run.remove(&id).unwrap_or_default();
            (id, recs)
        })
        .collect()
}

/// `codemode audit [--last N] [--json]`.
pub fn list(last: usize, as_json: bool) -> Exit {
    let records = read_records(&default_path(), AuditConfig::default().keep);
    let all = runs(&records);
    let shown: Vec<Value> = all
        .iter()
        .skip(all.len().saturating_sub(last))
        .map(|(id, recs)| summarize(id, recs))
        .collect();
    if as_json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&shown).unwrap_or_default()
        );
        return Exit::Ok;
    }
    if shown.is_empty() {
        errln!("no runs in {}", default_path().display());
        return Exit::Ok;
    }
    for s in &shown {
        outln!(
            "{}  {}  {:<10}  {:>3} calls  {:>7}  {}",
            s["started"].as_str().unwrap_or("-"),
            &s["run_id"].as_str().unwrap_or("-")[..8.min(s["run_id"].as_str().unwrap_or("").len())],
            s["status"].as_str().unwrap_or("-"),
            s["calls"],
            s["elapsed_ms"]
                .as_u64()
                .map_or_else(|| "-".into(), |ms| format!("{ms}ms")),
            crate::util::truncate(s["script"].as_str().unwrap_or(""), 60),
        );
    }
    Exit::Ok
}

/// `codemode audit show RUN [--json]`: RUN is a run id or a unique prefix of one.
pub fn show(run: &str, as_json: bool) -> Exit {
    let records = read_records(&default_path(), AuditConfig::default().keep);
    let matching: Vec<(String, Vec<&Value>)> = runs(&records)
        .into_iter()
        .filter(|(id, _)| id.starts_with(run))
        .collect();
    let (id, recs) = match matching.as_slice() {
        [one] => one,
        [] => {
            errln!("error: no run `{run}` in {}", default_path().display());
            return Exit::Usage;
        }
        _ => {
            errln!(
                "error: `{run}` matches {} runs; give more of the id",
                matching.len()
            );
            return Exit::Usage;
        }
    };
    if as_json {
        outln!("{}", serde_json::to_string_pretty(recs).unwrap_or_default());
        return Exit::Ok;
    }
    outln!("run {id}");
    for r in recs {
        let ts = r["ts"].as_str().unwrap_or("");
        match r["type"].as_str().unwrap_or("") {
            "run_start" => {
                outln!("{ts}  start  sha256 {}", r["sha256"].as_str().unwrap_or(""));
                for line in r["script"].as_str().unwrap_or("").lines() {
                    outln!("    | {line}");
                }
            }
            "call" => outln!(
                "{ts}  call   {}::{} {} -> {} ({} bytes, {}ms)",
                r["server"].as_str().unwrap_or(""),
                r["tool"].as_str().unwrap_or(""),
                crate::util::json_prefix(&r["args"], 200),
                if r["ok"] == true {
                    "ok".to_string()
                } else {
                    format!("error: {}", r["error"].as_str().unwrap_or(""))
                },
                r["result_bytes"],
                r["duration_ms"],
            ),
            "print" => outln!("{ts}  print  {}", r["text"].as_str().unwrap_or("")),
            "limit_hit" => outln!(
                "{ts}  limit  {} ({})",
                r["limit"].as_str().unwrap_or(""),
                r["value"].as_str().unwrap_or("")
            ),
            "run_end" => outln!(
                "{ts}  end    {} after {}ms, {} operations{}",
                r["status"].as_str().unwrap_or(""),
                r["elapsed_ms"],
                r["operations"],
                match r["error"]["message"].as_str() {
                    Some(m) => format!(": {m}"),
                    None => format!(", result {}", crate::util::json_prefix(&r["result"], 200)),
                }
            ),
            other => outln!("{ts}  {other}"),
        }
    }
    Exit::Ok
}
