//! A reader between a stdio server's stdout and the transport that enforces the message-size
//! cap with a clear error. rmcp drops a line longer than its limit silently, so the request
//! it answered would only fail by timeout; this reader cuts such a line at the cap (so rmcp
//! drops it without buffering more), skips the rest, and then injects a JSON-RPC error
//! response with the dropped reply's id, found in the line's first or last bytes. Memory
//! stays bounded by the cap whatever the server sends.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use tokio::io::{AsyncRead, ReadBuf};

/// The JSON-RPC error code of an injected "reply too large" error.
pub const OVERSIZED_CODE: i32 = -32099;
const HEAD: usize = 4096;
const TAIL: usize = 256;
const CHUNK: usize = 64 * 1024;

/// Wraps a server's stdout; see the module docs.
pub struct BoundedLines<R> {
    inner: R,
    server: String,
    max: usize,
    line_len: usize,
    skipping: bool,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    scratch: Vec<u8>,
    pending: Vec<u8>,
    pos: usize,
}

impl<R> BoundedLines<R> {
    /// Caps lines from `inner` (the stdout of `server`) at `max` bytes.
    pub fn new(inner: R, server: &str, max: usize) -> Self {
        BoundedLines {
            inner,
            server: server.to_string(),
            max,
            line_len: 0,
            skipping: false,
            head: Vec::new(),
            tail: VecDeque::new(),
            scratch: vec![0; CHUNK],
            pending: Vec::new(),
            pos: 0,
        }
    }

    fn remember(&mut self, seg: &[u8]) {
        let room = HEAD.saturating_sub(self.head.len());
        self.head.extend_from_slice(&seg[..room.min(seg.len())]);
        self.tail.extend(&seg[seg.len().saturating_sub(TAIL)..]);
        while self.tail.len() > TAIL {
            self.tail.pop_front();
        }
    }

    /// Moves `n` bytes of `scratch` into `pending`, cutting and reporting oversized lines.
    fn process(&mut self, n: usize) {
        let data = std::mem::take(&mut self.scratch);
        for piece in data[..n].split_inclusive(|b| *b == b'\n') {
            let newline = piece.ends_with(b"\n");
            let seg = piece.strip_suffix(b"\n").unwrap_or(piece);
            self.remember(seg);
            if !self.skipping {
                let room = self.max - self.line_len;
                if seg.len() < room {
                    self.pending.extend_from_slice(piece);
                } else {
                    // End the line at the cap: rmcp drops it without reading further.
                    self.pending.extend_from_slice(&seg[..room]);
                    self.pending.push(b'\n');
                    self.skipping = true;
                }
            }
            self.line_len += seg.len();
            if newline {
                if self.skipping {
                    self.report_oversized();
                }
                self.line_len = 0;
                self.skipping = false;
                self.head.clear();
                self.tail.clear();
            }
        }
        self.scratch = data;
    }

    fn report_oversized(&mut self) {
        let tail: Vec<u8> = self.tail.iter().copied().collect();
        let id = top_level_id(&self.head).or_else(|| trailing_id(&tail));
        let message = format!(
            "the server sent a reply of {} bytes, over the {} MiB message limit; it was dropped",
            self.line_len,
            self.max >> 20
        );
        tracing::warn!(server = %self.server, "{message}");
        if let Some(id) = id {
            let error = serde_json::json!({ "code": OVERSIZED_CODE, "message": message });
            let line = format!(r#"{{"jsonrpc":"2.0","id":{id},"error":{error}}}"#);
            self.pending.extend_from_slice(line.as_bytes());
            self.pending.push(b'\n');
        }
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for BoundedLines<R> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            if this.pos < this.pending.len() {
                let n = buf.remaining().min(this.pending.len() - this.pos);
                buf.put_slice(&this.pending[this.pos..this.pos + n]);
                this.pos += n;
                if this.pos == this.pending.len() {
                    this.pending.clear();
                    this.pos = 0;
                }
                return Poll::Ready(Ok(()));
            }
            let mut read = ReadBuf::new(&mut this.scratch);
            ready!(Pin::new(&mut this.inner).poll_read(cx, &mut read))?;
            let n = read.filled().len();
            if n == 0 {
                return Poll::Ready(Ok(()));
            }
            this.process(n);
        }
    }
}

