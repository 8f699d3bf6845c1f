//! Tool poisoning: instructions hidden in descriptions that target the model, not the user.

use crate::catalog::example::is_hidden_char;

/// Phrases (lower-case) that address the model behind the user's back.
const MARKERS: &[&str] = &[
    "ignore previous",
    "ignore all previous",
    "ignore the above",
    "ignore any previous",
    "disregard previous",
    "disregard all previous",
    "forget previous instructions",
    "<important>",
    "</important>",
    "<system>",
    "[inst]",
    "<|im_start|>",
    "do not tell the user",
    "don't tell the user",
    "do not mention",
    "don't mention",
    "without telling",
    "without informing",
    "the user must not know",
    "keep this secret",
    "before using any other tool",
    "instead of the user",
    "~/.ssh",
    "id_rsa",
    "mcp.json",
    "<!--",
    "\u{1b}[",
];

/// The poisoning markers found in `text` (as listed, lower-case).
pub fn poison_markers(text: &str) -> Vec<&'static str> {
    let lower = text.to_lowercase();
    MARKERS
        .iter()
        .copied()
        .filter(|m| lower.contains(m))
        .collect()
}

/// Invisible or reordering characters in `text` (zero-width, bidi controls, tag characters),
/// as `U+XXXX` codes, each once.
pub fn hidden_chars(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for c in text.chars().filter(|c| is_hidden_char(*c)) {
        let code = format!("U+{:04X}", c as u32);
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}
