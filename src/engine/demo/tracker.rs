//! The demo server's state: a tiny in-memory issue tracker.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// One issue.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct Issue {
    /// Its number, from 1.
    pub id: u64,
    /// One-line title.
    pub title: String,
    /// Longer text.
    pub body: String,
    /// `open` or `closed`.
    pub status: String,
    /// `low`, `medium` or `high`.
    pub priority: String,
    /// Labels, unique.
    pub labels: Vec<String>,
    /// Who works on it.
    pub assignee: Option<String>,
    /// Comments, oldest first.
    pub comments: Vec<String>,
}

/// All issues plus the feature flag that adds the archive tool.
#[derive(Debug, Default)]
pub struct Tracker {
    issues: Vec<Issue>,
    next_id: u64,
    /// Whether `archive_closed_issues` is offered (toggled by `toggle_archive_tools`).
    pub archive_enabled: bool,
}

/// A failed tracker operation, reported to the caller as a tool error (`isError`).
pub type OpResult = Result<Value, String>;

fn str_arg<'a>(args: &'a Value, key: &str) -> Option<&'a str> {
    args.get(key).and_then(Value::as_str)
}

impl Tracker {
    /// A tracker with a few issues so a first run has something to show.
    pub fn seeded() -> Self {
        let mut t = Tracker {
            next_id: 1,
            ..Default::default()
        };
        for (title, priority, labels) in [
            (
                "Login page times out on slow networks",
                "high",
                vec!["bug", "auth"],
            ),
            ("Add dark mode to settings", "low", vec!["feature", "ui"]),
            ("Release notes for 1.4", "medium", vec!["docs", "release"]),
        ] {
            let args = json!({ "title": title, "priority": priority, "labels": labels });
            let _ = t.create(&args);
        }
        t
    }

    /// `create_issue`.
    pub fn create(&mut self, args: &Value) -> OpResult {
        let title = str_arg(args, "title")
            .unwrap_or_default()
            .trim()
            .to_string();
        if title.is_empty() {
            return Err("title must not be empty".into());
        }
        let mut labels: Vec<String> = args
            .get("labels")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        labels.dedup();
        let issue = Issue {
            id: self.next_id.max(1),
            title,
            body: str_arg(args, "body").unwrap_or_default().to_string(),
            status: "open".into(),
            priority: str_arg(args, "priority").unwrap_or("medium").to_string(),
            labels,
            assignee: args
                .get("assignee")
                .and_then(|a| a.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string),
            comments: vec![],
        };
        self.next_id = issue.id + 1;
        self.issues.push(issue.clone());
        Ok(serde_json::to_value(issue).expect("issue serializes"))
    }

    /// `list_issues`.
    pub fn list(&self, args: &Value) -> OpResult {
        let status = str_arg(args, "status").unwrap_or("open");
        let label = str_arg(args, "label");
        let limit = args.get("limit").and_then(Value::as_u64).unwrap_or(20) as usize;
        let matching: Vec<&Issue> = self
            .issues
            .iter()
            .filter(|i| status == "all" || i.status == status)
            .filter(|i| label.is_none_or(|l| i.labels.iter().any(|x| x == l)))
            .collect();
        let total = matching.len();
        let issues: Vec<&Issue> = matching.into_iter().take(limit).collect();
        Ok(json!({ "issues": issues, "total": total }))
    }

    fn find_mut(&mut self, args: &Value, key: &str) -> Result<&mut Issue, String> {
        let id = args.get(key).and_then(Value::as_u64).unwrap_or(0);
        self.issues
            .iter_mut()
            .find(|i| i.id == id)
            .ok_or_else(|| format!("issue #{id} not found"))
    }

    /// `get_issue`.
    pub fn get(&mut self, args: &Value) -> OpResult {
        let issue = self.find_mut(args, "id")?;
        Ok(serde_json::to_value(&*issue).expect("issue serializes"))
    }

