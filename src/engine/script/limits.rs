//! The limits of one run. Every field has a default and a key in the `[limits]` table of the
//! config file (same name as the field); the CLI fills the most common ones from flags.
//!
//! ```toml
//! [limits]
//! max_operations = 10_000_000   # Rhai operations (loop turns, calls, expressions)
//! timeout = "30s"               # wall clock, tool calls included
//! max_call_depth = 48           # nested function calls (at most 64)
//! max_expr_depth = 64           # nesting of expressions while parsing
//! max_string_size = 1_048_576   # bytes of any one string
//! max_array_size = 100_000      # items of any one array
//! max_map_size = 10_000         # entries of any one object map
//! max_tool_calls = 200          # tool calls per run (`parallel` counts each call)
//! max_result_bytes = 16_777_216 # total bytes of tool results received
//! max_output_bytes = 1_048_576  # bytes of the final result as JSON
//! max_source_bytes = 262_144    # bytes of the script itself
//! max_memory = 268_435_456      # bytes allocated by the script thread (binary only)
//! max_parallel = 8              # calls in flight at once inside `parallel`
//! max_output_tokens = 10_000    # tokens of everything a run sends back (0: no budget)
//! ```

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The hard ceiling of [`Limits::max_call_depth`]: deeper Rhai recursion could overflow the
/// native stack of the script thread, which aborts the process.
pub const CALL_DEPTH_CEILING: usize = 64;

/// The script thread's stack for evaluation itself (recursion is capped by
/// [`CALL_DEPTH_CEILING`] and the expression depths).
pub const SCRIPT_STACK_BYTES: usize = 8 * 1024 * 1024;

/// The ceiling of [`Limits::max_memory`] (1 GiB): the script thread's stack is sized from it.
pub const MEMORY_CEILING: usize = 1 << 30;

/// Stack bytes reserved per byte of [`Limits::max_memory`]. A script can nest values (closures
/// capturing closures, arrays or maps inside closures, arrays inside arrays) as deep as its
/// memory allows, and Rust drops, clones and compares such values recursively: one level
/// costs at most ~1.2 bytes of stack per byte of heap it took (measured in debug builds for
/// every kind of nesting; release frames are smaller). Three bytes per byte means whatever a
/// script can build within `max_memory` can be dropped without overflowing the stack, which
/// would abort the whole process. The reservation is virtual: pages are only touched by such
/// deep values.
pub const STACK_PER_MEMORY_BYTE: usize = 3;

/// A `--limit KEY=VALUE` that cannot be applied.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    /// Not `key=value`.
    #[error("`{0}` is not key=value (e.g. max_tool_calls=50)")]
    NotKeyValue(String),
    /// An unknown key or a value of the wrong type.
    #[error("--limit: {0}")]
    Invalid(serde_json::Error),
}

/// Limits of one run. Deserializes from a `[limits]` table; missing keys take the defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Rhai operations before the run stops. Default 10 000 000.
    pub max_operations: u64,
    /// Wall-clock time of the whole run, tool calls included. Default 30 s.
    #[serde(with = "duration_text")]
    #[schemars(with = "String")]
    pub timeout: Duration,
    /// Nested function calls. Default 48, never more than [`CALL_DEPTH_CEILING`].
    pub max_call_depth: usize,
    /// Nesting depth of expressions (top level; functions get half). Default 64.
    pub max_expr_depth: usize,
    /// Bytes of any one string. Default 1 MiB.
    pub max_string_size: usize,
    /// Items of any one array. Default 100 000.
    pub max_array_size: usize,
    /// Entries of any one object map. Default 10 000.
    pub max_map_size: usize,
    /// Tool calls per run. Default 200.
    pub max_tool_calls: usize,
    /// Total bytes of tool results received (as JSON on the wire). Default 16 MiB.
    pub max_result_bytes: usize,
    /// Bytes of the final result as JSON. Default 1 MiB.
    pub max_output_bytes: usize,
    /// Bytes of the script source. Default 256 KiB.
    pub max_source_bytes: usize,
    /// Bytes allocated and not yet freed by the script thread, at most [`MEMORY_CEILING`].
    /// Enforced only when the process installs [`CountingAlloc`](super::memory::CountingAlloc)
    /// (the `codemode` binary does); it also bounds how deep a script can nest values, which
    /// sizes the script thread's stack ([`Limits::script_stack_bytes`]). Default 256 MiB.
    pub max_memory: usize,
    /// Calls in flight at once inside `parallel`. Default 8.
    pub max_parallel: usize,
    /// The output budget: tokens (counted like the docs, [`crate::catalog::tokens`]) of
    /// everything a run sends back together: result, prints and call trace. Past it the
    /// output keeps its head and tail around one marker ([`super::budget`]). 0: no budget.
    /// Default 10 000, a small share of an LLM's context.
    pub max_output_tokens: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 10_000_000,
            timeout: Duration::from_secs(30),
            max_call_depth: 48,
            max_expr_depth: 64,
            max_string_size: 1 << 20,
            max_array_size: 100_000,
            max_map_size: 10_000,
            max_tool_calls: 200,
            max_result_bytes: 16 << 20,
            max_output_bytes: 1 << 20,
            max_source_bytes: 256 << 10,
            max_memory: 256 << 20,
            max_parallel: 8,
            max_output_tokens: 10_000,
        }
    }
}

