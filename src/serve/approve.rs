//! Approvals in `serve`: a call the policy asks about is put to the agent's user through MCP
//! elicitation when the client supports it (approve once / for this run / deny); otherwise it
//! is refused with a message the model can act on.

use rmcp::service::{Peer, RoleServer};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use crate::script::approval::{Approval, ApprovalRequest, Approver};

/// Asks the client's user.
pub struct ElicitApprover {
    /// The client.
    pub peer: Peer<RoleServer>,
    /// The runtime the script thread blocks on.
    pub handle: tokio::runtime::Handle,
    /// Who wants the call, for the question ("A Code Mode script", "The agent").
    pub caller: &'static str,
}

impl ElicitApprover {
    /// Whether the client declared elicitation (a 2025-11-25 session).
    pub fn client_can_ask(peer: &Peer<RoleServer>) -> bool {
        peer.peer_info()
            .is_some_and(|info| info.capabilities.elicitation.is_some())
    }
}

/// Why a call is refused when nobody can be asked: what to change so it can run.
pub fn cannot_ask(req: &ApprovalRequest) -> String {
    let reasons: Vec<&str> = req.reasons.iter().map(|r| r.describe()).collect();
    format!(
        "{}::{} needs the user's approval ({}) and this MCP client cannot ask its user \
         (no elicitation support), so the call was refused. Do without it, or ask the user to \
         allow it in codemode's config ([policy] allow = [\"{}::{}\"]).",
        req.server,
        req.tool,
        reasons.join(", "),
        req.server,
        req.tool
    )
}

impl Approver for ElicitApprover {
    fn approve(&self, req: &ApprovalRequest, cancel: &CancellationToken) -> Approval {
        if !Self::client_can_ask(&self.peer) {
            return Approval::Deny(cannot_ask(req));
        }
        let reasons: Vec<&str> = req.reasons.iter().map(|r| r.describe()).collect();
        let args = crate::util::json_prefix(&req.args, 400);
        let params = json!({
            "mode": "form",
            "message": format!(
                "{} wants to call {}::{} ({}) with {args}. Allow it?",
                self.caller,
                req.server, req.tool, reasons.join(", ")
            ),
            "requestedSchema": {
                "type": "object",
                "properties": {
                    "decision": {
                        "type": "string", "title": "Decision",
                        "enum": ["once", "run", "deny"],
                        "enumNames": ["Allow this call", "Allow for this run", "Deny"],
                        "default": "deny"
                    }
                },
                "required": ["decision"]
            }
        });
        let Ok(params) = serde_json::from_value(params) else {
            return Approval::Deny("internal error: bad elicitation request".into());
        };
        let peer = self.peer.clone();
        let answer = self.handle.block_on(async move {
            tokio::select! {
                r = peer.create_elicitation(params) => Some(r),
                () = cancel.cancelled() => None,
            }
        });
        let denied = |why: &str| {
            Approval::Deny(format!(
                "{}::{} was not approved by the user ({why})",
                req.server, req.tool
            ))
        };
        match answer {
            None => denied("the run was cancelled"),
            Some(Err(e)) => denied(&format!("the approval request failed: {e}")),
            Some(Ok(result)) => {
                let v = serde_json::to_value(&result).unwrap_or_default();
                match (v["action"].as_str(), v["content"]["decision"].as_str()) {
                    (Some("accept"), Some("once")) => Approval::Once,
                    (Some("accept"), Some("run")) => Approval::ForRun,
                    (Some("accept"), _) => denied("denied"),
                    (Some(other), _) => denied(other),
                    _ => denied("no answer"),
                }
            }
        }
    }
}
