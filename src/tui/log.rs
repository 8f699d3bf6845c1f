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

/// One line in the log, as read back from the buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogLine<'a> {
    /// Where it came from.
    pub source: Source,
    /// How serious.
    pub level: Level,
    /// Server name, when it came from one.
    pub server: Option<&'a str>,
    /// The text (one line).
    pub text: &'a str,
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
    pub fn accepts(self, line: &LogLine<'_>) -> bool {
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
/// Size of one block of line text. A block is freed once every line in it has been dropped.
const CHUNK_BYTES: usize = 64 * 1024;

/// Where a stored line's text is and what kind of line it is: 16 bytes per line, the text
/// itself packed into shared blocks instead of one allocation per line.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Sequence number of the block holding the text.
    chunk: u32,
    /// Byte range of the text in that block.
    start: u32,
    len: u32,
    /// 0: no server; n: `servers[n - 1]`.
    server: u16,
    source: Source,
    level: Level,
}

/// A bounded log. Lines are kept as compact entries over blocks of text (64 KiB each), so
/// 100 000 lines cost their text plus 16 bytes each.
#[derive(Debug)]
pub struct LogBuffer {
    entries: VecDeque<Entry>,
    /// Blocks of line text, oldest first; `chunks[i]` has sequence number `first_chunk + i`.
    chunks: VecDeque<String>,
    first_chunk: u32,
    /// Server names seen, each stored once.
    servers: Vec<String>,
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
            entries: VecDeque::new(),
            chunks: VecDeque::new(),
            first_chunk: 0,
            servers: Vec::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    /// Appends text, one entry per line of it.
    pub fn push(&mut self, source: Source, level: Level, server: Option<&str>, text: &str) {
        let server = server.map_or(0, |name| self.intern(name));
        for part in text.split('\n') {
            if self.entries.len() == self.capacity {
                self.drop_oldest();
            }
            // Control characters (from servers, scripts) shown as `\u001b`, not dropped.
            let escaped = crate::util::escape_controls(part.trim_end_matches('\r'));
            let line = crate::util::truncate(&escaped, MAX_LINE);
            let (chunk, start) = self.room_for(line.len());
            self.entries.push_back(Entry {
                chunk,
                start: start as u32,
                len: line.len() as u32,
                server,
                source,
                level,
            });
            self.chunks
                .back_mut()
                .expect("room_for keeps a block")
                .push_str(&line);
        }
    }

    /// The number of `server` in `servers`, plus one (0 when the table is full).
    fn intern(&mut self, server: &str) -> u16 {
        if let Some(i) = self.servers.iter().position(|s| s == server) {
            return (i + 1) as u16;
        }
        if self.servers.len() >= usize::from(u16::MAX) {
            return 0;
        }
        self.servers.push(server.to_string());
        self.servers.len() as u16
    }

    /// The block and offset where `len` more bytes go, starting a new block when the last one
    /// is full.
    fn room_for(&mut self, len: usize) -> (u32, usize) {
        let last = self.first_chunk + self.chunks.len() as u32;
        match self.chunks.back() {
            Some(c) if c.len() + len <= c.capacity() => (last - 1, c.len()),
            _ => {
                self.chunks
                    .push_back(String::with_capacity(CHUNK_BYTES.max(len)));
                (last, 0)
            }
        }
    }

    fn drop_oldest(&mut self) {
        if self.entries.pop_front().is_none() {
            return;
        }
        self.dropped += 1;
        // Free the blocks no stored line points into any more.
        let keep_from = self
            .entries
            .front()
            .map_or(self.first_chunk + self.chunks.len() as u32 - 1, |e| e.chunk);
        while self.first_chunk < keep_from {
            self.chunks.pop_front();
            self.first_chunk += 1;
        }
    }

