//! A tolerant reader of Python literal text: what `str()` / `repr()` of lists, dicts, tuples
//! and scalars print, as many Python MCP servers return their results (`[{'id': 1, 'name':
//! 'Ada'}]`, `None`, `(1, 'a')`). JSON is read too (it is almost a subset).
//!
//! Read as JSON values: `None`/`null` → null, `True`/`False` → booleans, numbers (`1_000`,
//! `0x1f`, `1e3`), strings in single, double or triple quotes with Python escapes (prefixes
//! `r`, `b`, `u`, `f` allowed; bytes become text), lists, tuples and sets → arrays, dicts →
//! objects (a key that is not a string is written as its JSON text: `{1: 'a'}` → `{"1": "a"}`).
//! What has no literal form is kept as its text: a call like `datetime.date(2024, 1, 2)` or
//! `<Row object at 0x7f>` becomes that string, except `Decimal('1.5')`, which becomes the
//! number; `nan`, `inf` and `-inf` become strings (JSON has no such numbers).

use serde_json::{Map, Number, Value};

/// How deeply lists, tuples and dicts may nest (the reader recurses).
pub const MAX_DEPTH: usize = 128;

/// Why a text is not a Python literal: what, where (1-based line and column, in characters)
/// and the text around that place.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{what} at line {line}, column {column}: {near}")]
pub struct ReprError {
    /// What was wrong.
    pub what: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// The text around the place, quoted ([`near`]).
    pub near: String,
}

/// Reads `text` as one Python literal (surrounding whitespace allowed).
pub fn parse(text: &str) -> Result<Value, ReprError> {
    let mut r = Reader { text, pos: 0 };
    r.skip_space();
    if r.peek().is_none() {
        return Err(r.error("empty text"));
    }
    let v = r.value(0)?;
    r.skip_space();
    if r.peek().is_some() {
        return Err(r.error("unexpected text after the value"));
    }
    Ok(v)
}

/// The text around byte `offset` of `text`, for an error message: up to 24 characters before
/// and 16 after, newlines shown as `\n`, quoted, with the character at `offset` named:
/// ``near `{"a": ,}` (at `,`)``.
pub fn near(text: &str, offset: usize) -> String {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before: Vec<char> = text[..offset].chars().rev().take(24).collect();
    let before: String = before.into_iter().rev().collect();
    let after: String = text[offset..].chars().take(16).collect();
    let cut_before = offset - before.len() > 0;
    let cut_after = offset + after.len() < text.len();
    let show = |s: &str| s.replace('\n', "\\n").replace('`', "'");
    let snippet = format!(
        "{}{}{}{}",
        if cut_before { "…" } else { "" },
        show(&before),
        show(&after),
        if cut_after { "…" } else { "" }
    );
    match text[offset..].chars().next() {
        Some(c) => format!("near `{snippet}` (at `{}`)", show(&c.to_string())),
        None => format!("near `{snippet}` (at the end)"),
    }
}

