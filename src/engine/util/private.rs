//! Private state files (audit log, pins, text samples, log, OAuth tokens): directories 0700, files 0600, so
//! other users on the host cannot read what runs did or the tokens they used.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Creates `dir` (and missing parents) mode 0700; an existing `dir` is narrowed to 0700.
pub fn create_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    narrow(dir, 0o700)
}

/// Opens `path` for appending, created 0600 in a 0700 folder; an existing file is narrowed
/// to 0600.
pub fn open_append(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    let file = OpenOptions::new()
        .create(true)
        .append(true)
        .mode(0o600)
        .open(path)?;
    narrow(path, 0o600)?;
    Ok(file)
}

/// Writes `bytes` to `path` (replacing it), created 0600 in a 0700 folder, synced.
pub fn write(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_dir(dir)?;
    }
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .mode(0o600)
        .open(path)?;
    narrow(path, 0o600)?;
    f.write_all(bytes)?;
    f.sync_all()
}

/// A private JSON state file (pins, text samples) that could not be used; `what` names it.
#[derive(Debug, thiserror::Error)]
pub enum JsonFileError {
    /// It exists but cannot be read.
    #[error("cannot read {what} {}: {source}", path.display())]
    Read {
        /// What the file holds (`pins`, `text samples`).
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// It does not hold what it should (or the value cannot be written as JSON).
    #[error("cannot read {what} {}: {source}", path.display())]
    Parse {
        /// What the file holds.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: serde_json::Error,
    },
    /// It cannot be written.
    #[error("cannot write {what} {}: {source}", path.display())]
    Write {
        /// What the file holds.
        what: &'static str,
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Reads the JSON state file at `path` holding `what`; a missing file is the default value.
pub fn read_json<T: DeserializeOwned + Default>(
    path: &Path,
    what: &'static str,
) -> Result<T, JsonFileError> {
    let path_buf = || path.to_path_buf();
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|source| JsonFileError::Parse {
            what,
            path: path_buf(),
            source,
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(T::default()),
        Err(source) => Err(JsonFileError::Read {
            what,
            path: path_buf(),
            source,
        }),
    }
}

/// Writes `value` as pretty JSON to `path` ([`write`]: 0600 in a 0700 folder).
pub fn write_json<T: Serialize>(
    path: &Path,
    what: &'static str,
    value: &T,
) -> Result<(), JsonFileError> {
    let text = serde_json::to_string_pretty(value).map_err(|source| JsonFileError::Parse {
        what,
        path: path.to_path_buf(),
        source,
    })?;
    write(path, (text + "\n").as_bytes()).map_err(|source| JsonFileError::Write {
        what,
        path: path.to_path_buf(),
        source,
    })
}

/// An append-only private file rotated by size: a write that would take it past
/// `max_bytes` first renames it to `NAME.1.EXT` (older ones shift up, `keep` are kept,
/// 0 keeps none) and starts a fresh file.
pub struct Rotating {
    path: std::path::PathBuf,
    max_bytes: u64,
    keep: usize,
    file: File,
    /// The file's size as of the last write of this handle (other writers may have added
    /// more: the real size is read again before rotating).
    size: u64,
}

impl Rotating {
    /// Opens (creating) the file at `path`.
    pub fn open(path: &Path, max_bytes: u64, keep: usize) -> std::io::Result<Self> {
        let file = open_append(path)?;
        let size = file.metadata().map_or(0, |m| m.len());
        Ok(Rotating {
            path: path.to_path_buf(),
            max_bytes,
            keep,
            file,
            size,
        })
    }

    /// Appends `bytes` in one write, rotating first when they would not fit.
    pub fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let len = bytes.len() as u64;
        // Any other writer only adds: the file is read again only when this handle's own
        // count says it may be full (one write syscall per append otherwise).
        if self.size + len > self.max_bytes {
            self.size = self.file.metadata().map_or(0, |m| m.len());
        }
        if self.size > 0 && self.size + len > self.max_bytes {
            self.rotate()?;
            self.file = open_append(&self.path)?;
            self.size = 0;
        }
        self.file.write_all(bytes)?;
        self.size += len;
        Ok(())
    }

    fn rotate(&self) -> std::io::Result<()> {
        if self.keep == 0 {
            return std::fs::remove_file(&self.path);
        }
        let _ = std::fs::remove_file(rotated_path(&self.path, self.keep));
        for n in (1..self.keep).rev() {
            let from = rotated_path(&self.path, n);
            if from.exists() {
                std::fs::rename(&from, rotated_path(&self.path, n + 1))?;
            }
        }
        std::fs::rename(&self.path, rotated_path(&self.path, 1))
    }
}

/// The path of rotated file number `n` (`audit.jsonl` → `audit.1.jsonl`, `codemode.log`
/// → `codemode.1.log`).
pub fn rotated_path(path: &Path, n: usize) -> std::path::PathBuf {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("file");
    match path.extension().and_then(|s| s.to_str()) {
        Some(ext) => path.with_file_name(format!("{stem}.{n}.{ext}")),
        None => path.with_file_name(format!("{stem}.{n}")),
    }
}

/// Takes away what `mode` does not grant (group and other bits) from an existing path.
fn narrow(path: &Path, mode: u32) -> std::io::Result<()> {
    let current = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if current & !mode != 0 {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(current & mode))?;
    }
    Ok(())
}
