//! The key bindings, as data: each [`Binding`] says which keys, where they work
//! ([`Context`]), what they mean ([`Command`]) and how the help lists them. [`resolve`] looks a
//! key up in the active contexts, innermost first; the F1 overlay and the README's key table
//! ([`markdown`]) are generated from the same table, so they cannot drift from it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::command::Command;

mod bindings;

pub use bindings::BINDINGS;

/// A key: its code and the Ctrl / Alt it needs. Shift is not compared (`?` and `Y` arrive
/// with it), and a key without Ctrl or Alt does not match one pressed with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeySpec {
    /// The key.
    pub code: KeyCode,
    /// Ctrl and / or Alt, or none.
    pub mods: KeyModifiers,
}

const CTRL_ALT: KeyModifiers = KeyModifiers::CONTROL.union(KeyModifiers::ALT);

impl KeySpec {
    /// Whether `key` is this key.
    pub fn matches(&self, key: &KeyEvent) -> bool {
        self.code == key.code && self.mods == key.modifiers.intersection(CTRL_ALT)
    }

    /// How the status line writes it: as [`KeySpec::label`], Ctrl as `^` (`^S`).
    pub fn short_label(&self) -> String {
        self.label().replacen("Ctrl-", "^", 1)
    }

    /// How the help writes it: `F5`, `Ctrl-R`, `Alt-1`, `↑`, `Space`, `S-Tab`.
    pub fn label(&self) -> String {
        let name = match self.code {
            KeyCode::Char(' ') => "Space".to_string(),
            KeyCode::Char(c) if self.mods.intersects(CTRL_ALT) && c.is_ascii_alphabetic() => {
                c.to_ascii_uppercase().to_string()
            }
            KeyCode::Char(c) => c.to_string(),
            KeyCode::F(n) => format!("F{n}"),
            KeyCode::BackTab => "S-Tab".into(),
            KeyCode::Up => "↑".into(),
            KeyCode::Down => "↓".into(),
            KeyCode::Left => "←".into(),
            KeyCode::Right => "→".into(),
            KeyCode::PageUp => "PgUp".into(),
            KeyCode::PageDown => "PgDn".into(),
            other => format!("{other:?}"),
        };
        let ctrl = if self.mods.contains(KeyModifiers::CONTROL) {
            "Ctrl-"
        } else {
            ""
        };
        let alt = if self.mods.contains(KeyModifiers::ALT) {
            "Alt-"
        } else {
            ""
        };
        format!("{ctrl}{alt}{name}")
    }
}

/// Where a key works. The workbench's state decides which contexts are active (see
/// `update::contexts`); [`resolve`] tries them in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Context {
    /// A run or a request to the model is in flight (before the pane: Esc cancels it).
    Busy,
    /// Whatever pane is focused (after the pane's own keys).
    Global,
    /// The servers pane.
    Tree,
    /// Typing the servers pane's filter.
    TreeFilter,
    /// The docs pane.
    Docs,
    /// The script editor.
    Code,
    /// The log pane.
    Log,
    /// The help or a result over the panes: scroll, any other key closes.
    Overlay,
    /// "Quit anyway?"
    ConfirmQuit,
    /// A one-line prompt (open, save as, the model's task).
    PromptLine,
    /// The call form (tool, prompt, template).
    CallForm,
    /// A prompt or template form, whose arguments the server can complete.
    Completable,
    /// The completions pick list.
    Picks,
    /// A tool call waiting for approval.
    Approval,
    /// A server's elicitation form.
    Elicit,
    /// A server's elicitation in URL mode.
    ElicitUrl,
    /// A server's sampling request.
    Sampling,
    /// Typing a search (`/`).
    SearchLine,
}

/// What an unbound key does in a context.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fallback {
    /// Goes to the context's text.
    Input,
    /// Closes it.
    Close,
    /// Nothing.
    Ignore,
    /// Ask the next context.
    Next,
}

impl Context {
    fn fallback(self) -> Fallback {
        match self {
            Context::TreeFilter
            | Context::Code
            | Context::PromptLine
            | Context::CallForm
            | Context::SearchLine
            | Context::Elicit => Fallback::Input,
            Context::Overlay | Context::ConfirmQuit => Fallback::Close,
            Context::Busy | Context::Completable | Context::Picks => Fallback::Next,
            Context::Global
            | Context::Tree
            | Context::Docs
            | Context::Log
            | Context::Approval
            | Context::ElicitUrl
            | Context::Sampling => Fallback::Ignore,
        }
    }
}

/// What a binding does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Does {
    /// This command.
    Command(Command),
    /// The key is typed into the context's text ([`Command::Input`]); bound only so the help
    /// names it.
    Type,
}

/// How the help lists a binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Help {
    /// A row: its keys, then this text.
    Row(&'static str),
    /// A row whose keys read better as written here (`↑↓ PgUp PgDn`).
    Labelled(&'static str, &'static str),
    /// Part of the row above; its keys join that row's.
    Also,
    /// Not listed on its own: the row above or the panel itself names it.
    Hidden,
}

/// One binding.
#[derive(Clone, Copy, Debug)]
pub struct Binding {
    /// The keys.
    pub keys: &'static [KeySpec],
    /// Where they work.
    pub contexts: &'static [Context],
    /// What they do.
    pub does: Does,
    /// How the help lists them.
    pub help: Help,
}

