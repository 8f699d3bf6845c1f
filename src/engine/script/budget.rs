//! The output budget: one bound, in tokens ([`crate::catalog::tokens`], the docs' tokenizer),
//! on everything a run sends back together: prints, the call trace and the result (or the
//! error). Per-channel caps ([`super::Limits::max_output_bytes`]...) keep memory bounded; this
//! keeps a model's context bounded. Past the budget the text keeps its head and its tail
//! around exactly one marker line saying what was cut:
//!
//! ```text
//! … [output budget 10000 tokens: 10485761 bytes (100012 lines) cut here] …
//! ```
//!
//! Counting stays cheap on huge outputs: a text of at most `budget` bytes always fits (a
//! token is at least one byte), and only the kept head and tail are ever tokenized.

use serde::Serialize;
use serde_json::{Value, json};

use super::report::RunReport;
use crate::catalog::tokens::count;

/// What was cut from the middle of an output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Cut {
    /// Bytes removed.
    pub bytes: usize,
    /// Lines removed (newlines in the removed part).
    pub lines: usize,
}

/// An output after the budget.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Budgeted {
    /// The text to send back: the whole output, or head + marker + tail.
    pub text: String,
    /// What was cut, if anything.
    pub cut: Option<Cut>,
    /// Bytes of the original output kept at the head (all of it when nothing was cut).
    pub head_bytes: usize,
}

/// The marker line between head and tail.
pub fn marker(budget: usize, cut: Cut) -> String {
    format!(
        "\n… [output budget {budget} tokens: {} bytes ({} lines) cut here] …\n",
        cut.bytes, cut.lines
    )
}

/// The longest marker a cut under `budget` can print.
fn widest_marker(budget: usize) -> String {
    let widest = Cut {
        bytes: usize::MAX,
        lines: usize::MAX,
    };
    marker(budget, widest)
}

/// Tokens kept free for the marker and for merges at the two seams.
fn reserve(budget: usize) -> usize {
    count(&widest_marker(budget)) + 8
}

/// Whether `text` has at most `budget` tokens, tokenizing only when it must.
pub fn fits(text: &str, budget: usize) -> bool {
    budget == 0 || text.len() <= budget || (text.len() <= budget * 16 && count(text) <= budget)
}

