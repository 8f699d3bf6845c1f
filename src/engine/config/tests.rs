//! Tests of discovery, expansion, secrets and redaction at the config level.

use std::fs;

use super::tests_formats::{env, json, toml};
use super::*;

const TOML_A: &str = "[servers.from_toml]\ncommand = \"a\"\n";
const JSON_B: &str = r#"{"mcpServers": {"from_mcp_json": {"command": "b"}}}"#;
const TOML_C: &str = "[servers.from_config_dir]\ncommand = \"c\"\n";

/// A working directory and a user config directory, both empty.
fn dirs() -> (tempfile::TempDir, tempfile::TempDir) {
    (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap())
}

fn names(config: &Config) -> Vec<&str> {
    config.servers.iter().map(|s| s.name.as_str()).collect()
}

#[test]
fn discovery_order() {
    let (cwd, cfg) = dirs();
    let user_file = cfg.path().join("codemode").join("codemode.toml");
    let discover = || Config::discover_in(None, cwd.path(), Some(cfg.path())).unwrap();

    let config = discover();
    assert_eq!(config.source, ConfigSource::Embedded);
    assert!(config.servers.is_empty() && config.warnings.is_empty());

    fs::create_dir(cfg.path().join("codemode")).unwrap();
    fs::write(&user_file, TOML_C).unwrap();
    let config = discover();
    assert_eq!(config.source, ConfigSource::File(user_file.clone()));
    assert_eq!(names(&config), ["from_config_dir"]);

    fs::write(cwd.path().join(".mcp.json"), JSON_B).unwrap();
    let config = discover();
    assert_eq!(
        config.source,
        ConfigSource::File(cwd.path().join(".mcp.json"))
    );
    assert_eq!(names(&config), ["from_mcp_json"]);

    fs::write(cwd.path().join("codemode.toml"), TOML_A).unwrap();
    let config = discover();
    assert_eq!(
        config.source,
        ConfigSource::File(cwd.path().join("codemode.toml"))
    );
    assert_eq!(names(&config), ["from_toml"]);

    // No user config directory at all.
    let (empty, _) = dirs();
    let config = Config::discover_in(None, empty.path(), None).unwrap();
    assert_eq!(config.source, ConfigSource::Embedded);
}

#[test]
fn explicit_path_wins_and_must_exist() {
    let (cwd, cfg) = dirs();
    fs::write(cwd.path().join("codemode.toml"), TOML_A).unwrap();
    fs::write(cwd.path().join("other.json"), JSON_B).unwrap();
    let config =
        Config::discover_in(Some(Path::new("other.json")), cwd.path(), Some(cfg.path())).unwrap();
    assert_eq!(
        names(&config),
        ["from_mcp_json"],
        "relative to cwd, JSON by extension"
    );

    let missing = cwd.path().join("nope.toml");
    let e = Config::discover_in(Some(&missing), cwd.path(), Some(cfg.path())).unwrap_err();
    assert_eq!(e.file, missing);
    assert_eq!(e.message, "config file not found");
    assert_eq!(
        e.to_string(),
        format!("{}: config file not found", missing.display())
    );
    let e = Config::load(&missing).unwrap_err();
    assert!(e.message.starts_with("cannot read config file"), "{e}");
}

