//! Every key, for the `?` overlay and the README. Keep in step with `keys.rs`.

/// (keys, what they do), grouped by where they work.
pub const KEYS: &[(&str, &[(&str, &str)])] = &[
    (
        "Anywhere",
        &[
            ("F5 / Ctrl-R", "run the script"),
            ("Esc / Ctrl-C", "cancel the running script"),
            (
                "Tab / Shift-Tab",
                "next / previous pane (Tab indents in the code pane)",
            ),
            ("Alt-1..4", "servers, docs, code, log pane"),
            ("Ctrl-S", "save the script (scripts/untitled.rhai if new)"),
            ("Ctrl-O", "open a script"),
            ("F1 / ?", "this help (? outside the code pane)"),
            ("Ctrl-Q / Ctrl-C", "quit (asks if the script is unsaved)"),
        ],
    ),
    (
        "Servers and docs",
        &[
            ("↑ ↓ PgUp PgDn Home End / j k", "move / scroll"),
            ("Enter / Space", "fold a server; show a tool's docs"),
            ("/", "filter tools (Enter keeps, Esc clears)"),
            ("i", "insert a call of the selected tool into the code"),
            (
                "c",
                "call the selected tool now (a form with example arguments)",
            ),
            ("r", "reconnect the selected server"),
        ],
    ),
    (
        "Code",
        &[
            (
                "typing, arrows, Ctrl-Z / Ctrl-Y",
                "edit, move, undo / redo (emacs-style keys work)",
            ),
            ("Esc", "leave the editor"),
        ],
    ),
    (
        "Log",
        &[
            ("↑ ↓ PgUp PgDn", "scroll back / forward"),
            ("End / Home", "follow the newest / jump to the oldest"),
            ("f", "filter: all → run → servers → problems"),
        ],
    ),
    (
        "Call form and results",
        &[
            (
                "F5 / Ctrl-R",
                "send (destructive tools ask for a second press)",
            ),
            ("Esc", "close"),
        ],
    ),
];
