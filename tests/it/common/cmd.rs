//! Running the binary in a test.
#![allow(dead_code)]

use assert_cmd::Command;

/// The binary in `dir` with private config/state dirs (so, without a config file there, it
/// uses the embedded demo server, and it writes its logs and audit log in `dir`).
pub fn codemode(dir: &tempfile::TempDir) -> Command {
    let mut cmd = Command::cargo_bin("codemode").unwrap();
    cmd.current_dir(dir.path())
        .env("XDG_CONFIG_HOME", dir.path().join("config"))
        .env("XDG_STATE_HOME", dir.path().join("state"))
        .env("HOME", dir.path());
    cmd
}

/// Writes a script file into `dir`.
pub fn script(dir: &tempfile::TempDir, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// The audit log file of a binary run with [`codemode`].
pub fn audit_file(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("state/codemode/audit.jsonl")
}
