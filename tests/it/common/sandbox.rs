//! The real binary in a temp working directory with private HOME and XDG dirs, so its
//! config, logs and audit log stay inside the temp dir.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A temp dir to run `codemode` in.
pub struct Sandbox {
    /// The directory (HOME, cwd, and parent of the XDG dirs).
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    /// A fresh sandbox.
    pub fn new() -> Self {
        Sandbox {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The binary as a std command, environment pointed into the sandbox.
    pub fn std_cmd(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_codemode"));
        let d = self.dir.path();
        cmd.current_dir(d)
            .env("HOME", d)
            .env("XDG_CONFIG_HOME", d.join("config"))
            .env("XDG_STATE_HOME", d.join("state"))
            .env_remove("CODEMODE_LOG_FILE");
        cmd
    }

    /// The binary as an `assert_cmd` command.
    pub fn cmd(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.std_cmd())
    }

    /// Writes `text` to `name` inside the sandbox.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Every file under the state dir (logs, audit log, pins...), with its text.
    pub fn state_files(&self) -> Vec<(PathBuf, String)> {
        fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
            for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    walk(&p, out);
                } else {
                    let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
                    out.push((p, text));
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.dir.path().join("state"), &mut out);
        out
    }
}
