//! Script errors with their place in the source: a code frame (the line, a caret under the
//! column, the message) and a one-line hint for the usual JavaScript/Python habits.

use rhai::{EvalAltResult, Position};
use serde::Serialize;
use serde_json::Value;

use crate::mcp::CallError;

/// What kind of failure ended the run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The script does not parse.
    Parse,
    /// The script failed while running (including an uncaught tool error).
    Runtime,
    /// A limit stopped the run.
    Limit,
    /// The run was cancelled from outside.
    Cancelled,
    /// The final result is not acceptable (not JSON, or fails `--result-schema`).
    Result,
    /// codemode itself failed (the script thread could not start or panicked).
    Internal,
}

/// The `kind` of the catchable error map a failed tool call throws (`e.kind` in a script).
/// [`CallKind::ALL`] lists every value; the primer documents them from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CallKind {
    /// The tool ran and answered `isError: true`.
    ToolError,
    /// The arguments do not match the tool's `inputSchema` (or are not a map).
    InvalidArguments,
    /// The result does not match the tool's `outputSchema`.
    OutputSchema,
    /// The policy refuses the tool in this run.
    Policy,
    /// The call took too long.
    Timeout,
    /// The call was cancelled (not the whole run).
    Cancelled,
    /// No server by that name.
    UnknownServer,
    /// The server exists but is not connected.
    NotConnected,
    /// The server has no such tool.
    UnknownTool,
    /// The server went away during the call.
    Disconnected,
    /// The server answered with a JSON-RPC error.
    Protocol,
    /// Any other transport failure.
    Transport,
}

impl CallKind {
    /// Every kind, in the order the docs list them.
    pub const ALL: [CallKind; 12] = [
        CallKind::ToolError,
        CallKind::InvalidArguments,
        CallKind::OutputSchema,
        CallKind::Policy,
        CallKind::Timeout,
        CallKind::Cancelled,
        CallKind::UnknownServer,
        CallKind::NotConnected,
        CallKind::UnknownTool,
        CallKind::Disconnected,
        CallKind::Protocol,
        CallKind::Transport,
    ];

    /// The value of `e.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            CallKind::ToolError => "tool_error",
            CallKind::InvalidArguments => "invalid_arguments",
            CallKind::OutputSchema => "output_schema",
            CallKind::Policy => "policy",
            CallKind::Timeout => "timeout",
            CallKind::Cancelled => "cancelled",
            CallKind::UnknownServer => "unknown_server",
            CallKind::NotConnected => "not_connected",
            CallKind::UnknownTool => "unknown_tool",
            CallKind::Disconnected => "disconnected",
            CallKind::Protocol => "protocol",
            CallKind::Transport => "transport",
        }
    }

    /// When it happens, for the docs.
    pub fn doc(self) -> &'static str {
        match self {
            CallKind::ToolError => "the tool ran and reported an error",
            CallKind::InvalidArguments => "the arguments do not match the tool's inputSchema",
            CallKind::OutputSchema => "the result does not match the tool's outputSchema",
            CallKind::Policy => "the tool is not allowed in this run (e.g. destructive)",
            CallKind::Timeout => "the call took too long",
            CallKind::Cancelled => "the call was cancelled",
            CallKind::UnknownServer => "no such server",
            CallKind::NotConnected => "the server is not connected",
            CallKind::UnknownTool => "no such tool",
            CallKind::Disconnected => "the server went away during the call",
            CallKind::Protocol => "the server rejected the request",
            CallKind::Transport => "the server could not be reached",
        }
    }

    /// The kind of a transport or protocol failure (exhaustive, so a new [`CallError`]
    /// variant must be given a documented kind).
    pub fn of(e: &CallError) -> CallKind {
        match e {
            CallError::UnknownServer { .. } => CallKind::UnknownServer,
            CallError::NotConnected { .. } => CallKind::NotConnected,
            CallError::UnknownTool { .. } => CallKind::UnknownTool,
            CallError::InvalidArguments { .. } => CallKind::InvalidArguments,
            CallError::Timeout { .. } => CallKind::Timeout,
            CallError::Cancelled { .. } => CallKind::Cancelled,
            CallError::Disconnected { .. } => CallKind::Disconnected,
            CallError::Protocol { .. } => CallKind::Protocol,
            CallError::Transport { .. } => CallKind::Transport,
        }
    }
}

/// A script error, structured for `--json` and renderable as a code frame.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ScriptError {
    /// The kind.
    pub kind: ErrorKind,
    /// What went wrong, one sentence.
    pub message: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// A hint for a likely mistake.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The value the script threw (a tool error map, a string...), as JSON.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub thrown: Option<Value>,
}

