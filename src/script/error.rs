//! Script errors with their place in the source: a code frame (the line, a caret under the
//! column, the message) and a one-line hint for the usual JavaScript/Python habits.

use rhai::{EvalAltResult, Position};
use serde::Serialize;
use serde_json::Value;

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

    /// Sets the position and the hint that the source line suggests.
    pub fn at(mut self, pos: Position, source: &str) -> Self {
        self.line = pos.line();
        self.column = pos.position();
        let line_text = self
            .line
            .and_then(|l| source.lines().nth(l - 1))
            .unwrap_or("");
        self.hint = hint(&self.message, line_text);
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

fn looks_like_js_object(line: &str) -> bool {
    let bytes: Vec<char> = line.chars().collect();
    bytes.iter().enumerate().any(|(i, &c)| {
        c == '{'
            && (i == 0 || bytes[i - 1] != '#')
            && line[line.char_indices().nth(i).map(|(b, _)| b + 1).unwrap_or(0)..]
                .trim_start()
                .split_once(':')
                .is_some_and(|(key, _)| {
                    let key = key.trim().trim_matches('"');
                    !key.is_empty() && key.chars().all(|c| c.is_alphanumeric() || c == '_')
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
    }
}
