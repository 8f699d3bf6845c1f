//! Approvals in real runs against the in-process demo server.

use std::sync::{Arc, Mutex};

use tokio_util::sync::CancellationToken;

use super::approval::{Approval, ApprovalRequest, ApprovalStore, Approver};
use super::tests::demo;
use super::*;
use crate::catalog::lint::PinStatus;

/// Answers from a list, recording what it was asked.
struct Scripted {
    answers: Mutex<Vec<Approval>>,
    asked: Mutex<Vec<ApprovalRequest>>,
}

impl Approver for Scripted {
    fn approve(&self, req: &ApprovalRequest, _: &CancellationToken) -> Approval {
        self.asked.lock().unwrap().push(req.clone());
        self.answers.lock().unwrap().remove(0)
    }
}

#[test]
fn denied_calls_throw_catchable_errors_and_approval_for_the_run_asks_once() {
    let d = demo();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(ApprovalStore::open(&dir.path().join("pins.json")).unwrap());
    let approver = Arc::new(Scripted {
        answers: Mutex::new(vec![Approval::Deny("no thanks".into()), Approval::ForRun]),
        asked: Mutex::default(),
    });
    let src = r#"
let denied = ();
try { demo::delete_issue(#{ id: 1 }); } catch (e) { denied = e.kind + ": " + e.message; }
demo::delete_issue(#{ id: 2 });
demo::delete_issue(#{ id: 3 });
let left = demo::list_issues().issues.map(|i| i.id);
#{ denied: denied, left: left }
"#;
    let r = d.run_with(
        src,
        RunOptions {
            approver: Some(approver.clone()),
            approvals: Some(store.clone()),
            ..Default::default()
        },
    );
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(r.result["denied"], "policy: no thanks");
    let left: Vec<i64> = r.result["left"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert!(
        left.contains(&1) && !left.contains(&2) && !left.contains(&3),
        "{left:?}"
    );
    let asked = approver.asked.lock().unwrap();
    assert_eq!(asked.len(), 2, "asked once per answer: {asked:?}");
    assert_eq!(asked[0].args, serde_json::json!({"id": 1}));
    assert_eq!(asked[0].reasons, [AskReason::Destructive]);
    // Approved and first-used tools are pinned.
    let tools = d.invoker.servers()[0].tools.clone();
    for name in ["delete_issue", "list_issues"] {
        let def = tools.iter().find(|t| t.name == name).unwrap();
        assert_eq!(store.status("demo", def), PinStatus::Same, "{name}");
    }
}
