//! OAuth 2.1 against the in-repo authorization server (`common/oauth_server/`): the real
//! binary (`codemode --oauth-auto-approve ...`) and the registry in-process with the
//! loopback redirect listener. Covers discovery variants, dynamic registration, client-ID
//! metadata documents, pre-registered clients with each token auth method, PKCE S256 and the
//! `resource` indicator (checked by the server), scope selection, step-up and its retry
//! limit, refresh from the token store (0600), and secrets kept out of every output.

use crate::cmd;
use crate::oauth_server;

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::sync::Arc;

use oauth_server::{AuthMethod, Discovery, OAuthServer, Options};
use serde_json::{Value, json};

const CLIENT_SECRET: &str = "planted-client-secret-4d7e1a";

/// What one run of the binary left.
struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

/// A temp dir holding a config with one protected server `prot` (its `oauth` table given).
struct Setup {
    dir: tempfile::TempDir,
    config: PathBuf,
}

impl Setup {
    fn new(server: &OAuthServer, oauth: Value) -> Setup {
        let dir = tempfile::tempdir().unwrap();
        let mut entry = json!({ "url": server.url });
        if !oauth.is_null() {
            entry["oauth"] = oauth;
        }
        let config = dir.path().join("mcp.json");
        let text = json!({ "mcpServers": { "prot": entry } }).to_string();
        std::fs::write(&config, text).unwrap();
        Setup { dir, config }
    }

