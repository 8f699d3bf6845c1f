//! Child processes for stdio servers: spawned in their own process group with a minimal
//! environment, stderr piped and drained into events, killed and reaped on shutdown.

use std::collections::{BTreeMap, VecDeque};
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::AsyncReadExt;
use tokio::process::{Child, ChildStderr, ChildStdin, ChildStdout, Command};
use tokio::sync::broadcast;

use super::events::{Event, EventKind};
use super::spec::keeps_env;
use crate::config::redact;

/// How many stderr lines we keep per server for error messages.
pub const STDERR_TAIL_LINES: usize = 40;
/// Longest stderr line we keep; the rest of a longer line is dropped.
pub const STDERR_MAX_LINE: usize = 2048;

/// The last lines a server wrote to stderr.
#[derive(Clone, Default)]
pub struct StderrTail(Arc<Mutex<VecDeque<String>>>);

impl StderrTail {
    fn push(&self, line: String) {
        let mut q = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if q.len() == STDERR_TAIL_LINES {
            q.pop_front();
        }
        q.push_back(line);
    }

    /// The kept lines, oldest first.
    pub fn lines(&self) -> Vec<String> {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .iter()
            .cloned()
            .collect()
    }
}

/// A running child process. Dropping it kills the whole process group.
pub struct ChildProcess {
    child: Child,
    pgid: Option<i32>,
    /// The drained stderr lines.
    pub stderr_tail: StderrTail,
    stderr_task: Option<tokio::task::JoinHandle<()>>,
}

/// What a spawned child hands to the transport.
pub struct ChildPipes {
    /// Its stdout (server → client messages).
    pub stdout: ChildStdout,
    /// Its stdin (client → server messages).
    pub stdin: ChildStdin,
}

/// Parameters of [`spawn`].
pub struct SpawnParams<'a> {
    /// Server name, for events.
    pub server: &'a str,
    /// Program.
    pub command: &'a str,
    /// Arguments.
    pub args: &'a [String],
    /// Extra environment.
    pub env: &'a BTreeMap<String, String>,
    /// Working directory.
    pub cwd: Option<&'a PathBuf>,
    /// Pass our whole environment.
    pub inherit_env: bool,
    /// Where stderr lines go.
    pub events: broadcast::Sender<Event>,
    /// Values to redact from stderr lines.
    pub secrets: Arc<Vec<String>>,
}

/// Spawns the child with piped stdio and starts draining its stderr.
pub fn spawn(p: SpawnParams<'_>) -> std::io::Result<(ChildProcess, ChildPipes)> {
    let mut cmd = Command::new(p.command);
    cmd.args(p.args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    if !p.inherit_env {
        cmd.env_clear();
        for (key, value) in std::env::vars_os() {
            if key.to_str().is_some_and(keeps_env) {
                cmd.env(key, value);
            }
        }
    }
    cmd.envs(p.env);
    if let Some(dir) = p.cwd {
        cmd.current_dir(dir);
    }
    // Own process group: a Ctrl-C in our terminal does not hit the server, and shutdown can
    // signal the server's own children (e.g. `npx` → `node`).
    #[cfg(unix)]
    cmd.process_group(0);
    let mut child = cmd.spawn()?;
    let pgid = child.id().map(|id| id as i32);
    let stdout = child.stdout.take().expect("stdout is piped");
    let stdin = child.stdin.take().expect("stdin is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let tail = StderrTail::default();
    let task = tokio::spawn(drain_stderr(
        stderr,
        p.server.to_string(),
        p.events,
        tail.clone(),
        p.secrets,
    ));
    Ok((
        ChildProcess {
            child,
            pgid,
            stderr_tail: tail,
            stderr_task: Some(task),
        },
        ChildPipes { stdout, stdin },
    ))
}

async fn drain_stderr(
    mut stderr: ChildStderr,
    server: String,
    events: broadcast::Sender<Event>,
    tail: StderrTail,
    secrets: Arc<Vec<String>>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    let mut line: Vec<u8> = Vec::new();
    let mut overflow = false;
    let emit = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let text = redact(text.trim_end_matches('\r'), &secrets);
        tail.push(text.clone());
        let _ = events.send(Event {
            server: server.clone(),
            kind: EventKind::Stderr { line: text },
        });
    };
    loop {
        let n = match stderr.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for &b in &buf[..n] {
            if b == b'\n' {
                emit(&line);
                line.clear();
                overflow = false;
            } else if line.len() < STDERR_MAX_LINE {
                line.push(b);
            } else if !overflow {
                overflow = true;
                line.extend_from_slice(" […]".as_bytes());
            }
        }
    }
    if !line.is_empty() {
        emit(&line);
    }
}

impl ChildProcess {
    /// The child's process id, while it runs.
    pub fn id(&self) -> Option<u32> {
        self.child.id()
    }

    /// Waits briefly for the child to exit and its stderr to be drained, for error reports
    /// right after a failed start. Returns the exit status if it exited.
    pub async fn settle(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let status = tokio::time::timeout(within, self.child.wait())
            .await
            .ok()
            .and_then(Result::ok);
        if status.is_some()
            && let Some(task) = self.stderr_task.as_mut()
        {
            let _ = tokio::time::timeout(within, task).await;
        }
        status
    }

    /// Stops the child: waits `grace` for it to exit on its own (its stdin should already be
    /// closed), then SIGTERM to its process group, then SIGKILL; always reaps it.
    pub async fn shutdown(&mut self, grace: Duration) {
        if tokio::time::timeout(grace, self.child.wait()).await.is_ok() {
            self.kill_group(libc::SIGKILL); // grandchildren left behind, if any
            return;
        }
        self.kill_group(libc::SIGTERM);
        if tokio::time::timeout(grace, self.child.wait()).await.is_ok() {
            self.kill_group(libc::SIGKILL);
            return;
        }
        self.kill_group(libc::SIGKILL);
        let _ = self.child.kill().await;
    }

    // The other place with `unsafe` (denied elsewhere): std cannot signal a process group.
    #[allow(unsafe_code)]
    fn kill_group(&self, signal: i32) {
        #[cfg(unix)]
        if let Some(pgid) = self.pgid {
            // SAFETY: killpg only sends a signal; a stale group id fails with ESRCH.
            unsafe {
                libc::killpg(pgid, signal);
            }
        }
    }
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.kill_group(libc::SIGKILL);
        }
        // kill_on_drop kills the direct child; tokio reaps it in the background.
        if let Some(task) = self.stderr_task.take() {
            task.abort();
        }
    }
}
