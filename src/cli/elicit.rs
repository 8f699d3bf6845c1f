//! Answering servers' elicitation requests in headless commands (`--elicit`): a policy, or
//! (`ask`) questions on the terminal — prompts on stderr, answers from stdin — when one is
//! attached.

use std::io::{BufRead, IsTerminal};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use crate::mcp::elicit::{
    ElicitPolicy, ElicitReply, ElicitRequest, Elicitor, policy_elicitor, typed,
};

/// The elicitor for `--elicit`'s policy (`decline` by default; `ask` without a terminal on
/// stdin and stderr declines).
pub fn elicitor(policy: ElicitPolicy) -> Elicitor {
    if policy != ElicitPolicy::Ask
        || !std::io::stdin().is_terminal()
        || !std::io::stderr().is_terminal()
    {
        return policy_elicitor(policy);
    }
    // One question at a time, even when several servers ask at once.
    let lock = Arc::new(Mutex::new(()));
    Arc::new(move |req: ElicitRequest| {
        let lock = lock.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let _one = lock
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                ask(&req)
            })
            .await
            .unwrap_or(ElicitReply::Cancel)
        })
    })
}

fn read_line() -> Option<String> {
    let mut line = String::new();
    match std::io::stdin().lock().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => Some(line.trim().to_string()),
    }
}

/// Asks on the terminal: each field (Enter keeps the default), then accept/decline/cancel;
/// in URL mode the link is printed and accepting means "I opened it".
fn ask(req: &ElicitRequest) -> ElicitReply {
    errln!("\n{} asks: {}", req.server, req.message);
    if let Some(url) = &req.url {
        errln!("  open: {url}");
    }
    let mut values = Map::new();
    let props = req
        .schema
        .as_ref()
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    for (name, prop) in props.into_iter().flatten() {
        let label = prop.get("title").and_then(Value::as_str).unwrap_or(name);
        let default = prop.get("default");
        loop {
            let shown = default.map(|d| format!(" [{d}]")).unwrap_or_default();
            let choices = prop
                .get("enum")
                .map(|e| format!(" ({e})"))
                .unwrap_or_default();
            err!("  {label}{choices}{shown}: ");
            let Some(answer) = read_line() else {
                return ElicitReply::Cancel;
            };
            let raw = match (answer.is_empty(), default) {
                (true, Some(d)) => d.clone(),
                (true, None) => break,
                (false, _) => Value::String(answer),
            };
            match typed(prop, &raw) {
                Some(v) => {
                    values.insert(name.clone(), v);
                    break;
                }
                None => {
                    errln!("  not a valid {}", prop["type"]);
                }
            }
        }
    }
    let question = if req.url.is_some() {
        "Opened it? [Y]es / [n]o (decline) / [c]ancel: "
    } else {
        "Send? [Y]es / [n]o (decline) / [c]ancel: "
    };
    err!("{question}");
    match read_line()
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("c" | "cancel") => ElicitReply::Cancel,
        Some("n" | "no") => ElicitReply::Decline,
        _ => ElicitReply::Accept(values),
    }
}
