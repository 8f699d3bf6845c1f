//! Removing secrets from text before it is shown or logged.

use std::ops::Range;

/// What a redacted value is replaced by.
pub const REDACTED: &str = "«redacted»";

/// Replaces every occurrence of each secret in `text` by `«redacted»`, then
/// redacts values that look like common credentials even when they are not
/// in `secrets`:
///
/// * the token after `Bearer ` (8+ characters; `Bearer ` is kept);
/// * whole tokens starting with `sk-`, `ghp_`, `gho_`, `github_pat_`,
///   `xoxb-` or `xoxp-` (8+ characters after the prefix);
/// * AWS access key ids: `AKIA` followed by 16 uppercase letters or digits;
/// * runs of 32+ hex/base64url characters right after `token=`, `key=`,
///   `secret=` or `password=` (any case; the `key=` part is kept).
///
/// Overlapping secrets are redacted as one span, so no part of any secret
/// remains. Empty secrets are ignored.
pub fn redact(text: &str, secrets: &[String]) -> String {
    redact_patterns(&redact_known(text, secrets))
}

/// Replaces every occurrence of each of `secrets` in `text` by `«redacted»` (overlapping ones
/// as one span), and nothing else: for output, where a credential-looking pattern may be
/// legitimate data but a configured secret never is.
pub fn redact_known(text: &str, secrets: &[String]) -> String {
    if secrets
        .iter()
        .all(|s| s.is_empty() || !text.contains(s.as_str()))
    {
        return text.to_string();
    }
    let mut spans: Vec<Range<usize>> = Vec::new();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        // Every start position, so overlapping occurrences are all covered.
        let mut from = 0;
        while let Some(at) = text[from..].find(secret.as_str()) {
            let start = from + at;
            spans.push(start..start + secret.len());
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    spans.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for span in merged {
        out.push_str(&text[copied..span.start]);
        out.push_str(REDACTED);
        copied = span.end;
    }
    out.push_str(&text[copied..]);
    out
}

/// [`redact_known`] on every string of a JSON value, object keys included.
pub fn redact_json(value: &mut serde_json::Value, secrets: &[String]) {
    use serde_json::Value;
    if secrets.is_empty() {
        return;
    }
    // Iterative: a value from a server may be deep.
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::String(s) => {
                let clean = redact_known(s, secrets);
                if clean != *s {
                    *s = clean;
                }
            }
            Value::Array(items) => stack.extend(items.iter_mut()),
            Value::Object(map) => {
                if map.keys().any(|k| redact_known(k, secrets) != *k) {
                    let old = std::mem::take(map);
                    *map = old
                        .into_iter()
                        .map(|(k, v)| (redact_known(&k, secrets), v))
                        .collect();
                }
                stack.extend(map.values_mut());
            }
            _ => {}
        }
    }
}

/// Redacts credential-looking values (see [`redact`]).
fn redact_patterns(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        match pattern_at(bytes, i) {
            Some(span) => {
                // Patterns start and end on ASCII bytes: valid slice bounds.
                out.push_str(&text[copied..span.start]);
                out.push_str(REDACTED);
                copied = span.end;
                i = span.end;
            }
            None => i += 1,
        }
    }
    out.push_str(&text[copied..]);
    out
}

const TOKEN_PREFIXES: [&str; 6] = ["sk-", "ghp_", "gho_", "github_pat_", "xoxb-", "xoxp-"];
const ASSIGNMENTS: [&str; 4] = ["token=", "key=", "secret=", "password="];

/// The span to redact if a pattern starts at byte `i`.
fn pattern_at(b: &[u8], i: usize) -> Option<Range<usize>> {
    let at_boundary = i == 0 || !is_word(b[i - 1]);
    if at_boundary && starts_with_ignore_case(&b[i..], b"bearer ") {
        let mut start = i + 7;
        while b.get(start) == Some(&b' ') {
            start += 1;
        }
        let end = run(b, start, |c| is_word(c) || b"._~+/=".contains(&c));
        return (end - start >= 8).then_some(start..end);
    }
    if at_boundary {
        for prefix in TOKEN_PREFIXES {
            if b[i..].starts_with(prefix.as_bytes()) {
                let body = i + prefix.len();
                let end = run(b, body, is_word);
                if end - body >= 8 {
                    return Some(i..end);
                }
            }
        }
        if b[i..].starts_with(b"AKIA") {
            let end = run(b, i + 4, |c| c.is_ascii_uppercase() || c.is_ascii_digit());
            if end - (i + 4) == 16 && !b.get(end).is_some_and(|c| is_word(*c)) {
                return Some(i..end);
            }
        }
    }
    for name in ASSIGNMENTS {
        if starts_with_ignore_case(&b[i..], name.as_bytes()) {
            let start = i + name.len();
            let end = run(b, start, is_word);
            if end - start >= 32 {
                return Some(start..end);
            }
        }
    }
    None
}

