//! Tests of the three formats: parsing, errors with positions, warnings.

use super::*;

pub(super) fn env(name: &str) -> Option<String> {
    match name {
        "GITHUB_TOKEN" => Some("ghp_plantedSecretValue0123456789abcdef".into()),
        "API_TOKEN" => Some("tok-planted-9f8e7d6c".into()),
        "HOME" => Some("/home/tester".into()),
        "EMPTY" => Some(String::new()),
        _ => None,
    }
}

pub(super) fn json(text: &str) -> Result<Config, ConfigError> {
    Config::from_json_str_with_env(text, Path::new("/etc/cm/servers.json"), &env)
}

pub(super) fn toml(text: &str) -> Result<Config, ConfigError> {
    Config::from_toml_str_with_env(text, Path::new("/etc/cm/codemode.toml"), &env)
}

fn stdio(server: &ServerConfig) -> (&str, &[String], &BTreeMap<String, String>, Option<&Path>) {
    match &server.transport {
        TransportConfig::Stdio {
            command,
            args,
            env,
            cwd,
        } => (command, args, env, cwd.as_deref()),
        other => panic!("not stdio: {other:?}"),
    }
}

fn http(server: &ServerConfig) -> (&str, &BTreeMap<String, String>, HttpKind) {
    match &server.transport {
        TransportConfig::Http { url, headers, kind } => (url, headers, *kind),
        other => panic!("not http: {other:?}"),
    }
}

const CLAUDE_DESKTOP: &str = r#"{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop", "/Users/me/Downloads"]
    },
    "github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_TOKEN}" }
    },
    "brave-search": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-brave-search"],
      "env": { "BRAVE_API_KEY": "BSA-literal-key-123" },
      "disabled": true
    },
    "remote": {
      "type": "sse",
      "url": "https://mcp.example.com/sse",
      "headers": { "Authorization": "Bearer ${API_TOKEN}" }
    }
  }
}"#;

#[test]
fn claude_desktop_file() {
    let config = json(CLAUDE_DESKTOP).unwrap();
    let names: Vec<&str> = config.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["filesystem", "github", "remote"],
        "file order, disabled skipped"
    );
    assert_eq!(
        config.source,
        ConfigSource::File("/etc/cm/servers.json".into())
    );
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    let (command, args, _, cwd) = stdio(&config.servers[0]);
    assert_eq!(command, "npx");
    assert_eq!(args.len(), 4);
    assert_eq!(args[1], "@modelcontextprotocol/server-filesystem");
    assert_eq!(cwd, None);
    let (_, _, env, _) = stdio(config.server("github").unwrap());
    assert_eq!(
        env["GITHUB_PERSONAL_ACCESS_TOKEN"],
        "ghp_plantedSecretValue0123456789abcdef"
    );
    let remote = config.server("remote").unwrap();
    let (url, headers, kind) = http(remote);
    assert_eq!(url, "https://mcp.example.com/sse");
    assert_eq!(kind, HttpKind::Sse);
    assert_eq!(headers["Authorization"], "Bearer tok-planted-9f8e7d6c");
    assert!(!remote.inherit_env);
    assert_eq!(remote.timeout, None);
    assert!(config.server("brave-search").is_none());
}

