//! The call preview: every tool call a script can make, read from its Rhai AST before it
//! runs. Three call forms are found: module calls (`demo::get_issue(#{id: 1})`),
//! `call_tool("server", "tool", #{...})` and the entries of `parallel([[server, tool, #{...}],
//! ...])`. A call whose server or tool is not a string literal (a variable, a computed name, a
//! `parallel` list built at run time) is listed as [`Flag::Dynamic`]: the plan cannot say what
//! it will call. Calls inside functions and closures are listed too, whether or not they run.
//! A function pointer that can reach a tool (`Fn("call_tool")`, `Fn("parallel")`, or `Fn(x)`
//! with a computed name), called later through `.call(...)` or `call(f, ...)`, is listed
//! where the pointer is made, as a [`CallForm::FnPointer`] call with unknown targets
//! ([`Flag::Dynamic`]).

use rhai::{ASTNode, Dynamic, Engine, Expr, FnPtr, OptimizationLevel, Position};
use serde::Serialize;
use serde_json::{Map, Value};

use super::aliases::Aliases;
use super::convert::to_json;
use super::error::{ErrorKind, ScriptError};
use super::invoker::ServerTools;
use crate::catalog::names::{Kind, Names};
use crate::mcp::ToolDef;

/// What the plan knows about a call's target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    /// The server or tool name is computed at run time.
    Dynamic,
    /// No ready server has this tool (or no such server).
    Unknown,
    /// Annotated `destructiveHint: true`.
    Destructive,
    /// Annotated `openWorldHint: true`.
    OpenWorld,
    /// Annotated `readOnlyHint: true`.
    ReadOnly,
}

impl Flag {
    /// The flag as shown in text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Flag::Dynamic => "dynamic",
            Flag::Unknown => "unknown",
            Flag::Destructive => "destructive",
            Flag::OpenWorld => "open-world",
            Flag::ReadOnly => "read-only",
        }
    }
}

/// How the script spells the call.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallForm {
    /// `server::tool(...)`.
    Module,
    /// `call_tool(server, tool, ...)`.
    CallTool,
    /// An entry of `parallel([...])`.
    Parallel,
    /// A function pointer to `call_tool` or `parallel` (or to a computed name), whose calls
    /// happen wherever the pointer is called.
    FnPointer,
}

/// One call the script can make.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlannedCall {
    /// 1-based line of the call.
    pub line: usize,
    /// How it is spelled.
    pub form: CallForm,
    /// Raw server name, when known.
    pub server: Option<String>,
    /// Raw tool name, when known.
    pub tool: Option<String>,
    /// The arguments when written as a literal map: literal values as JSON, computed ones as
    /// the string `"<expr>"`. `None` when the whole argument is computed.
    pub args: Option<Value>,
    /// What is known about the target, sorted.
    pub flags: Vec<Flag>,
}

impl PlannedCall {
    /// `server::tool`, with `?` for a part computed at run time.
    pub fn target(&self) -> String {
        format!(
            "{}::{}",
            self.server.as_deref().unwrap_or("?"),
            self.tool.as_deref().unwrap_or("?")
        )
    }

    /// Whether the call has `flag`.
    pub fn has(&self, flag: Flag) -> bool {
        self.flags.contains(&flag)
    }
}

/// Every call a script can make, in source order.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Plan {
    /// The calls.
    pub calls: Vec<PlannedCall>,
}

impl Plan {
    /// Whether any call has `flag`.
    pub fn any(&self, flag: Flag) -> bool {
        self.calls.iter().any(|c| c.has(flag))
    }

    /// The plan as text, one call a line: `line 3  demo::delete_issue  #{...}  [destructive]`.
    pub fn render(&self) -> String {
        if self.calls.is_empty() {
            return "no tool calls\n".into();
        }
        let mut out = String::new();
        for c in &self.calls {
            let args = match &c.args {
                Some(a) => crate::util::json_prefix(a, 120),
                None => "<expr>".into(),
            };
            let flags: Vec<&str> = c.flags.iter().map(|f| f.as_str()).collect();
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!("  [{}]", flags.join(", "))
            };
            let target = match c.form {
                CallForm::FnPointer => "?::? (through a function pointer)".to_string(),
                _ => c.target(),
            };
            out.push_str(&format!("line {:<4} {target}  {args}{flags}\n", c.line));
        }
        out
    }
}

