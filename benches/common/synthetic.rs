//! Synthetic tool catalogs of any size with realistic schemas (five kinds of tools in turn:
//! search, create, get, update, delete, over a rotating set of record kinds), for the docs,
//! token and TUI benches.
//! Include with `#[path = "common/synthetic.rs"] mod synthetic;`.
#![allow(dead_code)]

use codemode::mcp::ToolDef;
use serde_json::{Value, json};

const NOUNS: [&str; 10] = [
    "issue", "user", "invoice", "ticket", "order", "repo", "page", "event", "file", "alert",
];

fn record_schema(noun: &str) -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": { "type": "integer", "minimum": 1 },
            "name": { "type": "string", "description": format!("Display name of the {noun}.") },
            "status": { "type": "string", "enum": ["active", "archived", "deleted"] },
            "tags": { "type": "array", "items": { "type": "string" } },
            "owner": { "type": ["string", "null"] },
            "created_at": { "type": "string", "format": "date-time" }
        },
        "required": ["id", "name", "status"]
    })
}

/// Tool number `i` as a server would list it.
pub fn tool_json(i: usize) -> Value {
    let noun = NOUNS[(i / 5) % NOUNS.len()];
    let n = i / 50; // keeps names unique past 50 tools
    match i % 5 {
        0 => json!({
            "name": format!("search_{noun}s_{n}"),
            "title": format!("Search {noun}s"),
            "description": format!("Search {noun}s by free text, newest first, filtered and paginated. Fails when the store is offline."),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "query": { "type": "string", "minLength": 1, "description": "What to look for." },
                    "limit": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20, "description": "At most this many." },
                    "order": { "type": "string", "enum": ["asc", "desc"] },
                    "filters": {
                        "type": "object",
                        "description": "Only records matching all of these.",
                        "properties": {
                            "tag": { "type": "string" },
                            "status": { "type": "string", "enum": ["active", "archived"] }
                        }
                    }
                },
                "required": ["query"]
            },
            "outputSchema": {
                "type": "object",
                "properties": {
                    "items": { "type": "array", "items": record_schema(noun) },
                    "total": { "type": "integer", "minimum": 0 }
                },
                "required": ["items", "total"]
            },
            "annotations": { "readOnlyHint": true, "openWorldHint": false }
        }),
        1 => json!({
            "name": format!("create_{noun}_{n}"),
            "title": format!("Create {noun}"),
            "description": format!("Create a new {noun} and return it. The name must be unique."),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "name": { "type": "string", "minLength": 1, "maxLength": 200, "description": "Display name." },
                    "tags": { "type": "array", "items": { "type": "string", "pattern": "^[a-z0-9-]+$" }, "maxItems": 10, "uniqueItems": true },
                    "owner": {
                        "type": "object",
                        "description": "Who owns it.",
                        "properties": {
                            "name": { "type": "string", "minLength": 1 },
                            "email": { "type": "string", "format": "email" }
                        },
                        "required": ["name"]
                    }
                },
                "required": ["name"],
                "additionalProperties": false
            },
            "outputSchema": record_schema(noun),
            "annotations": { "readOnlyHint": false, "destructiveHint": false, "idempotentHint": false }
        }),
        2 => json!({
            "name": format!("get_{noun}_{n}"),
            "title": format!("Get {noun}"),
            "description": format!("Fetch one {noun} by id. Fails if it does not exist."),
            "inputSchema": {
                "type": "object",
                "properties": { "id": { "type": "integer", "minimum": 1, "description": format!("The {noun}'s id.") } },
                "required": ["id"]
            },
            "outputSchema": record_schema(noun),
            "annotations": { "readOnlyHint": true }
        }),
        3 => json!({
            "name": format!("update_{noun}_{n}"),
            "title": format!("Update {noun}"),
            "description": format!("Change a {noun}'s name, status or tags. Fields left out stay as they are."),
            "inputSchema": {
                "type": "object",
                "properties": {
                    "id": { "type": "integer", "minimum": 1 },
                    "name": { "type": "string", "minLength": 1 },
                    "status": { "type": "string", "enum": ["active", "archived"] },
                    "add_tags": { "type": "array", "items": { "type": "string" }, "maxItems": 10 },
                    "remove_tags": { "type": "array", "items": { "type": "string" }, "maxItems": 10 }
                },
                "required": ["id"],
                "additionalProperties": false
            },
            "outputSchema": record_schema(noun),
            "annotations": { "readOnlyHint": false, "idempotentHint": true }
        }),
        _ => json!({
            "name": format!("delete_{noun}_{n}"),
            "title": format!("Delete {noun}"),
            "description": format!("Permanently delete a {noun}. Cannot be undone."),
            "inputSchema": {
                "type": "object",
                "properties": { "id": { "type": "integer", "minimum": 1 } },
                "required": ["id"]
            },
            "annotations": { "destructiveHint": true, "idempotentHint": true }
        }),
    }
}

/// Tool number `i`, parsed.
pub fn tool(i: usize) -> ToolDef {
    serde_json::from_value(tool_json(i)).expect("synthetic tool parses")
}

/// Tools `from..from + n`.
pub fn tools(from: usize, n: usize) -> Vec<ToolDef> {
    (from..from + n).map(tool).collect()
}
