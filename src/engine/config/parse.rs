//! Reading the JSON (`mcpServers` / VS Code `servers`) and TOML formats.

use std::path::Path;

use toml::de::DeTable;

use super::error::{ConfigError, ConfigWarning, line_col, offset_of};
use super::locate::KeyIndex;
use super::raw::{EXTRA_TABLES, OrderedMap, RawJson, RawServer, RawToml};
use super::validate::{Ctx, Lookup, segments};
use super::{Config, ConfigSource};

/// Parses the JSON formats.
pub(crate) fn parse_json(
    text: &str,
    file: &Path,
    lookup: Lookup<'_>,
) -> Result<Config, ConfigError> {
    let mut ignored: Vec<Vec<String>> = Vec::new();
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = serde_ignored::deserialize(&mut de, |path| ignored.push(segments(&path)))
        .and_then(|raw: RawJson| de.end().map(|()| raw));
    let mut raw = parsed.map_err(|e| json_error(text, file, &e))?;
    let index = KeyIndex::from_json(text);

    let mut warnings = Vec::new();
    let (root, servers) = match (raw.mcp_servers.take(), raw.servers.take()) {
        (Some(servers), other) => {
            if other.is_some() {
                let ctx = ctx(file, text, &index, "servers", lookup);
                warnings.push(ctx.warning(
                    &["servers"],
                    "`servers` is ignored because `mcpServers` is present".into(),
                ));
            }
            ("mcpServers", servers)
        }
        (None, Some(servers)) => ("servers", servers),
        (None, None) => {
            return Err(ConfigError::new(
                file,
                "no `mcpServers` (or `servers`) object found",
            ));
        }
    };
    let mut top_level = vec!["mcpServers", "servers", "inputs", "$schema"];
    top_level.extend(EXTRA_TABLES);
    let ctx = ctx(file, text, &index, root, lookup);
    let extra = raw.take_extra();
    finish(&ctx, servers, &ignored, &top_level, warnings, extra)
}

/// Parses `codemode.toml`.
pub(crate) fn parse_toml(
    text: &str,
    file: &Path,
    lookup: Lookup<'_>,
) -> Result<Config, ConfigError> {
    let doc = DeTable::parse(text).map_err(|e| toml_error(text, file, &e, None))?;
    let index = KeyIndex::from_toml(doc.get_ref());
    let mut ignored: Vec<Vec<String>> = Vec::new();
    let de = toml::de::Deserializer::from(doc);
    let mut raw: RawToml = serde_ignored::deserialize(de, |path| ignored.push(segments(&path)))
        .map_err(|e| toml_error(text, file, &e, Some(&index)))?;

    let mut servers = raw.servers.take().unwrap_or(OrderedMap(Vec::new()));
    // toml::Table is sorted by key (toml's `preserve_order` feature is off):
    // restore the file order from the key positions.
    servers
        .0
        .sort_by_key(|(name, _)| index.key_offset(&["servers", name.as_str()]));
    let mut top_level = vec!["servers"];
    top_level.extend(EXTRA_TABLES);
    let ctx = ctx(file, text, &index, "servers", lookup);
    let extra = raw.take_extra();
    finish(&ctx, servers, &ignored, &top_level, Vec::new(), extra)
}

fn ctx<'a>(
    file: &'a Path,
    text: &'a str,
    index: &'a KeyIndex,
    root: &'a str,
    lookup: Lookup<'a>,
) -> Ctx<'a> {
    Ctx {
        file,
        text,
        index,
        root,
        lookup,
    }
}

/// Validates the entries and assembles the config.
fn finish(
    ctx: &Ctx<'_>,
    servers: OrderedMap<RawServer>,
    ignored: &[Vec<String>],
    top_level: &[&str],
    mut warnings: Vec<ConfigWarning>,
    extra: serde_json::Map<String, serde_json::Value>,
) -> Result<Config, ConfigError> {
    for path in ignored {
        // With both `mcpServers` and `servers`, the unused one's contents
        // were already reported as a whole.
        if ctx.root == "mcpServers" && path.first().is_some_and(|p| p == "servers") {
            continue;
        }
        warnings.push(ctx.unknown_field(path, top_level));
    }
    let mut built = Vec::new();
    for (name, raw) in servers.0 {
        if let Some(server) = ctx.server(&name, raw, &mut warnings)? {
            built.push(server);
        }
    }
    // Sampling sends the server's messages to the configured model: without one there is
    // nothing to declare.
    if !extra.contains_key("llm")
        && let Some(s) = built.iter().find(|s| s.declare_sampling)
    {
        return Err(ctx.error(
            &[ctx.root, &s.name, "capabilities", "sampling"],
            "sampling needs a model: add an [llm] table (see `codemode ask`) or remove \
             `sampling = true`"
                .into(),
        ));
    }
    warnings.sort_by_key(|w| (w.line, w.column));
    Ok(Config {
        servers: built,
        source: ConfigSource::File(ctx.file.to_path_buf()),
        warnings,
        tables: super::Tables::new(extra, ctx.file.to_path_buf(), ctx.text, ctx.index.clone()),
    })
}

/// A `serde_json` error with its position in characters, without the
/// " at line L column C" suffix, and the field path for type errors.
fn json_error(text: &str, file: &Path, e: &serde_json::Error) -> ConfigError {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = full.strip_suffix(&suffix).unwrap_or(&full).to_string();
    let mut error = ConfigError::new(file, message);
    if e.line() > 0 {
        let mut offset = offset_of(text, e.line(), e.column());
        if e.classify() == serde_json::error::Category::Data {
            // A type error: name the field, point at the value's start.
            let index = KeyIndex::from_json(text);
            if let Some(path) = index.path_at(offset) {
                error = error.field(path.join("."));
            }
            offset = index.scalar_start_at(offset).unwrap_or(offset);
        }
        error = error.at(Some(line_col(text, offset)));
    }
    error
}

/// A toml error with its position and, when `index` is given, the field path.
fn toml_error(
    text: &str,
    file: &Path,
    e: &toml::de::Error,
    index: Option<&KeyIndex>,
) -> ConfigError {
    let mut error = ConfigError::new(file, e.message().trim_end().replace('\n', "; "));
    if let Some(span) = e.span() {
        error = error.at(Some(line_col(text, span.start)));
        if let Some(path) = index.and_then(|i| i.path_at(span.start)) {
            error = error.field(path.join("."));
        }
    }
    error
}
