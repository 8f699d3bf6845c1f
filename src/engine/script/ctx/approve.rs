//! The approval gate of one call: the policy's decision, the approver when it must ask,
//! and pinning what is trusted on first use or approved for the run.

use serde_json::{Map, Value};

use super::RunCtx;
use crate::mcp::ToolDef;
use crate::script::approval::{ApprovalRequest, gate, settle};
use crate::script::policy::{Decision, refusal};

impl RunCtx {
    /// The policy's decision for one call, asking the approver when it must; pins what is
    /// trusted on first use or approved for the run.
    pub(super) fn approve(
        &self,
        index: usize,
        server: &str,
        def: &ToolDef,
        args: &Map<String, Value>,
    ) -> Result<(), String> {
        let store = self.approvals.as_deref();
        let reasons = match gate(&self.policy, store, server, def) {
            Decision::Allow => return Ok(()),
            Decision::Deny(m) => return Err(m),
            Decision::Ask(reasons) => reasons,
        };
        let key = (server.to_string(), def.name.clone());
        if self
            .approved
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .contains(&key)
        {
            return Ok(());
        }
        let Some(approver) = &self.approver else {
            return Err(refusal(server, &def.name, &reasons));
        };
        let req = ApprovalRequest {
            index,
            server: server.to_string(),
            tool: def.name.clone(),
            args: Value::Object(args.clone()),
            reasons,
        };
        let for_run = settle(store, server, def, approver.approve(&req, &self.cancel))?;
        if for_run {
            self.approved
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .insert(key);
        }
        Ok(())
    }
}
