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
    fn start(script: &str) -> Tmux {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("two_tools.rhai");
        std::fs::write(&path, script).unwrap();
        let socket = format!("codemode-e2e-{}", std::process::id());
        let d = dir.path().display();
        let cmd = format!(
            "cd {d} && env HOME={d} XDG_CONFIG_HOME={d}/config XDG_STATE_HOME={d}/state TERM=xterm-256color {bin} two_tools.rhai; echo EXITED $?; sleep 30",
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
    // The alternate screen is gone: the workbench's borders are no longer on screen.
    assert!(
        !screen.contains("Servers"),
        "terminal not restored:\n{screen}"
    );
}