impl ScriptError {
    /// An error without a position.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ScriptError {
            kind,
            message: message.into(),
            line: None,
            column: None,
            hint: None,
            thrown: None,
        }
    }

    /// Sets the position and, for a parse or runtime error, the hint that the source line
    /// suggests (a limit, a cancel or a bad result is not a slip of the pen: a hint about the
    /// line's syntax would send the reader after the wrong thing).
    pub fn at(mut self, pos: Position, source: &str) -> Self {
        self.line = pos.line();
        self.column = pos.position();
        let line_text = self
            .line
            .and_then(|l| source.lines().nth(l - 1))
            .unwrap_or("");
        self.hint = matches!(self.kind, ErrorKind::Parse | ErrorKind::Runtime)
            .then(|| hint(&self.message, line_text))
            .flatten();
        self
    }

    /// The error as text: `error: message`, the location, the source line with a caret, and
    /// the hint.
    pub fn render(&self, source: &str) -> String {
        let mut out = format!("error: {}\n", self.message);
        if let Some(line) = self.line {
            let col = self.column.unwrap_or(1);
            out.push_str(&format!("  --> line {line}, column {col}\n"));
            if let Some(text) = source.lines().nth(line - 1) {
                let gutter = line.to_string().len();
                let text = text.replace('\t', " ");
                out.push_str(&format!("{:gutter$} |\n", ""));
                out.push_str(&format!("{line} | {text}\n"));
                out.push_str(&format!(
                    "{:gutter$} | {:>col$}\n",
                    "",
                    "^",
                    col = col.max(1)
                ));
            }
        }
        if let Some(hint) = &self.hint {
            out.push_str(&format!("hint: {hint}\n"));
        }
        out
    }
}

/// A hint for the classic mistakes of people (and models) used to JavaScript or Python.
pub fn hint(message: &str, line: &str) -> Option<String> {
    if let Some(h) = trap(message) {
        return Some(h.to_string());
    }
    let has = |w: &str| {
        line.split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|t| t == w)
    };
    let h = if has("null") || has("undefined") || has("None") {
        "Rhai has no null/undefined/None: use `()` for \"no value\" (and `x == ()` to test it)"
    } else if has("await") || has("async") {
        "there is no await: tool calls block until they finish; use `parallel([...])` to run calls concurrently"
    } else if has("function") || has("def") {
        "functions are declared with `fn name(a, b) { ... }`"
    } else if line.contains("=>") {
        "closures are written `|x| x + 1` in Rhai, not `(x) => x + 1`"
    } else if has("var") {
        "declare variables with `let` (or `const`)"
    } else if line.contains("===") || line.contains("!==") {
        "use `==` and `!=`"
    } else if line.contains("console.log") {
        "use `print(value)`"
    } else if line.contains("import") || message.contains("import") {
        "modules cannot be imported; each server is already a module: `server::tool(#{...})`"
    } else if line.contains("eval") && message.contains("eval") {
        "`eval` is disabled in the sandbox"
    } else if looks_like_js_object(line) {
        "object maps are written `#{ key: value }` in Rhai, not `{ key: value }`"
    } else if line.contains("True") || line.contains("False") {
        "booleans are `true` and `false`"
    } else {
        return None;
    };
    Some(h.to_string())
}

/// The Rhai traps a JavaScript habit walks into, known by the error they cause: a method
/// called on `()` (what `trim`/`replace` return: they change the string in place), `.length`
/// for `len()`, `try` used as an expression.
fn trap(message: &str) -> Option<&'static str> {
    let called_on_unit = message
        .strip_prefix("Function not found: ")
        .and_then(|rest| rest.split_once(" ("))
        .is_some_and(|(name, args)| !name.contains("::") && args.starts_with("()"));
    if called_on_unit {
        Some(
            "a value is `()`: `trim`, `replace`, `make_upper`, `make_lower`, `pad`, `truncate` change the string in place and return nothing (write `s.trim();` then use `s`), and a missing map key reads as `()`",
        )
    } else if message.starts_with("Unknown property 'length'")
        || message.starts_with("Unknown property 'size'")
    {
        Some("the length is a method: `xs.len()` (arrays, strings, maps)")
    } else if message.contains("Unexpected 'try'") {
        Some(
            "`try` is a statement, not a value: `let x = (); try { x = f(); } catch (e) { x = 0; }`",
        )
    } else {
        None
    }
}

