//! Where keys are in the source text: a flat index of every object key
//! (JSON) or table key (TOML) with its dotted path and the spans of the key
//! and its value. Used to put line/column on errors and warnings that serde
//! reports without a position (or with a position but no field path).

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// One key of the document.
#[derive(Clone, Debug)]
struct Entry {
    path: Vec<String>,
    key: usize,
    value: Range<usize>,
}

/// All keys of one document, with their positions.
#[derive(Clone, Debug, Default)]
pub(crate) struct KeyIndex {
    entries: Vec<Entry>,
    /// Spans of JSON scalars (strings, numbers, literals) that are values.
    scalars: Vec<Range<usize>>,
}

/// Nesting deeper than this is not indexed (`serde_json` rejects it anyway).
const MAX_DEPTH: usize = 128;

impl KeyIndex {
    /// Byte offset where the key at `path` starts (its first occurrence).
    pub(crate) fn key_offset<S: AsRef<str>>(&self, path: &[S]) -> Option<usize> {
        self.entries
            .iter()
            .filter(|e| {
                e.path.len() == path.len() && e.path.iter().zip(path).all(|(a, b)| a == b.as_ref())
            })
            .map(|e| e.key)
            .min()
    }

    /// The path of the innermost key whose value contains byte `offset`.
    pub(crate) fn path_at(&self, offset: usize) -> Option<Vec<String>> {
        self.entries
            .iter()
            .filter(|e| e.value.start <= offset && offset <= e.value.end)
            .max_by_key(|e| e.path.len())
            .map(|e| e.path.clone())
    }

    /// Start of the JSON scalar value containing byte `offset` (`serde_json`
    /// reports type errors at a value's last character).
    pub(crate) fn scalar_start_at(&self, offset: usize) -> Option<usize> {
        self.scalars
            .iter()
            .find(|r| r.start <= offset && offset < r.end)
            .map(|r| r.start)
    }

    /// Indexes a JSON text. Tolerant: a malformed text is indexed up to the
    /// point where it stops making sense.
    pub(crate) fn from_json(text: &str) -> Self {
        let mut scan = JsonScan {
            b: text.as_bytes(),
            pos: 0,
            entries: Vec::new(),
            scalars: Vec::new(),
        };
        scan.value(&mut Vec::new(), 0);
        KeyIndex {
            entries: scan.entries,
            scalars: scan.scalars,
        }
    }

    /// Indexes a parsed TOML document.
    pub(crate) fn from_toml(table: &DeTable<'_>) -> Self {
        let mut index = KeyIndex::default();
        index.add_toml_table(table, &mut Vec::new());
        index
    }

    fn add_toml_table(&mut self, table: &DeTable<'_>, path: &mut Vec<String>) {
        for (key, value) in table {
            path.push(key.get_ref().to_string());
            self.entries.push(Entry {
                path: path.clone(),
                key: key.span().start,
                value: value.span(),
            });
            self.add_toml_value(value.get_ref(), path);
            path.pop();
        }
    }

    fn add_toml_value(&mut self, value: &DeValue<'_>, path: &mut Vec<String>) {
        match value {
            DeValue::Table(t) => self.add_toml_table(t, path),
            DeValue::Array(items) => {
                for item in items {
                    self.add_toml_value(item.get_ref(), path);
                }
            }
            _ => {}
        }
    }
}

struct JsonScan<'a> {
    b: &'a [u8],
    pos: usize,
    entries: Vec<Entry>,
    scalars: Vec<Range<usize>>,
}