fn floor_boundary(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Bytes of the longest line-aligned prefix (a character-aligned one when a line is longer
/// than the budget) with at most `tokens` tokens.
fn head_len(text: &str, tokens: usize) -> usize {
    let mut n = floor_boundary(text, tokens.saturating_mul(4));
    loop {
        if n <= tokens {
            break;
        }
        let c = count(&text[..n]);
        if c <= tokens {
            break;
        }
        n = floor_boundary(text, n * tokens / c * 9 / 10);
    }
    match text[..n].rfind('\n') {
        Some(i) if n < text.len() && i + 1 >= n / 2 => i + 1,
        _ => n,
    }
}

/// Bytes of the longest line-aligned suffix with at most `tokens` tokens.
fn tail_len(text: &str, tokens: usize) -> usize {
    let start = |n: usize| {
        let mut s = text.len() - n.min(text.len());
        while !text.is_char_boundary(s) {
            s += 1;
        }
        s
    };
    let mut s = start(tokens.saturating_mul(4));
    loop {
        let n = text.len() - s;
        if n <= tokens {
            break;
        }
        let c = count(&text[s..]);
        if c <= tokens {
            break;
        }
        s = start(n * tokens / c * 9 / 10);
    }
    let n = text.len() - s;
    match text[s..].find('\n') {
        Some(i) if s > 0 && i < n / 2 => n - i - 1,
        _ => n,
    }
}

/// `text` within `budget` tokens (0: no budget): unchanged when it fits, else its head and
/// tail around one [`marker`].
pub fn fit(text: &str, budget: usize) -> Budgeted {
    fit_keeping(text, 0, budget)
}

/// Like [`fit`], but the head keeps at least the first `shown` bytes (already sent, e.g.
/// prints streamed live); `shown` must stay under half the budget.
pub fn fit_keeping(text: &str, shown: usize, budget: usize) -> Budgeted {
    fit_room(text, shown, budget, budget)
}

/// [`fit_keeping`] into `room` tokens, the marker naming the whole `budget`.
fn fit_room(text: &str, shown: usize, room: usize, budget: usize) -> Budgeted {
    if fits(text, room) {
        return Budgeted {
            text: text.to_string(),
            cut: None,
            head_bytes: text.len(),
        };
    }
    let room = room.saturating_sub(reserve(budget));
    let head = head_len(text, room / 2).max(floor_boundary(text, shown));
    let rest = &text[head..];
    let tail_tokens = room.saturating_sub(count(&text[..head]));
    let tail = tail_len(rest, tail_tokens);
    let removed = &rest[..rest.len() - tail];
    let cut = Cut {
        bytes: removed.len(),
        lines: removed.matches('\n').count(),
    };
    Budgeted {
        text: format!(
            "{}{}{}",
            &text[..head],
            marker(budget, cut),
            &rest[rest.len() - tail..]
        ),
        cut: Some(cut),
        head_bytes: head,
    }
}

/// Half the room of a budget, in bytes: what a front end may stream live (prints) before
/// the run ends, so that [`fit_keeping`] can still keep it as the head. `usize::MAX` for no
/// budget.
pub fn live_bytes(budget: usize) -> usize {
    if budget == 0 {
        return usize::MAX;
    }
    // The marker's bytes bound its tokens: no tokenizer to load (~0.1 s) before a run starts.
    budget.saturating_sub(widest_marker(budget).len() + 8) / 2
}

/// Which parts of a run [`render`] shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parts {
    /// The call trace (one line per call).
    pub calls: bool,
}

/// The whole output of a run as text: prints (one per line), the call trace when asked
/// (`call 0 demo::get_issue {"id":1} ok 3ms 120 bytes`), then the result as pretty JSON or
/// the error with its code frame (`source` is the script).
pub fn render(report: &RunReport, source: &str, parts: Parts) -> String {
    let mut out = String::new();
    for p in &report.prints {
        out.push_str(p);
        out.push('\n');
    }
    if parts.calls {
        for c in &report.calls {
            let status = match &c.error {
                None => "ok".to_string(),
                Some(e) => format!("error: {e}"),
            };
            out.push_str(&format!(
                "call {} {}::{} {} {status} {}ms {} bytes\n",
                c.index,
                c.server,
                c.tool,
                c.args_summary,
                c.duration.as_millis(),
                c.result_bytes
            ));
        }
    }
    match &report.error {
        None => {
            out.push_str(&serde_json::to_string_pretty(&report.result).unwrap_or_default());
            out.push('\n');
        }
        Some(e) => out.push_str(&e.render(source)),
    }
    out
}

/// A run's whole output (prints, call trace, result or error) within `budget` tokens: what
/// `serve` sends back to a model.
pub fn budgeted(report: &RunReport, source: &str, budget: usize) -> Budgeted {
    fit(&render(report, source, Parts { calls: true }), budget)
}

/// The report as JSON (`codemode run --json`) within `budget` tokens. When the whole report
/// fits it is unchanged; else `result`, `prints` and `calls` are emptied and their text,
/// budgeted, is in `output`, with `cut` saying what was removed.
pub fn report_json(report: &RunReport, source: &str, budget: usize) -> Value {
    let full = serde_json::to_value(report).unwrap_or_default();
    if fits(
        &serde_json::to_string_pretty(&full).unwrap_or_default(),
        budget,
    ) {
        return full;
    }
    let mut slim = full;
    slim["result"] = Value::Null;
    slim["prints"] = json!([]);
    slim["calls"] = json!([]);
    let shell = serde_json::to_string_pretty(&slim).unwrap_or_default();
    let text = render(report, source, Parts { calls: true });
    // Escaping (quotes, newlines) adds tokens: shrink the room until the whole object fits.
    let mut room = budget.saturating_sub(count(&shell) + 16).max(1);
    loop {
        let b = fit_room(&text, 0, room, budget);
        slim["output"] = Value::String(b.text);
        slim["cut"] = serde_json::to_value(b.cut).unwrap_or_default();
        let whole = serde_json::to_string_pretty(&slim).unwrap_or_default();
        if room <= 1 || count(&whole) <= budget {
            return slim;
        }
        room = room * 4 / 5;
    }
}

#[cfg(test)]
mod tests;
