//! The script settings a config file can hold: the `[limits]`, `[policy]` and `[audit]`
//! tables (see [`Limits`], [`Policy`] and [`AuditConfig`] for their keys). Missing tables and
//! keys take the defaults; unknown keys are errors, so typos do not pass silently.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::audit::AuditConfig;
use super::limits::Limits;
use super::policy::Policy;

/// Limits, policy and audit settings of runs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Settings {
    /// `[limits]`.
    pub limits: Limits,
    /// `[policy]`.
    pub policy: Policy,
    /// `[audit]`.
    pub audit: AuditConfig,
}

fn table<T: DeserializeOwned + Default>(
    extra: &Map<String, Value>,
    name: &str,
) -> Result<T, String> {
    match extra.get(name) {
        None => Ok(T::default()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|e| format!("[{name}]: {e}")),
    }
}

impl Settings {
    /// Reads the tables from the config's raw extra tables (`Config.extra`).
    pub fn from_tables(extra: &Map<String, Value>) -> Result<Settings, String> {
        Ok(Settings {
            limits: table(extra, "limits")?,
            policy: table(extra, "policy")?,
            audit: table(extra, "audit")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

    #[test]
    fn tables_fill_settings_and_typos_are_errors() {
        let extra = json!({
            "limits": {"timeout": "5s", "max_tool_calls": 7},
            "policy": {"allow": ["demo::delete_issue"], "servers": {"demo": {"deny": ["wait"]}}},
            "audit": {"enabled": false}
        });
        let s = Settings::from_tables(extra.as_object().unwrap()).unwrap();
        assert_eq!(s.limits.timeout, Duration::from_secs(5));
        assert_eq!(s.limits.max_tool_calls, 7);
        assert_eq!(s.policy.servers["demo"].deny, ["wait"]);
        assert!(!s.audit.enabled);
        assert_eq!(
            Settings::from_tables(&Map::new()).unwrap(),
            Settings::default()
        );
        let bad = json!({"limits": {"max_opps": 1}});
        let err = Settings::from_tables(bad.as_object().unwrap()).unwrap_err();
        assert!(
            err.starts_with("[limits]") && err.contains("max_opps"),
            "{err}"
        );
    }
}
