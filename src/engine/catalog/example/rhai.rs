//! JSON values spelled as Rhai literals: `#{ key: value }`, `[..]`, `()` for null, floats
//! always with a decimal point, strings escaped so that nothing invisible hides in them.

use serde_json::Value;

/// Whether `key` can stand unquoted in a Rhai object map literal.
pub fn is_bare_key(key: &str) -> bool {
    let mut chars = key.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !crate::catalog::names::RHAI_RESERVED.contains(&key)
}

/// `value` as a Rhai expression that evaluates to the same value.
pub fn rhai_literal(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("()"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else {
                out.push_str(&float(n.as_f64().unwrap_or(0.0)));
            }
        }
        Value::String(s) => out.push_str(&rhai_string(s)),
        Value::Array(xs) => {
            out.push('[');
            for (i, x) in xs.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(x, out);
            }
            out.push(']');
        }
        Value::Object(m) => {
            if m.is_empty() {
                out.push_str("#{}");
                return;
            }
            out.push_str("#{ ");
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if is_bare_key(k) {
                    out.push_str(k);
                } else {
                    out.push_str(&rhai_string(k));
                }
                out.push_str(": ");
                write(v, out);
            }
            out.push_str(" }");
        }
    }
}

/// A Rhai float literal: Rhai needs digits on both sides of the point (`1.0`, `2.5e-7`).
fn float(f: f64) -> String {
    if !f.is_finite() {
        return "0.0".into();
    }
    let s = format!("{f:?}");
    if s.contains('.') {
        return s;
    }
    match s.find('e') {
        Some(i) => format!("{}.0{}", &s[..i], &s[i..]),
        None => format!("{s}.0"),
    }
}

/// Whether a character would be invisible or reorder text (zero-width, bidi controls).
pub fn is_hidden_char(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
        | '\u{E0000}'..='\u{E007F}')
}

/// `s` as a double-quoted Rhai string literal.
pub fn rhai_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_hidden_char(c) => {
                let n = c as u32;
                if n <= 0xFFFF {
                    out.push_str(&format!("\\u{n:04X}"));
                } else {
                    out.push_str(&format!("\\U{n:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
