//! The token store: one JSON file per server URL under `<state dir>/oauth/`, mode 0600 (the
//! directory 0700), written whole through a temporary file. It holds rmcp's
//! `StoredCredentials` (client id, tokens, granted scopes) and the authorization-server
//! metadata they were issued under, so a later run can refresh without discovery. Every
//! token read or written is added to the log's redaction set.

use std::path::{Path, PathBuf};

use rmcp::transport::auth::{AuthError, AuthorizationMetadata, CredentialStore, StoredCredentials};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What one file holds.
#[derive(Default, Serialize, Deserialize)]
struct Saved {
    /// The server URL (the key; for a reader of the file).
    url: String,
    credentials: Option<StoredCredentials>,
    metadata: Option<AuthorizationMetadata>,
}

/// The file of one server.
#[derive(Clone, Debug)]
pub struct FileStore {
    path: PathBuf,
    url: String,
}

impl FileStore {
    /// The store for `url` in `dir` (the file name is a hash of the URL).
    pub fn new(dir: &Path, url: &str) -> Self {
        let digest = Sha256::digest(url.as_bytes());
        let name: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
        FileStore {
            path: dir.join(format!("{name}.json")),
            url: url.to_string(),
        }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Saved {
        let Ok(text) = std::fs::read_to_string(&self.path) else {
            return Saved::default();
        };
        match serde_json::from_str::<Saved>(&text) {
            Ok(saved) if saved.url == self.url => {
                if let Some(c) = &saved.credentials {
                    register_secrets(c);
                }
                saved
            }
            Ok(_) => Saved::default(),
            Err(e) => {
                tracing::warn!(
                    "oauth: ignoring unreadable token store {}: {e}",
                    self.path.display()
                );
                Saved::default()
            }
        }
    }

    fn write(&self, mut saved: Saved) -> Result<(), String> {
        saved.url.clone_from(&self.url);
        let dir = self.path.parent().unwrap_or(Path::new("."));
        crate::util::private::create_dir(dir)
            .map_err(|e| format!("cannot create the token store {}: {e}", dir.display()))?;
        let text = serde_json::to_string_pretty(&saved).map_err(|e| e.to_string())?;
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        crate::util::private::write(&tmp, text.as_bytes())
            .and_then(|()| std::fs::rename(&tmp, &self.path))
            .map_err(|e| format!("cannot write the token store {}: {e}", self.path.display()))
    }

    /// The authorization-server metadata saved with the tokens.
    pub fn metadata(&self) -> Option<AuthorizationMetadata> {
        self.read().metadata
    }

    /// Saves the metadata the current tokens were issued under.
    pub fn save_metadata(&self, metadata: AuthorizationMetadata) -> Result<(), String> {
        let mut saved = self.read();
        saved.metadata = Some(metadata);
        self.write(saved)
    }

    /// The client id of the saved credentials, if any.
    pub fn client_id(&self) -> Option<String> {
        self.read().credentials.map(|c| c.client_id)
    }
}

/// Adds the tokens of `credentials` to the log's redaction set.
fn register_secrets(credentials: &StoredCredentials) {
    use oauth2::TokenResponse;
    if let Some(t) = &credentials.token_response {
        let mut secrets = vec![t.access_token().secret().clone()];
        if let Some(r) = t.refresh_token() {
            secrets.push(r.secret().clone());
        }
        crate::logging::add_secrets(&secrets);
    }
}

fn store_error(message: String) -> AuthError {
    AuthError::CredentialStoreError(message)
}

#[async_trait::async_trait]
impl CredentialStore for FileStore {
    async fn load(&self) -> Result<Option<StoredCredentials>, AuthError> {
        Ok(self.read().credentials)
    }

    async fn save(&self, credentials: StoredCredentials) -> Result<(), AuthError> {
        register_secrets(&credentials);
        let mut saved = self.read();
        saved.credentials = Some(credentials);
        self.write(saved).map_err(store_error)
    }

    async fn clear(&self) -> Result<(), AuthError> {
        let mut saved = self.read();
        saved.credentials = None;
        self.write(saved).map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[tokio::test]
    async fn saves_with_mode_0600_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let store = FileStore::new(&dir.path().join("oauth"), "http://127.0.0.1:1/mcp");
        assert!(store.load().await.unwrap().is_none());
        let creds = StoredCredentials::new("client-1".into(), None, vec!["a".into()], Some(7));
        store.save(creds).await.unwrap();
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let dir_mode = std::fs::metadata(store.path().parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(dir_mode & 0o777, 0o700);
        assert_eq!(store.client_id().as_deref(), Some("client-1"));
        store.clear().await.unwrap();
        assert!(store.load().await.unwrap().is_none());
        // Another URL has its own file.
        let other = FileStore::new(&dir.path().join("oauth"), "http://127.0.0.1:2/mcp");
        assert_ne!(other.path(), store.path());
    }
}
