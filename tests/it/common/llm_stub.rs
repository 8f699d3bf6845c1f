//! A loopback stand-in for a model API (the one remote service tests cannot reach): a
//! minimal HTTP/1.1 server on 127.0.0.1 that records each request and answers the next
//! scripted reply the way the real APIs stream it (SSE `data:` lines, sent in pieces, with
//! token usage), as `OpenAI` Chat Completions or Anthropic Messages.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

/// Which API to imitate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `POST /v1/chat/completions`.
    OpenAi,
    /// `POST /v1/messages`.
    Anthropic,
}

/// What the stub answers to one request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A streamed answer with this text.
    Text(String),
    /// An HTTP error with this status and JSON body.
    Error(u16, Value),
}

/// One request the stub received.
#[derive(Clone, Debug)]
pub struct Received {
    /// `POST /v1/messages`.
    pub request_line: String,
    /// Header names in lower case, with values.
    pub headers: Vec<(String, String)>,
    /// The JSON body.
    pub body: Value,
}

impl Received {
    /// A header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The whole body as text (for `contains` checks).
    pub fn text(&self) -> String {
        self.body.to_string()
    }

    /// The conversation's messages.
    pub fn messages(&self) -> Vec<Value> {
        self.body["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }
}

/// Input tokens the stub reports per request.
pub const INPUT_TOKENS: u64 = 1234;
/// Output tokens the stub reports per request.
pub const OUTPUT_TOKENS: u64 = 56;

/// The running stub.
pub struct Stub {
    /// `http://127.0.0.1:PORT/v1`.
    pub base_url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Stub {
    /// Starts the stub; it answers `replies` in order (the last one again when they run out).
    pub fn start(dialect: Dialect, replies: Vec<Reply>) -> Stub {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let n = {
                    let Some(req) = read_request(&stream) else {
                        continue;
                    };
                    let mut log = log.lock().unwrap();
                    log.push(req);
                    log.len() - 1
                };
                let reply = replies[n.min(replies.len() - 1)].clone();
                let _ = answer(stream, dialect, &reply);
            }
        });
        Stub {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            received,
        }
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn read_request(stream: &TcpStream) -> Option<Received> {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    reader.read_line(&mut request_line).ok()?;
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (n, v) = line.split_once(':')?;
        headers.push((n.trim().to_lowercase(), v.trim().to_string()));
    }
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).ok()?;
    Some(Received {
        request_line: request_line.trim_end().to_string(),
        headers,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    })
}

/// The SSE payloads of a streamed answer with `text`, cut in small pieces.
fn events(dialect: Dialect, text: &str) -> Vec<Value> {
    let chars: Vec<char> = text.chars().collect();
    let pieces: Vec<String> = chars.chunks(7).map(|c| c.iter().collect()).collect();
    match dialect {
        Dialect::OpenAi => {
            let mut ev: Vec<Value> = pieces
                .iter()
                .map(|p| {
                    json!({"id": "c1", "object": "chat.completion.chunk",
                    "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": null}]})
                })
                .collect();
            ev.push(json!({"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}));
            ev.push(
                json!({"id": "c1", "choices": [], "usage": {"prompt_tokens": INPUT_TOKENS,
                "completion_tokens": OUTPUT_TOKENS, "total_tokens": INPUT_TOKENS + OUTPUT_TOKENS}}),
            );
            ev
        }
        Dialect::Anthropic => {
            let mut ev = vec![
                json!({"type": "message_start", "message": {"id": "m1", "role": "assistant",
                    "content": [], "usage": {"input_tokens": INPUT_TOKENS, "output_tokens": 1}}}),
                json!({"type": "content_block_start", "index": 0,
                    "content_block": {"type": "text", "text": ""}}),
                json!({"type": "ping"}),
            ];
            ev.extend(pieces.iter().map(|p| {
                json!({"type": "content_block_delta", "index": 0,
                "delta": {"type": "text_delta", "text": p}})
            }));
            ev.push(json!({"type": "content_block_stop", "index": 0}));
            ev.push(
                json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"},
                "usage": {"output_tokens": OUTPUT_TOKENS}}),
            );
            ev.push(json!({"type": "message_stop"}));
            ev
        }
    }
}

fn answer(mut stream: TcpStream, dialect: Dialect, reply: &Reply) -> std::io::Result<()> {
    match reply {
        Reply::Error(status, body) => {
            let body = body.to_string();
            write!(
                stream,
                "HTTP/1.1 {status} Error\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )?;
        }
        Reply::Text(text) => {
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n"
            )?;
            for e in events(dialect, text) {
                let name = e["type"]
                    .as_str()
                    .map(|t| format!("event: {t}\n"))
                    .unwrap_or_default();
                // Split each event across two writes, so the client must reassemble lines.
                let frame = format!("{name}data: {e}\n\n");
                let mut mid = frame.len() / 2;
                while !frame.is_char_boundary(mid) {
                    mid -= 1;
                }
                let (a, b) = frame.split_at(mid);
                stream.write_all(a.as_bytes())?;
                stream.flush()?;
                stream.write_all(b.as_bytes())?;
                stream.flush()?;
            }
            if dialect == Dialect::OpenAi {
                stream.write_all(b"data: [DONE]\n\n")?;
            }
        }
    }
    stream.flush()
}