/// The byte offset of 1-based `line` and `column` (in bytes, as `serde_json` counts) in
/// `text`, clamped to the text.
pub fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    (start + column.saturating_sub(1)).min(text.len())
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.bump();
        }
    }

    fn error(&self, what: &str) -> ReprError {
        let before = &self.text[..self.pos];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        ReprError {
            what: what.to_string(),
            line,
            column,
            near: near(self.text, self.pos),
        }
    }

    fn expect(&mut self, c: char) -> Result<(), ReprError> {
        self.skip_space();
        if self.peek() == Some(c) {
            self.bump();
            Ok(())
        } else {
            Err(self.error(&format!("expected `{c}`")))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Value, ReprError> {
        if depth > MAX_DEPTH {
            return Err(self.error(&format!("nested deeper than {MAX_DEPTH} levels")));
        }
        self.skip_space();
        match self.peek() {
            Some('[') => {
                self.bump();
                self.items(']', depth).map(|(v, _)| Value::Array(v))
            }
            Some('(') => {
                self.bump();
                // `(x)` is x in parentheses; `(x,)` and `()` are tuples.
                let (mut items, comma) = self.items(')', depth)?;
                Ok(if items.len() == 1 && !comma {
                    items.remove(0)
                } else {
                    Value::Array(items)
                })
            }
            Some('{') => {
                self.bump();
                self.dict_or_set(depth)
            }
            Some('<') => self.angle(),
            Some('\'' | '"') => self.string(),
            Some(c) if c.is_ascii_digit() || matches!(c, '-' | '+' | '.') => self.number(),
            Some(c) if c.is_alphabetic() || c == '_' => self.word(depth),
            Some(_) => Err(self.error("unexpected character")),
            None => Err(self.error("unexpected end of text")),
        }
    }

    /// Comma-separated values up to `close`; also whether a comma was seen.
    fn items(&mut self, close: char, depth: usize) -> Result<(Vec<Value>, bool), ReprError> {
        let mut out = Vec::new();
        let mut comma = false;
        loop {
            self.skip_space();
            if self.peek() == Some(close) {
                self.bump();
                return Ok((out, comma));
            }
            out.push(self.value(depth + 1)?);
            self.skip_space();
            match self.peek() {
                Some(',') => {
                    self.bump();
                    comma = true;
                }
                Some(c) if c == close => {}
                _ => return Err(self.error(&format!("expected `,` or `{close}`"))),
            }
        }
    }

    fn dict_or_set(&mut self, depth: usize) -> Result<Value, ReprError> {
        self.skip_space();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Value::Object(Map::new()));
        }
        let first = self.value(depth + 1)?;
        self.skip_space();
        if self.peek() != Some(':') {
            // A set: `{1, 2}`.
            let mut items = vec![first];
            match self.peek() {
                Some(',') => {
                    self.bump();
                    items.extend(self.items('}', depth)?.0);
                }
                Some('}') => {
                    self.bump();
                }
                _ => return Err(self.error("expected `:`")),
            }
            return Ok(Value::Array(items));
        }
        let mut map = Map::new();
        let mut key = first;
        loop {
            self.expect(':')?;
            let value = self.value(depth + 1)?;
            map.insert(key_text(key), value);
            self.skip_space();
            match self.peek() {
                Some(',') => self.bump(),
                Some('}') => {
                    self.bump();
                    return Ok(Value::Object(map));
                }
                _ => return Err(self.error("expected `,` or `}`")),
            };
            self.skip_space();
            if self.peek() == Some('}') {
                self.bump();
                return Ok(Value::Object(map));
            }
            key = self.value(depth + 1)?;
        }
    }

    /// `<Foo object at 0x7f>`: kept as its text.
    fn angle(&mut self) -> Result<Value, ReprError> {
        let start = self.pos;
        let mut open = 0usize;
        while let Some(c) = self.bump() {
            match c {
                '<' => open += 1,
                '>' => {
                    open -= 1;
                    if open == 0 {
                        return Ok(Value::String(self.text[start..self.pos].to_string()));
                    }
                }
                _ => {}
            }
        }
        self.pos = start;
        Err(self.error("`<` without its `>`"))
    }

    fn string(&mut self) -> Result<Value, ReprError> {
        self.string_with(false)
    }

    /// A quoted string at the reader (after any prefix); `raw` keeps backslashes.
    fn string_with(&mut self, raw: bool) -> Result<Value, ReprError> {
        let start = self.pos;
        let quote = self.bump().unwrap_or('"');
        let triple = self.rest().starts_with(&format!("{quote}{quote}"));
        if triple {
            self.pos += 2 * quote.len_utf8();
        }
        let mut out = String::new();
        loop {
            let Some(c) = self.bump() else {
                self.pos = start;
                return Err(self.error("string without its closing quote"));
            };
            if c == quote {
                if !triple {
                    break;
                }
                if self.rest().starts_with(&format!("{quote}{quote}")) {
                    self.pos += 2 * quote.len_utf8();
                    break;
                }
                out.push(c);
            } else if c == '\\' && !raw {
                self.escape(&mut out)?;
            } else if c == '\\' {
                out.push(c);
                if let Some(next) = self.bump() {
                    out.push(next);
                }
            } else if c == '\n' && !triple {
                self.pos = start;
                return Err(self.error("string without its closing quote"));
            } else {
                out.push(c);
            }
        }
        Ok(Value::String(out))
    }

    /// One escape after a backslash, as Python reads it (an unknown one keeps the backslash).
    fn escape(&mut self, out: &mut String) -> Result<(), ReprError> {
        let Some(c) = self.bump() else {
            return Err(self.error("string ends in a backslash"));
        };
        let hex = |r: &mut Self, n: usize| -> Result<char, ReprError> {
            let digits: String = r.rest().chars().take(n).collect();
            let code = (digits.len() == n)
                .then(|| u32::from_str_radix(&digits, 16).ok())
                .flatten()
                .and_then(char::from_u32)
                .ok_or_else(|| r.error(&format!("bad escape: expected {n} hex digits")))?;
            r.pos += n;
            Ok(code)
        };
        match c {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0'..='7' => {
                let mut code = c.to_digit(8).unwrap_or(0);
                for _ in 0..2 {
                    match self.peek().and_then(|d| d.to_digit(8)) {
                        Some(d) => {
                            code = code * 8 + d;
                            self.bump();
                        }
                        None => break,
                    }
                }
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
            }
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            'x' => out.push(hex(self, 2)?),
            'u' => out.push(hex(self, 4)?),
            'U' => out.push(hex(self, 8)?),
            '\n' => {}
            '\\' | '\'' | '"' => out.push(c),
            other => {
                out.push('\\');
                out.push(other);
            }
        }
        Ok(())
    }

    fn number(&mut self) -> Result<Value, ReprError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '+' | '-'))
        {
            // A sign only at the start or after an exponent.
            let c = self.peek().unwrap_or(' ');
            if matches!(c, '+' | '-')
                && self.pos > start
                && !matches!(self.text[..self.pos].chars().next_back(), Some('e' | 'E'))
            {
                break;
            }
            self.bump();
        }
        let token = &self.text[start..self.pos];
        number_value(token).ok_or_else(|| {
            self.pos = start;
            self.error("not a number")
        })
    }

    /// `None`, `True`, `False` (and JSON's words), a string prefix, or a call / bare name kept
    /// as its text.
    fn word(&mut self, depth: usize) -> Result<Value, ReprError> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_alphanumeric() || matches!(c, '_' | '.'))
        {
            self.bump();
        }
        let word = &self.text[start..self.pos];
        if matches!(self.peek(), Some('\'' | '"'))
            && word.len() <= 2
            && word.chars().all(|c| "rRbBuUfF".contains(c))
        {
            return self.string_with(word.contains(['r', 'R']));
        }
        match word {
            "None" | "null" => return Ok(Value::Null),
            "True" | "true" => return Ok(Value::Bool(true)),
            "False" | "false" => return Ok(Value::Bool(false)),
            "nan" | "inf" => return Ok(Value::String(word.to_string())),
            _ => {}
        }
        if self.peek() != Some('(') {
            return Ok(Value::String(word.to_string()));
        }
        // A call: `Decimal('1.5')` is its number, anything else its text.
        self.bump();
        let args = self.items(')', depth)?.0;
        if word.rsplit('.').next() == Some("Decimal")
            && let [arg] = args.as_slice()
            && let Some(n) = match arg {
                Value::String(s) => number_value(s),
                Value::Number(_) => Some(arg.clone()),
                _ => None,
            }
        {
            return Ok(n);
        }
        Ok(Value::String(self.text[start..self.pos].to_string()))
    }
}

