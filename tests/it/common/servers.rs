#![allow(dead_code)]
//! Command lines for the real third-party MCP servers that `scripts/test`
//! installs from pinned lock files:
//!
//! * `tests/servers/npm/node_modules/.bin/` — `mcp-server-everything`,
//!   `mcp-server-filesystem`, `mcp-server-memory` (npm, run by `node`, which
//!   must be on `PATH`: the shims start with `#!/usr/bin/env node`);
//! * `tests/servers/python/.venv/bin/` — `mcp-server-time`, `mcp-server-git`
//!   (`PyPI`; the venv also holds the official Python SDK, `mcp` 2.x).
//!
//! Used as `crate::servers` from every test module.
//!
//! A missing server is a hard failure (a panic naming the path and the fix),
//! never a silent skip. `scripts/test` sets `CODEMODE_TEST_SERVERS_READY=1`
//! once its installs succeeded.

use std::path::{Path, PathBuf};

/// A command line that starts a real third-party MCP server over stdio.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalServer {
    pub program: PathBuf,
    pub args: Vec<String>,
    /// The roots codemode declares to it (empty: the default, the working directory).
    pub roots: Vec<PathBuf>,
}

impl ExternalServer {
    /// A `std::process::Command` for this server with its args set (stdio
    /// not configured). For tokio: `tokio::process::Command::from(s.command())`.
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(&self.program);
        cmd.args(&self.args);
        cmd
    }

    /// The program as a UTF-8 string (the repo path is expected to be UTF-8),
    /// e.g. for writing a `command = "..."` line into a config file.
    pub fn program_str(&self) -> &str {
        self.program
            .to_str()
            .unwrap_or_else(|| panic!("non-UTF-8 server path {}", self.program.display()))
    }

    /// Program followed by its args.
    pub fn argv(&self) -> Vec<String> {
        let mut v = vec![self.program_str().to_owned()];
        v.extend(self.args.iter().cloned());
        v
    }

    /// The stdio spec codemode connects with, `env` added to the child's minimal environment.
    pub fn spec(&self, name: &str, env: &[(&str, String)]) -> codemode::mcp::ServerSpec {
        let mut spec = codemode::mcp::ServerSpec::new(
            name,
            codemode::mcp::TransportSpec::Stdio {
                command: self.program_str().to_string(),
                args: self.args.clone(),
                env: env
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
                cwd: None,
                inherit_env: false,
            },
        );
        if !self.roots.is_empty() {
            spec.client.roots = Some(self.roots.clone());
        }
        spec
    }

    /// Append one more argument.
    pub fn arg(mut self, arg: impl Into<String>) -> Self {
        self.args.push(arg.into());
        self
    }
}

/// Env var read by `mcp-server-memory` for its JSONL storage file. Always set
/// it to a file in a temp dir: the default is a file inside `node_modules`
/// shared by every test run. The file is created on the first write.
pub const MEMORY_FILE_PATH_ENV: &str = "MEMORY_FILE_PATH";

/// Env var read by `mcp-server-everything streamableHttp` for its TCP port
/// (default 3001).
pub const EVERYTHING_PORT_ENV: &str = "PORT";

/// Root of the checkout (where `Cargo.toml` is).
fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn require_installed(name: &str, path: PathBuf) -> PathBuf {
    if !path.is_file() {
        let ready = match std::env::var("CODEMODE_TEST_SERVERS_READY") {
            Ok(v) if v == "1" => {
                " (CODEMODE_TEST_SERVERS_READY=1 is set, so the install is broken)"
            }
            _ => "",
        };
        panic!(
            "external MCP server `{name}` is not installed at {}{ready}: \
             run scripts/test (it installs the pinned servers; \
             `scripts/test --install-only` does only that)",
            path.display()
        );
    }
    path
}

fn require_on_path(program: &str, why: &str) {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|dir| dir.join(program).is_file()));
    assert!(found, "`{program}` is not on PATH: {why}");
}

/// Path of an npm server's bin shim, e.g. `node_bin("mcp-server-everything")`
/// → `<repo>/tests/servers/npm/node_modules/.bin/mcp-server-everything`.
/// Panics if it is not installed, or if `node` is not on PATH.
pub fn node_bin(name: &str) -> PathBuf {
    let path = repo_root()
        .join("tests/servers/npm/node_modules/.bin")
        .join(name);
    let path = require_installed(name, path);
    require_on_path(
        "node",
        "the npm MCP test servers are Node.js scripts (`#!/usr/bin/env node`)",
    );
    path
}

