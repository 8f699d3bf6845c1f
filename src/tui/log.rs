//! The log pane's memory: a ring buffer of lines with a source each, filterable, rendered
//! from the bottom so drawing costs what is visible, not what is stored.

use std::collections::VecDeque;

/// Where a log line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Source {
    /// The script: prints and the result.
    Run,
    /// A tool call (started, finished, failed).
    Call,
    /// A server's stderr.
    Stderr,
    /// MCP notifications: log messages, progress, list changes, status.
    Server,
    /// codemode itself.
    App,
}

impl Source {
    /// A short tag shown before each line.
    pub fn tag(self) -> &'static str {
        match self {
            Source::Run => "run",
            Source::Call => "call",
            Source::Stderr => "err",
            Source::Server => "srv",
            Source::App => "app",
        }
    }
}

/// How serious a line is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Routine.
    Info,
    /// Worth a look.
    Warn,
    /// Something failed.
    Error,
}

/// One line in the log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    /// Where it came from.
    pub source: Source,
    /// How serious.
    pub level: Level,
    /// Server name, when it came from one.
    pub server: Option<String>,
    /// The text (one line).
    pub text: String,
}

/// Which sources are shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Filter {
    /// Everything.
    #[default]
    All,
    /// Script prints and tool calls only.
    Run,
    /// Server stderr and notifications only.
    Servers,
    /// Warnings and errors only.
    Problems,
}

impl Filter {
    /// Whether `line` passes.
    pub fn accepts(self, line: &LogLine) -> bool {
        match self {
            Filter::All => true,
            Filter::Run => matches!(line.source, Source::Run | Source::Call),
            Filter::Servers => matches!(line.source, Source::Stderr | Source::Server),
            Filter::Problems => line.level >= Level::Warn,
        }
    }

    /// The next filter in the cycle.
    pub fn next(self) -> Filter {
        match self {
            Filter::All => Filter::Run,
            Filter::Run => Filter::Servers,
            Filter::Servers => Filter::Problems,
            Filter::Problems => Filter::All,
        }
    }

    /// Its name in the pane title.
    pub fn label(self) -> &'static str {
        match self {
            Filter::All => "all",
            Filter::Run => "run",
            Filter::Servers => "servers",
            Filter::Problems => "problems",
        }
    }
}

/// Default number of lines kept.
pub const DEFAULT_CAPACITY: usize = 100_000;
/// Longest line kept; longer ones are cut.
pub const MAX_LINE: usize = 2_000;

/// A bounded log.
#[derive(Debug)]
pub struct LogBuffer {
    lines: VecDeque<LogLine>,
    capacity: usize,
    /// How many lines fell out of the buffer.
    pub dropped: u64,
}

impl Default for LogBuffer {
    fn default() -> Self {
        LogBuffer::with_capacity(DEFAULT_CAPACITY)
    }
}

impl LogBuffer {
    /// An empty buffer keeping at most `capacity` lines.
    pub fn with_capacity(capacity: usize) -> Self {
        LogBuffer {
            lines: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    /// Appends text, one entry per line of it.
    pub fn push(&mut self, source: Source, level: Level, server: Option<&str>, text: &str) {
        for part in text.split('\n') {
            if self.lines.len() == self.capacity {
                self.lines.pop_front();
                self.dropped += 1;
            }
            self.lines.push_back(LogLine {
                source,
                level,
                server: server.map(str::to_string),
                // Control characters (from servers, scripts) shown as `\u001b`, not dropped.
                text: crate::util::truncate(
                    &crate::util::escape_controls(part.trim_end_matches('\r')),
                    MAX_LINE,
                ),
            });
        }
    }

    /// Number of stored lines.
    pub fn len(&self) -> usize {
        self.lines.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The `height` lines that end `scroll` matching lines above the newest match, oldest
    /// first. Walks from the end and stops once it has enough, so the cost is proportional to
    /// what is shown (plus the lines the filter skips).
    pub fn visible(&self, filter: Filter, scroll: usize, height: usize) -> Vec<&LogLine> {
        let mut out: Vec<&LogLine> = self
            .lines
            .iter()
            .rev()
            .filter(|l| filter.accepts(l))
            .skip(scroll)
            .take(height)
            .collect();
        out.reverse();
        out
    }

    /// How many stored lines `filter` shows.
    pub fn count(&self, filter: Filter) -> usize {
        match filter {
            Filter::All => self.lines.len(),
            _ => self.lines.iter().filter(|l| filter.accepts(l)).count(),
        }
    }

    /// The text of every line `filter` shows, oldest first (for searching).
    pub fn texts(&self, filter: Filter) -> Vec<String> {
        self.lines
            .iter()
            .filter(|l| filter.accepts(l))
            .map(|l| l.text.clone())
            .collect()
    }

    /// The last stored line.
    pub fn last(&self) -> Option<&LogLine> {
        self.lines.back()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_buffer_drops_oldest_and_counts() {
        let mut log = LogBuffer::with_capacity(3);
        for i in 0..5 {
            log.push(Source::Run, Level::Info, None, &format!("line {i}"));
        }
        assert_eq!(log.len(), 3);
        assert_eq!(log.dropped, 2);
        let shown: Vec<&str> = log
            .visible(Filter::All, 0, 10)
            .iter()
            .map(|l| l.text.as_str())
            .collect();
        assert_eq!(shown, ["line 2", "line 3", "line 4"]);
    }

    #[test]
    fn visible_scrolls_and_filters_from_the_bottom() {
        let mut log = LogBuffer::default();
        log.push(Source::Stderr, Level::Info, Some("s"), "boot\nready");
        log.push(Source::Run, Level::Info, None, "a");
        log.push(Source::Call, Level::Error, None, "b failed");
        log.push(Source::Run, Level::Info, None, "c");
        let text = |v: Vec<&LogLine>| v.iter().map(|l| l.text.clone()).collect::<Vec<_>>();
        assert_eq!(text(log.visible(Filter::All, 0, 2)), ["b failed", "c"]);
        assert_eq!(text(log.visible(Filter::All, 1, 2)), ["a", "b failed"]);
        assert_eq!(text(log.visible(Filter::Servers, 0, 5)), ["boot", "ready"]);
        assert_eq!(text(log.visible(Filter::Problems, 0, 5)), ["b failed"]);
        assert_eq!(text(log.visible(Filter::Run, 0, 5)), ["a", "b failed", "c"]);
    }
}