#[test]
fn load_picks_the_format_by_extension_and_resolves_relative_cwd() {
    let dir = tempfile::tempdir().unwrap();
    let toml_path = dir.path().join("My.TOML");
    fs::write(
        &toml_path,
        "[servers.s]\ncommand = \"x\"\ncwd = \"sub/dir\"\n",
    )
    .unwrap();
    let config = Config::load(&toml_path).unwrap();
    match &config.servers[0].transport {
        TransportConfig::Stdio { cwd, .. } => {
            assert_eq!(cwd.as_deref(), Some(dir.path().join("sub/dir").as_path()));
        }
        other => panic!("{other:?}"),
    }
    let json_path = dir.path().join("claude_desktop_config.json");
    fs::write(
        &json_path,
        r#"{"mcpServers": {"s": {"command": "x", "cwd": "."}}}"#,
    )
    .unwrap();
    let config = Config::load(&json_path).unwrap();
    match &config.servers[0].transport {
        TransportConfig::Stdio { cwd, .. } => {
            assert_eq!(cwd.as_deref(), Some(dir.path().join(".").as_path()));
        }
        other => panic!("{other:?}"),
    }
    // A file name without a directory leaves a relative cwd as written.
    let config = Config::from_json_str_with_env(
        r#"{"mcpServers": {"s": {"command": "x", "cwd": "rel"}}}"#,
        Path::new(".mcp.json"),
        &env,
    )
    .unwrap();
    match &config.servers[0].transport {
        TransportConfig::Stdio { cwd, .. } => assert_eq!(cwd.as_deref(), Some(Path::new("rel"))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn expansion_in_every_expanded_field() {
    let text = r#"{"mcpServers": {
      "s": {"command": "${HOME}/bin/srv", "args": ["--home=${HOME}", "${NOPE:-fallback}", "$5"],
            "env": {"T": "${GITHUB_TOKEN}", "E": "${EMPTY:-dflt}"}, "cwd": "${env:HOME}/w"},
      "h": {"url": "https://${NOPE:-example.com}/mcp", "headers": {"X-Key": "${API_TOKEN}"}}
    }}"#;
    let config = json(text).unwrap();
    match &config.servers[0].transport {
        TransportConfig::Stdio {
            command,
            args,
            env,
            cwd,
        } => {
            assert_eq!(command, "/home/tester/bin/srv");
            assert_eq!(args, &["--home=/home/tester", "fallback", "$5"]);
            assert_eq!(env["T"], "ghp_plantedSecretValue0123456789abcdef");
            assert_eq!(env["E"], "dflt");
            assert_eq!(cwd.as_deref(), Some(Path::new("/home/tester/w")));
        }
        other => panic!("{other:?}"),
    }
    match &config.servers[1].transport {
        TransportConfig::Http { url, headers, .. } => {
            assert_eq!(url, "https://example.com/mcp");
            assert_eq!(headers["X-Key"], "tok-planted-9f8e7d6c");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unset_variable_is_an_error_naming_variable_field_and_position() {
    let text = "{\"mcpServers\": {\n  \"r\": {\n    \"url\": \"https://h\",\n    \"headers\": {\"Authorization\": \"Bearer ${MISSING_TOKEN}\"}\n  }\n}}";
    let e = json(text).unwrap_err();
    assert_eq!(e.message, "environment variable `MISSING_TOKEN` is not set");
    assert_eq!(
        e.field.as_deref(),
        Some("mcpServers.r.headers.Authorization")
    );
    assert_eq!((e.line, e.column), (Some(4), Some(17)));

    let e = toml("[servers.t]\ncommand = \"x\"\nargs = [\"${NOPE}\"]\n").unwrap_err();
    assert!(e.message.contains("`NOPE` is not set"), "{e}");
    assert_eq!(e.field.as_deref(), Some("servers.t.args"));
    assert_eq!(e.line, Some(3));

    // A disabled server is not expanded, so its variables need not be set.
    let config = json(r#"{"mcpServers": {"d": {"command": "${NOPE}", "disabled": true}}}"#);
    assert!(config.unwrap().servers.is_empty());
}

#[test]
fn secrets_are_env_and_header_values_longest_first() {
    let text = r#"{"mcpServers": {
      "a": {"command": "x", "env": {"TOKEN": "${GITHUB_TOKEN}", "TZ": "UTC", "EMPTY": "", "DUP": "tok-planted-9f8e7d6c"}},
      "b": {"url": "https://h", "headers": {"Authorization": "Bearer ${API_TOKEN}"}},
      "off": {"command": "x", "env": {"K": "disabled-secret-value"}, "disabled": true}
    }}"#;
    let config = json(text).unwrap();
    assert_eq!(
        config.secrets(),
        [
            "ghp_plantedSecretValue0123456789abcdef",
            "Bearer tok-planted-9f8e7d6c",
            "tok-planted-9f8e7d6c",
        ]
    );
}

#[test]
fn redaction_with_config_secrets_removes_every_planted_value() {
    let config = toml(
        "[servers.a]\ncommand = \"x\"\nenv = { K = \"${GITHUB_TOKEN}\", P = \"plain-password!\" }\n\
         [servers.b]\nurl = \"https://h\"\nheaders = { Authorization = \"Bearer ${API_TOKEN}\" }\n",
    )
    .unwrap();
    let secrets = config.secrets();
    let log = "spawn a with K=ghp_plantedSecretValue0123456789abcdef P=plain-password!; \
               POST https://h Authorization: Bearer tok-planted-9f8e7d6c; token tok-planted-9f8e7d6c";
    let out = redact(log, &secrets);
    for planted in ["ghp_planted", "plain-password!", "tok-planted-9f8e7d6c"] {
        assert!(!out.contains(planted), "{planted} left in {out}");
    }
    assert!(out.contains("Authorization: «redacted»") || out.contains("Bearer «redacted»"));
    assert_eq!(out.matches(REDACTED).count(), 4, "{out}");
}

#[test]
fn debug_output_never_shows_secret_values() {
    let config = json(
        r#"{"mcpServers": {
          "a": {"command": "srv", "args": ["--key", "sk-abcdefghijklmnop1234"], "env": {"API_KEY": "${GITHUB_TOKEN}"}},
          "b": {"url": "https://h/mcp?token=0123456789abcdef0123456789abcdef", "headers": {"Authorization": "Bearer ${API_TOKEN}"}}
        }, "llm": {"api_key": "llm-secret-in-extra"}}"#,
    )
    .unwrap();
    let debug = format!(
        "{config:?} {:?} {:#?}",
        config.servers[0], config.servers[1].transport
    );
    for planted in [
        "ghp_planted",
        "tok-planted",
        "sk-abcdefghijklmnop1234",
        "0123456789abcdef0123456789abcdef",
        "llm-secret-in-extra",
    ] {
        assert!(!debug.contains(planted), "{planted} in {debug}");
    }
    // Keys and non-secret parts stay visible.
    for visible in [
        "API_KEY",
        "Authorization",
        "srv",
        "--key",
        "https://h/mcp?token=",
        "llm",
    ] {
        assert!(debug.contains(visible), "{visible} missing from {debug}");
    }
    assert!(debug.contains(r#""API_KEY": «redacted»"#), "{debug}");
}

#[test]
fn server_lookup_by_name() {
    let config = toml(TOML_A).unwrap();
    assert_eq!(config.server("from_toml").unwrap().name, "from_toml");
    assert!(config.server("nope").is_none());
}

#[test]
fn invalid_entries_are_errors_naming_the_server() {
    let cases = [
        (
            r#"{"mcpServers": {"a": {"args": ["x"]}}}"#,
            "neither `command`",
            "mcpServers.a",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "url": "http://h"}}}"#,
            "both",
            "mcpServers.a",
        ),
        (
            r#"{"mcpServers": {"": {"command": "x"}}}"#,
            "empty server name",
            "mcpServers.",
        ),
        (
            r#"{"mcpServers": {"a": {"url": "ftp://h"}}}"#,
            "http:// or https://",
            "mcpServers.a.url",
        ),
        (
            r#"{"mcpServers": {"a": {"command": ""}}}"#,
            "empty `command`",
            "mcpServers.a.command",
        ),
        (
            r#"{"mcpServers": {"a": {"type": "stdio", "url": "http://h"}}}"#,
            "type `stdio`",
            "mcpServers.a.type",
        ),
        (
            r#"{"mcpServers": {"a": {"type": "sse", "command": "x"}}}"#,
            "type `sse`",
            "mcpServers.a.type",
        ),
        (
            r#"{"mcpServers": {"a": {"type": "ws", "url": "http://h"}}}"#,
            "unknown transport type `ws`",
            "mcpServers.a.type",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x", "timeout": "5x"}}}"#,
            "invalid duration \"5x\": use e.g. 500ms, 5s, 2m",
            "mcpServers.a.timeout",
        ),
        (
            r#"{"mcpServers": {"a": {"command": "x"}, "a": {"command": "y"}}}"#,
            "duplicate server name `a`",
            "mcpServers",
        ),
    ];
    for (text, message, field) in cases {
        let e = json(text).unwrap_err();
        assert!(e.message.contains(message), "{text}: {e}");
        assert_eq!(e.field.as_deref(), Some(field), "{text}: {e}");
        assert_eq!(e.line, Some(1), "{text}: {e}");
    }
    let e = toml("[servers.a]\nargs = []\n").unwrap_err();
    assert_eq!(
        e.to_string(),
        "/etc/cm/codemode.toml:1:10: server `a` has neither `command` (stdio) nor `url` (HTTP) (field `servers.a`)"
    );
}

#[test]
fn json_without_servers_object() {
    for text in [r#"{"other": 1}"#, "{}", r#"{"mcpServers": null}"#] {
        let e = json(text).unwrap_err();
        assert_eq!(
            e.message, "no `mcpServers` (or `servers`) object found",
            "{text}"
        );
    }
    let e = json(r#""just a string""#).unwrap_err();
    assert!(e.message.contains("`mcpServers`"), "{e}");
}

#[test]
fn both_roots_use_mcp_servers_and_warn() {
    let config = json(r#"{"mcpServers": {"a": {"command": "x"}}, "servers": {"b": {"command": "y", "bogus": 1}}}"#).unwrap();
    assert_eq!(config.servers.len(), 1);
    assert_eq!(config.servers[0].name, "a");
    assert_eq!(config.warnings.len(), 1, "{:?}", config.warnings);
    assert!(config.warnings[0].message.contains("`servers` is ignored"));
}
