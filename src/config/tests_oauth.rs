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
