//! Server-sent events, as both model APIs stream them: lines of `data: ...` (and `event:`,
//! `id:`, comments) separated by blank lines. Only the `data` payloads matter to us: both
//! APIs repeat the event's type inside the JSON.

/// Splits a byte stream into `data` payloads, across chunk boundaries.
#[derive(Debug, Default)]
pub struct SseParser {
    buf: Vec<u8>,
    data: Vec<String>,
}

impl SseParser {
    /// Feeds bytes; returns the payloads of the events they complete.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<String> {
        self.buf.extend_from_slice(bytes);
        let mut out = Vec::new();
        while let Some(nl) = self.buf.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.buf.drain(..=nl).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\n', '\r']);
            self.line(line, &mut out);
        }
        out
    }

    /// Ends the stream: an event without its final blank line still counts.
    pub fn finish(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.buf.is_empty() {
            let rest = String::from_utf8_lossy(&std::mem::take(&mut self.buf)).to_string();
            self.line(rest.trim_end_matches('\r'), &mut out);
        }
        self.line("", &mut out);
        out
    }

    fn line(&mut self, line: &str, out: &mut Vec<String>) {
        if line.is_empty() {
            if !self.data.is_empty() {
                out.push(std::mem::take(&mut self.data).join("\n"));
            }
        } else if let Some(rest) = line.strip_prefix("data:") {
            self.data
                .push(rest.strip_prefix(' ').unwrap_or(rest).to_string());
        }
        // `event:`, `id:`, `retry:` and `:` comments carry nothing we use.
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_split_across_chunks_and_multi_line_data_is_joined() {
        let mut p = SseParser::default();
        assert!(p.feed(b"event: x\r\ndata: {\"a\"").is_empty());
        assert_eq!(p.feed(b":1}\r\n\r\n: comment\n"), ["{\"a\":1}"]);
        assert_eq!(
            p.feed(b"data: one\ndata:two\n\ndata: [DONE]\n\n"),
            ["one\ntwo", "[DONE]"]
        );
        assert!(p.feed(b"data: tail").is_empty());
        assert_eq!(p.finish(), ["tail"]);
        assert!(p.finish().is_empty());
    }
}
