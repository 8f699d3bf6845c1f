//! Sample workflows in `scripts/` that use the real third-party MCP servers (memory,
//! filesystem, time, git), each run through the sandbox against freshly started servers
//! with a prepared temp dir, and the exact result it must produce. Enabled by the
//! `external-servers` feature (`scripts/test` turns it on and installs the servers).
#![cfg(feature = "external-servers")]

use crate::real_env::{git, write};
use crate::servers;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use codemode::mcp::{Registry, ServerSpec, ServerStatus, TransportSpec};
use codemode::script::{self, RunOptions, RunReport, ToolInvoker};
use serde_json::json;

/// Runs `scripts/<name>` against `specs` (all must become ready), shuts the servers down, and
/// panics with the rendered error if the script failed.
fn run_workflow(name: &str, specs: Vec<ServerSpec>) -> RunReport {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scripts")
        .join(name);
    let source = std::fs::read_to_string(&path).unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let registry = runtime.block_on(async {
        let r = Registry::new(specs, vec![]);
        r.start();
        assert!(
            r.wait_settled(Duration::from_secs(60)).await,
            "servers did not settle"
        );
        r
    });
    for s in registry.servers() {
        assert_eq!(
            s.status,
            ServerStatus::Ready,
            "{}: {} / stderr: {:?}",
            s.name,
            s.status,
            s.stderr_tail
        );
    }
    let invoker: Arc<dyn ToolInvoker> = Arc::new(script::RegistryInvoker {
        registry: registry.clone(),
        handle: runtime.handle().clone(),
    });
    let report = script::run(&source, invoker, RunOptions::default());
    runtime.block_on(registry.shutdown());
    if let Some(e) = &report.error {
        panic!("{name} failed:\n{}", e.render(&source));
    }
    report
}

/// A temp dir by its canonical path (the servers resolve symlinks, e.g. a symlinked /tmp).
fn temp_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

/// The memory server with its storage file in `dir`.
fn memory_spec(dir: &Path) -> ServerSpec {
    let file = dir.join("memory.jsonl").to_string_lossy().to_string();
    servers::memory().spec("memory", &[(servers::MEMORY_FILE_PATH_ENV, file)])
}

#[test]
fn memory_most_connected_computes_over_the_graph() {
    let (_dir, root) = temp_dir();
    let r = run_workflow("memory_most_connected.rhai", vec![memory_spec(&root)]);
    assert_eq!(
        r.result,
        json!({
            "entities": 5,
            "relations": 5,
            "degree": {"Ada": 1, "Grace": 2, "Linus": 1, "codemode": 4, "rhai": 2},
            "most_connected": {"name": "codemode", "relations": 4},
            "works_on": {"codemode": ["Ada", "Grace"], "rhai": ["Grace"]},
            "people": ["Ada", "Grace", "Linus"],
            "observations": 6
        })
    );
    // 3 writes and 2 reads, each a real call.
    assert_eq!(r.calls.len(), 5);
    assert!(r.calls.iter().all(|c| c.ok));
    // The graph really is on disk.
    let stored = std::fs::read_to_string(root.join("memory.jsonl")).unwrap();
    assert_eq!(stored.lines().count(), 10, "{stored}");
}

#[test]
fn fs_summarise_dir_reads_everything_in_parallel() {
    let (_dir, root) = temp_dir();
    write(&root, "README.md", "# Demo\n\nA small project.\n");
    write(&root, "notes.txt", "one\ntwo\nthree\nfour\nfive\n");
    write(&root, "empty.txt", "");
    write(&root, "café.txt", "crème brûlée");
    write(&root, "src/main.rs", "fn main() {}\n");
    let r = run_workflow(
        "fs_summarise_dir.rhai",
        vec![servers::filesystem(&root).spec("filesystem", &[])],
    );
    assert_eq!(
        r.result,
        json!({
            "files": [
                {"name": "README.md", "lines": 3, "bytes": 25},
                {"name": "café.txt", "lines": 1, "bytes": 15},
                {"name": "empty.txt", "lines": 0, "bytes": 0},
                {"name": "notes.txt", "lines": 5, "bytes": 24}
            ],
            "dirs": 1,
            "total_lines": 9,
            "total_bytes": 64,
            "sizes_agree": true,
            "longest": "notes.txt"
        })
    );
    // allowed dirs + list + 4 reads + sizes.
    assert_eq!(r.calls.len(), 7);
}

#[test]
fn time_meeting_hours_picks_offices_in_working_hours() {
    let r = run_workflow(
        "time_meeting_hours.rhai",
        vec![servers::time().spec("time", &[])],
    );
    assert_eq!(
        r.result,
        json!({
            "meeting": "13:30 Asia/Kolkata",
            "local": {
                "Bogota": "03:00",
                "Brisbane": "18:00",
                "Dubai": "12:00",
                "Honolulu": "22:00",
                "Nairobi": "11:00",
                "Phoenix": "01:00",
                "Reykjavik": "08:00",
                "Singapore": "16:00",
                "Tokyo": "17:00"
            },
            "during_work": ["Dubai", "Nairobi", "Singapore", "Tokyo"],
            "other_day": ["Honolulu"]
        })
    );
    assert_eq!(r.calls.len(), 9);
}

