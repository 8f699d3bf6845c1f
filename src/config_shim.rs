// TEMPORARY shim until the real config module lands.
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;
#[derive(Clone, Debug)]
pub enum HttpKind {
    StreamableHttp,
    Sse,
}
#[derive(Clone, Debug)]
pub enum TransportConfig {
    Stdio {
        command: String,
        args: Vec<String>,
        env: BTreeMap<String, String>,
        cwd: Option<PathBuf>,
    },
    Http {
        url: String,
        headers: BTreeMap<String, String>,
        kind: HttpKind,
    },
}
#[derive(Clone, Debug)]
pub struct ServerConfig {
    pub name: String,
    pub transport: TransportConfig,
    pub inherit_env: bool,
    pub timeout: Option<Duration>,
    pub connect_timeout: Option<Duration>,
}
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut s = text.to_string();
    for x in secrets {
        if !x.is_empty() {
            s = s.replace(x, "«redacted»");
        }
    }
    s
}
pub enum ConfigSource {
    File(PathBuf),
    Embedded,
}
pub struct Config {
    pub servers: Vec<ServerConfig>,
    pub source: ConfigSource,
    pub warnings: Vec<String>,
}
#[derive(Debug)]
pub struct ConfigError;
impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("x")
    }
}
impl Config {
    pub fn discover(_p: Option<&std::path::Path>) -> Result<Config, ConfigError> {
        Ok(Config {
            servers: vec![],
            source: ConfigSource::Embedded,
            warnings: vec![],
        })
    }
    pub fn secrets(&self) -> Vec<String> {
        vec![]
    }
}
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| e.to_string())
}
