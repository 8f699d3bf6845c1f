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

/// The elicitation that puts `req` to the user (`elicitation/create` params, form mode):
/// allow this call, allow it for this run, or deny.
pub fn question(caller: &str, req: &ApprovalRequest) -> serde_json::Value {
    let reasons: Vec<&str> = req.reasons.iter().map(|r| r.describe()).collect();
    let args = crate::util::json_prefix(&req.args, 400);
    json!({
        "mode": "form",
        "message": format!(
            "{caller} wants to call {}::{} ({}) with {args}. Allow it?",
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
    })
}

/// The refusal of `req` the user did not approve (`why`: denied, declined, cancelled, ...).
pub fn not_approved(req: &ApprovalRequest, why: &str) -> Approval {
    Approval::Deny(format!(
        "{}::{} was not approved by the user ({why})",
        req.server, req.tool
    ))
}

/// What the user's answer to [`question`] (an `ElicitResult` as JSON) decides.
pub fn decision(req: &ApprovalRequest, answer: &serde_json::Value) -> Approval {
    match (
        answer["action"].as_str(),
        answer["content"]["decision"].as_str(),
    ) {
        (Some("accept"), Some("once")) => Approval::Once,
        (Some("accept"), Some("run")) => Approval::ForRun,
        (Some("accept"), _) => not_approved(req, "denied"),
        (Some(other), _) => not_approved(req, other),
        _ => not_approved(req, "no answer"),
    }
}

impl Approver for ElicitApprover {
    fn approve(&self, req: &ApprovalRequest, cancel: &CancellationToken) -> Approval {
        if !Self::client_can_ask(&self.peer) {
            return Approval::Deny(cannot_ask(req));
        }
        let Ok(params) = serde_json::from_value(question(self.caller, req)) else {
            return Approval::Deny("internal error: bad elicitation request".into());
        };
        let peer = self.peer.clone();
        let answer = self.handle.block_on(async move {
            tokio::select! {
                r = peer.create_elicitation(params) => Some(r),
                () = cancel.cancelled() => None,
            }
        });
        match answer {
            None => not_approved(req, "the run was cancelled"),
            Some(Err(e)) => not_approved(req, &format!("the approval request failed: {e}")),
            Some(Ok(result)) => decision(req, &serde_json::to_value(&result).unwrap_or_default()),
        }
    }
}