/// The marker for a computed value in planned arguments.
pub const COMPUTED: &str = "<expr>";

/// Parses `source` and lists its calls against `servers` (the ready servers and their tools,
/// as [`super::ToolInvoker::servers`] gives them). A parse error is returned as the run
/// would report it.
#[allow(clippy::result_large_err)] // like `run`: built once, returned once
pub fn plan(source: &str, servers: &[ServerTools]) -> Result<Plan, ScriptError> {
    let mut engine = Engine::new_raw();
    engine.set_optimization_level(OptimizationLevel::None);
    engine.disable_symbol("eval");
    let ast = engine.compile(source).map_err(|e| {
        ScriptError::new(ErrorKind::Parse, e.err_type().to_string()).at(e.position(), source)
    })?;
    let resolver = Resolver::new(servers);
    let mut calls = Vec::new();
    ast.walk(&mut |path: &[ASTNode]| {
        match path.last() {
            Some(ASTNode::Expr(Expr::FnCall(f, pos))) => resolver.visit(f, *pos, &mut calls),
            // `Fn("call_tool")` with a literal name is made at parse time.
            Some(ASTNode::Expr(Expr::DynamicConstant(v, pos))) => {
                if let Some(name) = v.read_lock::<FnPtr>().map(|f| f.fn_name().to_string())
                    && reaches_tools(&name)
                {
                    calls.push(resolver.call(
                        pos.line().unwrap_or(0),
                        CallForm::FnPointer,
                        None,
                        None,
                        None,
                    ));
                }
            }
            _ => {}
        }
        true
    });
    calls.sort_by_key(|c: &PlannedCall| c.line);
    Ok(Plan { calls })
}

/// Module and function names back to raw server and tool names.
struct Resolver<'a> {
    servers: &'a [ServerTools],
    modules: Names,
    /// What `call_tool` and `parallel` accept besides raw names.
    aliases: Aliases,
}

impl<'a> Resolver<'a> {
    fn new(servers: &'a [ServerTools]) -> Self {
        let modules = Names::assign(servers.iter().map(|s| s.name.as_str()), Kind::Server);
        let aliases = Aliases::new(
            servers
                .iter()
                .map(|s| (s.name.as_str(), s.tools.iter().map(|t| t.name.as_str()))),
        );
        Resolver {
            servers,
            modules,
            aliases,
        }
    }

    fn def(&self, server: &str, tool: &str) -> Option<&ToolDef> {
        self.servers
            .iter()
            .find(|s| s.name == server)
            .and_then(|s| s.tools.iter().find(|t| t.name == tool))
    }

    fn visit(&self, f: &rhai::FnCallExpr, pos: Position, out: &mut Vec<PlannedCall>) {
        let line = pos.line().unwrap_or(0);
        if !f.namespace.is_empty() {
            let module = f.namespace.root();
            let server = self.modules.raw(module).unwrap_or(module).to_string();
            let tool = self
                .servers
                .iter()
                .find(|s| s.name == server)
                .and_then(|s| {
                    Names::assign(s.tools.iter().map(|t| t.name.as_str()), Kind::Tool)
                        .raw(&f.name)
                        .map(str::to_string)
                })
                .unwrap_or_else(|| f.name.to_string());
            let args = f
                .args
                .first()
                .map_or(Some(Value::Object(Map::new())), args_of);
            out.push(self.call(line, CallForm::Module, Some(server), Some(tool), args));
            return;
        }
        match f.name.as_str() {
            "call_tool" if (2..=3).contains(&f.args.len()) => {
                let args = f
                    .args
                    .get(2)
                    .map_or(Some(Value::Object(Map::new())), args_of);
                let (server, tool) = (string_of(&f.args[0]), string_of(&f.args[1]));
                out.push(self.call(line, CallForm::CallTool, server, tool, args));
            }
            "parallel" if f.args.len() == 1 => self.parallel(&f.args[0], line, out),
            // `Fn(name)` not folded into a constant: a computed name can be anything.
            "Fn" if f.args.len() == 1
                && string_of(&f.args[0]).is_none_or(|name| reaches_tools(&name)) =>
            {
                out.push(self.call(line, CallForm::FnPointer, None, None, None));
            }
            _ => {}
        }
    }

