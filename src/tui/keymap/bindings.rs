//! The workbench's key table. The order is the help's: a row, then the bindings that belong
//! to it. A key is bound at most once per context (a test checks).

// The table reads as data (`bind(&[f(5)], &[Global], Run, ...)`): variants unqualified.
#![allow(clippy::enum_glob_use)]

use crossterm::event::KeyCode;

use super::Context::*;
use super::Help::{Also, Hidden, Labelled, Row};
use super::{Binding, KeySpec, alt, bind, ch, ctrl, ctrl_key, key, typed};
use crate::command::Command::*;
use crate::command::Scope;
use crate::pane::Pane;

const UP: KeySpec = key(KeyCode::Up);
const DOWN: KeySpec = key(KeyCode::Down);
const LEFT: KeySpec = key(KeyCode::Left);
const RIGHT: KeySpec = key(KeyCode::Right);
const PGUP: KeySpec = key(KeyCode::PageUp);
const PGDN: KeySpec = key(KeyCode::PageDown);
const HOME: KeySpec = key(KeyCode::Home);
const END: KeySpec = key(KeyCode::End);
const ENTER: KeySpec = key(KeyCode::Enter);
const ESC: KeySpec = key(KeyCode::Esc);
const TAB: KeySpec = key(KeyCode::Tab);
const BACKTAB: KeySpec = key(KeyCode::BackTab);
const SPACE: KeySpec = ch(' ');
const CTRL_HOME: KeySpec = ctrl_key(KeyCode::Home);
const CTRL_END: KeySpec = ctrl_key(KeyCode::End);

const fn f(n: u8) -> KeySpec {
    key(KeyCode::F(n))
}

