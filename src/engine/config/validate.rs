//! From raw entries to validated [`ServerConfig`]s: transport selection,
//! variable expansion, duration parsing, path resolution, warnings.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::error::{ConfigError, ConfigWarning, line_col};
use super::expand::expand;
use super::locate::KeyIndex;
use super::raw::{DurationText, RawServer, SERVER_FIELDS};
use super::{HttpKind, ServerConfig, TransportConfig, parse_duration};

/// A variable lookup: the process environment, or a test's map.
pub(crate) type Lookup<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What is needed to turn raw entries of one file into server configs.
pub(crate) struct Ctx<'a> {
    pub file: &'a Path,
    pub text: &'a str,
    pub index: &'a KeyIndex,
    /// `mcpServers` or `servers`: the first segment of field paths.
    pub root: &'a str,
    pub lookup: Lookup<'a>,
}

impl Ctx<'_> {
    /// Line and column of the key at `path`, or of its closest located parent.
    pub(crate) fn pos(&self, path: &[&str]) -> Option<(usize, usize)> {
        (1..=path.len())
            .rev()
            .find_map(|n| self.index.key_offset(&path[..n]))
            .map(|offset| line_col(self.text, offset))
    }

    pub(crate) fn error(&self, path: &[&str], message: String) -> ConfigError {
        ConfigError::new(self.file, message)
            .at(self.pos(path))
            .field(path.join("."))
    }

    pub(crate) fn warning(&self, path: &[&str], message: String) -> ConfigWarning {
        let (line, column) = self.pos(path).unzip();
        ConfigWarning {
            file: self.file.to_path_buf(),
            line,
            column,
            message,
        }
    }

    /// A variable lookup that also knows VS Code's `${workspaceFolder}` (the
    /// folder holding the config, or its parent for `.vscode/mcp.json`) and
    /// `${userHome}`, when the environment does not define them.
    fn lookup(&self, name: &str) -> Option<String> {
        (self.lookup)(name).or_else(|| match name {
            "workspaceFolder" => {
                let dir = self.file.parent()?;
                let dir = match dir.file_name() {
                    Some(n) if n == ".vscode" => dir.parent()?,
                    _ => dir,
                };
                Some(dir.to_string_lossy().into_owned())
            }
            "userHome" => dirs::home_dir().map(|h| h.to_string_lossy().into_owned()),
            _ => None,
        })
    }

    pub(super) fn expand(&self, value: &str, path: &[&str]) -> Result<String, ConfigError> {
        expand(value, &|name| self.lookup(name)).map_err(|message| self.error(path, message))
    }

    fn expand_map(
        &self,
        map: BTreeMap<String, String>,
        path: &[&str],
    ) -> Result<BTreeMap<String, String>, ConfigError> {
        map.into_iter()
            .map(|(key, value)| {
                let mut field = path.to_vec();
                field.push(&key);
                let value = self.expand(&value, &field)?;
                Ok((key, value))
            })
            .collect()
    }

    fn duration(
        &self,
        value: Option<DurationText>,
        path: &[&str],
    ) -> Result<Option<Duration>, ConfigError> {
        value
            .map(|DurationText(text)| {
                parse_duration(&text).map_err(|m| self.error(path, m.to_string()))
            })
            .transpose()
    }

    /// Validates one entry; `None` for a disabled one.
    pub(crate) fn server(
        &self,
        name: &str,
        raw: RawServer,
        warnings: &mut Vec<ConfigWarning>,
    ) -> Result<Option<ServerConfig>, ConfigError> {
        let base = [self.root, name];
        let at = |field: &'static str| [self.root, name, field];
        if name.trim().is_empty() {
            return Err(self.error(&base, "empty server name".into()));
        }
        if raw.disabled == Some(true) {
            return Ok(None);
        }
        let kind = match raw.kind.as_deref() {
            None => None,
            Some(kind) => Some(transport_kind(kind).ok_or_else(|| {
                self.error(
                    &at("type"),
                    format!(
                        "unknown transport type `{kind}`: expected stdio, http, \
                         streamable-http or sse"
                    ),
                )
            })?),
        };
        let transport = match (raw.command, raw.url) {
            (Some(_), Some(_)) => {
                return Err(self.error(
                    &base,
                    format!("server `{name}` has both `command` and `url`: use one"),
                ));
            }
            (None, None) => {
                return Err(self.error(
                    &base,
                    format!("server `{name}` has neither `command` (stdio) nor `url` (HTTP)"),
                ));
            }
            (Some(command), None) => {
                if let Some(Some(kind)) = kind {
                    let kind = kind_name(kind);
                    return Err(self.error(
                        &at("type"),
                        format!("server `{name}` has type `{kind}` but a `command`, not a `url`"),
                    ));
                }
                let command = self.expand(&command, &at("command"))?;
                if command.trim().is_empty() {
                    return Err(self.error(&at("command"), "empty `command`".into()));
                }
                let args = raw
                    .args
                    .unwrap_or_default()
                    .iter()
                    .map(|arg| self.expand(arg, &at("args")))
                    .collect::<Result<_, _>>()?;
                let env = self.expand_map(raw.env.unwrap_or_default(), &at("env"))?;
                let cwd = match raw.cwd {
                    Some(cwd) => Some(self.resolve(self.expand(&cwd, &at("cwd"))?)),
                    None => None,
                };
                if raw.headers.is_some() {
                    warnings.push(self.ignored(name, "headers", "stdio"));
                }
                TransportConfig::Stdio {
                    command,
                    args,
                    env,
                    cwd,
                }
            }
            (None, Some(url)) => {
                if let Some(None) = kind {
                    return Err(self.error(
                        &at("type"),
                        format!("server `{name}` has type `stdio` but a `url`, not a `command`"),
                    ));
                }
                let url = self.expand(&url, &at("url"))?;
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                    return Err(self.error(
                        &at("url"),
                        "`url` must start with http:// or https://".into(),
                    ));
                }
                let headers = self.expand_map(raw.headers.unwrap_or_default(), &at("headers"))?;
                for (field, present) in [
                    ("args", raw.args.is_some()),
                    ("env", raw.env.is_some()),
                    ("cwd", raw.cwd.is_some()),
                ] {
                    if present {
                        warnings.push(self.ignored(name, field, "HTTP"));
                    }
                }
                TransportConfig::Http {
                    url,
                    headers,
                    kind: kind.flatten().unwrap_or(HttpKind::StreamableHttp),
                }
            }
        };
        let caps = raw.capabilities.unwrap_or_default();
        let roots = match raw.roots {
            None => None,
            Some(list) => Some(
                list.iter()
                    .map(|r| Ok(self.resolve(self.expand(r, &at("roots"))?)))
                    .collect::<Result<Vec<_>, ConfigError>>()?,
            ),
        };
        let oauth = self.oauth(name, raw.oauth, &transport, warnings)?;
        Ok(Some(ServerConfig {
            name: name.to_string(),
            transport,
            inherit_env: raw.inherit_env.unwrap_or(false),
            timeout: self.duration(raw.timeout, &at("timeout"))?,
            connect_timeout: self.duration(raw.connect_timeout, &at("connect_timeout"))?,
            roots,
            declare_roots: caps.roots.unwrap_or(true),
            declare_elicitation: caps.elicitation.unwrap_or(true),
            oauth,
            declare_sampling: caps.sampling.unwrap_or(false),
        }))
    }

    /// A relative `cwd` or root is relative to the directory of the config file.
    pub(super) fn resolve(&self, cwd: String) -> PathBuf {
        let cwd = PathBuf::from(cwd);
        match self.file.parent() {
            Some(dir) if cwd.is_relative() && !dir.as_os_str().is_empty() => dir.join(cwd),
            _ => cwd,
        }
    }

    pub(super) fn ignored(&self, name: &str, field: &str, transport: &str) -> ConfigWarning {
        self.warning(
            &[self.root, name, field],
            format!("`{field}` has no effect on {transport} server `{name}` (ignored)"),
        )
    }

    /// The warning for a field serde ignored, at `path` (segments).
    pub(crate) fn unknown_field(&self, path: &[String], top_level: &[&str]) -> ConfigWarning {
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let hint = |word: &str, known: &[&str]| {
            crate::util::closest(word, known.iter().copied())
                .map_or(String::new(), |c| format!("; did you mean `{c}`?"))
        };
        let message = match path.as_slice() {
            [field] => format!(
                "unknown top-level field `{field}` (ignored){}",
                hint(field, top_level)
            ),
            [_, server, field] => format!(
                "unknown field `{field}` in server `{server}` (ignored){}",
                hint(field, &SERVER_FIELDS)
            ),
            _ => format!("unknown field `{}` (ignored)", path.join(".")),
        };
        self.warning(&path, message)
    }
}

