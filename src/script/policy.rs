//! Which tools a script may call. Deserializes from a `[policy]` table:
//!
//! ```toml
//! [policy]
//! allow_destructive = false        # destructive tools are refused headless unless allowed
//! allow = ["github::delete_branch"] # explicitly allowed, destructive or not
//! [policy.servers.github]
//! allow = ["get_issue", "list_*"]   # when present, only these tools of the server
//! deny = ["create_*"]               # never these (deny wins over everything)
//! ```
//! Patterns are raw tool names with an optional `*` at the end.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::mcp::ToolDef;

/// Allow and deny lists of one server.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerPolicy {
    /// When set, only tools matching one of these patterns may be called.
    pub allow: Option<Vec<String>>,
    /// Tools matching one of these patterns are refused.
    pub deny: Vec<String>,
}

/// The run's tool policy.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    /// Allow every tool annotated `destructiveHint` (`--allow-destructive`).
    pub allow_destructive: bool,
    /// `server::tool` entries (tool may end in `*`) allowed even if destructive (`--allow`).
    pub allow: Vec<String>,
    /// Per-server allow/deny lists, by raw server name.
    pub servers: BTreeMap<String, ServerPolicy>,
}

fn matches(pattern: &str, tool: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => tool.starts_with(prefix),
        None => pattern == tool,
    }
}

impl Policy {
    /// Whether `--allow`/`allow` names this tool explicitly.
    fn explicitly_allowed(&self, server: &str, tool: &str) -> bool {
        self.allow.iter().any(|entry| match entry.split_once("::") {
            Some((s, t)) => s == server && matches(t, tool),
            None => entry == server,
        })
    }

    /// `Ok` if the call may go ahead, else why not (one sentence with the way out).
    pub fn check(&self, server: &str, def: &ToolDef) -> Result<(), String> {
        let tool = def.name.as_str();
        let explicit = self.explicitly_allowed(server, tool);
        if let Some(sp) = self.servers.get(server) {
            if sp.deny.iter().any(|p| matches(p, tool)) {
                return Err(format!("{server}::{tool} is denied by policy"));
            }
            if let Some(allow) = &sp.allow
                && !explicit
                && !allow.iter().any(|p| matches(p, tool))
            {
                return Err(format!(
                    "{server}::{tool} is not in the server's allow list ({})",
                    allow.join(", ")
                ));
            }
        }
        if def.is_destructive() && !self.allow_destructive && !explicit {
            return Err(format!(
                "{server}::{tool} is destructive and refused in a headless run; allow it with \
                 --allow {server}::{tool} or --allow-destructive"
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tool(name: &str, destructive: bool) -> ToolDef {
        serde_json::from_value(json!({
            "name": name,
            "inputSchema": {"type": "object"},
            "annotations": {"destructiveHint": destructive}
        }))
        .unwrap()
    }

    #[test]
    fn destructive_tools_need_an_explicit_allow() {
        let del = tool("delete_issue", true);
        let err = Policy::default().check("demo", &del).unwrap_err();
        assert!(err.contains("--allow demo::delete_issue"), "{err}");
        let p = Policy {
            allow: vec!["demo::delete_*".into()],
            ..Default::default()
        };
        assert!(p.check("demo", &del).is_ok());
        assert!(p.check("other", &del).is_err());
        let p = Policy {
            allow_destructive: true,
            ..Default::default()
        };
        assert!(p.check("demo", &del).is_ok());
        assert!(Policy::default().check("demo", &tool("get", false)).is_ok());
    }

    #[test]
    fn server_lists_deny_wins() {
        let p: Policy = toml::from_str(
            "allow_destructive = true\n[servers.demo]\nallow = [\"list_*\", \"get_issue\"]\ndeny = [\"list_secret\"]",
        )
        .unwrap();
        assert!(p.check("demo", &tool("list_issues", false)).is_ok());
        assert!(p.check("demo", &tool("get_issue", false)).is_ok());
        let err = p.check("demo", &tool("create_issue", false)).unwrap_err();
        assert!(err.contains("allow list"), "{err}");
        let err = p.check("demo", &tool("list_secret", false)).unwrap_err();
        assert!(err.contains("denied"), "{err}");
        assert!(p.check("other", &tool("anything", false)).is_ok());
    }
}
