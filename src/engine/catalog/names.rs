#![doc = include_str!("names.md")]

use std::collections::{BTreeMap, BTreeSet};

/// The naming rule in plain words, exactly as the module documentation states it; the docs
/// generator prints it so the model and the user read the rule the engine applies.
pub const RULE: &str = include_str!("names.md");

/// Rhai keywords, reserved words and keyword functions: never usable as names.
pub const RHAI_RESERVED: &[&str] = &[
    "true",
    "false",
    "let",
    "const",
    "if",
    "else",
    "switch",
    "do",
    "while",
    "until",
    "loop",
    "for",
    "in",
    "continue",
    "break",
    "return",
    "throw",
    "try",
    "catch",
    "fn",
    "private",
    "import",
    "export",
    "as",
    "global",
    "this",
    "is",
    "Fn",
    "call",
    "curry",
    "print",
    "debug",
    "eval",
    "type_of",
    "is_shared",
    "is_def_var",
    "is_def_fn",
    "var",
    "static",
    "shared",
    "goto",
    "exit",
    "match",
    "case",
    "public",
    "protected",
    "new",
    "use",
    "with",
    "module",
    "package",
    "super",
    "thread",
    "spawn",
    "go",
    "await",
    "async",
    "sync",
    "yield",
    "default",
    "void",
    "null",
    "nil",
];

/// codemode's own global functions in scripts; tool and server names avoid them too.
pub const GLOBALS: &[&str] = &[
    "call_tool",
    "parallel",
    "parse_json",
    "parse_repr",
    "to_json",
    "sleep",
    "print",
    "debug",
];

/// What a name belongs to; decides the fallback for names with nothing usable in them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A server (a Rhai module name).
    Server,
    /// A tool (a function in its server's module).
    Tool,
}

impl Kind {
    fn fallback(self) -> &'static str {
        match self {
            Kind::Server => "server",
            Kind::Tool => "tool",
        }
    }
}

/// Whether `name` is a Rhai reserved word or one of codemode's globals.
pub fn is_reserved(name: &str) -> bool {
    RHAI_RESERVED.contains(&name) || GLOBALS.contains(&name)
}

/// Splits a raw name into lower-case words (rules 1 to 3).
pub fn words(raw: &str) -> Vec<String> {
    let chars: Vec<char> = raw.chars().collect();
    let mut words = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if c.is_ascii_uppercase() && !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                words.push(std::mem::take(&mut cur));
            }
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// The identifier for one raw name before collisions are resolved (rules 1 to 6).
pub fn base_identifier(raw: &str, kind: Kind) -> String {
    let mut name = words(raw).join("_");
    if name.is_empty() {
        name = kind.fallback().to_string();
    }
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'n');
    }
    if is_reserved(&name) {
        name.push('_');
    }
    name
}

/// Raw names and their identifiers for one namespace (the servers, or one server's tools),
/// collisions resolved by rule 7.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Names {
    by_raw: BTreeMap<String, String>,
}

impl Names {
    /// Assigns identifiers to every raw name in `raws` (duplicates count once).
    pub fn assign<'a>(raws: impl IntoIterator<Item = &'a str>, kind: Kind) -> Self {
        let sorted: BTreeSet<&str> = raws.into_iter().collect();
        let mut taken = BTreeSet::new();
        let mut by_raw = BTreeMap::new();
        // A numbered candidate is never one that another raw name gets as its own base, so a
        // tool really named `get_2` keeps `get_2` even when two other names collide on `get`.
        let bases: Vec<(&str, String)> = sorted
            .iter()
            .map(|raw| (*raw, base_identifier(raw, kind)))
            .collect();
        for (raw, base) in &bases {
            let ident = if taken.contains(base) {
                let mut n = 2;
                loop {
                    let candidate = format!("{base}_{n}");
                    if !taken.contains(&candidate) && !bases.iter().any(|(_, b)| *b == candidate) {
                        break candidate;
                    }
                    n += 1;
                }
            } else {
                base.clone()
            };
            taken.insert(ident.clone());
            by_raw.insert(raw.to_string(), ident);
        }
        Names { by_raw }
    }

    /// The identifier of a raw name.
    pub fn get(&self, raw: &str) -> Option<&str> {
        self.by_raw.get(raw).map(String::as_str)
    }

    /// The raw name behind an identifier.
    pub fn raw(&self, ident: &str) -> Option<&str> {
        self.by_raw
            .iter()
            .find(|(_, i)| *i == ident)
            .map(|(r, _)| r.as_str())
    }

    /// `(raw, identifier)` pairs in sorted raw order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.by_raw.iter().map(|(r, i)| (r.as_str(), i.as_str()))
    }

    /// How many names.
    pub fn len(&self) -> usize {
        self.by_raw.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_raw.is_empty()
    }
}

#[cfg(test)]
mod tests;