#[test]
fn vscode_file_with_inputs() {
    let text = r#"{
      "inputs": [
        {"type": "promptString", "id": "perplexity-key", "description": "Perplexity API Key", "password": true}
      ],
      "servers": {
        "Perplexity": {
          "type": "stdio",
          "command": "npx",
          "args": ["-y", "server-perplexity-ask"],
          "env": {"PERPLEXITY_API_KEY": "${env:API_TOKEN}"}
        },
        "fetch": {"type": "stdio", "command": "uvx", "args": ["mcp-server-fetch"], "cwd": "${workspaceFolder}/tools"},
        "github": {"type": "http", "url": "https://api.githubcopilot.com/mcp/"}
      }
    }"#;
    let file = Path::new("/proj/.vscode/mcp.json");
    let config = Config::from_json_str_with_env(text, file, &env).unwrap();
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    let names: Vec<&str> = config.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Perplexity", "fetch", "github"]);
    let (_, _, env, _) = stdio(&config.servers[0]);
    assert_eq!(env["PERPLEXITY_API_KEY"], "tok-planted-9f8e7d6c");
    let (_, _, _, cwd) = stdio(&config.servers[1]);
    assert_eq!(cwd, Some(Path::new("/proj/tools")));
    let (url, headers, kind) = http(&config.servers[2]);
    assert_eq!(url, "https://api.githubcopilot.com/mcp/");
    assert!(headers.is_empty());
    assert_eq!(kind, HttpKind::StreamableHttp);
}

const FULL_TOML: &str = r#"
# codemode.toml with every field
[servers.time]
command = "uvx"
args = ["mcp-server-time", "--local-timezone=${TZ_NAME:-UTC}"]
env = { TZ = "UTC", GITHUB_TOKEN = "${GITHUB_TOKEN}" }
cwd = "/tmp"
inherit_env = true
timeout = "30s"
connect_timeout = "1500ms"

[servers.remote]
url = "http://127.0.0.1:8080/mcp"
headers = { Authorization = "Bearer ${API_TOKEN}" }
timeout = "2m"

[servers.another]
command = "./bin/server"
cwd = "data"
disabled = false

[limits]
max_calls = 50
deadline = 1979-05-27T07:32:00Z

[policy]
allow = ["time.*"]

[llm]
model = "some-model"
"#;

#[test]
fn codemode_toml_with_all_fields() {
    let config = toml(FULL_TOML).unwrap();
    assert!(config.warnings.is_empty(), "{:?}", config.warnings);
    let names: Vec<&str> = config.servers.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        ["time", "remote", "another"],
        "file order, not sorted"
    );
    let time = &config.servers[0];
    let (command, args, env, cwd) = stdio(time);
    assert_eq!(command, "uvx");
    assert_eq!(args, ["mcp-server-time", "--local-timezone=UTC"]);
    assert_eq!(env["TZ"], "UTC");
    assert_eq!(
        env["GITHUB_TOKEN"],
        "ghp_plantedSecretValue0123456789abcdef"
    );
    assert_eq!(cwd, Some(Path::new("/tmp")));
    assert!(time.inherit_env);
    assert_eq!(time.timeout, Some(Duration::from_secs(30)));
    assert_eq!(time.connect_timeout, Some(Duration::from_millis(1500)));
    let remote = config.server("remote").unwrap();
    let (url, headers, kind) = http(remote);
    assert_eq!(url, "http://127.0.0.1:8080/mcp");
    assert_eq!(headers["Authorization"], "Bearer tok-planted-9f8e7d6c");
    assert_eq!(kind, HttpKind::StreamableHttp);
    assert_eq!(remote.timeout, Some(Duration::from_secs(120)));
    assert!(!remote.inherit_env);
    let (_, _, _, cwd) = stdio(config.server("another").unwrap());
    assert_eq!(
        cwd,
        Some(Path::new("/etc/cm/data")),
        "relative cwd: against the file's dir"
    );
    // The extra tables are kept raw, in the documented order.
    let keys: Vec<&str> = config.tables.names().collect();
    assert_eq!(keys, ["limits", "policy", "llm"]);
    assert_eq!(config.tables.get("limits").unwrap()["max_calls"], 50);
    assert_eq!(
        config.tables.get("limits").unwrap()["deadline"],
        "1979-05-27T07:32:00Z"
    );
    assert_eq!(config.tables.get("policy").unwrap()["allow"][0], "time.*");
}

