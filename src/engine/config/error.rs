//! Errors and warnings produced while reading a configuration file.

use std::fmt;
use std::path::{Path, PathBuf};

/// A configuration file that could not be used.
///
/// Displays as `<file>:<line>:<col>: <message>`, followed by
/// ` (field `mcpServers.x.args`)` when the offending field is known. Parts
/// that are unknown (line, column) are left out.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file the error is about.
    pub file: PathBuf,
    /// 1-based line of the problem, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters) of the problem, when known.
    pub column: Option<usize>,
    /// Dotted path of the offending field, e.g. `mcpServers.time.args`.
    pub field: Option<String>,
    /// What is wrong, without the position.
    pub message: String,
}

impl ConfigError {
    /// An error about `file` with no position and no field.
    pub(crate) fn new(file: &Path, message: impl Into<String>) -> Self {
        ConfigError {
            file: file.to_path_buf(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
        }
    }

    /// Sets line and column from a `(line, column)` pair.
    pub(crate) fn at(mut self, pos: Option<(usize, usize)>) -> Self {
        if let Some((line, column)) = pos {
            self.line = Some(line);
            self.column = Some(column);
        }
        self
    }

    /// Sets the dotted field path.
    pub(crate) fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_prefix(f, &self.file, self.line, self.column)?;
        write!(f, "{}", self.message)?;
        if let Some(field) = &self.field {
            write!(f, " (field `{field}`)")?;
        }
        Ok(())
    }
}

/// Something in a configuration file that was ignored or looks wrong, but
/// did not stop the file from loading (e.g. an unknown field).
///
/// Displays as `<file>:<line>:<col>: warning: <message>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    /// The file the warning is about.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// What was ignored and why, e.g.
    /// ``unknown field `comand` in server `x` (ignored); did you mean `command`?``.
    pub message: String,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_prefix(f, &self.file, self.line, self.column)?;
        write!(f, "warning: {}", self.message)
    }
}

fn write_prefix(
    f: &mut fmt::Formatter<'_>,
    file: &Path,
    line: Option<usize>,
    column: Option<usize>,
) -> fmt::Result {
    write!(f, "{}:", file.display())?;
    if let Some(line) = line {
        write!(f, "{line}:")?;
        if let Some(column) = column {
            write!(f, "{column}:")?;
        }
    }
    write!(f, " ")
}

/// 1-based `(line, column)` of a byte offset in `text`; the column counts
/// characters. Offsets past the end (or inside a character) are clamped.
pub(crate) fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// Byte offset of a 1-based `(line, column)` pair, as reported by `serde_json`
/// (whose column counts bytes).
pub(crate) fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (line_start + column.saturating_sub(1)).min(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_display_with_and_without_position() {
        let e = ConfigError::new(Path::new("a.json"), "bad")
            .at(Some((3, 7)))
            .field("mcpServers.x.args");
        assert_eq!(e.to_string(), "a.json:3:7: bad (field `mcpServers.x.args`)");
        let e = ConfigError::new(Path::new("a.json"), "config file not found");
        assert_eq!(e.to_string(), "a.json: config file not found");
    }

    #[test]
    fn warning_display() {
        let w = ConfigWarning {
            file: PathBuf::from("c.toml"),
            line: Some(2),
            column: Some(1),
            message: "unknown field `comand` in server `x` (ignored)".into(),
        };
        assert_eq!(
            w.to_string(),
            "c.toml:2:1: warning: unknown field `comand` in server `x` (ignored)"
        );
    }

    #[test]
    fn line_col_and_offset_round_trip() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 7), (2, 4)); // after the two-byte é
        assert_eq!(line_col(text, 8), (3, 1));
        assert_eq!(line_col(text, 100), (3, 2));
        assert_eq!(offset_of(text, 2, 2), 4);
        assert_eq!(offset_of(text, 3, 1), 8);
    }
}