impl JsonScan<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.pos += 1;
        }
    }

    /// Scans one value; `None` once the text stops being JSON.
    fn value(&mut self, path: &mut Vec<String>, depth: usize) -> Option<()> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.skip_ws();
        let start = self.pos;
        match self.peek()? {
            b'{' => return self.object(path, depth),
            b'[' => return self.array(path, depth),
            b'"' => {
                self.string()?;
            }
            _ => {
                while !matches!(
                    self.peek(),
                    None | Some(b',' | b']' | b'}' | b' ' | b'\t' | b'\r' | b'\n')
                ) {
                    self.pos += 1;
                }
                if self.pos == start {
                    return None;
                }
            }
        }
        self.scalars.push(start..self.pos);
        Some(())
    }

    fn object(&mut self, path: &mut Vec<String>, depth: usize) -> Option<()> {
        self.pos += 1; // '{'
        loop {
            self.skip_ws();
            match self.peek()? {
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                b'"' => {}
                _ => return None,
            }
            let key_start = self.pos;
            let raw = self.string()?;
            let key = serde_json::from_slice::<String>(raw)
                .unwrap_or_else(|_| String::from_utf8_lossy(&raw[1..raw.len() - 1]).into_owned());
            self.skip_ws();
            if self.peek()? != b':' {
                return None;
            }
            self.pos += 1;
            self.skip_ws();
            let value_start = self.pos;
            path.push(key);
            let scanned = self.value(path, depth + 1);
            self.entries.push(Entry {
                path: path.clone(),
                key: key_start,
                value: value_start..self.pos,
            });
            path.pop();
            scanned?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn array(&mut self, path: &mut Vec<String>, depth: usize) -> Option<()> {
        self.pos += 1; // '['
        self.skip_ws();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(());
        }
        loop {
            self.value(path, depth + 1)?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Scans a string starting at its opening quote; returns it with quotes.
    fn string(&mut self) -> Option<&[u8]> {
        let start = self.pos;
        self.pos += 1;
        while let Some(c) = self.peek() {
            match c {
                b'\\' => self.pos += 2,
                b'"' => {
                    self.pos += 1;
                    return Some(&self.b[start..self.pos]);
                }
                _ => self.pos += 1,
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keys_and_paths() {
        let text = r#"{"mcpServers": {"a": {"args": ["x", {"k": 1}], "env": {"T\u0041G": "v"}}}}"#;
        let index = KeyIndex::from_json(text);
        let at = index.key_offset(&["mcpServers", "a", "args"]).unwrap();
        assert!(text[at..].starts_with(r#""args""#));
        assert!(
            index
                .key_offset(&["mcpServers", "a", "env", "TAG"])
                .is_some()
        );
        assert_eq!(index.key_offset(&["mcpServers", "b"]), None);
        let inside_v = text.find(r#""v""#).unwrap() + 1;
        assert_eq!(
            index.path_at(inside_v).unwrap(),
            ["mcpServers", "a", "env", "TAG"]
        );
        let inside_x = text.find(r#""x""#).unwrap();
        assert_eq!(
            index.path_at(inside_x).unwrap(),
            ["mcpServers", "a", "args"]
        );
        assert_eq!(index.scalar_start_at(inside_x + 2), Some(inside_x));
        let one = text.find('1').unwrap();
        assert_eq!(index.scalar_start_at(one), Some(one));
        assert_eq!(index.scalar_start_at(0), None, "objects are not scalars");
    }

    #[test]
    fn json_scan_survives_garbage() {
        for text in [
            "",
            "{",
            r#"{"a": "#,
            r#"{"a": [1, "#,
            "[[[[",
            r#"{"a\"#,
            "}}}",
        ] {
            let index = KeyIndex::from_json(text);
            assert_eq!(index.path_at(0), None, "{text:?}");
        }
        let deep = "[".repeat(10_000);
        assert_eq!(KeyIndex::from_json(&deep).path_at(5), None);
    }

    #[test]
    fn toml_keys_and_paths() {
        let text = "[servers.b]\ncommand = \"x\"\n\n[servers.a]\nargs = [\"y\"]\n";
        let table = DeTable::parse(text).unwrap();
        let index = KeyIndex::from_toml(table.get_ref());
        let b = index.key_offset(&["servers", "b"]).unwrap();
        let a = index.key_offset(&["servers", "a"]).unwrap();
        assert!(b < a, "keys keep file positions");
        let args = index.key_offset(&["servers", "a", "args"]).unwrap();
        assert!(text[args..].starts_with("args"));
        let y = text.find("\"y\"").unwrap();
        assert_eq!(index.path_at(y).unwrap(), ["servers", "a", "args"]);
    }
}