    /// Runs `codemode --oauth-auto-approve ARGS` (debug logging on) off the async runtime.
    async fn run(&self, args: &[&str]) -> Run {
        let mut cmd = cmd::codemode(&self.dir);
        cmd.arg("--config")
            .arg(&self.config)
            .arg("--oauth-auto-approve")
            .args(args)
            .env("CODEMODE_LOG", "debug")
            .env("CODEMODE_NO_BROWSER", "1")
            .env("OAUTH_CLIENT_SECRET", CLIENT_SECRET)
            .timeout(std::time::Duration::from_secs(60));
        let out = tokio::task::spawn_blocking(move || cmd.output().unwrap())
            .await
            .unwrap();
        Run {
            ok: out.status.success(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("state/codemode/codemode.log"))
            .unwrap_or_default()
    }

    /// The token store files.
    fn store_files(&self) -> Vec<PathBuf> {
        let dir = self.dir.path().join("state/codemode/oauth");
        std::fs::read_dir(dir)
            .map(|d| d.map(|e| e.unwrap().path()).collect())
            .unwrap_or_default()
    }
}

/// Lists the tools through the binary and checks the demo's came back.
async fn tools_ok(setup: &Setup) -> Run {
    let run = setup.run(&["tools", "--json"]).await;
    assert!(run.ok, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    let tools: Value = serde_json::from_str(&run.stdout).unwrap();
    let names: Vec<&str> = tools
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(names.contains(&"calculate"), "{names:?}");
    run
}

/// No secret of `server` (tokens it issued, the client secret) appears in `texts`.
fn assert_no_secrets(server: &OAuthServer, texts: &[&str]) {
    let mut secrets = server.seen(|s| s.issued.clone());
    assert!(!secrets.is_empty());
    secrets.push(CLIENT_SECRET.to_string());
    for text in texts {
        for secret in &secrets {
            assert!(
                !text.contains(secret.as_str()),
                "`{secret}` leaked into:\n{text}"
            );
        }
    }
}

fn opts(f: impl FnOnce(&mut Options)) -> Options {
    let mut o = Options::default();
    f(&mut o);
    o
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn challenge_discovery_dynamic_registration_pkce_and_resource() {
    let server = OAuthServer::start(Options::default()).await;
    let setup = Setup::new(&server, Value::Null);
    let run = tools_ok(&setup).await;
    server.seen(|s| {
        assert!(s.refusals.is_empty(), "{:?}", s.refusals);
        assert_eq!(
            s.metadata_paths[0], "/meta/resource.json",
            "{:?}",
            s.metadata_paths
        );
        assert_eq!(s.registrations.len(), 1);
        let reg = &s.registrations[0];
        assert_eq!(reg["application_type"], "native", "{reg}");
        assert_eq!(reg["token_endpoint_auth_method"], "none", "{reg}");
        assert_eq!(s.authorizations.len(), 1);
        let q = &s.authorizations[0].query;
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["resource"], server.url);
        // No challenge scope: the resource's `scopes_supported`.
        assert_eq!(q["scope"], "mcp:read");
        assert_eq!(s.grants.len(), 1);
        assert_eq!(s.grants[0].grant_type, "authorization_code");
        assert_eq!(s.grants[0].auth_used, "none");
    });
    let files = setup.store_files();
    assert_eq!(files.len(), 1, "{files:?}");
    let mode = std::fs::metadata(&files[0]).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let log = setup.log();
    assert!(
        log.contains("oauth: authorized with server `prot`"),
        "{log}"
    );
    assert_no_secrets(&server, &[&run.stdout, &run.stderr, &log]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn path_well_known_openid_configuration_and_challenge_scopes() {
    let server = OAuthServer::start(opts(|o| {
        o.discovery = Discovery::PathWellKnown;
        o.rfc8414 = false;
        o.challenge_scope = Some("mcp:read mcp:tools".into());
    }))
    .await;
    let setup = Setup::new(&server, Value::Null);
    tools_ok(&setup).await;
    server.seen(|s| {
        assert!(s.refusals.is_empty(), "{:?}", s.refusals);
        let paths = &s.metadata_paths;
        assert!(
            paths.contains(&"/.well-known/oauth-protected-resource/mcp".to_string()),
            "{paths:?}"
        );
        let rfc = paths
            .iter()
            .position(|p| p == "/.well-known/oauth-authorization-server");
        let oidc = paths
            .iter()
            .position(|p| p == "/.well-known/openid-configuration");
        assert!(rfc.unwrap() < oidc.unwrap(), "RFC 8414 first: {paths:?}");
        // The challenge's scopes win over `scopes_supported`.
        assert_eq!(s.authorizations[0].query["scope"], "mcp:read mcp:tools");
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn root_well_known_after_the_path_based_one() {
    let server = OAuthServer::start(opts(|o| o.discovery = Discovery::RootWellKnown)).await;
    let setup = Setup::new(&server, Value::Null);
    tools_ok(&setup).await;
    server.seen(|s| {
        let paths = &s.metadata_paths;
        let path_based = paths
            .iter()
            .position(|p| p == "/.well-known/oauth-protected-resource/mcp");
        let root = paths
            .iter()
            .position(|p| p == "/.well-known/oauth-protected-resource");
        assert!(path_based.unwrap() < root.unwrap(), "{paths:?}");
        assert_eq!(s.grants.len(), 1);
    });
}

/// A pre-registered confidential client (secret from `${OAUTH_CLIENT_SECRET}`) and a server
/// without dynamic registration accepting only `method`.
async fn pre_registered(method: AuthMethod) {
    let secret = (method != AuthMethod::None).then(|| CLIENT_SECRET.to_string());
    let server = OAuthServer::start(opts(|o| {
        o.dcr = false;
        o.auth_method = method;
        o.clients = vec![("pre-client".into(), secret.clone())];
    }))
    .await;
    let mut oauth = json!({ "client_id": "pre-client" });
    if secret.is_some() {
        oauth["client_secret"] = json!("${OAUTH_CLIENT_SECRET}");
    }
    let setup = Setup::new(&server, oauth);
    let run = tools_ok(&setup).await;
    server.seen(|s| {
        assert!(s.refusals.is_empty(), "{:?}", s.refusals);
        assert!(s.registrations.is_empty());
        assert_eq!(s.grants[0].client_id, "pre-client");
        assert_eq!(s.grants[0].auth_used, method.name());
    });
    let servers = setup.run(&["servers", "--json"]).await;
    assert!(servers.ok, "{}", servers.stderr);
    assert_no_secrets(
        &server,
        &[
            &run.stdout,
            &run.stderr,
            &servers.stdout,
            &servers.stderr,
            &setup.log(),
        ],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_registered_client_secret_basic() {
    pre_registered(AuthMethod::Basic).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_registered_client_secret_post() {
    pre_registered(AuthMethod::Post).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pre_registered_public_client() {
    pre_registered(AuthMethod::None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_id_metadata_document_when_supported() {
    let doc = "https://client.example/codemode.json";
    let server = OAuthServer::start(opts(|o| o.cimd = true)).await;
    let setup = Setup::new(&server, json!({ "client_metadata_url": doc }));
    tools_ok(&setup).await;
    server.seen(|s| {
        assert!(s.registrations.is_empty(), "no DCR when CIMD is supported");
        assert_eq!(s.authorizations[0].query["client_id"], doc);
        assert_eq!(s.grants[0].client_id, doc);
    });
    // Not supported: dynamic registration instead.
    let server = OAuthServer::start(Options::default()).await;
    let setup = Setup::new(&server, json!({ "client_metadata_url": doc }));
    tools_ok(&setup).await;
    server.seen(|s| assert_eq!(s.registrations.len(), 1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_way_to_identify_the_client_is_a_clear_error() {
    let server = OAuthServer::start(opts(|o| o.dcr = false)).await;
    let setup = Setup::new(&server, Value::Null);
    let run = setup.run(&["tools", "--json"]).await;
    assert!(!run.ok);
    assert!(
        run.stderr.contains("set `oauth.client_id`"),
        "{}",
        run.stderr
    );
    server.seen(|s| assert!(s.authorizations.is_empty()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_up_on_insufficient_scope() {
    let server = OAuthServer::start(opts(|o| {
        o.tool_scopes = vec![("list_issues".into(), "issues:read".into())];
    }))
    .await;
    let setup = Setup::new(&server, Value::Null);
    let run = setup.run(&["call", "prot", "list_issues", "--json"]).await;
    assert!(run.ok, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(run.stdout.contains("issue"), "{}", run.stdout);
    server.seen(|s| {
        assert_eq!(s.forbidden, 1);
        assert_eq!(s.authorizations.len(), 2);
        let scope = &s.authorizations[1].query["scope"];
        assert!(
            scope.contains("mcp:read") && scope.contains("issues:read"),
            "the step-up keeps the granted scope: {scope}"
        );
        assert_eq!(s.grants[1].scope, *scope);
    });
    assert_no_secrets(&server, &[&run.stdout, &run.stderr, &setup.log()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn step_up_gives_up_after_the_retry_limit() {
    let server = OAuthServer::start(opts(|o| o.always_forbidden = vec!["calculate".into()])).await;
    let setup = Setup::new(&server, Value::Null);
    let run = setup
        .run(&["call", "prot", "calculate", "--args", r#"{"a": 1, "b": 2}"#])
        .await;
    assert!(!run.ok, "{}", run.stdout);
    assert!(
        run.stderr.contains("after 2 step-up authorizations"),
        "{}",
        run.stderr
    );
    server.seen(|s| {
        assert_eq!(s.forbidden, 3);
        assert_eq!(s.authorizations.len(), 3);
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_tokens_are_refreshed_from_the_store() {
    let server = OAuthServer::start(Options::default()).await;
    let setup = Setup::new(&server, Value::Null);
    tools_ok(&setup).await;
    server.expire_access_tokens();
    let run = tools_ok(&setup).await;
    server.seen(|s| {
        assert_eq!(s.authorizations.len(), 1, "no new login");
        let grants: Vec<&str> = s.grants.iter().map(|g| g.grant_type.as_str()).collect();
        assert_eq!(grants, ["authorization_code", "refresh_token"]);
    });
    assert_no_secrets(&server, &[&run.stdout, &run.stderr, &setup.log()]);
}

/// What a browser does with the authorization URL: the server redirects at once, and the
/// browser follows to our loopback listener, which answers 200.
async fn act_as_browser(url: String) {
    codemode::mcp::ensure_crypto_provider();
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let at_server = client.get(&url).send().await.unwrap();
    let location = at_server.headers()["location"]
        .to_str()
        .unwrap()
        .to_string();
    let back = client.get(&location).send().await.unwrap();
    assert_eq!(back.status(), 200);
}

/// Headless without `--oauth-auto-approve`: the URL is printed on stderr (no browser here)
/// and the code comes back to the loopback listener.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_login_prints_the_url_and_waits_for_the_redirect() {
    use tokio::io::AsyncBufReadExt;

    let server = OAuthServer::start(Options::default()).await;
    let setup = Setup::new(&server, Value::Null);
    let home = setup.dir.path();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_codemode"))
        .current_dir(home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("HOME", home)
        .env("CODEMODE_NO_BROWSER", "1")
        .arg("--config")
        .arg(&setup.config)
        .args(["tools", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let prefix = "server `prot` needs authorization: open ";
    let url = loop {
        let line = lines.next_line().await.unwrap().expect("the URL on stderr");
        if let Some(url) = line.strip_prefix(prefix) {
            break url.to_string();
        }
    };
    assert!(
        url.starts_with(&format!("{}/authorize?", server.base)),
        "{url}"
    );
    act_as_browser(url).await;
    let out = child.wait_with_output().await.unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("\"calculate\""), "{stdout}");
    server.seen(|s| assert_eq!(s.authorizations.len(), 1));
}

/// Interactive: the URL is announced (a `Log` event, and the front end's notice) and the
/// code comes back on the loopback redirect listener. The "browser" here fetches the
/// authorization URL and follows its redirect to the listener.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interactive_login_through_the_loopback_listener() {
    use codemode::mcp::oauth::OAuthSettings;
    use codemode::mcp::{EventKind, Registry, ServerSpec, ServerStatus, TransportSpec};

    let server = OAuthServer::start(Options::default()).await;
    let store = tempfile::tempdir().unwrap();
    let spec = ServerSpec::new(
        "prot",
        TransportSpec::Http {
            url: server.url.clone(),
            headers: Default::default(),
            legacy_sse: false,
        },
    );
    let registry = Registry::new(vec![spec], vec![]);
    let announced = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let browser = {
        let announced = announced.clone();
        Arc::new(move |_server: &str, url: &str| {
            announced.lock().unwrap().push(url.to_string());
            tokio::spawn(act_as_browser(url.to_string()));
        })
    };
    registry.set_oauth(OAuthSettings {
        auto_approve: false,
        open_browser: false,
        on_url: Some(browser),
        store_dir: Some(store.path().to_path_buf()),
    });
    let mut events = registry.subscribe();
    registry.start();
    assert!(
        registry
            .wait_settled(std::time::Duration::from_secs(30))
            .await
    );
    let state = registry.server("prot").unwrap();
    assert_eq!(state.status, ServerStatus::Ready, "{}", state.status);
    let url = announced
        .lock()
        .unwrap()
        .first()
        .cloned()
        .expect("a URL announced");
    assert!(
        url.starts_with(&format!("{}/authorize?", server.base)),
        "{url}"
    );
    let mut logged = false;
    while let Ok(event) = events.try_recv() {
        if let EventKind::Log { logger, data, .. } = event.kind
            && logger.as_deref() == Some("oauth")
        {
            logged = data.as_str().unwrap_or("").contains(&url);
        }
    }
    assert!(
        logged,
        "the URL is sent as a log event (the TUI's log pane)"
    );
    server.seen(|s| {
        assert_eq!(s.authorizations.len(), 1);
        let redirect = &s.authorizations[0].query["redirect_uri"];
        assert!(redirect.starts_with("http://127.0.0.1:") && redirect.ends_with("/callback"));
    });
    registry.shutdown().await;
}

/// `grant = "client_credentials"` with a secret: no authorization request at all (no user),
/// one client-credentials grant with `client_secret_basic` and the `resource` indicator.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_with_a_secret_need_no_user() {
    let server = OAuthServer::start(opts(|o| {
        o.dcr = false;
        o.auth_method = AuthMethod::Basic;
        o.clients = vec![("ci-bot".into(), Some(CLIENT_SECRET.into()))];
    }))
    .await;
    let oauth = json!({ "grant": "client_credentials", "client_id": "ci-bot",
        "client_secret": "${OAUTH_CLIENT_SECRET}" });
    let setup = Setup::new(&server, oauth);
    let run = tools_ok(&setup).await;
    server.seen(|s| {
        assert!(s.refusals.is_empty(), "{:?}", s.refusals);
        assert!(s.authorizations.is_empty(), "nobody was sent to /authorize");
        assert_eq!(s.grants.len(), 1);
        assert_eq!(s.grants[0].grant_type, "client_credentials");
        assert_eq!(s.grants[0].client_id, "ci-bot");
        assert_eq!(s.grants[0].auth_used, "client_secret_basic");
    });
    assert_no_secrets(&server, &[&run.stdout, &run.stderr, &setup.log()]);
}

/// `grant = "client_credentials"` with a private key file: a `private_key_jwt` assertion the
/// server verifies with the client's public key; the key never reaches an output.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_credentials_with_a_private_key_sign_a_jwt() {
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair};
    let rng = ring::rand::SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let body = oauth_server::base64(pkcs8.as_ref(), false);
    let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----\n");
    let server = OAuthServer::start(opts(|o| {
        o.dcr = false;
        o.auth_method = AuthMethod::PrivateKeyJwt;
        o.jwt_clients = vec![("ci-bot".into(), pair.public_key().as_ref().to_vec())];
    }))
    .await;
    let oauth = json!({ "grant": "client_credentials", "client_id": "ci-bot",
        "private_key_path": "ci-bot.pem" });
    let setup = Setup::new(&server, oauth);
    std::fs::write(setup.dir.path().join("ci-bot.pem"), &pem).unwrap();
    let run = tools_ok(&setup).await;
    server.seen(|s| {
        assert!(s.refusals.is_empty(), "{:?}", s.refusals);
        assert!(s.authorizations.is_empty());
        assert_eq!(s.grants[0].grant_type, "client_credentials");
        assert_eq!(s.grants[0].auth_used, "private_key_jwt");
    });
    for text in [&run.stdout, &run.stderr, &setup.log()] {
        assert!(!text.contains(&body[..40]), "the key leaked into:\n{text}");
    }
    assert_no_secrets(&server, &[&run.stdout, &run.stderr, &setup.log()]);
}