/// Path of a console script in the test servers' Python venv, e.g.
/// `python_bin("mcp-server-time")` → `<repo>/tests/servers/python/.venv/bin/mcp-server-time`.
/// Panics if it is not installed.
pub fn python_bin(name: &str) -> PathBuf {
    let path = repo_root()
        .join("tests/servers/python/.venv/bin")
        .join(name);
    require_installed(name, path)
}

fn path_arg(p: &Path) -> String {
    p.to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 path {}", p.display()))
        .to_owned()
}

fn server(program: PathBuf, args: &[&str]) -> ExternalServer {
    ExternalServer {
        program,
        args: args.iter().map(|a| (*a).to_owned()).collect(),
        roots: vec![],
    }
}

/// `@modelcontextprotocol/server-everything` in stdio mode (`mcp-server-everything stdio`).
/// Server name `mcp-servers/everything`; tools include `echo` (`{"message"}`)
/// and `get-sum` (`{"a","b"}`). Right after `notifications/initialized` it
/// sends a `notifications/tools/list_changed`. Logs to stderr.
pub fn everything() -> ExternalServer {
    server(node_bin("mcp-server-everything"), &["stdio"])
}

/// `mcp-server-everything streamableHttp`: serves MCP over streamable HTTP at
/// `http://127.0.0.1:$PORT/mcp` (listens on all interfaces). The caller must
/// set [`EVERYTHING_PORT_ENV`] (`PORT`), e.g. to [`free_loopback_port`]; it
/// prints `MCP Streamable HTTP Server listening on port N` to stderr when ready
/// and exits 1 if the port is taken. (`PORT=0` binds a random port, but the
/// server then reports port 0, so pick one instead.)
pub fn everything_streamable_http() -> ExternalServer {
    server(node_bin("mcp-server-everything"), &["streamableHttp"])
}

/// `@modelcontextprotocol/server-filesystem` restricted to `root` (which must
/// exist; the server exits 1 otherwise). Server name `secure-filesystem-server`.
/// The server replaces its allowed directories with the client's roots, so `root` is
/// also the root codemode declares.
pub fn filesystem(root: &Path) -> ExternalServer {
    let mut s = server(node_bin("mcp-server-filesystem"), &[]).arg(path_arg(root));
    s.roots = vec![root.to_path_buf()];
    s
}

/// `@modelcontextprotocol/server-memory` (server name `memory-server`).
/// The caller SHOULD set [`MEMORY_FILE_PATH_ENV`] (`MEMORY_FILE_PATH`) to an
/// absolute path in a temp dir; otherwise it reads and writes
/// `node_modules/@modelcontextprotocol/server-memory/dist/memory.jsonl`,
/// which is shared by all tests.
pub fn memory() -> ExternalServer {
    server(node_bin("mcp-server-memory"), &[])
}

/// `mcp-server-time` (Python, server name `mcp-time`), with
/// `--local-timezone UTC` so that its tool descriptions (which name the local
/// timezone) do not depend on the machine. Tools: `get_current_time`
/// (`{"timezone"}`), `convert_time`.
pub fn time() -> ExternalServer {
    server(python_bin("mcp-server-time"), &["--local-timezone", "UTC"])
}

/// `mcp-server-git --repository <repo>` (Python, server name `mcp-git`).
/// Every tool takes a `repo_path` argument, which must be inside `repo`.
/// Needs the `git` binary on PATH.
pub fn git(repo: &Path) -> ExternalServer {
    require_on_path("git", "mcp-server-git runs the git binary");
    server(python_bin("mcp-server-git"), &["--repository"]).arg(path_arg(repo))
}

/// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it,
/// close). Racy by nature: retry on "already in use".
pub fn free_loopback_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("bind 127.0.0.1:0")
}

/// Starts `mcp-server-everything streamableHttp` on a free loopback port (retrying on a
/// taken port) and waits until it listens; returns the child (killed on drop) and the
/// endpoint URL.
pub async fn start_everything_http() -> (tokio::process::Child, String) {
    for _ in 0..5 {
        let port = free_loopback_port();
        let mut cmd = tokio::process::Command::from(everything_streamable_http().command());
        cmd.env(EVERYTHING_PORT_ENV, port.to_string())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .kill_on_drop(true);
        let mut child = cmd.spawn().unwrap();
        let stderr = child.stderr.take().unwrap();
        let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stderr));
        let ready = tokio::time::timeout(std::time::Duration::from_secs(30), async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("listening on port") {
                    return true;
                }
            }
            false
        })
        .await
        .unwrap_or(false);
        if ready {
            tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
            return (child, format!("http://127.0.0.1:{port}/mcp"));
        }
    }
    panic!("server-everything streamableHttp did not start");
}