#[test]
fn git_repo_report_reads_log_show_and_status() {
    let (_dir, repo) = temp_dir();
    git(&repo, "Ada", &["init", "-q", "-b", "main"]);
    write(&repo, "README.md", "# Demo\n");
    write(&repo, "src/lib.rs", "pub fn parse() {}\n");
    write(&repo, "old.txt", "obsolete\n");
    git(&repo, "Ada", &["add", "."]);
    git(&repo, "Ada", &["commit", "-q", "-m", "Start the project"]);
    write(&repo, "README.md", "# Demo\n\nUsage: demo FILE\n");
    git(
        &repo,
        "Grace",
        &["commit", "-q", "-am", "Document the usage"],
    );
    write(&repo, "src/lib.rs", "pub fn parse() { todo!() }\n");
    write(&repo, "src/parse.rs", "// the parser\n");
    git(&repo, "Ada", &["add", "."]);
    git(&repo, "Ada", &["commit", "-q", "-m", "Fix the parser"]);
    git(&repo, "Ada", &["rm", "-q", "old.txt"]);
    write(&repo, "README.md", "# Demo\n\nUsage: demo [FILE]\n");
    git(
        &repo,
        "Ada",
        &["commit", "-q", "-am", "Remove the old notes"],
    );
    // Now: one staged new file, one modified file, one untracked file.
    write(&repo, "CHANGELOG.md", "## 0.1\n");
    git(&repo, "Ada", &["add", "CHANGELOG.md"]);
    write(&repo, "src/lib.rs", "pub fn parse() {}\n");
    write(&repo, "scratch.txt", "tmp\n");

    // Run inside the repository ("." is it), then from elsewhere: the server started with
    // `--repository` refuses "." and the script takes the repository its refusal names.
    let (_elsewhere_dir, elsewhere) = temp_dir();
    for dir in [&repo, &elsewhere] {
        let mut server = servers::git(&repo).spec("git", &[]);
        if let TransportSpec::Stdio { cwd, .. } = &mut server.transport {
            *cwd = Some(dir.clone());
        }
        let r = run_workflow("git_repo_report.rhai", vec![server]);
        assert_eq!(r.calls[0].ok, dir == &repo, "{:?}", r.calls[0]);
        assert_git_report(&r);
    }
}

/// The report on the repository `git_repo_report_reads_log_show_and_status` prepares.
fn assert_git_report(r: &RunReport) {
    assert_eq!(
        r.result,
        json!({
            "commits": 4,
            "by_author": {"Ada": 3, "Grace": 1},
            "history": [
                "Start the project: 3 file(s)",
                "Document the usage: 1 file(s)",
                "Fix the parser: 2 file(s)",
                "Remove the old notes: 2 file(s)"
            ],
            "changes": {"README.md": 3, "old.txt": 2, "src/lib.rs": 2, "src/parse.rs": 1},
            "most_changed": "README.md",
            "now": {
                "staged": ["CHANGELOG.md"],
                "modified": ["src/lib.rs"],
                "untracked": ["scratch.txt"]
            }
        })
    );
    // The status that checks "." (refused or not) + log + 4 shows + status.
    assert_eq!(r.calls.len(), 7, "{:?}", r.calls);
}

#[test]
fn schedule_team_sync_records_local_times_in_memory() {
    let (_dir, root) = temp_dir();
    // What memory already knows: four people with a time zone, one without, and a project.
    let people = [
        ("Ada", "Asia/Tokyo"),
        ("Bo", "America/Bogota"),
        ("Chen", "Asia/Kolkata"),
        ("Dana", "Pacific/Honolulu"),
    ];
    let mut lines: Vec<String> = people
        .iter()
        .map(|(name, zone)| {
            json!({"type": "entity", "name": name, "entityType": "person",
                   "observations": ["engineer", format!("timezone: {zone}")]})
            .to_string()
        })
        .collect();
    lines.push(
        json!({"type": "entity", "name": "Eve", "entityType": "person", "observations": ["on leave"]})
            .to_string(),
    );
    lines.push(
        json!({"type": "entity", "name": "codemode", "entityType": "project",
               "observations": ["servers run in timezone: UTC"]})
        .to_string(),
    );
    std::fs::write(root.join("memory.jsonl"), lines.join("\n") + "\n").unwrap();

    let r = run_workflow(
        "schedule_team_sync.rhai",
        vec![memory_spec(&root), servers::time().spec("time", &[])],
    );
    assert_eq!(
        r.result,
        json!({
            "people": 4,
            "attendees": ["Ada", "Chen"],
            "recorded": {
                "Ada": "team sync at 17:00 local",
                "Bo": "team sync at 03:00 local",
                "Chen": "team sync at 13:30 local",
                "Dana": "team sync at 22:00 local"
            }
        })
    );
    // search + 4 conversions + 3 writes + open_nodes.
    assert_eq!(r.calls.len(), 9);
    let stored = std::fs::read_to_string(root.join("memory.jsonl")).unwrap();
    assert!(
        stored.contains(r#""from":"Chen","to":"team sync","relationType":"attends""#),
        "{stored}"
    );
}
