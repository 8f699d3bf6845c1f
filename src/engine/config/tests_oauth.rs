//! The per-server `oauth` table.

use super::tests_formats::{json, toml};

#[test]
fn oauth_table_is_expanded_and_its_secret_is_a_secret() {
    let config = toml(
        "[servers.p]\nurl = \"https://h/mcp\"\n\
         oauth = { client_id = \"cli-1\", client_secret = \"${API_TOKEN}\", \
         scopes = [\"read\", \"write\"], client_metadata_url = \"https://me.example/c.json\", \
         client_name = \"mine\", redirect_port = 8765 }\n",
    )
    .unwrap();
    let oauth = &config.servers[0].oauth;
    assert_eq!(oauth.client_id.as_deref(), Some("cli-1"));
    assert_eq!(oauth.client_secret.as_deref(), Some("tok-planted-9f8e7d6c"));
    assert_eq!(oauth.scopes, ["read", "write"]);
    assert_eq!(
        oauth.client_metadata_url.as_deref(),
        Some("https://me.example/c.json")
    );
    assert_eq!(oauth.client_name.as_deref(), Some("mine"));
    assert_eq!(oauth.redirect_port, Some(8765));
    assert!(
        config
            .secrets()
            .contains(&"tok-planted-9f8e7d6c".to_string())
    );
    let debug = format!("{config:?}");
    assert!(!debug.contains("tok-planted-9f8e7d6c"), "{debug}");
    assert!(debug.contains("cli-1"), "{debug}");
    assert!(config.warnings.is_empty());
}

#[test]
fn oauth_mistakes_are_clear() {
    let err =
        json(r#"{"mcpServers": {"p": {"url": "https://h", "oauth": {"client_secret": "s"}}}}"#)
            .unwrap_err();
    assert!(
        err.to_string()
            .contains("`oauth.client_secret` needs `oauth.client_id`"),
        "{err}"
    );
    let err = json(
        r#"{"mcpServers": {"p": {"url": "https://h", "oauth": {"client_metadata_url": "http://x/c"}}}}"#,
    )
    .unwrap_err();
    assert!(err.to_string().contains("must be an https:// URL"), "{err}");
    let err = json(r#"{"mcpServers": {"p": {"url": "https://h", "oauth": {"clientid": "x"}}}}"#)
        .unwrap_err();
    assert!(
        err.to_string().contains("unknown field `clientid`"),
        "{err}"
    );
    // On a stdio server it does nothing: a warning.
    let config =
        json(r#"{"mcpServers": {"s": {"command": "x", "oauth": {"client_id": "a"}}}}"#).unwrap();
    assert_eq!(
        config.warnings[0].message,
        "`oauth` has no effect on stdio server `s` (ignored)"
    );
    assert_eq!(config.servers[0].oauth, super::OAuthConfig::default());
}

/// A PKCS#8 PEM (a P-256 key made for these tests; it signs nothing anywhere).
const PEM: &str = "-----BEGIN PRIVATE KEY-----\n\
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgX98HR6GKmXqjCwpb\n\
+77bJexyIqgo9s6o5Hw17Xmxej+hRANCAAQpJ/hU/FaQPKfmBuD084XA2LmxSPae\n\
g3dcxHO5Do/FS5ODDiy3zyNzjBQZ8XJrftMnBeGy8Phmt3OseSYImbjK\n\
-----END PRIVATE KEY-----\n";

#[test]
fn client_credentials_with_a_secret_or_a_private_key_file() {
    let config = toml(
        "[servers.p]\nurl = \"https://h/mcp\"\n\
         oauth = { grant = \"client_credentials\", client_id = \"ci-bot\", \
         client_secret = \"${API_TOKEN}\" }\n",
    )
    .unwrap();
    let oauth = &config.servers[0].oauth;
    assert_eq!(oauth.grant, super::OAuthGrant::ClientCredentials);
    assert_eq!(oauth.client_secret.as_deref(), Some("tok-planted-9f8e7d6c"));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bot.pem"), PEM).unwrap();
    let text = "[servers.p]\nurl = \"https://h/mcp\"\n\
                oauth = { grant = \"client_credentials\", client_id = \"ci-bot\", \
                private_key_path = \"bot.pem\", signing_algorithm = \"ES256\" }\n";
    // A relative key path is relative to the config file.
    let config = super::Config::from_toml_str_with_env(
        text,
        &dir.path().join("codemode.toml"),
        &super::tests_formats::env,
    )
    .unwrap();
    let oauth = &config.servers[0].oauth;
    assert_eq!(oauth.private_key.as_deref(), Some(PEM));
    assert_eq!(oauth.signing_algorithm.as_deref(), Some("ES256"));
    // The key is a secret: the whole PEM and each of its lines are redacted, and it is
    // never shown by Debug.
    let secrets = config.secrets();
    assert!(secrets.contains(&PEM.to_string()));
    assert!(
        secrets
            .iter()
            .any(|s| s.starts_with("MIGHAgEAMBMGByqGSM49"))
    );
    let debug = format!("{config:?}");
    assert!(!debug.contains("MIGHAgEAMBMGByqGSM49"), "{debug}");
}

#[test]
fn client_credentials_mistakes_name_the_field_and_line() {
    let at = |oauth: &str| {
        let text = format!("[servers.p]\nurl = \"https://h/mcp\"\noauth = {{ {oauth} }}\n");
        toml(&text).unwrap_err().to_string()
    };
    let cases = [
        ("grant = \"password\"", "unknown `oauth.grant` `password`"),
        (
            "grant = \"client_credentials\", client_secret = \"s\"",
            "`client_credentials` needs `oauth.client_id`",
        ),
        (
            "grant = \"client_credentials\", client_id = \"c\"",
            "`client_credentials` needs `oauth.client_secret`, or a private key",
        ),
        (
            "grant = \"client_credentials\", client_id = \"c\", private_key_env = \"NOPE\"",
            "the variable `NOPE` (`oauth.private_key_env`) is not set",
        ),
        (
            "grant = \"client_credentials\", client_id = \"c\", private_key_env = \"HOME\"",
            "must be a PKCS#8 PEM",
        ),
        (
            "client_id = \"c\", private_key_path = \"/nonexistent/k.pem\"",
            "cannot read the private key /nonexistent/k.pem",
        ),
        (
            "client_id = \"c\", private_key_path = \"a\", private_key_env = \"b\"",
            "not both",
        ),
        (
            "grant = \"client_credentials\", client_id = \"c\", client_secret = \"s\", \
             signing_algorithm = \"HS256\"",
            "unknown `oauth.signing_algorithm` `HS256` (ES256, ES384, RS256)",
        ),
    ];
    for (oauth, want) in cases {
        let err = at(oauth);
        assert!(err.contains(want), "{oauth}: {err}");
        assert!(err.contains("codemode.toml:3:"), "{oauth}: {err}");
    }
}
