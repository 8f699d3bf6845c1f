//! The catalog of the five real third-party servers (everything, filesystem, memory, time,
//! git), tools and resources sorted by name, for the docs snapshots and the token bench.
//! Used as `crate::real_catalog` (it uses `crate::demo` and `crate::servers`).
#![allow(dead_code)]

use std::path::Path;

use codemode::catalog::Catalog;
use codemode::mcp::ServerStatus;

use crate::{demo, servers};

/// Connects the five servers (with a files root, a git repo and a memory file inside `tmp`),
/// documents them, and shuts them down.
pub async fn real_catalog(tmp: &Path) -> Catalog {
    let root = tmp.join("files");
    std::fs::create_dir_all(&root).unwrap();
    let repo = tmp.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    let ok = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(&repo)
        .status()
        .unwrap();
    assert!(ok.success());
    let memory_file = tmp.join("memory.jsonl").to_string_lossy().to_string();
    let registry = demo::connected(vec![
        servers::everything().spec("everything", &[]),
        servers::filesystem(&root).spec("filesystem", &[]),
        servers::memory().spec("memory", &[(servers::MEMORY_FILE_PATH_ENV, memory_file)]),
        servers::time().spec("time", &[]),
        servers::git(&repo).spec("git", &[]),
    ])
    .await;
    // server-everything announces a tools/list_changed right after start; let it land.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let states = registry.servers();
    for s in &states {
        assert_eq!(
            s.status,
            ServerStatus::Ready,
            "{}: {:?}",
            s.name,
            s.stderr_tail
        );
    }
    let mut cat = Catalog::from_states(&states);
    registry.shutdown().await;
    for s in &mut cat.servers {
        s.tools.sort_by(|a, b| a.name.cmp(&b.name));
        s.resources.sort_by(|a, b| a.uri.cmp(&b.uri));
    }
    cat
}
