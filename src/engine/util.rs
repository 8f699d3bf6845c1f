//! Small helpers shared by several rooms.

pub mod pyrepr;

/// The candidate closest to `name` by edit distance, if it is close enough to be a likely
/// typo (at most a third of the name's length, and at least 1 edit allowed).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(&name.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_string())
}

/// Edit distance between two strings by chars, counting an adjacent transposition as one
/// edit (optimal string alignment), since swapped letters are the most common typo.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    d[0] = (0..=b.len()).collect();
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[i - 2][j - 2] + 1);
            }
            d[i][j] = best;
        }
    }
    d[a.len()][b.len()]
}

/// Cuts `s` to at most `max` bytes on a char boundary, adding `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// Whether `c` must not reach a terminal raw: C0 controls but newline and tab (ESC starts
/// escape sequences, BEL rings, CR overwrites the line), DEL, C1 controls (U+0080–U+009F;
/// U+009B is a one-byte CSI for some terminals) and the bidirectional overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069), which make text display differently from what it is.
pub fn is_unsafe_char(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c)
}

/// `text` with every [`is_unsafe_char`] written as a visible `\uXXXX` escape, the JSON
/// spelling: in JSON output it is the same value, in plain text it shows what was sent.
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(is_unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if is_unsafe_char(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Resolves on Ctrl-C, SIGTERM or SIGHUP.
pub async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let term = signal(SignalKind::terminate());
    let hup = signal(SignalKind::hangup());
    match (term, hup) {
        (Ok(mut term), Ok(mut hup)) => {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
                _ = hup.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Private state files (audit log, pins, log, OAuth tokens): directories 0700, files 0600, so
/// other users on the host cannot read what runs did or the tokens they used.
pub mod private {
    use std::fs::{File, OpenOptions};
    use std::io::Write;
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    use std::path::Path;

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

    /// An append-only private file rotated by size: a write that would take it past
    /// `max_bytes` first renames it to `NAME.1.EXT` (older ones shift up, `keep` are kept,
    /// 0 keeps none) and starts a fresh file.
    pub struct Rotating {
        path: std::path::PathBuf,
        max_bytes: u64,
        keep: usize,
        file: File,
    }

    impl Rotating {
        /// Opens (creating) the file at `path`.
        pub fn open(path: &Path, max_bytes: u64, keep: usize) -> std::io::Result<Self> {
            Ok(Rotating {
                path: path.to_path_buf(),
                max_bytes,
                keep,
                file: open_append(path)?,
            })
        }

        /// Appends `bytes` in one write, rotating first when they would not fit.
        pub fn append(&mut self, bytes: &[u8]) -> std::io::Result<()> {
            let size = self.file.metadata().map_or(0, |m| m.len());
            if size > 0 && size + bytes.len() as u64 > self.max_bytes {
                self.rotate()?;
                self.file = open_append(&self.path)?;
            }
            self.file.write_all(bytes)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_escaped_visibly_and_json_stays_json() {
        let evil = "a\x1b[31mred\x07\rover\x1b]52;c;Zm9v\x07 \u{9b}2J \u{202e}txt.exe\tok\n";
        let safe = escape_controls(evil);
        assert!(!safe.chars().any(is_unsafe_char), "{safe}");
        assert_eq!(
            safe,
            "a\\u001b[31mred\\u0007\\u000dover\\u001b]52;c;Zm9v\\u0007 \\u009b2J \\u202etxt.exe\tok\n"
        );
        assert!(matches!(
            escape_controls("plain\ttext\n"),
            std::borrow::Cow::Borrowed(_)
        ));
        // Escaping serialized JSON keeps it JSON, with the same value.
        let json = serde_json::to_string(&serde_json::json!({"k": "x\u{202e}y\u{9b}"})).unwrap();
        let back: serde_json::Value = serde_json::from_str(&escape_controls(&json)).unwrap();
        assert_eq!(back["k"], "x\u{202e}y\u{9b}");
    }

    #[test]
    fn closest_finds_typos_only() {
        let names = ["get-sum", "echo", "get-env"];
        assert_eq!(closest("get_sum", names).as_deref(), Some("get-sum"));
        assert_eq!(closest("ecko", names).as_deref(), Some("echo"));
        assert_eq!(closest("completely-different", names), None);
        let fields = ["command", "args", "env", "url", "headers"];
        assert_eq!(closest("comand", fields).as_deref(), Some("command"));
        assert_eq!(closest("header", fields).as_deref(), Some("headers"));
        assert_eq!(closest("Args", fields).as_deref(), Some("args"));
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("dmeo", "demo"), 1);
        assert_eq!(closest("dmeo", ["demo"]).as_deref(), Some("demo"));
    }

    #[test]
    fn truncate_respects_char_boundaries() {
        assert_eq!(truncate("héllo", 2), "h…");
        assert_eq!(truncate("abc", 5), "abc");
    }
}
