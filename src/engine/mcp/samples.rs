//! Text samples: one short, redacted example of what each tool returned as text, taken from
//! its first successful real call (or `codemode docs --probe`) and kept beside the pins in
//! `<state dir>/codemode/samples.json` (0600). A schema says "string"; a sample shows whether
//! that string is JSON, a Python literal (`[{'id': 1}]`), `Commit:` lines or a sentence, which
//! is what a script writer needs to parse it. The docs show them ([`crate::catalog`]).
//!
//! A result is text when it has no `structuredContent` and only text blocks, or when its
//! `structuredContent` is a map of one string (`{"content": "..."}`, as server-filesystem
//! answers). The [`Registry`](super::Registry) records a sample after each successful call,
//! once per tool definition: a changed definition gets a new one. A probe's sample (made-up
//! arguments) is provisional: the first real call replaces it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CallOutcome, ToolDef};

/// Most lines a stored sample keeps.
pub const MAX_LINES: usize = 12;
/// Most bytes a stored sample keeps.
pub const MAX_BYTES: usize = 600;

/// How a sample's text reads, judged on the whole text before it was cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextFormat {
    /// Plain text (lines, a sentence).
    Text,
    /// A JSON array or object.
    Json,
    /// A Python literal (`str()` of a list, dict or tuple).
    PythonLiteral,
}

impl TextFormat {
    /// The format of `text`.
    pub fn of(text: &str) -> Self {
        let t = text.trim_start();
        if !t.starts_with(['[', '{', '(']) {
            return TextFormat::Text;
        }
        if serde_json::from_str::<Value>(t).is_ok() {
            TextFormat::Json
        } else if crate::util::pyrepr::parse(t).is_ok() {
            TextFormat::PythonLiteral
        } else {
            TextFormat::Text
        }
    }

    /// The script global that reads this format, if any.
    pub fn parser(self) -> Option<&'static str> {
        match self {
            TextFormat::Text => None,
            TextFormat::Json => Some("parse_json"),
            TextFormat::PythonLiteral => Some("parse_repr"),
        }
    }

    /// In words: `JSON text`, `a Python literal`, `text`.
    pub fn describe(self) -> &'static str {
        match self {
            TextFormat::Text => "text",
            TextFormat::Json => "JSON text",
            TextFormat::PythonLiteral => "a Python literal",
        }
    }
}

/// One tool's text sample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSample {
    /// The field of `structuredContent` that holds the text, when the result is a map of one
    /// string; none when the result itself is the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// How the whole text read.
    pub format: TextFormat,
    /// The text, at most [`MAX_LINES`] lines and [`MAX_BYTES`] bytes (a cut ends in `…`),
    /// control characters escaped.
    pub text: String,
    /// The sha256 of the definition of the tool that returned it ([`ToolDef::sha256`]).
    pub definition: String,
    /// Taken by a probe with made-up arguments: the next real call replaces it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisional: bool,
}

impl TextSample {
    /// The sample of a successful result of `def`, when the result is non-empty text.
    pub fn of(def: &ToolDef, outcome: &CallOutcome) -> Option<Self> {
        Self::taken(&def.sha256(), outcome, false)
    }

    /// [`TextSample::of`] a probe's result (provisional), unless it reads as an error: made-up
    /// arguments often get a refusal some servers answer as ordinary text.
    pub fn probed(def: &ToolDef, outcome: &CallOutcome) -> Option<Self> {
        Self::taken(&def.sha256(), outcome, true)
    }

    /// The sample of `outcome` of the definition hashed `definition` (a probe's when
    /// `provisional`, not kept when it reads as an error).
    fn taken(definition: &str, outcome: &CallOutcome, provisional: bool) -> Option<Self> {
        if outcome.is_error {
            return None;
        }
        let (field, text) = match &outcome.structured_content {
            Some(Value::Object(m)) if m.len() == 1 => {
                let (k, v) = m.iter().next()?;
                (Some(k.clone()), v.as_str()?.to_string())
            }
            Some(_) => return None,
            None => {
                let text_only = !outcome.content.is_empty()
                    && outcome
                        .content
                        .iter()
                        .all(|b| b.get("type").and_then(Value::as_str) == Some("text"));
                if !text_only {
                    return None;
                }
                (None, outcome.text())
            }
        };
        if text.trim().is_empty() {
            return None;
        }
        Some(TextSample {
            field,
            format: TextFormat::of(&text),
            text: cut(&crate::util::escape_controls(&text)),
            definition: definition.to_string(),
            provisional,
        })
        .filter(|s| !(provisional && reads_as_error(&s.text)))
    }
}

