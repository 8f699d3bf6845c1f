//! The top-level tables besides the servers (`[limits]`, `[policy]`, `[audit]`, `[llm]`,
//! `[serve]`, `[tui]`). The config room does not know their types (they belong to the rooms
//! that use them); it keeps each table with where it came from, so that
//! [`Tables::decode`] reports a mistake at its `file:line:col` and field like any other
//! config error. `crate::settings` decodes them all once, at load.

use std::path::PathBuf;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::{ConfigError, line_col};
use super::locate::KeyIndex;

/// Where the tables were read from: enough to point at a key.
struct Origin {
    file: PathBuf,
    text: String,
    index: KeyIndex,
}

/// The tables, as read, with their origin.
#[derive(Clone, Default)]
pub struct Tables {
    values: Map<String, Value>,
    origin: Option<Arc<Origin>>,
}

impl PartialEq for Tables {
    fn eq(&self, other: &Self) -> bool {
        self.values == other.values
    }
}

impl Tables {
    /// Tables read from `file` (whose text and key index locate their keys).
    pub(crate) fn new(
        values: Map<String, Value>,
        file: PathBuf,
        text: &str,
        index: KeyIndex,
    ) -> Self {
        Tables {
            values,
            origin: Some(Arc::new(Origin {
                file,
                text: text.to_string(),
                index,
            })),
        }
    }

    /// Tables with no file behind them (tests, the embedded default).
    pub fn from_values(values: Map<String, Value>) -> Self {
        Tables {
            values,
            origin: None,
        }
    }

    /// The table `name` as read (TOML converted to JSON), if present.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// The names of the tables present, in the documented order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.values.keys().map(String::as_str)
    }

    /// Whether no table is present.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Decodes table `name` (absent: `T::default()`); a mistake is a [`ConfigError`] at the
    /// offending key, with its dotted field path.
    pub fn decode<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, ConfigError> {
        Ok(self.decode_present(name)?.unwrap_or_default())
    }

    /// Decodes table `name` when present.
    pub fn decode_present<T: DeserializeOwned>(
        &self,
        name: &str,
    ) -> Result<Option<T>, ConfigError> {
        let Some(value) = self.values.get(name) else {
            return Ok(None);
        };
        serde_path_to_error::deserialize(value.clone())
            .map(Some)
            .map_err(|e| {
                let mut path = vec![name.to_string()];
                path.extend(e.path().iter().filter_map(|seg| match seg {
                    serde_path_to_error::Segment::Map { key } => Some(key.clone()),
                    serde_path_to_error::Segment::Seq { index } => Some(index.to_string()),
                    _ => None,
                }));
                // An unknown key may be missing from the path: point at it.
                let message = e.into_inner().to_string();
                if let Some(unknown) = unknown_field(&message)
                    && path.last() != Some(&unknown)
                {
                    path.push(unknown);
                }
                let path: Vec<&str> = path.iter().map(String::as_str).collect();
                self.error(&path, message)
            })
    }

    /// An error about the key at `path` (e.g. `["llm", "base_url"]`): at its position when the
    /// tables came from a file, with the dotted field path.
    pub fn error(&self, path: &[&str], message: impl Into<String>) -> ConfigError {
        let Some(origin) = &self.origin else {
            return ConfigError::new(&PathBuf::from("config"), message).field(path.join("."));
        };
        let pos = (1..=path.len())
            .rev()
            .find_map(|n| origin.index.key_offset(&path[..n]))
            .map(|offset| line_col(&origin.text, offset));
        ConfigError::new(&origin.file, message)
            .at(pos)
            .field(path.join("."))
    }
}

/// The key named by serde's "unknown field `x`, expected ..." message.
fn unknown_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    Some(rest.split('`').next()?.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct Limits {
        max_ops: u64,
        nested: Nested,
    }

    #[derive(Debug, Default, serde::Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct Nested {
        depth: u32,
    }

    fn tables(text: &str) -> Tables {
        let doc = toml::de::DeTable::parse(text).unwrap();
        let index = KeyIndex::from_toml(doc.get_ref());
        let value: toml::Table = toml::from_str(text).unwrap();
        let json = serde_json::to_value(value).unwrap();
        Tables::new(
            json.as_object().unwrap().clone(),
            PathBuf::from("codemode.toml"),
            text,
            index,
        )
    }

    #[test]
    fn mistakes_point_at_their_key() {
        let t = tables("[limits]\nmax_ops = 5\n\n[limits.nested]\ndepth = \"deep\"\n");
        let e = t.decode::<Limits>("limits").unwrap_err();
        assert_eq!((e.line, e.column), (Some(5), Some(1)), "{e}");
        assert_eq!(e.field.as_deref(), Some("limits.nested.depth"));
        assert!(
            e.to_string().starts_with("codemode.toml:5:1: invalid type"),
            "{e}"
        );

        let t = tables("[limits]\nmax_ops = 5\nmax_opps = 6\n");
        let e = t.decode::<Limits>("limits").unwrap_err();
        assert_eq!(
            (e.line, e.field.as_deref()),
            (Some(3), Some("limits.max_opps")),
            "{e}"
        );

        let ok = tables("[limits]\nmax_ops = 5\n")
            .decode::<Limits>("limits")
            .unwrap();
        assert_eq!(ok.max_ops, 5);
        assert_eq!(tables("").decode::<Limits>("limits").unwrap().max_ops, 0);
    }
}