impl Limits {
    /// Every config key, in the order the docs list them: the keys of the `[limits]` table
    /// and of `--limit KEY=VALUE` (a test checks they are exactly the serialized fields).
    pub const KEYS: [&'static str; 14] = [
        "max_operations",
        "timeout",
        "max_tool_calls",
        "max_parallel",
        "max_call_depth",
        "max_expr_depth",
        "max_string_size",
        "max_array_size",
        "max_map_size",
        "max_result_bytes",
        "max_output_bytes",
        "max_output_tokens",
        "max_source_bytes",
        "max_memory",
    ];

    /// Every limit as `(config key, value in force)`, sizes in KiB/MiB when exact (for the
    /// docs' primer).
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        Limits::KEYS
            .iter()
            .map(|&key| {
                let bytes = match key {
                    "max_string_size" => Some(self.max_string_size),
                    "max_result_bytes" => Some(self.max_result_bytes),
                    "max_output_bytes" => Some(self.max_output_bytes),
                    "max_source_bytes" => Some(self.max_source_bytes),
                    "max_memory" => Some(self.effective_max_memory()),
                    _ => None,
                };
                let value = match bytes {
                    Some(n) if n >= 1 << 20 && n % (1 << 20) == 0 => format!("{} MiB", n >> 20),
                    Some(n) if n >= 1 << 10 && n % (1 << 10) == 0 => format!("{} KiB", n >> 10),
                    Some(n) => format!("{n} bytes"),
                    None => match key {
                        "max_array_size" => self.max_array_size.to_string(),
                        "max_map_size" => self.max_map_size.to_string(),
                        _ => self.describe(key),
                    },
                };
                (key, value)
            })
            .collect()
    }

    /// The value of a limit by its name (the config key), for messages.
    pub fn describe(&self, name: &str) -> String {
        match name {
            "max_operations" => self.max_operations.to_string(),
            "timeout" => humantime::format_duration(self.timeout).to_string(),
            "max_call_depth" => self.effective_call_depth().to_string(),
            "max_expr_depth" => self.max_expr_depth.to_string(),
            "max_string_size" => format!("{} bytes", self.max_string_size),
            "max_array_size" => format!("{} items", self.max_array_size),
            "max_map_size" => format!("{} entries", self.max_map_size),
            "max_tool_calls" => self.max_tool_calls.to_string(),
            "max_result_bytes" => format!("{} bytes", self.max_result_bytes),
            "max_output_bytes" => format!("{} bytes", self.max_output_bytes),
            "max_source_bytes" => format!("{} bytes", self.max_source_bytes),
            "max_memory" => format!("{} bytes", self.effective_max_memory()),
            "max_parallel" => self.max_parallel.to_string(),
            "max_output_tokens" => match self.max_output_tokens {
                0 => "no budget".into(),
                n => format!("{n} tokens"),
            },
            "max_modules" => "0 (import is not available)".into(),
            _ => "-".into(),
        }
    }

    /// Sets limits from `key=value` pairs (`--limit max_memory=100000000`,
    /// `--limit timeout=5s`): the same keys as the `[limits]` table.
    pub fn with_overrides(&self, pairs: &[String]) -> Result<Limits, LimitError> {
        let mut value = serde_json::to_value(self).map_err(LimitError::Invalid)?;
        for pair in pairs {
            let Some((key, raw)) = pair.split_once('=') else {
                return Err(LimitError::NotKeyValue(pair.clone()));
            };
            let (key, raw) = (key.trim(), raw.trim());
            let v = match raw.replace('_', "").parse::<u64>() {
                Ok(n) => serde_json::Value::from(n),
                Err(_) => serde_json::Value::from(raw),
            };
            value[key] = v;
        }
        serde_json::from_value(value).map_err(LimitError::Invalid)
    }

    /// The memory limit enforced: the configured one, capped at [`MEMORY_CEILING`].
    pub fn effective_max_memory(&self) -> usize {
        self.max_memory.min(MEMORY_CEILING)
    }

    /// The script thread's stack: [`SCRIPT_STACK_BYTES`] plus [`STACK_PER_MEMORY_BYTE`] per
    /// byte of the memory limit, so that the deepest value a script can build is dropped
    /// without overflowing it.
    pub fn script_stack_bytes(&self) -> usize {
        SCRIPT_STACK_BYTES + STACK_PER_MEMORY_BYTE * self.effective_max_memory()
    }

    /// The call depth given to Rhai: the configured one, capped at [`CALL_DEPTH_CEILING`].
    pub fn effective_call_depth(&self) -> usize {
        self.max_call_depth.clamp(1, CALL_DEPTH_CEILING)
    }
}