fn looks_like_js_object(line: &str) -> bool {
    let bytes: Vec<char> = line.chars().collect();
    bytes.iter().enumerate().any(|(i, &c)| {
        c == '{'
            && (i == 0 || bytes[i - 1] != '#')
            && line[line.char_indices().nth(i).map_or(0, |(b, _)| b + 1)..]
                .trim_start()
                .split_once(':')
                .is_some_and(|(key, rest)| {
                    let key = key.trim().trim_matches('"');
                    // `{ demo::tool(...) }` is a block calling a tool, not a map.
                    !rest.starts_with(':')
                        && !key.is_empty()
                        && key.chars().all(|c| c.is_alphanumeric() || c == '_')
                })
    })
}

/// The innermost error of a chain of function-call wrappers, with the outermost position
/// that is known (a native function's error may carry none of its own).
pub fn innermost(err: &EvalAltResult) -> (&EvalAltResult, Position) {
    let mut cur = err;
    let mut pos = err.position();
    loop {
        match cur {
            EvalAltResult::ErrorInFunctionCall(_, _, inner, p)
            | EvalAltResult::ErrorInModule(_, inner, p) => {
                if !p.is_none() {
                    pos = *p;
                }
                cur = inner;
            }
            other => {
                if !other.position().is_none() {
                    pos = other.position();
                }
                return (other, pos);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_points_at_the_column_with_a_hint() {
        let src = "let a = 1;\nlet m = { name: \"x\" };\n";
        let err = ScriptError::new(ErrorKind::Parse, "Expecting ';'").at(Position::new(2, 11), src);
        let text = err.render(src);
        assert!(text.contains("2 | let m = { name: \"x\" };"), "{text}");
        assert!(text.contains("  |           ^\n"), "{text}");
        assert!(text.contains("#{ key: value }"), "{text}");
    }

    #[test]
    fn hints_for_js_and_python_habits() {
        let cases = [
            ("let x = null;", "()"),
            ("let r = await demo::get_issue(#{id: 1});", "parallel"),
            ("function f(a) { a }", "fn name"),
            ("let f = (x) => x + 1;", "|x|"),
            ("var x = 1;", "let"),
            ("if a === b {}", "=="),
        ];
        for (line, expected) in cases {
            let h = hint("", line).unwrap_or_default();
            assert!(h.contains(expected), "{line}: {h}");
        }
        assert_eq!(hint("", "let m = #{ a: 1 };"), None);
        // A block that calls a tool is not a JavaScript object.
        assert_eq!(
            hint("", "for i in 0..3 { demo::calculate(#{op: \"add\"}); }"),
            None
        );
    }

    #[test]
    fn limits_and_cancels_get_no_syntax_hint() {
        // The line would earn the JS-object hint if it were a parse error.
        let src = "let m = { name: \"x\" };";
        for kind in [ErrorKind::Limit, ErrorKind::Cancelled, ErrorKind::Result] {
            let err = ScriptError::new(kind, "limit `max_tool_calls` reached (200)")
                .at(Position::new(1, 9), src);
            assert_eq!(err.hint, None, "{kind:?}");
            assert_eq!(err.line, Some(1));
        }
        let err = ScriptError::new(ErrorKind::Parse, "Expecting ';'").at(Position::new(1, 9), src);
        assert!(err.hint.is_some());
    }

    #[test]
    fn hints_for_rhai_traps_by_their_errors() {
        let cases = [
            (
                "Function not found: split ((), &str | ImmutableString | String)",
                "change the string in place",
            ),
            ("Function not found: len (())", "`s.trim();`"),
            (
                "Unknown property 'length' - a getter is not registered for type 'array'",
                "`xs.len()`",
            ),
            ("Unexpected 'try'", "`try` is a statement"),
        ];
        for (message, expected) in cases {
            let h = hint(message, "").unwrap_or_default();
            assert!(h.contains(expected), "{message}: {h}");
        }
        // A tool function of an unknown module is not a method on `()`.
        assert_eq!(hint("Function not found: demo::x (())", ""), None);
        assert_eq!(hint("Function not found: split (string, string)", ""), None);
    }

    #[test]
    fn call_kinds_agree_with_the_connection_layer() {
        let names: Vec<&str> = CallKind::ALL.iter().map(|k| k.as_str()).collect();
        let unique: std::collections::BTreeSet<&str> = names.iter().copied().collect();
        assert_eq!(unique.len(), names.len());
        for k in CallKind::ALL {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
        let e = CallError::Timeout {
            server: "s".into(),
            what: "t".into(),
            timeout: std::time::Duration::from_secs(1),
        };
        assert_eq!(CallKind::of(&e).as_str(), e.kind());
    }
}
