//! End to end: the real binary inside tmux at 80x24, driven with send-keys and read with
//! capture-pane. Starts on the embedded demo server, runs a script that calls two tools,
//! sees the result, quits, and checks the terminal was restored (the shell's next line shows).

use std::process::Command;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
    dir: tempfile::TempDir,
}

impl Tmux {
    /// The workbench on `script`, with `env` (`KEY=value ...`) added; after it exits the pane
    /// shows `EXITED <code>` and the terminal's `stty -a` settings; its stderr goes to
    /// `stderr.txt` in the temp dir.
    fn start(script: &str, env: &str) -> Tmux {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("two_tools.rhai");
        std::fs::write(&path, script).unwrap();
        static STARTED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        let socket = format!("codemode-e2e-{}-{n}", std::process::id());
        let d = dir.path().display();
        let cmd = format!(
            "cd {d} && env HOME={d} XDG_CONFIG_HOME={d}/config XDG_STATE_HOME={d}/state TERM=xterm-256color {env} {bin} two_tools.rhai 2>stderr.txt; echo EXITED $?; stty -a; sleep 30",
            bin = env!("CARGO_BIN_EXE_codemode"),
        );
        let ok = Command::new("tmux")
            .args([
                "-L",
                &socket,
                "new-session",
                "-d",
                "-s",
                "e2e",
                "-x",
                "80",
                "-y",
                "24",
                &cmd,
            ])
            .status()
            .expect("tmux is needed for this test (scripts/test installs it)");
        assert!(ok.success());
        Tmux { socket, dir }
    }

    /// The pid of the process running in the pane's shell (the workbench).
    fn workbench_pid(&self) -> i32 {
        let out = Command::new("tmux")
            .args([
                "-L",
                &self.socket,
                "display",
                "-p",
                "-t",
                "e2e",
                "#{pane_pid}",
            ])
            .output()
            .unwrap();
        let shell = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children"))
            .unwrap_or_default();
        children
            .split_whitespace()
            .next()
            .expect("the workbench runs")
            .parse()
            .unwrap()
    }

    fn keys(&self, keys: &[&str]) {
        for k in keys {
            let ok = Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", "e2e", k])
                .status()
                .unwrap();
            assert!(ok.success());
            std::thread::sleep(Duration::from_millis(80));
        }
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "e2e"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).to_string()
    }

    /// Waits until the screen contains `needle` (bounded), returning the screen.
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let s = self.screen();
            if s.contains(needle) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "`{needle}` never appeared; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
        let _ = &self.dir;
    }
}

#[test]
fn run_a_two_tool_script_and_quit_cleanly() {
    let tmux = Tmux::start(
        "let product = demo::calculate(#{ op: \"multiply\", a: 6, b: 7 });\n\
         let issue = demo::get_issue(#{ id: 1 });\n\
         print(`first issue: ${issue.title}`);\n\
         #{ product: product.result, title: issue.title }\n",
        "",
    );
    tmux.wait_for("demo ready");
    tmux.keys(&["F5"]);
    let screen = tmux.wait_for("\"product\": 42");
    assert!(screen.contains("Login page times out"), "{screen}");
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("first issue: Login page");
    assert!(
        screen.contains("demo::calculate"),
        "the log shows each call:\n{screen}"
    );
    tmux.keys(&["C-q"]);
    let screen = tmux.wait_for("EXITED 0");
    assert!(screen.contains("EXITED"));
    assert_restored(&tmux.wait_for("extproc")); // the end of `stty -a`
}

/// The screen after the workbench exited shows a restored terminal: no alternate screen
/// (the workbench's borders are gone) and canonical mode with echo back on.
fn assert_restored(screen: &str) {
    assert!(
        !screen.contains("Servers"),
        "alternate screen left:\n{screen}"
    );
    assert!(
        screen.contains(" icanon") && !screen.contains("-icanon") && !screen.contains(" -echo "),
        "terminal left in raw mode:\n{screen}"
    );
}

#[test]
fn a_panic_restores_the_terminal() {
    let tmux = Tmux::start("1 + 1\n", "CODEMODE_DEBUG_PANIC=1 RUST_BACKTRACE=0");
    tmux.wait_for("demo ready");
    tmux.keys(&["F12"]);
    let screen = tmux.wait_for("EXITED 101");
    let stderr = std::fs::read_to_string(tmux.dir.path().join("stderr.txt")).unwrap();
    assert!(stderr.contains("forced panic"), "{stderr}");
    assert!(screen.contains("EXITED"));
    assert_restored(&tmux.wait_for("extproc")); // the end of `stty -a`
}

#[test]
fn sigterm_and_sighup_restore_the_terminal() {
    for signal in [libc::SIGTERM, libc::SIGHUP] {
        let tmux = Tmux::start("1 + 1\n", "");
        tmux.wait_for("demo ready");
        // SAFETY: signalling the workbench this test started.
        assert_eq!(unsafe { libc::kill(tmux.workbench_pid(), signal) }, 0);
        let screen = tmux.wait_for("EXITED");
        assert!(screen.contains("EXITED"));
        assert_restored(&tmux.wait_for("extproc")); // the end of `stty -a`
    }
}

impl Tmux {
    /// Pastes `text` as tmux does by default: bracketed, each line end sent as CR.
    fn paste(&self, text: &str) {
        let tmux = |args: &[&str]| {
            let ok = Command::new("tmux")
                .args(["-L", &self.socket])
                .args(args)
                .status()
                .unwrap();
            assert!(ok.success(), "{args:?}");
        };
        tmux(&["set-buffer", "-b", "p", text]);
        tmux(&["paste-buffer", "-p", "-b", "p", "-t", "e2e"]);
        std::thread::sleep(Duration::from_millis(200));
    }
}

#[test]
fn a_paste_with_cr_line_ends_keeps_its_lines() {
    let tmux = Tmux::start("", "");
    tmux.wait_for("demo ready");
    tmux.keys(&["M-3"]);
    tmux.paste("let a = 40;\nlet b = 2;\na + b\n");
    let screen = tmux.wait_for("3 a + b");
    assert!(
        screen.contains("1 let a = 40;") && screen.contains("2 let b = 2;"),
        "each pasted line is a line of the script:\n{screen}"
    );
    tmux.keys(&["F5"]);
    tmux.wait_for("42");
}

#[test]
fn cancelling_a_run_leaves_a_clean_screen() {
    let tmux = Tmux::start("demo::wait(#{ ms: 20000 })\n", "");
    tmux.wait_for("demo ready");
    tmux.keys(&["F5"]);
    tmux.wait_for("running");
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("cancelled after");
    // The in-process demo server used to print its note on the terminal behind the TUI.
    assert!(
        !screen.contains("demo-server:"),
        "something wrote over the workbench:\n{screen}"
    );
    assert!(
        !screen.contains("Run failed"),
        "no popup for a cancel:\n{screen}"
    );
    assert!(
        screen
            .lines()
            .any(|l| l.starts_with("┏ Servers") || l.starts_with("┌ Servers"))
    );
}