/// The help's groups: a title and the contexts whose rows it lists. Contexts not listed
/// (overlays, the approval panel, prompt lines) show their keys themselves.
const GROUPS: &[(&str, &[Context])] = &[
    ("Anywhere", &[Context::Busy, Context::Global]),
    (
        "Servers and docs",
        &[Context::Tree, Context::TreeFilter, Context::Docs],
    ),
    ("Code", &[Context::Code]),
    ("Log", &[Context::Log]),
    (
        "A server asks (elicitation form)",
        &[Context::Elicit, Context::ElicitUrl],
    ),
    (
        "A server asks the model (sampling panel)",
        &[Context::Sampling],
    ),
    (
        "Call form and results",
        &[Context::CallForm, Context::Completable, Context::Picks],
    ),
];

/// Looks `key` up in `stack`, innermost context first. A key bound nowhere goes where the
/// first context that has a say sends it: to its text, closing it, or nowhere (`None`).
pub fn resolve(stack: &[Context], key: &KeyEvent) -> Option<Command> {
    for context in stack {
        let bound = bindings::BINDINGS
            .iter()
            .find(|b| b.contexts.contains(context) && b.keys.iter().any(|k| k.matches(key)));
        if let Some(b) = bound {
            return Some(match b.does {
                Does::Command(c) => c,
                Does::Type => Command::Input(*key),
            });
        }
    }
    for context in stack {
        match context.fallback() {
            Fallback::Next => {}
            Fallback::Input => return Some(Command::Input(*key)),
            Fallback::Close => return Some(Command::Close),
            Fallback::Ignore => return None,
        }
    }
    None
}

/// The first key bound to `command` in `bound_in` (in that order) that does it with `stack`
/// active (a key an inner context takes for something else does not count), for hints that
/// must follow the table.
pub fn key_for(stack: &[Context], bound_in: &[Context], command: Command) -> Option<KeySpec> {
    let mut keys = bound_in.iter().flat_map(|context| {
        bindings::BINDINGS
            .iter()
            .filter(move |b| b.contexts.contains(context) && b.does == Does::Command(command))
            .flat_map(|b| b.keys.iter().copied())
    });
    keys.find(|k| resolve(stack, &KeyEvent::new(k.code, k.mods)) == Some(command))
}

/// One group of the help: its title and its rows (keys, what they do).
#[derive(Clone, Debug, PartialEq)]
pub struct HelpGroup {
    /// Where the keys work.
    pub title: &'static str,
    /// (keys, what they do).
    pub rows: Vec<(String, &'static str)>,
}

/// The help, generated from the bindings: its groups in order, each row in table order.
pub fn help() -> Vec<HelpGroup> {
    let mut rows: Vec<(usize, String, &'static str)> = Vec::new();
    let mut labelled = false;
    for b in bindings::BINDINGS {
        let group = GROUPS
            .iter()
            .position(|(_, contexts)| contexts.contains(&b.contexts[0]));
        let keys = || {
            b.keys
                .iter()
                .map(KeySpec::label)
                .collect::<Vec<_>>()
                .join(" / ")
        };
        match (b.help, group, rows.last_mut()) {
            (Help::Row(text), Some(g), _) => {
                rows.push((g, keys(), text));
                labelled = false;
            }
            (Help::Labelled(label, text), Some(g), _) => {
                rows.push((g, label.to_string(), text));
                labelled = true;
            }
            (Help::Also, _, Some((_, label, _))) if !labelled => {
                label.push_str(" / ");
                label.push_str(&keys());
            }
            _ => {}
        }
    }
    GROUPS
        .iter()
        .enumerate()
        .map(|(g, (title, _))| HelpGroup {
            title,
            rows: rows
                .iter()
                .filter(|(rg, ..)| *rg == g)
                .map(|(_, keys, text)| (keys.clone(), *text))
                .collect(),
        })
        .collect()
}

/// The help as the README's Markdown table (each group named on its first row).
pub fn markdown() -> String {
    let mut out = String::from("| Where | Keys | What they do |\n|---|---|---|\n");
    for group in help() {
        for (i, (keys, text)) in group.rows.iter().enumerate() {
            let title = if i == 0 { group.title } else { "" };
            out.push_str(&format!("| {title} | `{keys}` | {text} |\n"));
        }
    }
    out
}

/// A key without modifiers.
const fn key(code: KeyCode) -> KeySpec {
    KeySpec {
        code,
        mods: KeyModifiers::NONE,
    }
}

/// A character key.
const fn ch(c: char) -> KeySpec {
    key(KeyCode::Char(c))
}

/// Ctrl and a key.
const fn ctrl_key(code: KeyCode) -> KeySpec {
    KeySpec {
        code,
        mods: KeyModifiers::CONTROL,
    }
}

/// Ctrl and a character.
const fn ctrl(c: char) -> KeySpec {
    ctrl_key(KeyCode::Char(c))
}

/// Alt and a character.
const fn alt(c: char) -> KeySpec {
    KeySpec {
        code: KeyCode::Char(c),
        mods: KeyModifiers::ALT,
    }
}

/// A binding to a command.
const fn bind(
    keys: &'static [KeySpec],
    contexts: &'static [Context],
    command: Command,
    help: Help,
) -> Binding {
    Binding {
        keys,
        contexts,
        does: Does::Command(command),
        help,
    }
}

/// Keys typed into the context's text, bound so the help names them.
const fn typed(keys: &'static [KeySpec], contexts: &'static [Context], help: Help) -> Binding {
    Binding {
        keys,
        contexts,
        does: Does::Type,
        help,
    }
}

#[cfg(test)]
mod tests;
