//! Time to the first frame of the real binary: `codemode` (the workbench) in a pseudo-terminal
//! of 80x24, configured with one demo server that takes 5 s to start
//! (`demo-server --fault slow-start=5`), timed from spawning the process to the first frame
//! on the terminal (the server's name drawn in the servers pane). Process start is included,
//! as hyperfine would; the 5 s start of the server must not be.

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Runs of the binary (the median is kept).
const RUNS: usize = 5;
/// The server's name: the first frame is the first output holding it.
const MARKER: &str = "slowpoke";
/// The goal.
const GOAL: Duration = Duration::from_millis(100);

/// A pseudo-terminal of `cols`x`rows`: (master, slave).
fn pty(cols: u16, rows: u16) -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (0, 0);
    let size = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two fds into the given ints; the name and termios are optional.
    let rc = unsafe {
        libc::openpty(
            &raw mut master,
            &raw mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &raw const size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    // SAFETY: both fds were just opened and are owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// One run: the time from spawn to the first frame.
fn once(dir: &std::path::Path, config: &std::path::Path) -> Duration {
    let (master, slave) = pty(80, 24);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_codemode"));
    cmd.arg("--config")
        .arg(config)
        .env("TERM", "xterm-256color")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .env("HOME", dir)
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    // SAFETY: only async-signal-safe calls between fork and exec: a new session whose
    // controlling terminal is the pty (stdin).
    unsafe {
        cmd.pre_exec(|| {
            if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY, 0) < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let mut child = cmd.spawn().expect("spawn codemode");
    drop(cmd); // closes our copies of the slave side
    let mut reader = std::fs::File::from(master);
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let took = loop {
        let n = reader.read(&mut buf).unwrap_or(0);
        assert!(n > 0, "the workbench exited before its first frame");
        seen.extend_from_slice(&buf[..n]);
        if String::from_utf8_lossy(&seen).contains(MARKER) {
            break start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no first frame in 30 s"
        );
    };
    // SIGTERM: the workbench restores the terminal and stops its servers.
    // SAFETY: the pid is our own child's.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    // Keep draining so the child never blocks on a full pty while it exits.
    std::thread::spawn(move || while reader.read(&mut buf).is_ok_and(|n| n > 0) {});
    child.wait().expect("wait for codemode");
    took
}

/// Measures the time to first frame and adds its row.
pub fn measure() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("codemode.toml");
    std::fs::write(
        &config,
        format!(
            "[servers.{MARKER}]\ncommand = {:?}\nargs = [\"demo-server\", \"--fault\", \"slow-start=5\"]\n",
            env!("CARGO_BIN_EXE_codemode")
        ),
    )
    .unwrap();
    let mut times: Vec<Duration> = (0..RUNS).map(|_| once(dir.path(), &config)).collect();
    let m = super::common::median(&mut times);
    super::common::goal_row(
        "tui",
        format!(
            "time to first frame, server starting in 5 s (process spawn included, median of {RUNS})"
        ),
        super::common::human(m),
        "<= 100 ms",
        m <= GOAL,
    );
}
