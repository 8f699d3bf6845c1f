use super::*;
use crate::mcp::{CallError, CallOutcome, ToolDef};
use crate::script::{RunOptions, ToolInvoker, run};
use serde_json::Map;
use tokio_util::sync::CancellationToken;

/// A server `fake` with one tool `echo` that returns its arguments.
struct Fake;

impl ToolInvoker for Fake {
    fn servers(&self) -> Vec<ServerTools> {
        let tool: ToolDef =
            serde_json::from_value(json!({"name": "echo", "inputSchema": {"type": "object"}}))
                .unwrap();
        let drop: ToolDef = serde_json::from_value(json!({"name": "drop",
            "inputSchema": {"type": "object"}, "annotations": {"destructiveHint": true}}))
        .unwrap();
        vec![ServerTools {
            name: "fake".into(),
            tools: Arc::new(vec![tool, drop]),
        }]
    }
    fn call(
        &self,
        _server: &str,
        _tool: &str,
        args: Map<String, Value>,
        _cancel: &CancellationToken,
    ) -> Result<CallOutcome, CallError> {
        Ok(CallOutcome {
            structured_content: Some(Value::Object(args)),
            ..Default::default()
        })
    }
}

fn log_in(dir: &tempfile::TempDir, max_bytes: u64, secrets: &[&str]) -> Arc<AuditLog> {
    let config = AuditConfig {
        path: Some(dir.path().join("audit.jsonl")),
        max_bytes,
        ..Default::default()
    };
    Arc::new(
        AuditLog::open(
            config,
            secrets
                .iter()
                .map(std::string::ToString::to_string)
                .collect(),
        )
        .unwrap(),
    )
}

#[test]
fn a_run_writes_start_calls_prints_and_end_with_secrets_redacted() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_in(&dir, 1 << 20, &["hunter2"]);
    let src = "print(\"token hunter2\");\nfake::echo(#{ password: \"hunter2\", n: 1 }).n";
    let opts = RunOptions {
        audit: Some(log.clone()),
        ..Default::default()
    };
    let report = run(src, Arc::new(Fake), opts);
    assert!(report.ok(), "{:?}", report.error);
    let text = std::fs::read_to_string(log.path()).unwrap();
    assert!(!text.contains("hunter2"));
    let records = read_records(log.path(), 3);
    let types: Vec<&str> = records
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["run_start", "print", "call", "run_end"]);
    assert!(
        records
            .iter()
            .all(|r| r["run_id"] == report.run_id.as_str())
    );
    assert_eq!(records[0]["sha256"], sha256_hex(src.as_bytes()));
    assert_eq!(
        records[0]["servers"][0]["tools"]["echo"]
            .as_str()
            .unwrap()
            .len(),
        64
    );
    assert_eq!(records[2]["args"]["password"], "«redacted»");
    assert_eq!(records[2]["ok"], true);
    assert_eq!(records[3]["status"], "ok");
    assert_eq!(records[3]["tools_used"], json!(["fake::echo"]));
    assert_eq!(records[3]["result"], 1);
}

#[test]
fn limit_hits_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_in(&dir, 1 << 20, &[]);
    let mut opts = RunOptions {
        audit: Some(log.clone()),
        ..Default::default()
    };
    opts.limits.max_operations = 1000;
    run("loop {}", Arc::new(Fake), opts);
    let records = read_records(log.path(), 3);
    let hit = records.iter().find(|r| r["type"] == "limit_hit").unwrap();
    assert_eq!(hit["limit"], "max_operations");
    assert_eq!(records.last().unwrap()["status"], "limit");
}

#[test]
fn rotation_keeps_whole_records_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_in(&dir, 300, &[]);
    for i in 0..20 {
        log.append(
            json!({"type": "print", "run_id": "r", "text": format!("line {i:02} ........")}),
        )
        .unwrap();
    }
    assert!(rotated_path(log.path(), 1).exists());
    assert!(!rotated_path(log.path(), 4).exists());
    let texts: Vec<String> = read_records(log.path(), 3)
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect();
    // The oldest records went with the dropped files; the rest are complete and in order.
    assert!(texts.len() < 20 && texts.len() >= 6, "{texts:?}");
    let mut sorted = texts.clone();
    sorted.sort();
    assert_eq!(texts, sorted);
    assert_eq!(texts.last().unwrap(), "line 19 ........");
    for p in [log.path().to_path_buf(), rotated_path(log.path(), 1)] {
        let size = std::fs::metadata(&p).unwrap().len();
        assert!(size <= 300, "{} is {size} bytes", p.display());
    }
}

#[test]
fn refused_calls_are_recorded_with_their_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let log = log_in(&dir, 1 << 20, &[]);
    let opts = RunOptions {
        audit: Some(log.clone()),
        ..Default::default()
    };
    let src = "try { fake::drop(#{ table: \"users\" }) } catch (e) { print(e.kind) }";
    let report = run(src, Arc::new(Fake), opts);
    assert!(report.ok(), "{:?}", report.error);
    let records = read_records(log.path(), 3);
    let call = records.iter().find(|r| r["type"] == "call").unwrap();
    assert_eq!(call["tool"], "drop");
    assert_eq!(call["ok"], false);
    assert_eq!(call["args"]["table"], "users");
    assert!(call["error"].as_str().unwrap().contains("destructive"));
    assert!(
        records
            .iter()
            .any(|r| r["type"] == "print" && r["text"] == "policy")
    );
}
