//! Streamable HTTP transport construction (headers from config reach every request).

use std::collections::{BTreeMap, HashMap};

use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;

/// Builds the transport for `url` with the configured headers. An `Authorization: Bearer`
/// header is passed through rmcp's auth slot; the others as custom headers.
pub fn transport(
    url: &str,
    headers: &BTreeMap<String, String>,
) -> Result<StreamableHttpClientTransport<reqwest::Client>, String> {
    ensure_crypto_provider();
    Ok(StreamableHttpClientTransport::from_config(config(
        url, headers,
    )?))
}

/// Whether the config gives an `Authorization` header (then OAuth is not used).
pub fn has_authorization(headers: &BTreeMap<String, String>) -> bool {
    headers
        .keys()
        .any(|name| name.eq_ignore_ascii_case("authorization"))
}

/// The transport config for `url` with the configured headers.
pub fn config(
    url: &str,
    headers: &BTreeMap<String, String>,
) -> Result<StreamableHttpClientTransportConfig, String> {
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_string());
    let mut custom = HashMap::new();
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("authorization")
            && let Some(token) = value
                .strip_prefix("Bearer ")
                .or_else(|| value.strip_prefix("bearer "))
        {
            config = config.auth_header(token.to_string());
            continue;
        }
        let header = http::HeaderName::try_from(name.as_str())
            .map_err(|_| format!("invalid HTTP header name `{name}` in config"))?;
        let value = http::HeaderValue::try_from(value.as_str())
            .map_err(|_| format!("invalid value for HTTP header `{name}` in config"))?;
        custom.insert(header, value);
    }
    Ok(config.custom_headers(custom))
}

/// Installs rustls' `ring` provider once (we build reqwest without a default provider to
/// avoid the C/cmake build of aws-lc). Every reqwest client needs it first (`llm` too).
pub fn ensure_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