/// Every binding.
pub static BINDINGS: &[Binding] = &[
    // Anywhere.
    bind(&[f(5), ctrl('r')], &[Global], Run, Row("run the script")),
    bind(
        &[ESC, ctrl('c')],
        &[Busy],
        Cancel,
        Row("cancel the running script or the model's answer"),
    ),
    bind(
        &[f(2), ctrl('g')],
        &[Global],
        Ask,
        Row("ask the model ([llm]) for a script doing a task"),
    ),
    bind(
        &[f(3), ctrl('t')],
        &[Global],
        Repair,
        Row("send the last run's error back to the model"),
    ),
    bind(
        &[f(4)],
        &[Global],
        Plan,
        Row("the script's plan: every call it can make, flagged"),
    ),
    bind(
        &[TAB],
        &[Global],
        FocusNext,
        Row("next / previous pane (Tab indents in code)"),
    ),
    bind(&[BACKTAB], &[Global], FocusPrev, Also),
    typed(&[TAB], &[Code, TreeFilter], Hidden),
    bind(
        &[alt('1')],
        &[Global],
        Focus(Pane::Tree),
        Labelled("Alt-1..4", "servers, docs, code, log pane"),
    ),
    bind(&[alt('2')], &[Global], Focus(Pane::Docs), Also),
    bind(&[alt('3')], &[Global], Focus(Pane::Code), Also),
    bind(&[alt('4')], &[Global], Focus(Pane::Log), Also),
    bind(
        &[ctrl('s')],
        &[Global],
        Save,
        Row("save with tool hashes (asks for a name if new)"),
    ),
    bind(
        &[alt('s')],
        &[Global],
        SaveAs,
        Row("save as (asks before overwriting a file)"),
    ),
    bind(
        &[ctrl('o')],
        &[Global],
        Open,
        Row("open a script (asks before dropping unsaved edits)"),
    ),
    bind(
        &[f(6)],
        &[Global],
        ReloadConfig,
        Row("reload the config (servers added, removed, changed)"),
    ),
    bind(
        &[ctrl('l')],
        &[Global],
        Redraw,
        Row("draw the screen again"),
    ),
    bind(
        &[f(11)],
        &[Global],
        Zoom,
        Row("zoom: the focused pane takes the whole screen (again: back)"),
    ),
    bind(&[ch('z')], &[Tree, Docs, Log], Zoom, Also),
    bind(
        &[f(9)],
        &[Global],
        LastResult,
        Row("show the last result again"),
    ),
    bind(
        &[f(1)],
        &[Global],
        Help,
        Row("this help (? outside the code pane)"),
    ),
    bind(&[ch('?')], &[Tree, TreeFilter, Docs, Log], Help, Also),
    bind(
        &[ctrl('q'), ctrl('c')],
        &[Global],
        Quit,
        Row("quit (asks if the script is unsaved; q outside the editor)"),
    ),
    bind(&[ch('q')], &[Tree, Docs, Log], Quit, Also),
    // Servers and docs.
    bind(
        &[UP, ch('k')],
        &[Tree, Docs],
        Up,
        Labelled("↑↓ PgUp PgDn", "move / scroll (also j k, Home, End)"),
    ),
    bind(&[DOWN, ch('j')], &[Tree, Docs], Down, Also),
    bind(&[PGUP], &[Tree, Docs], PageUp, Also),
    bind(&[PGDN], &[Tree, Docs], PageDown, Also),
    bind(&[SPACE], &[Docs], PageDown, Also),
    bind(&[HOME], &[Tree, Docs], Home, Also),
    bind(&[END], &[Tree, Docs], End, Also),
    bind(
        &[ENTER],
        &[Tree],
        Activate,
        Row("fold a server; show a tool's docs"),
    ),
    bind(&[SPACE], &[Tree], Fold, Also),
    bind(&[LEFT], &[Tree], Fold, Hidden),
    bind(&[RIGHT], &[Tree], Unfold, Hidden),
    bind(
        &[ch('/')],
        &[Tree],
        Filter,
        Row("filter tools (Enter keeps, Esc clears)"),
    ),
    bind(&[ENTER], &[TreeFilter], Accept, Hidden),
    bind(&[ESC], &[Tree, TreeFilter], ClearFilter, Hidden),
    bind(
        &[ch('i')],
        &[Tree, Docs],
        Insert,
        Row("insert a call of the selected tool"),
    ),
    bind(
        &[ch('c')],
        &[Tree, Docs],
        Call,
        Row("call the selected tool now (a form)"),
    ),
    bind(
        &[ENTER],
        &[Docs],
        Activate,
        Labelled(
            "Enter / c",
            "◇ resource: read it; » prompt / ◈ template: a form",
        ),
    ),
    bind(
        &[ch('r')],
        &[Tree, Docs],
        Reconnect,
        Row("reconnect the selected server"),
    ),
    bind(
        &[ch('/')],
        &[Docs, Log, Overlay],
        Search,
        Row("docs, log, help, result: search (Enter finds; n / N next, previous)"),
    ),
    bind(&[ch('n')], &[Docs, Log, Overlay], SearchNext, Hidden),
    bind(&[ch('N')], &[Docs, Log, Overlay], SearchPrev, Hidden),
    bind(&[ENTER], &[SearchLine], Accept, Hidden),
    bind(&[ESC], &[SearchLine], Close, Hidden),
    // Code.
    bind(
        &[ctrl('z')],
        &[Code],
        Undo,
        Row("undo / redo; arrows and emacs keys move"),
    ),
    bind(&[ctrl('y')], &[Code], Redo, Also),
    bind(
        &[CTRL_HOME],
        &[Code],
        Home,
        Row("start / end of the script (also Alt-< / Alt->)"),
    ),
    bind(&[CTRL_END], &[Code], End, Also),
    bind(&[ESC], &[Code, Docs, Log], Leave, Row("leave the editor")),
    // Log.
    bind(
        &[UP, ch('k')],
        &[Log],
        Up,
        Labelled("↑↓ PgUp PgDn", "scroll back / forward"),
    ),
    bind(&[DOWN, ch('j')], &[Log], Down, Also),
    bind(&[PGUP], &[Log], PageUp, Also),
    bind(&[PGDN], &[Log], PageDown, Also),
    bind(
        &[END],
        &[Log],
        End,
        Row("follow the newest / jump to the oldest"),
    ),
    bind(&[HOME], &[Log], Home, Also),
    bind(
        &[ch('f')],
        &[Log],
        LogFilter,
        Row("filter: all → run → servers → problems"),
    ),
    bind(
        &[ch('w')],
        &[Log],
        Wrap,
        Row("wrap long lines (or cut them with …)"),
    ),
    // A server's elicitation.
    bind(
        &[ENTER],
        &[Elicit],
        Accept,
        Row("accept (mistakes show under the field)"),
    ),
    bind(&[ctrl('d')], &[Elicit], Decline, Row("decline / cancel")),
    bind(&[ESC], &[Elicit], Cancel, Also),
    bind(
        &[UP, BACKTAB],
        &[Elicit],
        Up,
        Labelled("↑↓ / Tab", "move between fields; type into text fields"),
    ),
    bind(&[DOWN, TAB], &[Elicit], Down, Also),
    typed(
        &[SPACE, LEFT, RIGHT],
        &[Elicit],
        Labelled("Space / ←→", "toggle yes/no, pick a choice"),
    ),
    typed(&[ctrl('u')], &[Elicit], Row("clear the field")),
    bind(
        &[ch('y')],
        &[ElicitUrl],
        Accept,
        Row("URL mode: I opened the link / decline"),
    ),
    bind(&[ch('n')], &[ElicitUrl], Decline, Also),
    // A server's sampling request; the help and result overlays scroll the same way.
    bind(
        &[ch('y'), ENTER],
        &[Sampling],
        Accept,
        Row("send the request to the [llm] model"),
    ),
    bind(
        &[ch('n'), ESC],
        &[Sampling],
        Deny,
        Row("deny it (the server gets an error)"),
    ),
    bind(
        &[UP, ch('k')],
        &[Sampling, Overlay],
        Up,
        Labelled(
            "↑↓ PgUp PgDn",
            "scroll the prompt and messages (also Home, End)",
        ),
    ),
    bind(&[DOWN, ch('j')], &[Sampling, Overlay], Down, Also),
    bind(&[PGUP], &[Sampling, Overlay], PageUp, Also),
    bind(&[PGDN, SPACE], &[Sampling, Overlay], PageDown, Also),
    bind(&[HOME], &[Sampling, Overlay], Home, Also),
    bind(&[END], &[Sampling, Overlay], End, Also),
    // The call form and its completions.
    bind(
        &[f(5), ctrl('r')],
        &[CallForm],
        Submit,
        Row("send (destructive tools want a second F5)"),
    ),
    bind(
        &[TAB],
        &[Completable],
        Complete,
        Row("prompt / template form: the server's completions for the cursor's argument"),
    ),
    bind(
        &[UP],
        &[Picks],
        Up,
        Labelled("↑↓ Enter", "pick a completion (Esc closes the list)"),
    ),
    bind(&[DOWN], &[Picks], Down, Also),
    bind(&[ENTER, TAB], &[Picks], Accept, Also),
    bind(&[ESC], &[Picks], Close, Also),
    bind(&[ESC], &[CallForm], Close, Row("close")),
    // Panels and lines that show their keys themselves.
    bind(&[ch('y'), ENTER], &[Approval], Approve(Scope::Once), Hidden),
    bind(&[ch('a')], &[Approval], Approve(Scope::ForRun), Hidden),
    bind(&[ch('n'), ESC], &[Approval], Deny, Hidden),
    bind(&[ch('y'), ch('Y')], &[ConfirmQuit], Accept, Hidden),
    bind(&[ENTER], &[PromptLine], Submit, Hidden),
    bind(&[ESC], &[PromptLine], Close, Hidden),
];