#[test]
fn extra_tables_in_json_and_empty_toml() {
    let text =
        r#"{"$schema": "https://example.com/s.json", "mcpServers": {}, "tui": {"theme": "dark"}}"#;
    let config = json(text).unwrap();
    assert!(config.servers.is_empty());
    assert_eq!(config.tables.get("tui").unwrap()["theme"], "dark");
    assert!(config.warnings.is_empty());
    let config = toml("").unwrap();
    assert!(config.servers.is_empty() && config.tables.is_empty());
}

#[test]
fn per_server_options_in_json_and_numeric_timeouts() {
    let text = r#"{"mcpServers": {"a": {"command": "x", "inherit_env": true,
        "timeout": "5s", "connect_timeout": 20}}}"#;
    let a = &json(text).unwrap().servers[0];
    assert!(a.inherit_env);
    assert_eq!(a.timeout, Some(Duration::from_secs(5)));
    assert_eq!(a.connect_timeout, Some(Duration::from_secs(20)));
}

#[test]
fn malformed_json_reports_line_and_column() {
    let text = "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\",}\n  }\n}";
    let e = json(text).unwrap_err();
    // The column of the `}` after the trailing comma.
    assert_eq!((e.line, e.column), (Some(3), Some(26)), "{e}");
    assert_eq!(e.field, None);
    assert_eq!(e.file, Path::new("/etc/cm/servers.json"));
    assert!(e.message.contains("trailing comma"), "{e}");
    assert!(!e.message.contains("at line"), "position not repeated: {e}");
    assert!(
        e.to_string().starts_with("/etc/cm/servers.json:3:26: "),
        "{e}"
    );
}

#[test]
fn malformed_toml_reports_line_and_column() {
    let text = "[servers.a]\ncommand = \"x\"\nargs = [\"a\",\n\nbad\n";
    let e = toml(text).unwrap_err();
    // Where `bad` ends and a `]` or `,` was expected.
    assert_eq!((e.line, e.column), (Some(5), Some(4)), "{e}");
    assert!(e.message.contains("expected `]`"), "{e}");
    assert!(
        e.to_string().starts_with("/etc/cm/codemode.toml:5:4: "),
        "{e}"
    );
    let e = toml("[servers.a]\ncommand = \"x\"\ncommand = \"y\"\n").unwrap_err();
    assert_eq!(e.line, Some(3), "{e}");
    assert!(e.message.contains("duplicate"), "{e}");
}

#[test]
fn type_errors_name_the_field_path() {
    let text = "{\n  \"mcpServers\": {\n    \"time\": {\n      \"command\": \"uvx\",\n      \"args\": \"mcp-server-time\"\n    }\n  }\n}";
    let e = json(text).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("mcpServers.time.args"), "{e}");
    assert_eq!(
        (e.line, e.column),
        (Some(5), Some(15)),
        "start of the value: {e}"
    );
    assert!(e.message.contains("expected a sequence"), "{e}");
    assert!(
        e.to_string().ends_with(" (field `mcpServers.time.args`)"),
        "{e}"
    );

    let e = json(r#"{"servers": {"a": {"command": "x", "env": {"PORT": 8080}}}}"#).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("servers.a.env.PORT"), "{e}");
    assert_eq!((e.line, e.column), (Some(1), Some(52)), "{e}");

    let e = toml("[servers.t]\ncommand = \"x\"\nargs = \"y\"\n").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("servers.t.args"), "{e}");
    assert_eq!((e.line, e.column), (Some(3), Some(8)), "{e}");

    let e = toml("[servers.t]\ncommand = \"x\"\ninherit_env = \"yes\"\n").unwrap_err();
    assert_eq!(e.field.as_deref(), Some("servers.t.inherit_env"), "{e}");

    let e = json(r#"{"mcpServers": {"a": "npx"}}"#).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("mcpServers.a"), "{e}");
    assert!(e.message.contains("a server object"), "{e}");
}