/// Whether the first line of `text` says error or denied.
fn reads_as_error(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("").to_lowercase();
    first.contains("error") || first.contains("denied")
}

/// `text` within [`MAX_LINES`] lines and [`MAX_BYTES`] bytes, marked `…` where cut; trailing
/// blank lines left out.
fn cut(text: &str) -> String {
    let lines: Vec<&str> = text.trim_end().lines().collect();
    let mut out = lines[..lines.len().min(MAX_LINES)].join("\n");
    if out.len() > MAX_BYTES {
        return crate::util::truncate(&out, MAX_BYTES);
    }
    if lines.len() > MAX_LINES {
        out.push_str("\n…");
    }
    out
}

/// Samples by server and tool name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Samples {
    /// server name → tool name → sample.
    pub servers: BTreeMap<String, BTreeMap<String, TextSample>>,
}

impl Samples {
    /// The sample of `def` (of `server`), if one was taken from this very definition.
    pub fn get(&self, server: &str, def: &ToolDef) -> Option<&TextSample> {
        self.servers
            .get(server)?
            .get(&def.name)
            .filter(|s| s.definition == def.sha256())
    }

    /// Keeps `sample` for `server`'s tool `tool` unless one of the same definition is kept
    /// (a provisional one only gives way to one that is not); whether it was new.
    pub fn insert(&mut self, server: &str, tool: &str, sample: TextSample) -> bool {
        if !self.wants(server, tool, &sample.definition, sample.provisional) {
            return false;
        }
        self.servers
            .entry(server.to_string())
            .or_default()
            .insert(tool.to_string(), sample);
        true
    }

    /// Whether a sample of `tool` of `server` from the definition hashed `definition` (a
    /// `provisional` one or not) would replace what is kept: none kept, one of another
    /// definition, or a provisional one replaced by a real call's.
    pub fn wants(&self, server: &str, tool: &str, definition: &str, provisional: bool) -> bool {
        !self
            .servers
            .get(server)
            .and_then(|tools| tools.get(tool))
            .is_some_and(|s| s.definition == definition && (!s.provisional || provisional))
    }
}

/// Why the samples file could not be used.
pub type SampleError = crate::util::private::JsonFileError;

/// What the samples file holds, in its errors.
const WHAT: &str = "text samples";

/// The samples of this machine, shared by every call of a process; file-backed (saved on each
/// new sample) or in memory.
#[derive(Debug, Default)]
pub struct SampleStore {
    path: Option<PathBuf>,
    samples: Mutex<Samples>,
    hashes: super::DefHashes,
}

impl SampleStore {
    /// The default file: `<state dir>/codemode/samples.json`, beside the pins.
    pub fn default_path() -> PathBuf {
        crate::logging::state_dir().join("samples.json")
    }

    /// Opens the store at `path` (a missing file is an empty store).
    pub fn open(path: &Path) -> Result<Self, SampleError> {
        Ok(SampleStore {
            path: Some(path.to_path_buf()),
            samples: Mutex::new(crate::util::private::read_json(path, WHAT)?),
            hashes: super::DefHashes::default(),
        })
    }

    /// A store that is not saved anywhere.
    pub fn in_memory() -> Self {
        SampleStore::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Samples> {
        self.samples
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records the sample of a successful call of `def` on `server` (a `probe`'s:
    /// [`TextSample::probed`]), unless the tool already has one from this definition. Whether
    /// a new sample was kept (and, file-backed, saved).
    pub fn record(&self, server: &str, def: &ToolDef, outcome: &CallOutcome, probe: bool) -> bool {
        let hash = self.hashes.of(server, def);
        // Most calls are of tools sampled already: that is settled before the result is read.
        if !self.lock().wants(server, &def.name, &hash, probe) {
            return false;
        }
        let Some(sample) = TextSample::taken(&hash, outcome, probe) else {
            return false;
        };
        let mut samples = self.lock();
        if !samples.insert(server, &def.name, sample) {
            return false;
        }
        if let Some(path) = &self.path
            && let Err(e) = crate::util::private::write_json(path, WHAT, &*samples)
        {
            tracing::warn!("{e}");
        }
        true
    }

    /// A copy of the samples.
    pub fn snapshot(&self) -> Samples {
        self.lock().clone()
    }
}

#[cfg(test)]
mod tests;
