//! The names `call_tool` and `parallel` accept: raw server and tool names as they are, else
//! the Rhai module and function names the docs show (`everything`, `get_sum` for the raw
//! `get-sum`), turned back into raw names before policy, approvals, audit and the call see
//! them.

use std::collections::{HashMap, HashSet};

use crate::catalog::names::{Kind, Names};

/// Module and function names back to raw server and tool names.
#[derive(Debug, Default)]
pub(crate) struct Aliases {
    /// Module name → raw server name (every server).
    modules: HashMap<String, String>,
    /// Raw server name → its raw tool names and function name → raw tool name.
    tools: HashMap<String, (HashSet<String>, HashMap<String, String>)>,
}

impl Aliases {
    /// The names of `servers`: `(raw server name, its raw tool names)`.
    pub fn new<'a, T>(servers: impl IntoIterator<Item = (&'a str, T)>) -> Aliases
    where
        T: IntoIterator<Item = &'a str>,
    {
        let servers: Vec<(&str, Vec<&str>)> = servers
            .into_iter()
            .map(|(s, tools)| (s, tools.into_iter().collect()))
            .collect();
        let modules = Names::assign(servers.iter().map(|(s, _)| *s), Kind::Server);
        Aliases {
            modules: modules
                .iter()
                .map(|(raw, ident)| (ident.to_string(), raw.to_string()))
                .collect(),
            tools: servers
                .into_iter()
                .map(|(server, tools)| {
                    let functions = Names::assign(tools.iter().copied(), Kind::Tool)
                        .iter()
                        .map(|(raw, ident)| (ident.to_string(), raw.to_string()))
                        .collect();
                    let raws = tools.into_iter().map(str::to_string).collect();
                    (server.to_string(), (raws, functions))
                })
                .collect(),
        }
    }

    /// The raw server name for `server` (a raw name first, else a module name); unknown
    /// names come back unchanged.
    pub fn server<'a>(&'a self, server: &'a str) -> &'a str {
        if self.tools.contains_key(server) {
            return server;
        }
        self.modules.get(server).map_or(server, String::as_str)
    }

    /// Raw server and tool names for what a script wrote (raw names first, else module and
    /// function names); unknown names come back unchanged.
    pub fn resolve(&self, server: &str, tool: &str) -> (String, String) {
        let server = self.server(server);
        let tool = match self.tools.get(server) {
            Some((raws, functions)) if !raws.contains(tool) => {
                functions.get(tool).map_or(tool, String::as_str)
            }
            _ => tool,
        };
        (server.to_string(), tool.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::Aliases;

    fn pair(server: &str, tool: &str) -> (String, String) {
        (server.to_string(), tool.to_string())
    }

    #[test]
    fn raw_names_first_then_module_and_function_names() {
        let a = Aliases::new([
            ("my-server", vec!["get-sum", "echo"]),
            ("demo", vec!["get_issue", "get-issue"]),
        ]);
        assert_eq!(
            a.resolve("my-server", "get-sum"),
            pair("my-server", "get-sum")
        );
        assert_eq!(
            a.resolve("my_server", "get_sum"),
            pair("my-server", "get-sum")
        );
        assert_eq!(a.resolve("my_server", "echo"), pair("my-server", "echo"));
        // A raw name that is also another tool's identifier means the raw one.
        assert_eq!(a.resolve("demo", "get_issue"), pair("demo", "get_issue"));
        assert_eq!(a.resolve("demo", "get_issue_2"), pair("demo", "get_issue"));
        // Unknown names are left for the call to report.
        assert_eq!(a.resolve("nope", "get_sum"), pair("nope", "get_sum"));
        assert_eq!(a.resolve("my_server", "nope"), pair("my-server", "nope"));
        assert_eq!(a.server("my_server"), "my-server");
    }
}
