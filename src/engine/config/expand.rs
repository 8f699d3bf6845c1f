//! `${VAR}`, `${VAR:-default}` and `${env:VAR}` expansion.

/// Expands variable references in `input`, looking names up with `lookup`.
///
/// * `${NAME}` and `${env:NAME}`: the variable's value; an error if unset.
/// * `${NAME:-default}` (also `${env:NAME:-default}`): the default when the
///   variable is unset or empty, as in the shell.
///
/// A `$` not followed by `{` is kept as is. The error is a message naming
/// the variable, never the value being expanded (which may be a secret).
pub(crate) fn expand(
    input: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(input.len());
    let mut rest = input;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find('}')
            .ok_or_else(|| "unterminated `${` (expected `}`)".to_string())?;
        out.push_str(&resolve(&after[..end], lookup)?);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// Resolves the inside of one `${...}`.
fn resolve(inner: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Result<String, String> {
    let (reference, default) = match inner.split_once(":-") {
        Some((reference, default)) => (reference, Some(default)),
        None => (inner, None),
    };
    let name = match reference.split_once(':') {
        None => reference,
        Some(("env", name)) => name,
        Some((scheme, _)) => {
            return Err(format!(
                "`${{{inner}}}`: `{scheme}:` variables are not supported; \
                 use an environment variable: ${{NAME}} or ${{NAME:-default}}"
            ));
        }
    };
    let valid = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !valid {
        return Err(format!(
            "invalid variable reference `${{{inner}}}`: \
             use ${{NAME}}, ${{NAME:-default}} or ${{env:NAME}}"
        ));
    }
    match (lookup(name), default) {
        (Some(value), Some(default)) if value.is_empty() => Ok(default.to_string()),
        (Some(value), _) => Ok(value),
        (None, Some(default)) => Ok(default.to_string()),
        (None, None) => Err(format!("environment variable `{name}` is not set")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "TOKEN" => Some("s3cret".into()),
            "EMPTY" => Some(String::new()),
            "HOME" => Some("/home/u".into()),
            _ => None,
        }
    }

    #[test]
    fn plain_text_and_lone_dollars_are_kept() {
        assert_eq!(expand("no vars", &env).unwrap(), "no vars");
        assert_eq!(
            expand("cost $5 and $HOME", &env).unwrap(),
            "cost $5 and $HOME"
        );
        assert_eq!(expand("trailing $", &env).unwrap(), "trailing $");
    }

    #[test]
    fn variables_defaults_and_env_prefix() {
        assert_eq!(expand("Bearer ${TOKEN}", &env).unwrap(), "Bearer s3cret");
        assert_eq!(expand("${env:HOME}/x", &env).unwrap(), "/home/u/x");
        assert_eq!(expand("${MISSING:-dflt}", &env).unwrap(), "dflt");
        assert_eq!(expand("${MISSING:-}", &env).unwrap(), "");
        assert_eq!(expand("${EMPTY:-dflt}", &env).unwrap(), "dflt");
        assert_eq!(expand("${EMPTY}", &env).unwrap(), "");
        assert_eq!(expand("${TOKEN:-dflt}", &env).unwrap(), "s3cret");
        assert_eq!(expand("${env:MISSING:-a:b}", &env).unwrap(), "a:b");
        assert_eq!(expand("${HOME}${TOKEN}", &env).unwrap(), "/home/us3cret");
    }

    #[test]
    fn errors_name_the_variable() {
        let e = expand("x ${NOPE} y", &env).unwrap_err();
        assert_eq!(e, "environment variable `NOPE` is not set");
        assert!(
            expand("${TOKEN", &env)
                .unwrap_err()
                .contains("unterminated")
        );
        assert!(
            expand("${}", &env)
                .unwrap_err()
                .contains("invalid variable")
        );
        assert!(
            expand("${a b}", &env)
                .unwrap_err()
                .contains("invalid variable")
        );
        let e = expand("${input:api-key}", &env).unwrap_err();
        assert!(e.contains("`input:` variables are not supported"), "{e}");
    }
}