    /// `update_issue`: status, priority, assignee, labels to add or remove.
    pub fn update(&mut self, args: &Value) -> OpResult {
        let issue = self.find_mut(args, "id")?;
        if let Some(s) = str_arg(args, "status") {
            issue.status = s.to_string();
        }
        if let Some(p) = str_arg(args, "priority") {
            issue.priority = p.to_string();
        }
        if let Some(a) = str_arg(args, "assignee") {
            issue.assignee = (!a.is_empty()).then(|| a.to_string());
        }
        for l in args
            .get("add_labels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if let Some(l) = l.as_str()
                && !issue.labels.iter().any(|x| x == l)
            {
                issue.labels.push(l.to_string());
            }
        }
        if let Some(remove) = args.get("remove_labels").and_then(Value::as_array) {
            issue
                .labels
                .retain(|l| !remove.iter().any(|r| r.as_str() == Some(l)));
        }
        Ok(serde_json::to_value(&*issue).expect("issue serializes"))
    }

    /// `add_comment`.
    pub fn comment(&mut self, args: &Value) -> OpResult {
        let text = str_arg(args, "text").unwrap_or_default().to_string();
        let issue = self.find_mut(args, "issue_id")?;
        issue.comments.push(text);
        Ok(json!({ "issue_id": issue.id, "comments": issue.comments.len() }))
    }

    /// `delete_issue`.
    pub fn delete(&mut self, args: &Value) -> OpResult {
        let id = self.find_mut(args, "id")?.id;
        self.issues.retain(|i| i.id != id);
        Ok(json!({ "deleted": id }))
    }

    /// `archive_closed_issues`: removes closed issues, returning how many.
    pub fn archive_closed(&mut self) -> OpResult {
        let before = self.issues.len();
        self.issues.retain(|i| i.status != "closed");
        Ok(json!({ "archived": before - self.issues.len() }))
    }

    /// Every issue, for the `tracker://issues` resource.
    pub fn all(&self) -> &[Issue] {
        &self.issues
    }
}

/// `calculate`.
pub fn calculate(args: &Value) -> OpResult {
    let a = args
        .get("a")
        .and_then(Value::as_f64)
        .ok_or("`a` must be a number")?;
    let b = args
        .get("b")
        .and_then(Value::as_f64)
        .ok_or("`b` must be a number")?;
    let result = match str_arg(args, "op").unwrap_or("add") {
        "add" => a + b,
        "subtract" => a - b,
        "multiply" => a * b,
        "divide" if b == 0.0 => return Err("division by zero".into()),
        "divide" => a / b,
        "power" => a.powf(b),
        other => return Err(format!("unknown operation `{other}`")),
    };
    if !result.is_finite() {
        return Err("the result is not a finite number".into());
    }
    Ok(json!({ "result": result }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn create_update_list_delete() {
        let mut t = Tracker::seeded();
        let created = t
            .create(&json!({"title": "Crash on save", "labels": ["bug", "bug"]}))
            .unwrap();
        assert_eq!(created["id"], 4);
        assert_eq!(created["labels"], json!(["bug"]));
        t.update(&json!({"id": 4, "status": "closed", "add_labels": ["p1"]}))
            .unwrap();
        let open = t.list(&json!({})).unwrap();
        assert_eq!(open["total"], 3);
        let bugs = t.list(&json!({"status": "all", "label": "bug"})).unwrap();
        assert_eq!(bugs["total"], 2);
        assert_eq!(t.archive_closed().unwrap()["archived"], 1);
        assert!(
            t.get(&json!({"id": 4}))
                .unwrap_err()
                .contains("#4 not found")
        );
        assert_eq!(t.delete(&json!({"id": 1})).unwrap()["deleted"], 1);
        assert_eq!(t.all().len(), 2);
    }

    #[test]
    fn calculate_reports_errors() {
        assert_eq!(
            calculate(&json!({"op": "multiply", "a": 6, "b": 7})).unwrap()["result"],
            42.0
        );
        assert_eq!(
            calculate(&json!({"op": "divide", "a": 1, "b": 0})).unwrap_err(),
            "division by zero"
        );
    }
}
