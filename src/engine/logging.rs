//! `tracing` to a log file, never to stdout or stderr (the TUI owns the terminal). Every
//! record is redacted on its way to the file: the config's secrets (registered with
//! [`add_secrets`] once it is loaded) and token-looking strings, at every level — rmcp's debug
//! logs quote whole messages a server wrote.

use std::io::Write;
use std::path::PathBuf;
use std::sync::{Mutex, RwLock};

use crate::util::private::Rotating;

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

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Adds values the log must never show (env values, header values, API keys).
pub fn add_secrets(secrets: &[String]) {
    let mut all = SECRETS
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for s in secrets.iter().filter(|s| !s.is_empty()) {
        if !all.contains(s) {
            all.push(s.clone());
        }
    }
}

/// `text` with every registered secret and token-looking string replaced.
pub fn redacted(text: &str) -> String {
    let secrets = SECRETS
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    crate::config::redact(text, &secrets)
}

/// The log is rotated past this size (`codemode.1.log`...).
pub const LOG_MAX_BYTES: u64 = 10 << 20;

/// Rotated log files kept.
pub const LOG_KEEP: usize = 3;

/// Text for the terminal (command output, errors): every registered secret replaced (no
/// patterns: output may legitimately hold token-looking data) and terminal controls escaped
/// ([`crate::util::escape_controls`]).
pub fn scrub(text: &str) -> String {
    let secrets = SECRETS
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let known = crate::config::redact_known(text, &secrets);
    crate::util::escape_controls(&known).into_owned()
}

/// Every registered secret (config values, tokens seen), for redacting output values.
pub fn secrets() -> Vec<String> {
    SECRETS
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone()
}

/// The file, written one whole record at a time, redacted, rotated by size.
struct RedactingFile(Mutex<Rotating>);

/// Collects one record; writes it, redacted, when dropped.
struct Record<'a> {
    file: &'a Mutex<Rotating>,
    buf: Vec<u8>,
}

impl Write for Record<'_> {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Record<'_> {
    fn drop(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let text = redacted(&String::from_utf8_lossy(&self.buf));
        let mut file = self
            .file
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = file.append(text.as_bytes());
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for RedactingFile {
    type Writer = Record<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        Record {
            file: &self.0,
            buf: Vec::new(),
        }
    }
}

/// Installs the file logger. Level from `CODEMODE_LOG` (e.g. `debug`, `codemode=trace`),
/// default `info`. Failing to open the file disables logging instead of failing the run.
pub fn init() {
    let path = log_path();
    let Ok(file) = Rotating::open(&path, LOG_MAX_BYTES, LOG_KEEP) else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("CODEMODE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(RedactingFile(Mutex::new(file)))
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::fmt::MakeWriter;

    #[test]
    fn records_reach_the_file_redacted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log");
        let writer = RedactingFile(Mutex::new(Rotating::open(&path, LOG_MAX_BYTES, 1).unwrap()));
        add_secrets(&["hunter2-planted-value".to_string()]);
        {
            let mut rec = writer.make_writer();
            write!(rec, "server said token=hunter2-planted-value and ").unwrap();
            writeln!(rec, "Bearer abcdefghijklmnopqrstuvwxyz123456").unwrap();
        }
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("hunter2-planted-value"), "{text}");
        assert!(!text.contains("abcdefghijklmnopqrstuvwxyz123456"), "{text}");
        assert!(text.contains("server said token="), "{text}");
        assert!(text.ends_with('\n'), "one whole record: {text:?}");
    }

    #[test]
    fn the_log_is_rotated_by_size_and_stays_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("codemode.log");
        let writer = RedactingFile(Mutex::new(Rotating::open(&path, 1000, 2).unwrap()));
        for i in 0..100 {
            let mut rec = writer.make_writer();
            writeln!(rec, "record {i:03} {}", "x".repeat(40)).unwrap();
        }
        let rotated = |n| crate::util::private::rotated_path(&path, n);
        for p in [path.clone(), rotated(1), rotated(2)] {
            let len = std::fs::metadata(&p).unwrap().len();
            assert!(len > 0 && len <= 1000, "{}: {len} bytes", p.display());
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
        assert!(!rotated(3).exists(), "only `keep` rotated files");
        assert!(
            std::fs::read_to_string(&path)
                .unwrap()
                .contains("record 099")
        );
        assert_eq!(rotated(1).file_name().unwrap(), "codemode.1.log");
    }
}