    fn parallel(&self, list: &Expr, line: usize, out: &mut Vec<PlannedCall>) {
        let entries: Vec<Entry> = match list {
            Expr::Array(items, _) => items.iter().map(Entry::Expr).collect(),
            other => {
                if let Some(Ok(items)) = literal(other).map(rhai::Dynamic::into_array) {
                    items.into_iter().map(Entry::Value).collect()
                } else {
                    out.push(self.call(line, CallForm::Parallel, None, None, None));
                    return;
                }
            }
        };
        for entry in entries {
            let (server, tool, args) = entry.parts();
            out.push(self.call(line, CallForm::Parallel, server, tool, args));
        }
    }

    fn call(
        &self,
        line: usize,
        form: CallForm,
        server: Option<String>,
        tool: Option<String>,
        args: Option<Value>,
    ) -> PlannedCall {
        let (server, tool) = match (server, tool) {
            (Some(s), Some(t)) => {
                let (s, t) = self.aliases.resolve(&s, &t);
                (Some(s), Some(t))
            }
            (Some(s), None) => (Some(self.aliases.server(&s).to_string()), None),
            other => other,
        };
        let mut flags = Vec::new();
        match (&server, &tool) {
            (Some(s), Some(t)) => match self.def(s, t) {
                None => flags.push(Flag::Unknown),
                Some(def) => {
                    let a = def.annotations.clone().unwrap_or_default();
                    if def.is_destructive() {
                        flags.push(Flag::Destructive);
                    }
                    if a.open_world_hint == Some(true) {
                        flags.push(Flag::OpenWorld);
                    }
                    if def.is_read_only() {
                        flags.push(Flag::ReadOnly);
                    }
                }
            },
            _ => flags.push(Flag::Dynamic),
        }
        flags.sort();
        PlannedCall {
            line,
            form,
            server,
            tool,
            args,
            flags,
        }
    }
}

/// Whether a function pointer to `name` can call tools by itself (script functions are
/// walked where they are defined).
fn reaches_tools(name: &str) -> bool {
    matches!(name, "call_tool" | "parallel")
}

/// One entry of a `parallel` list: an expression, or a value when the list is a constant.
enum Entry<'e> {
    Expr(&'e Expr),
    Value(Dynamic),
}

impl Entry<'_> {
    fn parts(&self) -> (Option<String>, Option<String>, Option<Value>) {
        let empty = || Some(Value::Object(Map::new()));
        match self {
            Entry::Expr(Expr::Array(parts, _)) => (
                parts.first().and_then(string_of),
                parts.get(1).and_then(string_of),
                parts.get(2).map_or_else(empty, args_of),
            ),
            Entry::Expr(e) => match literal(e) {
                Some(v) => Entry::Value(v).parts(),
                None => (None, None, None),
            },
            Entry::Value(v) => match v.clone().into_array() {
                Ok(parts) => (
                    parts.first().and_then(|p| p.clone().into_string().ok()),
                    parts.get(1).and_then(|p| p.clone().into_string().ok()),
                    parts
                        .get(2)
                        .map_or_else(empty, |a| to_json(a).ok().map(unit_is_empty)),
                ),
                Err(_) => (None, None, None),
            },
        }
    }
}

fn unit_is_empty(v: Value) -> Value {
    if v.is_null() {
        Value::Object(Map::new())
    } else {
        v
    }
}

fn literal(e: &Expr) -> Option<Dynamic> {
    e.get_literal_value(None)
}

fn string_of(e: &Expr) -> Option<String> {
    match e {
        Expr::StringConstant(s, _) => Some(s.to_string()),
        _ => None,
    }
}

/// The arguments expression as JSON: literal values kept, computed ones as [`COMPUTED`].
fn args_of(e: &Expr) -> Option<Value> {
    if let Some(v) = literal(e) {
        return to_json(&v).ok().map(unit_is_empty);
    }
    match e {
        Expr::Map(m, _) => Some(Value::Object(
            m.0.iter()
                .map(|(k, v)| {
                    let v = value_of(v);
                    (k.name.to_string(), v)
                })
                .collect(),
        )),
        _ => None,
    }
}

fn value_of(e: &Expr) -> Value {
    match e {
        Expr::Array(items, _) => Value::Array(items.iter().map(value_of).collect()),
        other => args_of(other).unwrap_or_else(|| Value::String(COMPUTED.into())),
    }
}

#[cfg(test)]
mod tests;