    fn line(&self, e: &Entry) -> LogLine<'_> {
        let chunk = &self.chunks[(e.chunk - self.first_chunk) as usize];
        let start = e.start as usize;
        LogLine {
            source: e.source,
            level: e.level,
            server: (e.server > 0).then(|| self.servers[usize::from(e.server) - 1].as_str()),
            text: &chunk[start..start + e.len as usize],
        }
    }

    /// Number of stored lines.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Bytes reserved for line text (the blocks' capacity).
    pub fn text_bytes(&self) -> usize {
        self.chunks.iter().map(String::capacity).sum()
    }

    /// The `height` lines that end `scroll` matching lines above the newest match, oldest
    /// first. Walks from the end and stops once it has enough, so the cost is proportional to
    /// what is shown (plus the lines the filter skips).
    pub fn visible(&self, filter: Filter, scroll: usize, height: usize) -> Vec<LogLine<'_>> {
        let mut out: Vec<LogLine<'_>> = self
            .entries
            .iter()
            .rev()
            .map(|e| self.line(e))
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
            Filter::All => self.entries.len(),
            _ => self
                .entries
                .iter()
                .filter(|e| filter.accepts(&self.line(e)))
                .count(),
        }
    }

    /// The text of every line `filter` shows, oldest first (for searching).
    pub fn texts(&self, filter: Filter) -> Vec<String> {
        self.entries
            .iter()
            .map(|e| self.line(e))
            .filter(|l| filter.accepts(l))
            .map(|l| l.text.to_string())
            .collect()
    }

    /// The last stored line.
    pub fn last(&self) -> Option<LogLine<'_>> {
        self.entries.back().map(|e| self.line(e))
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
            .map(|l| l.text)
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
        let text = |v: Vec<LogLine>| v.iter().map(|l| l.text.to_string()).collect::<Vec<_>>();
        assert_eq!(text(log.visible(Filter::All, 0, 2)), ["b failed", "c"]);
        assert_eq!(text(log.visible(Filter::All, 1, 2)), ["a", "b failed"]);
        assert_eq!(text(log.visible(Filter::Servers, 0, 5)), ["boot", "ready"]);
        assert_eq!(text(log.visible(Filter::Problems, 0, 5)), ["b failed"]);
        assert_eq!(text(log.visible(Filter::Run, 0, 5)), ["a", "b failed", "c"]);
    }

    #[test]
    fn text_blocks_are_freed_as_lines_fall_out() {
        let mut log = LogBuffer::with_capacity(100);
        let long = "x".repeat(1_000);
        for i in 0..10_000 {
            let server = if i % 2 == 0 { "even" } else { "odd" };
            log.push(
                Source::Stderr,
                Level::Info,
                Some(server),
                &format!("{i} {long}"),
            );
        }
        assert_eq!(log.len(), 100);
        assert_eq!(log.dropped, 9_900);
        // 100 lines of ~1 KB: two or three 64 KiB blocks, not the 10 MB pushed.
        assert!(log.text_bytes() <= 3 * CHUNK_BYTES, "{}", log.text_bytes());
        let shown = log.visible(Filter::All, 0, 100);
        assert_eq!(shown.len(), 100);
        for (n, line) in (9_900..10_000).zip(&shown) {
            assert_eq!(line.text, format!("{n} {long}"));
            assert_eq!(line.server, Some(if n % 2 == 0 { "even" } else { "odd" }));
        }
        assert_eq!(log.last().map(|l| l.text), shown.last().map(|l| l.text));
    }

    #[test]
    fn lines_keep_their_source_level_and_escapes() {
        let mut log = LogBuffer::default();
        log.push(
            Source::Call,
            Level::Error,
            Some("s"),
            "bad\u{1b}[2Jthing\r\nnext",
        );
        log.push(Source::App, Level::Info, None, "");
        let all = log.visible(Filter::All, 0, 10);
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].text, "bad\\u001b[2Jthing");
        assert_eq!(
            (all[0].source, all[0].level, all[0].server),
            (Source::Call, Level::Error, Some("s"))
        );
        assert_eq!(all[1].text, "next");
        assert_eq!((all[2].text, all[2].server), ("", None));
    }
}