/// `Some(None)` for stdio, `Some(Some(kind))` for HTTP kinds, `None` if unknown.
fn transport_kind(kind: &str) -> Option<Option<HttpKind>> {
    let normalized: String = kind
        .chars()
        .filter(|c| !matches!(c, '-' | '_'))
        .collect::<String>()
        .to_ascii_lowercase();
    match normalized.as_str() {
        "stdio" => Some(None),
        "http" | "streamablehttp" => Some(Some(HttpKind::StreamableHttp)),
        "sse" => Some(Some(HttpKind::Sse)),
        _ => None,
    }
}

fn kind_name(kind: HttpKind) -> &'static str {
    match kind {
        HttpKind::StreamableHttp => "http",
        HttpKind::Sse => "sse",
    }
}

/// The segments of a `serde_ignored` path (map keys and sequence indices).
pub(crate) fn segments(path: &serde_ignored::Path<'_>) -> Vec<String> {
    use serde_ignored::Path;
    match path {
        Path::Root => Vec::new(),
        Path::Seq { parent, index } => {
            let mut v = segments(parent);
            v.push(index.to_string());
            v
        }
        Path::Map { parent, key } => {
            let mut v = segments(parent);
            v.push(key.clone());
            v
        }
        Path::Some { parent }
        | Path::NewtypeStruct { parent }
        | Path::NewtypeVariant { parent } => segments(parent),
    }
}