/// A JSON scalar (number or plain string) at the start of `s`, after whitespace.
fn scalar(s: &[u8]) -> Option<&[u8]> {
    let s = s.trim_ascii_start();
    let len = match s.first()? {
        b'"' => s[1..].iter().position(|b| *b == b'"' || *b == b'\\')? + 2,
        b'-' | b'0'..=b'9' => s.iter().take_while(|b| b"-0123456789".contains(b)).count(),
        _ => return None,
    };
    (s.get(len - 1) != Some(&b'\\')).then(|| &s[..len])
}

/// The value of the top-level `"id"` key, if it is within `head`.
fn top_level_id(head: &[u8]) -> Option<String> {
    let (mut depth, mut i, mut in_str) = (0usize, 0usize, false);
    while i < head.len() {
        let c = head[i];
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
        } else {
            match c {
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                b'"' if depth == 1 && head[i..].starts_with(b"\"id\"") => {
                    let rest = head[i + 4..].trim_ascii_start();
                    if let Some(rest) = rest.strip_prefix(b":") {
                        return scalar(rest).map(|s| String::from_utf8_lossy(s).into_owned());
                    }
                    in_str = true;
                }
                b'"' => in_str = true,
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// The value of an `"id"` key that ends the message (`..., "id": 7}`), as some SDKs write it.
fn trailing_id(tail: &[u8]) -> Option<String> {
    let body = tail.trim_ascii_end().strip_suffix(b"}")?;
    let at = body.windows(4).rposition(|w| w == b"\"id\"")?;
    let rest = body[at + 4..].trim_ascii_start().strip_prefix(b":")?;
    let value = scalar(rest)?;
    (value.len() == rest.trim_ascii().len()).then(|| String::from_utf8_lossy(value).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncReadExt;

    async fn pass(input: &[u8], max: usize) -> String {
        let mut out = String::new();
        BoundedLines::new(input, "s", max)
            .read_to_string(&mut out)
            .await
            .unwrap();
        out
    }

    #[tokio::test]
    async fn short_lines_pass_unchanged() {
        let input = b"{\"id\":1}\n{\"id\":2,\"x\":\"yy\"}\npartial";
        assert_eq!(pass(input, 64).await, String::from_utf8_lossy(input));
    }

    #[tokio::test]
    async fn an_oversized_reply_becomes_an_error_with_its_id() {
        let big = format!(
            "{{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":\"{}\"}}\n",
            "x".repeat(500)
        );
        let out = pass(format!("{big}{{\"id\":8}}\n").as_bytes(), 100).await;
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0].len(), 100, "cut at the cap");
        let error: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
        assert_eq!(error["id"], 7);
        assert_eq!(error["error"]["code"], OVERSIZED_CODE);
        assert!(
            error["error"]["message"]
                .as_str()
                .unwrap()
                .contains("536 bytes")
        );
        assert_eq!(lines[2], "{\"id\":8}");
    }

    #[test]
    fn ids_are_found_first_or_last_and_not_inside_results() {
        assert_eq!(
            top_level_id(br#"{"jsonrpc":"2.0","id":"a-1","result":"#).as_deref(),
            Some("\"a-1\"")
        );
        assert_eq!(top_level_id(br#"{"result":{"id":5,"text":"#), None);
        assert_eq!(
            trailing_id(br#"xxxx"},"jsonrpc":"2.0","id":42}"#).as_deref(),
            Some("42")
        );
        assert_eq!(trailing_id(br#"xxxx","id":42,"more":1}"#), None);
    }
}