/// A dict key as an object key: strings as they are, anything else as its JSON text.
fn key_text(key: Value) -> String {
    match key {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// A Python number token as JSON: integers (`1_000`, `0x1f`, `0o17`, `0b101`), floats;
/// `inf`/`nan` spellings as strings.
fn number_value(token: &str) -> Option<Value> {
    let clean = token.replace('_', "");
    let (sign, digits) = match clean.strip_prefix('-') {
        Some(d) => (-1i64, d),
        None => (1, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    if matches!(digits, "inf" | "nan" | "infinity" | "Infinity") {
        return Some(Value::String(token.to_string()));
    }
    for (prefix, radix) in [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ] {
        if let Some(d) = digits.strip_prefix(prefix) {
            return i64::from_str_radix(d, radix)
                .ok()
                .map(|n| Value::from(sign * n));
        }
    }
    if digits.chars().all(|c| c.is_ascii_digit()) && !digits.is_empty() {
        if let Ok(n) = clean.parse::<i64>() {
            return Some(Value::from(n));
        }
        if let Ok(n) = clean.parse::<u64>() {
            return Some(Value::from(n));
        }
    }
    let f: f64 = clean.parse().ok()?;
    Number::from_f64(f).map(Value::Number)
}

#[cfg(test)]
mod tests;