/// Letters, digits, `_` and `-`: the base64url alphabet (and hex).
fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

/// End of the run of bytes matching `keep` that starts at `start`.
fn run(b: &[u8], start: usize, keep: impl Fn(u8) -> bool) -> usize {
    let mut end = start.min(b.len());
    while end < b.len() && keep(b[end]) {
        end += 1;
    }
    end
}

fn starts_with_ignore_case(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack.len() >= prefix.len() && haystack[..prefix.len()].eq_ignore_ascii_case(prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(std::string::ToString::to_string).collect()
    }

    #[test]
    fn planted_secrets_never_remain() {
        let secrets = s(&["hunter22", "abcdef", "cdefgh", "", "é-secret-é"]);
        let text = "pw=hunter22; x=abcdefgh; hunter22hunter22; unicode é-secret-é!";
        let out = redact(text, &secrets);
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            assert!(!out.contains(secret.as_str()), "{secret} in {out}");
        }
        assert_eq!(
            out,
            "pw=«redacted»; x=«redacted»; «redacted»; unicode «redacted»!"
        );
    }

    #[test]
    fn secret_at_start_and_overlapping_occurrences() {
        assert_eq!(redact("aaaa", &s(&["aaa"])), "«redacted»");
        assert_eq!(
            redact("topsecret and", &s(&["topsecret"])),
            "«redacted» and"
        );
        assert_eq!(redact("nothing here", &s(&["zzz"])), "nothing here");
    }

    #[test]
    fn bearer_tokens_keep_the_scheme() {
        assert_eq!(
            redact("Authorization: Bearer eyJhbGciOi.J9x-y_z", &[]),
            "Authorization: Bearer «redacted»"
        );
        assert_eq!(redact("bearer  abcdefgh1234", &[]), "bearer  «redacted»");
        // Prose and already redacted values are left alone.
        assert_eq!(redact("the Bearer scheme", &[]), "the Bearer scheme");
        assert_eq!(
            redact("Bearer s3cr3t-t0ken", &s(&["s3cr3t-t0ken"])),
            "Bearer «redacted»"
        );
    }

    #[test]
    fn well_known_token_shapes() {
        let key = "sk-proj-Abc123_def456-XYZ";
        assert_eq!(redact(&format!("key {key}."), &[]), "key «redacted».");
        assert_eq!(
            redact("ghp_0123456789abcdefABCDEF0123456789abcd", &[]),
            "«redacted»"
        );
        assert_eq!(redact("t=gho_abcdefgh1234", &[]), "t=«redacted»");
        assert_eq!(
            redact("github_pat_11ABCDEFG0123456789_abcdefghij", &[]),
            "«redacted»"
        );
        assert_eq!(redact("xoxb-1234-5678-abcdefgh", &[]), "«redacted»");
        assert_eq!(redact("xoxp-1234-5678-abcdefgh", &[]), "«redacted»");
        assert_eq!(
            redact("id AKIAIOSFODNN7EXAMPLE ok", &[]),
            "id «redacted» ok"
        );
        // Look-alikes that are not credentials.
        assert_eq!(redact("task-force sk-learn", &[]), "task-force sk-learn");
        assert_eq!(redact("AKIAshort", &[]), "AKIAshort");
        assert_eq!(
            redact("AKIAIOSFODNN7EXAMPLEX", &[]),
            "AKIAIOSFODNN7EXAMPLEX"
        );
    }

    #[test]
    fn long_values_after_assignments() {
        let hex = "0123456789abcdef0123456789abcdef";
        assert_eq!(
            redact(&format!("GET /x?api_key={hex}&a=1"), &[]),
            "GET /x?api_key=«redacted»&a=1"
        );
        assert_eq!(
            redact(&format!("Password={hex}XY"), &[]),
            "Password=«redacted»"
        );
        assert_eq!(
            redact("token=short&secret=alsoshort", &[]),
            "token=short&secret=alsoshort"
        );
    }
}