/// Durations as text (`"30s"`, `"500ms"`) in config files and JSON.
pub mod duration_text {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `d` as text (`30s`).
    pub fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&humantime::format_duration(*d).to_string())
    }

    /// Reads a duration written as text (`30s`, `500ms`, `2m`).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let text = String::deserialize(d)?;
        crate::config::parse_duration(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_deserialize_from_a_partial_table() {
        let limits: Limits = toml::from_str("max_operations = 5\ntimeout = \"250ms\"").unwrap();
        assert_eq!(limits.max_operations, 5);
        assert_eq!(limits.timeout, Duration::from_millis(250));
        assert_eq!(limits.max_tool_calls, Limits::default().max_tool_calls);
        let err = toml::from_str::<Limits>("max_operatoins = 5").unwrap_err();
        assert!(err.to_string().contains("max_operatoins"), "{err}");
    }

    #[test]
    fn overrides_use_the_table_keys() {
        let pairs = ["timeout=5s".to_string(), "max_memory = 1_000".to_string()];
        let l = Limits::default().with_overrides(&pairs).unwrap();
        assert_eq!(l.timeout, Duration::from_secs(5));
        assert_eq!(l.max_memory, 1000);
        let err = Limits::default()
            .with_overrides(&["max_memroy=1".to_string()])
            .unwrap_err();
        assert!(err.to_string().contains("max_memroy"), "{err}");
        assert!(Limits::default().with_overrides(&["oops".into()]).is_err());
    }

    #[test]
    fn keys_are_the_config_keys() {
        let value = serde_json::to_value(Limits::default()).unwrap();
        let fields: std::collections::BTreeSet<&str> = value
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let keys: std::collections::BTreeSet<&str> = Limits::KEYS.into_iter().collect();
        assert_eq!(fields, keys);
        let entries = Limits::default().entries();
        assert_eq!(entries[0], ("max_operations", "10000000".to_string()));
        assert!(entries.contains(&("max_string_size", "1 MiB".to_string())));
        assert!(entries.contains(&("max_source_bytes", "256 KiB".to_string())));
        assert!(entries.contains(&("timeout", "30s".to_string())));
        assert!(entries.contains(&("max_parallel", "8".to_string())));
        assert!(entries.iter().all(|(_, v)| v != "-"), "{entries:?}");
    }

    #[test]
    fn call_depth_is_capped() {
        let limits = Limits {
            max_call_depth: 1000,
            ..Limits::default()
        };
        assert_eq!(limits.effective_call_depth(), CALL_DEPTH_CEILING);
        assert_eq!(limits.describe("max_call_depth"), "64");
    }
}
