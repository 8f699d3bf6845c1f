//! Record a run against a real server (the time server, whose answers change every second),
//! stop the server, and replay: the result is reproduced without it. Enabled by the
//! `external-servers` feature.
#![cfg(feature = "external-servers")]

use crate::servers;

use std::sync::Arc;
use std::time::Duration;

use codemode::mcp::{Registry, ServerStatus};
use codemode::script::audit::{AuditConfig, AuditLog, read_records};
use codemode::script::replay::{Recording, ReplayInvoker};
use codemode::script::{self, RunOptions, ToolInvoker};

const SCRIPT: &str = r#"
let now = time::get_current_time(#{ timezone: "UTC" });
let tokyo = time::convert_time(#{ source_timezone: "UTC", time: "09:30", target_timezone: "Asia/Tokyo" });
#{ now: now, tokyo: tokyo }
"#;

#[test]
fn a_recorded_run_replays_with_the_server_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let config = AuditConfig {
        path: Some(dir.path().join("audit.jsonl")),
        record: true,
        ..AuditConfig::default()
    };
    let log = Arc::new(AuditLog::open(config.clone(), vec![]).unwrap());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let registry = runtime.block_on(async {
        let r = Registry::new(vec![servers::time().spec("time", &[])], vec![]);
        r.start();
        assert!(r.wait_settled(Duration::from_secs(60)).await);
        r
    });
    assert_eq!(registry.servers()[0].status, ServerStatus::Ready);
    let invoker: Arc<dyn ToolInvoker> = Arc::new(script::RegistryInvoker {
        registry: registry.clone(),
        handle: runtime.handle().clone(),
    });
    let recorded = script::run(
        SCRIPT,
        invoker,
        RunOptions {
            audit: Some(log),
            record: true,
            ..Default::default()
        },
    );
    assert!(recorded.ok(), "{:?}", recorded.error);
    runtime.block_on(registry.shutdown());
    assert!(registry.servers()[0].status != ServerStatus::Ready);
    // Later than the recording: a live call would tell another time.
    std::thread::sleep(Duration::from_millis(1100));

    let records = read_records(config.path.as_ref().unwrap(), config.keep);
    let recording = Recording::find(&records, &recorded.run_id[..8]).unwrap();
    assert_eq!(recording.calls.len(), 2);
    let replay = Arc::new(ReplayInvoker::new(recording));
    let again = script::run(SCRIPT, replay.clone(), RunOptions::default());
    assert!(again.ok(), "{:?}", again.error);
    assert_eq!(again.result, recorded.result);
    assert!(replay.divergences().is_empty() && replay.unused().is_empty());

    // A changed script diverges at the changed call.
    let changed = SCRIPT.replace("Asia/Tokyo", "Europe/Paris");
    let replay = Arc::new(ReplayInvoker::new(
        Recording::find(&records, &recorded.run_id).unwrap(),
    ));
    let r = script::run(&changed, replay.clone(), RunOptions::default());
    assert!(!r.ok());
    let d = replay.divergences();
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].index, 1);
    assert!(d[0].got.contains("Europe/Paris"), "{}", d[0]);
    assert!(d[0].expected.as_deref().unwrap().contains("Asia/Tokyo"));
}

#[test]
fn a_dry_run_never_reaches_the_memory_server() {
    use codemode::script::dry_run::DryRunInvoker;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("memory.jsonl");
    let spec = servers::memory().spec(
        "memory",
        &[(
            servers::MEMORY_FILE_PATH_ENV,
            file.to_string_lossy().to_string(),
        )],
    );
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let registry = runtime.block_on(async {
        let r = Registry::new(vec![spec], vec![]);
        r.start();
        assert!(r.wait_settled(Duration::from_secs(60)).await);
        r
    });
    let real: Arc<dyn ToolInvoker> = Arc::new(script::RegistryInvoker {
        registry: registry.clone(),
        handle: runtime.handle().clone(),
    });
    let src = r#"memory::create_entities(#{ entities: [#{ name: "Ada", entityType: "person", observations: ["dry"] }] }); memory::read_graph()"#;
    let dry = Arc::new(DryRunInvoker {
        inner: real.clone(),
        recorded: vec![],
    });
    let r = script::run(src, dry, RunOptions::default());
    assert!(r.ok(), "{:?}", r.error);
    // The server's own storage: nothing written by the dry run.
    assert!(!file.exists() || !std::fs::read_to_string(&file).unwrap().contains("Ada"));
    // The same script for real writes it (the check above could fail).
    let r = script::run(src, real, RunOptions::default());
    assert!(r.ok(), "{:?}", r.error);
    runtime.block_on(registry.shutdown());
    assert!(std::fs::read_to_string(&file).unwrap().contains("Ada"));
}
