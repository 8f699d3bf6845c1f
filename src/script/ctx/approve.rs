//! The approval gate of one call: the policy's decision, the approver when it must ask,
//! and pinning what is trusted on first use or approved for the run.

use serde_json::{Map, Value};

use super::RunCtx;
use crate::catalog::lint::PinStatus;
use crate::mcp::ToolDef;
use crate::script::approval::{Approval, ApprovalRequest};
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
        let pin = self
            .approvals
            .as_ref()
            .map_or(PinStatus::Same, |s| s.status(server, def));
        let pin_it = |why: &str| {
            if let Some(store) = &self.approvals
                && let Err(e) = store.approve(server, def)
            {
                tracing::warn!("cannot pin {server}::{} ({why}): {e}", def.name);
            }
        };
        let key = (server.to_string(), def.name.clone());
        let reasons = match self.policy.decide(server, def, &pin) {
            Decision::Allow => {
                if matches!(pin, PinStatus::New | PinStatus::Unpinned) {
                    pin_it("first use");
                }
                return Ok(());
            }
            Decision::Deny(m) => return Err(m),
            Decision::Ask(reasons) => reasons,
        };
        if self
            .approved
            .lock()
            .unwrap_or_else(|e| e.into_inner())
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
        match approver.approve(&req, &self.cancel) {
            Approval::Once => Ok(()),
            Approval::ForRun => {
                pin_it("approved");
                self.approved
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(key);
                Ok(())
            }
            Approval::Deny(m) => Err(m),
        }
    }
}
