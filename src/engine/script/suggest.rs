//! Hints for names a script got wrong: an unknown server or tool (with the closest real
//! one), a tool called with the wrong shape (with its required parameters), a module used
//! like an object, `call` instead of `call_tool`.

use std::collections::HashMap;

use serde_json::Value;

use crate::catalog::names::{Kind, Names};
use crate::mcp::ToolDef;

struct Server<'a> {
    ident: String,
    tools: Vec<(String, &'a ToolDef)>,
}

fn catalog(tools: &HashMap<String, HashMap<String, ToolDef>>) -> Vec<Server<'_>> {
    let servers = Names::assign(tools.keys().map(String::as_str), Kind::Server);
    servers
        .iter()
        .map(|(raw, ident)| {
            let defs = &tools[raw];
            let names = Names::assign(defs.keys().map(String::as_str), Kind::Tool);
            Server {
                ident: ident.to_string(),
                tools: names
                    .iter()
                    .map(|(t, i)| (i.to_string(), &defs[t]))
                    .collect(),
            }
        })
        .collect()
}

fn required(def: &ToolDef) -> Vec<String> {
    def.input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| {
            r.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn example(server: &str, tool: &str, def: &ToolDef) -> String {
    let fields: Vec<String> = required(def).iter().map(|r| format!("{r}: …")).collect();
    format!("{server}::{tool}(#{{ {} }})", fields.join(", "))
}

fn unknown_server(servers: &[Server], name: &str) -> String {
    let idents: Vec<&str> = servers.iter().map(|s| s.ident.as_str()).collect();
    let close = crate::util::closest(name, idents.iter().copied())
        .map(|c| format!("did you mean `{c}`? "))
        .unwrap_or_default();
    format!(
        "no server module `{name}`; {close}servers: {}",
        if idents.is_empty() {
            "none connected".to_string()
        } else {
            idents.join(", ")
        }
    )
}

/// A hint for `message` (a Rhai error) on source line `line`, given the run's tools.
pub(crate) fn hint(
    tools: &HashMap<String, HashMap<String, ToolDef>>,
    message: &str,
    line: &str,
) -> Option<String> {
    let servers = catalog(tools);
    if let Some(rest) = message.strip_prefix("Function not found: ") {
        let name = rest.split(" (").next().unwrap_or(rest).trim();
        let (module, func) = name.rsplit_once("::")?;
        let Some(server) = servers.iter().find(|s| s.ident == module) else {
            return Some(unknown_server(&servers, module));
        };
        if let Some((_, def)) = server.tools.iter().find(|(i, _)| i == func) {
            return Some(format!(
                "tools take one object map: {}",
                example(module, func, def)
            ));
        }
        let idents: Vec<&str> = server.tools.iter().map(|(i, _)| i.as_str()).collect();
        let close = crate::util::closest(func, idents.iter().copied())
            .map(|c| format!("did you mean `{module}::{c}`? "))
            .unwrap_or_default();
        let mut listed: Vec<&str> = idents.iter().take(12).copied().collect();
        if idents.len() > 12 {
            listed.push("…");
        }
        return Some(format!(
            "`{module}` has no tool `{func}`; {close}its tools: {}",
            listed.join(", ")
        ));
    }
    if let Some(module) = message
        .strip_prefix("Module not found: ")
        .or_else(|| message.strip_prefix("Undefined module: "))
    {
        return Some(unknown_server(&servers, module.trim().trim_matches('\'')));
    }
    if let Some(var) = message.strip_prefix("Variable not found: ") {
        let var = var.trim();
        if servers.iter().any(|s| s.ident == var) && line.contains(&format!("{var}.")) {
            return Some(format!(
                "`{var}` is a server module: call its tools with `{var}::tool(#{{...}})`, not `{var}.tool(...)`"
            ));
        }
    }
    if line.contains("call(") && !line.contains("call_tool(") && !line.contains(".call(") {
        return Some(
            "to call a tool by its raw names use `call_tool(server, tool, #{...})`; `call` is for function pointers"
                .into(),
        );
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn tools() -> HashMap<String, HashMap<String, ToolDef>> {
        let def: ToolDef = serde_json::from_value(json!({
            "name": "get-issue",
            "inputSchema": {"type": "object", "required": ["id"]}
        }))
        .unwrap();
        HashMap::from([(
            "demo".to_string(),
            HashMap::from([("get-issue".to_string(), def)]),
        )])
    }

    #[test]
    fn names_the_closest_tool_and_server_and_the_call_shape() {
        let t = tools();
        let h = hint(&t, "Function not found: demo::get_issues (map)", "").unwrap();
        assert!(h.contains("did you mean `demo::get_issue`?"), "{h}");
        let h = hint(&t, "Function not found: demo::get_issue ()", "").unwrap();
        assert!(h.contains("demo::get_issue(#{ id: … })"), "{h}");
        let h = hint(&t, "Function not found: demoo::get_issue (map)", "").unwrap();
        assert!(h.contains("did you mean `demo`?"), "{h}");
        let h = hint(&t, "Variable not found: demo", "let x = demo.get_issue(1);").unwrap();
        assert!(h.contains("demo::tool"), "{h}");
        let h = hint(
            &t,
            "Function pointer expected",
            "call(\"demo\", \"x\", #{})",
        )
        .unwrap();
        assert!(h.contains("call_tool"), "{h}");
        assert_eq!(hint(&t, "Division by zero", "1 / 0"), None);
    }
}
