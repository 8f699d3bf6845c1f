//! A raw JSON-RPC responder over stdin/stdout for the faults rmcp's server side cannot
//! produce: garbage on stdout, duplicate and unknown response ids, a wrong protocol version,
//! malformed schemas, a tool list that changes on every call. It serves `echo` plus every
//! tool a fault names; each `tools/call` runs on its own thread so a hanging tool does not
//! block the others.

use std::io::{BufRead, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use super::fault::{CallFault, Faults};

/// The protocol version `wrong-protocol` answers with.
pub const WRONG_PROTOCOL_VERSION: &str = "1999-01-01";

struct Responder {
    faults: Faults,
    out: Mutex<std::io::Stdout>,
    lists: AtomicU64,
}

impl Responder {
    fn write_line(&self, line: &str) {
        let mut out = self
            .out
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let _ = out.write_all(line.as_bytes());
        let _ = out.write_all(b"\n");
        let _ = out.flush();
    }

    fn reply(&self, id: &Value, result: Value) {
        self.write_line(&json!({ "jsonrpc": "2.0", "id": id, "result": result }).to_string());
    }

    fn tools(&self) -> Vec<Value> {
        let tool = |name: &str, schema: Value| json!({ "name": name, "description": format!("The `{name}` tool of the fault server."), "inputSchema": schema });
        let object = || json!({ "type": "object", "properties": { "text": { "type": "string" } } });
        let mut tools = vec![tool("echo", object())];
        let named = self.faults.on_call.iter().map(|(t, _)| t.as_str());
        for name in named.chain(self.faults.crash_on_call.as_deref()) {
            tools.push(tool(name, object()));
        }
        if self.faults.malformed_schema {
            tools.push(tool("broken_schema", json!("not a schema")));
            tools.push(tool(
                "odd_schema",
                json!({ "type": 42, "properties": [1, 2], "required": "x" }),
            ));
        }
        if self.faults.changing_tools {
            let n = self.lists.fetch_add(1, Ordering::SeqCst) + 1;
            tools.push(tool(&format!("generation_{n}"), object()));
        }
        tools
    }

    fn text_result(text: &str) -> Value {
        json!({ "content": [{ "type": "text", "text": text }], "isError": false })
    }

    fn call(&self, id: &Value, params: &Value) {
        let tool = params["name"].as_str().unwrap_or_default();
        let args = params.get("arguments").cloned().unwrap_or(json!({}));
        if self.faults.crash_on_call.as_deref() == Some(tool) {
            eprintln!("demo-server: crashing during `{tool}` on purpose (fault crash-on-call)");
            std::process::exit(3);
        }
        let echo = || Self::text_result(args["text"].as_str().unwrap_or("ok"));
        match self.faults.for_tool(tool) {
            None if tool == "echo" || self.tools().iter().any(|t| t["name"] == tool) => {
                self.reply(id, echo());
            }
            None => self.write_line(
                &json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32602, "message": format!("unknown tool `{tool}`") } })
                    .to_string(),
            ),
            Some(CallFault::Hang) => {
                eprintln!("demo-server: `{tool}` hangs on purpose (fault hang-on-call)");
            }
            Some(CallFault::Slow(d)) => {
                std::thread::sleep(*d);
                self.reply(id, echo());
            }
            Some(CallFault::Garbage) => {
                for line in ["this is not JSON", "{\"jsonrpc\": \"2.0\", \"id\":", "\u{1b}[31m<html>oops</html>", "[1, 2, 3]"] {
                    self.write_line(line);
                }
            }
            Some(CallFault::DuplicateIds) => {
                self.reply(&json!(987_654_321), Self::text_result("for nobody"));
                self.reply(id, echo());
                self.reply(id, Self::text_result("the same id again"));
            }
            Some(CallFault::FloodStderr) => {
                self.reply(id, echo());
                std::thread::spawn(flood_stderr);
            }
            Some(CallFault::HugeResult(mb)) => {
                let text = "x".repeat(mb << 20);
                self.reply(id, Self::text_result(&text));
            }
        }
    }

    fn handle(self: &Arc<Self>, msg: Value) {
        let Some(id) = msg.get("id").cloned() else {
            return; // a notification
        };
        let params = msg.get("params").cloned().unwrap_or_default();
        match msg["method"].as_str().unwrap_or_default() {
            "initialize" => {
                let version = if self.faults.wrong_protocol { json!(WRONG_PROTOCOL_VERSION) } else { params["protocolVersion"].clone() };
                self.reply(
                    &id,
                    json!({
                        "protocolVersion": version,
                        "capabilities": { "tools": { "listChanged": true } },
                        "serverInfo": { "name": "codemode-fault", "version": env!("CARGO_PKG_VERSION") }
                    }),
                );
                if self.faults.exit_after_init {
                    eprintln!("demo-server: exiting after initialize on purpose (fault exit-after-init)");
                    std::process::exit(4);
                }
            }
            "ping" => self.reply(&id, json!({})),
            "tools/list" => {
                self.reply(&id, json!({ "tools": self.tools() }));
                if self.faults.changing_tools {
                    self.write_line(r#"{"jsonrpc":"2.0","method":"notifications/tools/list_changed"}"#);
                }
            }
            "tools/call" => {
                let me = self.clone();
                std::thread::spawn(move || me.call(&id, &params));
            }
            other => self.write_line(
                &json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32601, "message": format!("method `{other}` not found") } })
                    .to_string(),
            ),
        }
    }
}

/// Writes long lines to stderr until the pipe closes (the client killed us).
fn flood_stderr() {
    let line = format!("{}\n", "flood ".repeat(1000));
    let mut err = std::io::stderr().lock();
    while err.write_all(line.as_bytes()).is_ok() {}
    std::process::exit(5);
}

/// Serves until stdin closes. Blocking: run it on its own thread.
pub fn serve(faults: Faults) {
    let responder = Arc::new(Responder {
        faults,
        out: Mutex::new(std::io::stdout()),
        lists: AtomicU64::new(0),
    });
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if let Ok(msg) = serde_json::from_str::<Value>(&line) {
            responder.handle(msg);
        }
    }
}
