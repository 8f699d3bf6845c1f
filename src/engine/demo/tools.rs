//! The demo server's tool definitions: JSON Schemas written out by hand so they exercise what
//! real servers send (nested objects, enums, ranges, arrays, formats, output schemas,
//! annotations).

use serde_json::{Value, json};

fn issue_schema() -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": { "type": "integer", "minimum": 1 },
            "title": { "type": "string" },
            "body": { "type": "string" },
            "status": { "type": "string", "enum": ["open", "closed"] },
            "priority": { "type": "string", "enum": ["low", "medium", "high"] },
            "labels": { "type": "array", "items": { "type": "string" } },
            "assignee": { "type": ["string", "null"] },
            "comments": { "type": "array", "items": { "type": "string" } }
        },
        "required": ["id", "title", "status", "priority", "labels"]
    })
}

fn id_param(description: &str) -> Value {
    json!({ "type": "integer", "minimum": 1, "description": description })
}

/// Every tool, as `tools/list` returns it. `archive` adds the tool that
/// `toggle_archive_tools` switches on.
pub fn definitions(archive: bool) -> Vec<Value> {
    let mut tools = vec![
        json!({
            "name": "calculate",
            "title": "Calculator",
            "description": "Apply an arithmetic operation to two numbers. Fails on division by zero or a non-finite result.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "op": { "type": "string", "enum": ["add", "subtract", "multiply", "divide", "power"], "default": "add", "description": "The operation." },
                    "a": { "type": "number", "description": "Left operand." },
                    "b": { "type": "number", "description": "Right operand." }
                },
                "required": ["a", "b"],
                "additionalProperties": false
            },
            "outputSchema": { "type": "object", "properties": { "result": { "type": "number" } }, "required": ["result"] },
            "annotations": { "readOnlyHint": true, "idempotentHint": true, "openWorldHint": false }
        }),
        json!({
            "name": "create_issue",
            "title": "Create issue",
            "description": "Open a new issue in the tracker and return it.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "title": { "type": "string", "minLength": 1, "maxLength": 200, "description": "One-line summary." },
                    "body": { "type": "string", "maxLength": 10000, "description": "Details, Markdown allowed." },
                    "priority": { "type": "string", "enum": ["low", "medium", "high"], "default": "medium" , "description": "How urgent it is."},
                    "labels": { "type": "array", "items": { "type": "string", "pattern": "^[a-z0-9-]+$" }, "maxItems": 10, "uniqueItems": true, "description": "Lower-case labels." },
                    "assignee": {
                        "type": "object",
                        "description": "Who should work on it.",
                        "properties": {
                            "name": { "type": "string", "minLength": 1 },
                            "email": { "type": "string", "format": "email" }
                        },
                        "required": ["name"]
                    }
                },
                "required": ["title"],
                "additionalProperties": false
            },
            "outputSchema": issue_schema(),
            "annotations": { "readOnlyHint": false, "destructiveHint": false, "idempotentHint": false, "openWorldHint": false }
        }),
        json!({
            "name": "list_issues",
            "title": "List issues",
            "description": "List issues, newest last, filtered by status and label.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "status": { "type": "string", "enum": ["open", "closed", "all"], "default": "open", "description": "Which issues to list." },
                    "label": { "type": "string", "description": "Only issues with this label." },
                    "limit": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20, "description": "At most this many." }
                },
                "additionalProperties": false
            },
            "outputSchema": {
                "type": "object",
                "properties": {
                    "issues": { "type": "array", "items": issue_schema() },
                    "total": { "type": "integer", "minimum": 0, "description": "Matching issues before the limit." }
                },
                "required": ["issues", "total"]
            },
            "annotations": { "readOnlyHint": true, "openWorldHint": false }
        }),
        json!({
            "name": "get_issue",
            "title": "Get issue",
            "description": "Fetch one issue by number. Fails if it does not exist.",
            "inputSchema": { "type": "object", "properties": { "id": id_param("Issue number.") }, "required": ["id"], "additionalProperties": false },
            "outputSchema": issue_schema(),
            "annotations": { "readOnlyHint": true, "openWorldHint": false }
        }),
        json!({
            "name": "update_issue",
            "title": "Update issue",
            "description": "Change an issue's status, priority, assignee or labels. Fields left out stay as they are.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "id": id_param("Issue number."),
                    "status": { "type": "string", "enum": ["open", "closed"] },
                    "priority": { "type": "string", "enum": ["low", "medium", "high"] },
                    "assignee": { "type": "string", "description": "New assignee; empty string to unassign." },
                    "add_labels": { "type": "array", "items": { "type": "string" }, "maxItems": 10 },
                    "remove_labels": { "type": "array", "items": { "type": "string" }, "maxItems": 10 }
                },
                "required": ["id"],
                "additionalProperties": false
            },
            "outputSchema": issue_schema(),
            "annotations": { "readOnlyHint": false, "destructiveHint": false, "idempotentHint": true, "openWorldHint": false }
        }),
        json!({
            "name": "add_comment",
            "title": "Comment on issue",
            "description": "Append a comment to an issue.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "issue_id": id_param("Issue number."),
                    "text": { "type": "string", "minLength": 1, "maxLength": 5000, "description": "The comment." }
                },
                "required": ["issue_id", "text"],
                "additionalProperties": false
            },
            "annotations": { "readOnlyHint": false, "destructiveHint": false, "openWorldHint": false }
        }),
        json!({
            "name": "delete_issue",
            "title": "Delete issue",
            "description": "Permanently delete an issue and its comments. Cannot be undone.",
            "inputSchema": { "type": "object", "properties": { "id": id_param("Issue number.") }, "required": ["id"], "additionalProperties": false },
            "annotations": { "readOnlyHint": false, "destructiveHint": true, "idempotentHint": true, "openWorldHint": false }
        }),
        json!({
            "name": "wait",
            "title": "Wait",
            "description": "Wait for the given time, sending progress notifications; useful to try timeouts, cancellation and parallel calls.",
            "inputSchema": {
                "type": "object",
                "properties": {
                    "ms": { "type": "integer", "minimum": 0, "maximum": 600_000, "description": "Milliseconds to wait." },
                    "steps": { "type": "integer", "minimum": 1, "maximum": 100, "default": 5, "description": "Progress notifications to send." }
                },
                "required": ["ms"],
                "additionalProperties": false
            },
            "outputSchema": { "type": "object", "properties": { "waited_ms": { "type": "integer" } }, "required": ["waited_ms"] },
            "annotations": { "readOnlyHint": true, "idempotentHint": true, "openWorldHint": false }
        }),
        json!({
            "name": "toggle_archive_tools",
            "title": "Toggle archive tools",
            "description": "Switch the `archive_closed_issues` tool on or off; the server announces the change with notifications/tools/list_changed.",
            "inputSchema": { "type": "object", "properties": { "enabled": { "type": "boolean", "description": "On or off." } }, "required": ["enabled"], "additionalProperties": false },
            "annotations": { "readOnlyHint": false, "destructiveHint": false, "idempotentHint": true, "openWorldHint": false }
        }),
    ];
    if archive {
        tools.push(json!({
            "name": "archive_closed_issues",
            "title": "Archive closed issues",
            "description": "Remove every closed issue from the tracker and return how many were archived.",
            "inputSchema": { "type": "object", "properties": {}, "additionalProperties": false },
            "outputSchema": { "type": "object", "properties": { "archived": { "type": "integer", "minimum": 0 } }, "required": ["archived"] },
            "annotations": { "readOnlyHint": false, "destructiveHint": true, "openWorldHint": false }
        }));
    }
    tools
}