#[test]
fn unknown_fields_are_warnings_with_suggestions() {
    let text = "{\n  \"mcpServers\": {\n    \"x\": {\n      \"comand\": \"npx\",\n      \"command\": \"npx\"\n    }\n  },\n  \"mcpServer\": {}\n}";
    let config = json(text).unwrap();
    assert_eq!(config.servers.len(), 1);
    let w: Vec<String> = config.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        w,
        [
            "/etc/cm/servers.json:4:7: warning: unknown field `comand` in server `x` (ignored); did you mean `command`?",
            "/etc/cm/servers.json:8:3: warning: unknown top-level field `mcpServer` (ignored); did you mean `mcpServers`?",
        ]
    );

    let config =
        toml("[servers.t]\nurl = \"https://h/mcp\"\nheader = {}\nxyzzy = 1\n[polcy]\n").unwrap();
    let w: Vec<String> = config.warnings.iter().map(|w| w.message.clone()).collect();
    assert_eq!(
        w,
        [
            "unknown field `header` in server `t` (ignored); did you mean `headers`?",
            "unknown field `xyzzy` in server `t` (ignored)",
            "unknown top-level field `polcy` (ignored); did you mean `policy`?",
        ]
    );
    assert_eq!(config.warnings[0].line, Some(3));
    assert_eq!(config.warnings[2].line, Some(5));
}

#[test]
fn fields_of_the_other_transport_are_warnings() {
    let config = json(
        r#"{"mcpServers": {"r": {"url": "https://h", "args": ["a"], "cwd": "/"},
        "s": {"command": "x", "headers": {"A": "b"}}}}"#,
    )
    .unwrap();
    let w: Vec<&str> = config.warnings.iter().map(|w| w.message.as_str()).collect();
    assert_eq!(
        w,
        [
            "`args` has no effect on HTTP server `r` (ignored)",
            "`cwd` has no effect on HTTP server `r` (ignored)",
            "`headers` has no effect on stdio server `s` (ignored)",
        ]
    );
}

#[test]
fn transport_type_spellings() {
    for (kind, expected) in [
        ("http", HttpKind::StreamableHttp),
        ("streamable-http", HttpKind::StreamableHttp),
        ("streamableHttp", HttpKind::StreamableHttp),
        ("SSE", HttpKind::Sse),
    ] {
        let text =
            format!(r#"{{"mcpServers": {{"a": {{"type": "{kind}", "url": "https://h"}}}}}}"#);
        assert_eq!(http(&json(&text).unwrap().servers[0]).2, expected, "{kind}");
    }
}

#[test]
fn roots_and_declared_capabilities_per_server() {
    let c = toml(
        "[servers.fs]\ncommand = \"x\"\nroots = [\"data\", \"/abs\"]\n\
         capabilities = { elicitation = false }\n[servers.plain]\ncommand = \"y\"\n",
    )
    .unwrap();
    let fs = &c.servers[0];
    let roots = fs.roots.as_ref().unwrap();
    assert!(
        roots[0].ends_with("data") && roots[0].is_absolute(),
        "{roots:?}"
    );
    assert_eq!(roots[1], std::path::PathBuf::from("/abs"));
    assert!(fs.declare_roots && !fs.declare_elicitation);
    let plain = &c.servers[1];
    assert!(plain.roots.is_none() && plain.declare_roots && plain.declare_elicitation);

    let e = toml("[servers.t]\ncommand = \"x\"\ncapabilities = { sampling = true }\n").unwrap_err();
    assert_eq!(
        e.field.as_deref(),
        Some("servers.t.capabilities.sampling"),
        "{e}"
    );
    assert!(
        e.message.contains("needs a model: add an [llm] table"),
        "{e}"
    );
    let c = toml(
        "[llm]\nprovider = \"openai\"\nmodel = \"m\"\n\
         [servers.t]\ncommand = \"x\"\ncapabilities = { sampling = true }\n",
    )
    .unwrap();
    assert!(c.servers[0].declare_sampling);
}
