//! `tracing` to a log file, never to stdout or stderr (the TUI owns the terminal).

use std::path::PathBuf;

/// Where the log file goes: `$CODEMODE_LOG_FILE`, else `<state dir>/codemode/codemode.log`.
pub fn log_path() -> PathBuf {
    if let Some(p) = std::env::var_os("CODEMODE_LOG_FILE") {
        return PathBuf::from(p);
    }
    state_dir().join("codemode.log")
}

/// codemode's state directory (`$XDG_STATE_HOME/codemode`, falling back to the cache dir,
/// then the temp dir).
pub fn state_dir() -> PathBuf {
    dirs::state_dir()
        .or_else(dirs::cache_dir)
        .unwrap_or_else(std::env::temp_dir)
        .join("codemode")
}

/// Installs the file logger. Level from `CODEMODE_LOG` (e.g. `debug`, `codemode=trace`),
/// default `info`. Failing to open the file disables logging instead of failing the run.
pub fn init() {
    let path = log_path();
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
    else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CODEMODE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(std::sync::Mutex::new(file))
        .try_init();
}
