//! The five real third-party servers (everything, filesystem, memory, time, git) over prepared
//! data — a files root, a git repository with fixed commits and one uncommitted change, a
//! memory file — with text samples kept in memory, and the docs regression tasks of
//! `tests/docs_tasks/`. Used by the docs snapshots, the token table (also the bench's) and the
//! tasks test. Used as `crate::real_env` (it uses `crate::demo` and `crate::servers`).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use codemode::mcp::{Registry, SampleStore, ServerSpec, ServerStatus};
use codemode::script::{self, Policy, RunOptions, RunReport, ServerPolicy, ToolInvoker};
use serde_json::Value;

use crate::servers;

/// The started servers and where their data is.
pub struct RealEnv {
    /// Every server, ready, keeping text samples.
    pub registry: Registry,
    /// The filesystem server's allowed directory (canonical).
    pub root: PathBuf,
    /// The git server's repository (canonical).
    pub repo: PathBuf,
}

/// Runs `git args` in `repo` as `author` at a fixed date.
pub fn git(repo: &Path, author: &str, args: &[&str]) {
    let out = std::process::Command::new("git")
        .args(["-c", &format!("user.name={author}")])
        .args([
            "-c",
            &format!("user.email={}@example.com", author.to_lowercase()),
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2026-01-02T10:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-02T10:00:00Z")
        .current_dir(repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes `text` to `path` under `root`, creating folders.
pub fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Prepares the data in `tmp` and starts the servers; panics naming a server that is not
/// ready.
pub async fn start(tmp: &Path) -> RealEnv {
    let tmp = tmp.canonicalize().unwrap();
    let root = tmp.join("files");
    write(&root, "notes.txt", "one\ntwo\nthree\n");
    write(&root, "docs/guide.txt", "Read me first.\n");
    write(&root, "docs/api.md", "# API\n");
    write(&root, "src/main.rs", "fn main() {}\n");
    let repo = tmp.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, "Ada", &["init", "-q", "-b", "main"]);
    for (author, file, message) in [
        ("Ada", "README.md", "Start the project"),
        ("Grace", "lib.rs", "Add the library"),
        ("Linus", "main.rs", "Wire main to the library"),
    ] {
        write(&repo, file, &format!("{message}\n"));
        git(&repo, author, &["add", file]);
        git(&repo, author, &["commit", "-q", "-m", message]);
    }
    write(&repo, "README.md", "Start the project\nMore to come.\n");
    let memory_file = tmp.join("memory.jsonl").to_string_lossy().to_string();
    let mut everything = servers::everything().spec("everything", &[]);
    // Its get-roots-list answer names the roots: the files root, not this checkout.
    everything.client.roots = Some(vec![root.clone()]);
    let specs: Vec<ServerSpec> = vec![
        everything,
        servers::filesystem(&root).spec("filesystem", &[]),
        servers::memory().spec("memory", &[(servers::MEMORY_FILE_PATH_ENV, memory_file)]),
        servers::time().spec("time", &[]),
        servers::git(&repo).spec("git", &[]),
    ];
    let registry = Registry::new(specs, vec![]);
    registry.set_samples(Arc::new(SampleStore::in_memory()));
    registry.start();
    assert!(
        registry.wait_settled(Duration::from_secs(60)).await,
        "servers did not settle"
    );
    // server-everything announces a tools/list_changed right after start; let it land.
    tokio::time::sleep(Duration::from_millis(500)).await;
    for s in registry.servers() {
        assert_eq!(
            s.status,
            ServerStatus::Ready,
            "{}: {:?}",
            s.name,
            s.stderr_tail
        );
    }
    RealEnv {
        registry,
        root,
        repo,
    }
}

impl RealEnv {
    /// `codemode docs --probe` over the servers. Two read-only tools are not probed: the
    /// answer of everything's `get-env` depends on the machine, its
    /// `trigger-long-running-operation` takes 10 s.
    pub async fn probe(&self) -> Vec<script::probe::Probed> {
        let mut policy = Policy::default();
        policy.servers.insert(
            "everything".into(),
            ServerPolicy {
                allow: None,
                deny: vec!["get-env".into(), "trigger-long-running-operation".into()],
            },
        );
        let catalog = codemode::catalog::Catalog::from_registry(&self.registry);
        let settings = script::probe::ProbeSettings {
            policy: &policy,
            approvals: None,
            audit: None,
            timeout: Duration::from_secs(10),
        };
        script::probe::probe(&self.registry, &catalog, &settings).await
    }

    /// Runs `source` in the sandbox (on a blocking thread) with the task's `ROOT` and `REPO`
    /// constants in front of it.
    pub async fn run(&self, source: &str) -> RunReport {
        let source = format!("{}{source}", self.prelude());
        let invoker: Arc<dyn ToolInvoker> = Arc::new(script::RegistryInvoker {
            registry: self.registry.clone(),
            handle: tokio::runtime::Handle::current(),
        });
        tokio::task::spawn_blocking(move || script::run(&source, invoker, RunOptions::default()))
            .await
            .unwrap()
    }

    /// What a task's text gives its script: `const REPO = "...";` (the task says where the
    /// repository is, as a user would).
    pub fn prelude(&self) -> String {
        format!("const REPO = {:?};\n", self.repo.to_string_lossy())
    }

    /// Stops the servers.
    pub async fn shutdown(self) {
        self.registry.shutdown().await;
    }
}

/// One docs regression task: a file of `tests/docs_tasks/` whose header says the task, the
/// answer and the facts of the prompt docs its script relies on.
pub struct Task {
    /// The file name.
    pub name: String,
    /// `// Task:` what a user asks.
    pub question: String,
    /// `// Expect:` the answer, as JSON.
    pub expect: Value,
    /// `// Docs:` strings (separated by ` | `) the prompt docs must contain for the script to
    /// be writable from them.
    pub docs: Vec<String>,
    /// The whole file.
    pub source: String,
}

/// Every task, by file name.
pub fn tasks() -> Vec<Task> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/docs_tasks");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rhai"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let source = std::fs::read_to_string(&path).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let header = |key: &str| {
                source
                    .lines()
                    .find_map(|l| l.strip_prefix(&format!("// {key}: ")))
                    .unwrap_or_else(|| panic!("{name}: no `// {key}:` line"))
                    .to_string()
            };
            Task {
                question: header("Task"),
                expect: serde_json::from_str(&header("Expect"))
                    .unwrap_or_else(|e| panic!("{name}: `// Expect:` is not JSON: {e}")),
                docs: header("Docs").split(" | ").map(str::to_string).collect(),
                name,
                source,
            }
        })
        .collect()
}
