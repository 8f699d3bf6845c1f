//! Small helpers shared by several rooms.

pub mod private;
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

/// `value` as compact JSON cut like [`truncate`] at `max` bytes, without writing out more
/// than that: a summary of a value that may be megabytes (arguments, results) costs what the
/// summary does.
pub fn json_prefix(value: &impl serde::Serialize, max: usize) -> String {
    let mut out = Capped::for_cut_at(max);
    let _ = serde_json::to_writer(&mut out, value);
    out.cut(max)
}

/// `value` as its `Display` text cut like [`truncate`] at `max` bytes, without writing out
/// more than that (a script value shown in an error may be gigabytes as text).
pub fn display_prefix(value: &impl std::fmt::Display, max: usize) -> String {
    let mut out = Capped::for_cut_at(max);
    let _ = std::fmt::Write::write_fmt(&mut out, format_args!("{value}"));
    out.cut(max)
}

/// Keeps the first `cap` bytes written to it and then refuses, which ends the serializer or
/// formatter writing into it.
struct Capped {
    buf: Vec<u8>,
    cap: usize,
}

impl Capped {
    /// Room for a cut at `max`: a few bytes more, so that a character cut at the end of what
    /// was kept lies past the cut [`truncate`] makes.
    fn for_cut_at(max: usize) -> Capped {
        Capped {
            buf: Vec::new(),
            cap: max + 4,
        }
    }

    /// Keeps what fits of `bytes`; whether all of it did.
    fn keep(&mut self, bytes: &[u8]) -> bool {
        let room = self.cap - self.buf.len();
        self.buf.extend_from_slice(&bytes[..bytes.len().min(room)]);
        bytes.len() <= room
    }

    /// What was kept, cut like [`truncate`] at `max` bytes.
    fn cut(&self, max: usize) -> String {
        truncate(&String::from_utf8_lossy(&self.buf), max)
    }
}

impl std::io::Write for Capped {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.keep(bytes) {
            Ok(bytes.len())
        } else {
            Err(std::io::Error::other("full"))
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl std::fmt::Write for Capped {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        if self.keep(s.as_bytes()) {
            Ok(())
        } else {
            Err(std::fmt::Error)
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_the_cut_text_without_writing_it_all() {
        let values = [
            serde_json::json!({"a": 1}),
            serde_json::json!({"text": "é".repeat(400)}),
            serde_json::json!({"text": "x".repeat(295)}),
            serde_json::json!({"emoji": "😀".repeat(200), "n": [1, 2, 3]}),
            serde_json::json!({"big": "y".repeat(5_000_000)}),
        ];
        for v in &values {
            for max in [1, 10, 299, 300, 301, 5000] {
                assert_eq!(json_prefix(v, max), truncate(&v.to_string(), max), "{max}");
                // The same cut of the `Display` text (serde_json writes its JSON there too).
                assert_eq!(
                    display_prefix(v, max),
                    truncate(&v.to_string(), max),
                    "{max}"
                );
            }
        }
        let words = "déjà vu ".repeat(100);
        for max in [1, 2, 3, 299, 300, 5000] {
            assert_eq!(display_prefix(&words, max), truncate(&words, max), "{max}");
        }
    }

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
