//! Every key, for the `?` overlay and the README. Keep in step with `keys.rs`.

/// (keys, what they do), grouped by where they work.
pub const KEYS: &[(&str, &[(&str, &str)])] = &[
    (
        "Anywhere",
        &[
            ("F5 / Ctrl-R", "run the script"),
            (
                "Esc / Ctrl-C",
                "cancel the running script or the model's answer",
            ),
            (
                "F2 / Ctrl-G",
                "ask the model ([llm]) for a script doing a task",
            ),
            ("F3 / Ctrl-T", "send the last run's error back to the model"),
            ("F4", "the script's plan: every call it can make, flagged"),
            ("Tab / S-Tab", "next / previous pane (Tab indents in code)"),
            ("Alt-1..4", "servers, docs, code, log pane"),
            (
                "Ctrl-S",
                "save with tool hashes (scripts/untitled.rhai if new)",
            ),
            ("Ctrl-O", "open a script"),
            (
                "Ctrl-L",
                "reload the config (servers added, removed, changed)",
            ),
            ("F1 / ?", "this help (? outside the code pane)"),
            ("Ctrl-Q / Ctrl-C", "quit (asks if the script is unsaved)"),
        ],
    ),
    (
        "Servers and docs",
        &[
            ("↑↓ PgUp PgDn", "move / scroll (also j k, Home, End)"),
            ("Enter / Space", "fold a server; show a tool's docs"),
            ("/", "filter tools (Enter keeps, Esc clears)"),
            ("i", "insert a call of the selected tool"),
            ("c", "call the selected tool now (a form)"),
            (
                "Enter / c",
                "◇ resource: read it; » prompt / ◈ template: a form",
            ),
            ("r", "reconnect the selected server"),
        ],
    ),
    (
        "Code",
        &[
            ("Ctrl-Z / Ctrl-Y", "undo / redo; arrows and emacs keys move"),
            ("Esc", "leave the editor"),
        ],
    ),
    (
        "Log",
        &[
            ("↑↓ PgUp PgDn", "scroll back / forward"),
            ("End / Home", "follow the newest / jump to the oldest"),
            ("f", "filter: all → run → servers → problems"),
        ],
    ),
    (
        "A server asks (elicitation form)",
        &[
            ("Enter", "accept (mistakes show under the field)"),
            ("Ctrl-D / Esc", "decline / cancel"),
            ("↑↓ / Tab", "move between fields; type into text fields"),
            ("Space / ←→", "toggle yes/no, pick a choice"),
            ("Ctrl-U", "clear the field"),
            ("y / n", "URL mode: I opened the link / decline"),
        ],
    ),
    (
        "A server asks the model (sampling panel)",
        &[
            ("y / Enter", "send the request to the [llm] model"),
            ("n / Esc", "deny it (the server gets an error)"),
            ("↑↓ PgUp PgDn", "scroll the prompt and messages"),
        ],
    ),
    (
        "Call form and results",
        &[
            ("F5 / Ctrl-R", "send (destructive tools want a second F5)"),
            (
                "Tab",
                "prompt / template form: the server's completions for the cursor's argument",
            ),
            ("↑↓ Enter", "pick a completion (Esc closes the list)"),
            ("Esc", "close"),
        ],
    ),
];
