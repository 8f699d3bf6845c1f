//! RFC 6570 URI templates as resource templates use them: the variables a form asks for and
//! the URI they expand to (levels 1–3: `{var}`, `{+var}`, `{#var}`, `{.var}`, `{/var}`,
//! `{?a,b}`, `{&a}`; explode and prefix modifiers are ignored).

use serde_json::{Map, Value};

fn expressions(template: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let mut from = 0;
    std::iter::from_fn(move || {
        let start = from + template[from..].find('{')?;
        let end = start + template[start..].find('}')?;
        from = end + 1;
        Some((start, end + 1, &template[start + 1..end]))
    })
}

fn split(expr: &str) -> (Option<char>, Vec<&str>) {
    let op = expr.chars().next().filter(|c| "+#./;?&".contains(*c));
    let names = expr[op.map_or(0, |_| 1)..]
        .split(',')
        .map(|v| v.trim_end_matches('*').split(':').next().unwrap_or(""))
        .filter(|v| !v.is_empty())
        .collect();
    (op, names)
}

/// The template's variables, in order, without repeats.
pub fn variables(template: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, _, expr) in expressions(template) {
        for v in split(expr).1 {
            if !out.iter().any(|o| o == v) {
                out.push(v.to_string());
            }
        }
    }
    out
}

fn encode(s: &str, reserved: bool) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || b"-._~".contains(&b)
            || (reserved && b":/?#[]@!$&'()*+,;=".contains(&b));
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The URI with `values` filled in (empty or missing values are left out).
pub fn expand(template: &str, values: &Map<String, Value>) -> String {
    let mut out = String::new();
    let mut last = 0;
    for (start, end, expr) in expressions(template) {
        out.push_str(&template[last..start]);
        last = end;
        let (op, names) = split(expr);
        let given: Vec<(&str, String)> = names
            .iter()
            .filter_map(|n| {
                let v = values.get(*n)?.as_str()?;
                (!v.is_empty()).then(|| (*n, encode(v, matches!(op, Some('+' | '#')))))
            })
            .collect();
        if given.is_empty() {
            continue;
        }
        let (first, sep, named) = match op {
            None | Some('+') => ("", ",", false),
            Some('#') => ("#", ",", false),
            Some('.') => (".", ".", false),
            Some('/') => ("/", "/", false),
            Some(';') => (";", ";", true),
            Some('?') => ("?", "&", true),
            _ => ("&", "&", true),
        };
        out.push_str(first);
        let parts: Vec<String> = given
            .into_iter()
            .map(|(n, v)| if named { format!("{n}={v}") } else { v })
            .collect();
        out.push_str(&parts.join(sep));
    }
    out.push_str(&template[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn templates_expand() {
        let t = "demo://resource/dynamic/text/{resourceId}";
        assert_eq!(variables(t), ["resourceId"]);
        let v = json!({"resourceId": "7"});
        assert_eq!(
            expand(t, v.as_object().unwrap()),
            "demo://resource/dynamic/text/7"
        );
        let t = "file:///{+path}{?q,lang}";
        assert_eq!(variables(t), ["path", "q", "lang"]);
        let v = json!({"path": "a/b c", "q": "x&y", "lang": ""});
        assert_eq!(expand(t, v.as_object().unwrap()), "file:///a/b%20c?q=x%26y");
    }
}
