//! The `private_key_jwt` client assertion (RFC 7523): a short-lived JWT naming the client
//! (`iss` = `sub` = client id) and the authorization server (`aud` = its issuer), signed
//! with the client's PKCS#8 key by ring.

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use serde_json::json;

/// How long an assertion is valid.
const LIFETIME_SECS: u64 = 300;

/// Why an assertion could not be made.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum JwtError {
    /// The PEM holds no base64 body.
    #[error("the private key is not a PEM (no base64 body between the BEGIN/END lines)")]
    NotPem,
    /// The key does not fit the algorithm (or is not PKCS#8).
    #[error("the private key cannot sign {0} (a PKCS#8 P-256, P-384 or RSA key is needed)")]
    WrongKey(String),
    /// No algorithm given and the key fits none.
    #[error("the private key is neither a P-256, P-384 nor an RSA PKCS#8 key")]
    UnknownKey,
}

/// A signed assertion for `client_id` and `audience`, `alg` one of
/// [`crate::config::SIGNING_ALGORITHMS`] (`None`: the first the key can sign with).
pub fn assertion(
    pem: &str,
    alg: Option<&str>,
    client_id: &str,
    audience: &str,
) -> Result<String, JwtError> {
    let der = pem_body(pem)?;
    let alg = match alg {
        Some(alg) => alg.to_string(),
        None => ["ES256", "ES384", "RS256"]
            .into_iter()
            .find(|a| sign(&der, a, b"probe").is_ok())
            .ok_or(JwtError::UnknownKey)?
            .to_string(),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let header = json!({ "alg": alg, "typ": "JWT" });
    let claims = json!({
        "iss": client_id,
        "sub": client_id,
        "aud": audience,
        "iat": now,
        "exp": now + LIFETIME_SECS,
        "jti": uuid::Uuid::new_v4().to_string(),
    });
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = sign(&der, &alg, input.as_bytes())?;
    Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig)))
}

/// The DER bytes between a PEM's BEGIN and END lines.
fn pem_body(pem: &str) -> Result<Vec<u8>, JwtError> {
    let body: String = pem
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect();
    STANDARD.decode(body).map_err(|_| JwtError::NotPem)
}

fn sign(der: &[u8], alg: &str, message: &[u8]) -> Result<Vec<u8>, JwtError> {
    let rng = SystemRandom::new();
    let wrong = || JwtError::WrongKey(alg.to_string());
    let ecdsa = |algorithm| {
        let key = EcdsaKeyPair::from_pkcs8(algorithm, der, &rng).map_err(|_| wrong())?;
        key.sign(&rng, message)
            .map(|s| s.as_ref().to_vec())
            .map_err(|_| wrong())
    };
    match alg {
        "ES256" => ecdsa(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
        "ES384" => ecdsa(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
        "RS256" => {
            let key = RsaKeyPair::from_pkcs8(der).map_err(|_| wrong())?;
            let mut sig = vec![0; key.public().modulus_len()];
            key.sign(&signature::RSA_PKCS1_SHA256, &rng, message, &mut sig)
                .map_err(|_| wrong())?;
            Ok(sig)
        }
        _ => Err(wrong()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::signature::KeyPair as _;

    /// A fresh P-256 key as a PKCS#8 PEM, and its public key.
    fn p256() -> (String, Vec<u8>) {
        let rng = SystemRandom::new();
        let alg = &signature::ECDSA_P256_SHA256_FIXED_SIGNING;
        let doc = EcdsaKeyPair::generate_pkcs8(alg, &rng).unwrap();
        let public = EcdsaKeyPair::from_pkcs8(alg, doc.as_ref(), &rng)
            .unwrap()
            .public_key()
            .as_ref()
            .to_vec();
        let pem = format!(
            "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
            STANDARD.encode(doc.as_ref())
        );
        (pem, public)
    }

    #[test]
    fn assertion_verifies_with_the_public_key_and_names_client_and_audience() {
        let (pem, public) = p256();
        let jwt = assertion(&pem, None, "cli-7", "https://as.example").unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        assert_eq!(header["alg"], "ES256");
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(claims["iss"], "cli-7");
        assert_eq!(claims["sub"], "cli-7");
        assert_eq!(claims["aud"], "https://as.example");
        assert_eq!(
            claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
            LIFETIME_SECS
        );
        let key = signature::UnparsedPublicKey::new(&signature::ECDSA_P256_SHA256_FIXED, public);
        let signed = format!("{}.{}", parts[0], parts[1]);
        key.verify(
            signed.as_bytes(),
            &URL_SAFE_NO_PAD.decode(parts[2]).unwrap(),
        )
        .expect("the signature verifies");
    }

    #[test]
    fn a_key_that_cannot_sign_the_algorithm_is_a_clear_error() {
        let (pem, _) = p256();
        assert_eq!(
            assertion(&pem, Some("RS256"), "c", "a"),
            Err(JwtError::WrongKey("RS256".into()))
        );
        assert_eq!(
            assertion("-----BEGIN PRIVATE KEY-----\n!!\n", None, "c", "a"),
            Err(JwtError::NotPem)
        );
    }
}
