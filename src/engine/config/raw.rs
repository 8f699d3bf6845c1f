//! The file formats as serde sees them, before validation.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor};

/// The `extra` tables kept raw for later use.
pub(crate) const EXTRA_TABLES: [&str; 6] = ["limits", "policy", "audit", "tui", "llm", "serve"];

/// Every field a server entry may have (for "did you mean" suggestions).
pub(crate) const SERVER_FIELDS: [&str; 14] = [
    "command",
    "args",
    "env",
    "cwd",
    "url",
    "headers",
    "type",
    "disabled",
    "inherit_env",
    "timeout",
    "connect_timeout",
    "roots",
    "capabilities",
    "oauth",
];

/// One server entry, in any of the three formats.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(expecting = "a server object with `command` or `url`")]
pub(crate) struct RawServer {
    pub command: Option<String>,
    pub args: Option<Vec<String>>,
    pub env: Option<BTreeMap<String, String>>,
    pub cwd: Option<String>,
    pub url: Option<String>,
    pub headers: Option<BTreeMap<String, String>>,
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub disabled: Option<bool>,
    pub inherit_env: Option<bool>,
    pub timeout: Option<DurationText>,
    pub connect_timeout: Option<DurationText>,
    pub roots: Option<Vec<String>>,
    pub capabilities: Option<RawCapabilities>,
    pub oauth: Option<RawOAuth>,
}

/// `oauth = { client_id = "...", client_secret = "${VAR}", scopes = [...], ... }`: how to
/// authorize with a protected HTTP server.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawOAuth {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub client_metadata_url: Option<String>,
    pub client_name: Option<String>,
    pub redirect_port: Option<u16>,
    pub grant: Option<String>,
    pub private_key_path: Option<String>,
    pub private_key_env: Option<String>,
    pub signing_algorithm: Option<String>,
}

/// `capabilities = { roots = true, elicitation = true }`: what we declare to one server.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCapabilities {
    pub roots: Option<bool>,
    pub elicitation: Option<bool>,
    pub sampling: Option<bool>,
}

/// The `mcpServers` / VS Code `servers` JSON file.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a JSON object with an `mcpServers` (or `servers`) object")]
pub(crate) struct RawJson {
    #[serde(rename = "mcpServers")]
    pub mcp_servers: Option<OrderedMap<RawServer>>,
    pub servers: Option<OrderedMap<RawServer>>,
    /// VS Code's prompted inputs: accepted and ignored without a warning.
    #[allow(dead_code)]
    pub inputs: Option<serde_json::Value>,
    /// A JSON schema reference: accepted and ignored without a warning.
    #[serde(rename = "$schema")]
    #[allow(dead_code)]
    pub schema: Option<serde_json::Value>,
    pub limits: Option<serde_json::Map<String, serde_json::Value>>,
    pub policy: Option<serde_json::Map<String, serde_json::Value>>,
    pub audit: Option<serde_json::Map<String, serde_json::Value>>,
    pub tui: Option<serde_json::Map<String, serde_json::Value>>,
    pub llm: Option<serde_json::Map<String, serde_json::Value>>,
    pub serve: Option<serde_json::Map<String, serde_json::Value>>,
}

impl RawJson {
    /// The extra tables that are present, by name.
    pub(crate) fn take_extra(&mut self) -> serde_json::Map<String, serde_json::Value> {
        let tables = [
            ("limits", self.limits.take()),
            ("policy", self.policy.take()),
            ("audit", self.audit.take()),
            ("tui", self.tui.take()),
            ("llm", self.llm.take()),
            ("serve", self.serve.take()),
        ];
        tables
            .into_iter()
            .filter_map(|(name, table)| Some((name.to_string(), table?.into())))
            .collect()
    }
}

/// `codemode.toml`.
#[derive(Debug, Deserialize)]
#[serde(expecting = "a TOML document with `[servers.NAME]` tables")]
pub(crate) struct RawToml {
    pub servers: Option<OrderedMap<RawServer>>,
    pub limits: Option<toml::Table>,
    pub policy: Option<toml::Table>,
    pub audit: Option<toml::Table>,
    pub tui: Option<toml::Table>,
    pub llm: Option<toml::Table>,
    pub serve: Option<toml::Table>,
}

impl RawToml {
    /// The extra tables that are present, by name, converted to JSON values.
    pub(crate) fn take_extra(&mut self) -> serde_json::Map<String, serde_json::Value> {
        let tables = [
            ("limits", self.limits.take()),
            ("policy", self.policy.take()),
            ("audit", self.audit.take()),
            ("tui", self.tui.take()),
            ("llm", self.llm.take()),
            ("serve", self.serve.take()),
        ];
        tables
            .into_iter()
            .filter_map(|(name, table)| {
                Some((name.to_string(), toml_to_json(toml::Value::Table(table?))))
            })
            .collect()
    }
}

/// A TOML value as JSON: datetimes become strings, non-finite floats null.
pub(crate) fn toml_to_json(value: toml::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match value {
        toml::Value::String(s) => J::String(s),
        toml::Value::Integer(i) => J::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(J::Null, J::Number),
        toml::Value::Boolean(b) => J::Bool(b),
        toml::Value::Datetime(d) => J::String(d.to_string()),
        toml::Value::Array(items) => J::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => J::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

/// A map that keeps the order in which the deserializer yields its entries
/// and rejects duplicate keys.
#[derive(Debug)]
pub(crate) struct OrderedMap<V>(pub Vec<(String, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = OrderedMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object mapping server names to server definitions")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries: Vec<(String, V)> = Vec::new();
                while let Some(key) = map.next_key::<String>()? {
                    if entries.iter().any(|(k, _)| *k == key) {
                        return Err(de::Error::custom(format!("duplicate server name `{key}`")));
                    }
                    let value = map.next_value()?;
                    entries.push((key, value));
                }
                Ok(OrderedMap(entries))
            }
        }

        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

/// A duration as written in the file: a string such as `"30s"`, or (for
/// compatibility with JSON configs of other clients) a bare number of
/// seconds, kept as `"<n>s"`.
#[derive(Debug, Clone, PartialEq, schemars::JsonSchema)]
#[schemars(
    with = "String",
    description = "a duration such as \"30s\", \"500ms\" or \"2m\" (JSON: also a number of seconds)"
)]
pub(crate) struct DurationText(pub String);

impl<'de> Deserialize<'de> for DurationText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct DurationVisitor;

        impl Visitor<'_> for DurationVisitor {
            type Value = DurationText;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as \"30s\", \"500ms\" or \"2m\"")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(DurationText(v.to_string()))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(DurationText(format!("{v}s")))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(DurationText(format!("{v}s")))
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(DurationText(format!("{v}s")))
            }
        }

        deserializer.deserialize_any(DurationVisitor)
    }
}
