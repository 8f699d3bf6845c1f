use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::Context::*;
use super::*;

fn press(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn with(c: char, mods: KeyModifiers) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), mods)
}

#[test]
fn a_key_is_bound_at_most_once_in_a_context() {
    let mut twice = Vec::new();
    for (i, a) in BINDINGS.iter().enumerate() {
        for b in &BINDINGS[i + 1..] {
            for context in a.contexts.iter().filter(|c| b.contexts.contains(c)) {
                for k in a.keys.iter().filter(|k| b.keys.contains(k)) {
                    twice.push(format!("{} in {context:?}", k.label()));
                }
            }
        }
    }
    assert!(twice.is_empty(), "bound twice: {twice:?}");
}

#[test]
fn the_innermost_context_wins() {
    let esc = press(KeyCode::Esc);
    let tab = press(KeyCode::Tab);
    assert_eq!(resolve(&[Busy, Code, Global], &esc), Some(Command::Cancel));
    assert_eq!(resolve(&[Code, Global], &esc), Some(Command::Leave));
    assert_eq!(resolve(&[Tree, Global], &esc), Some(Command::ClearFilter));
    // Tab changes panes, but indents in the editor and completes in a prompt form.
    assert_eq!(resolve(&[Tree, Global], &tab), Some(Command::FocusNext));
    assert_eq!(resolve(&[Code, Global], &tab), Some(Command::Input(tab)));
    assert_eq!(resolve(&[CallForm], &tab), Some(Command::Input(tab)));
    assert_eq!(
        resolve(&[Completable, CallForm], &tab),
        Some(Command::Complete)
    );
    assert_eq!(
        resolve(&[Picks, Completable, CallForm], &tab),
        Some(Command::Accept)
    );
    // Ctrl-C cancels what runs, else quits.
    let ctrl_c = with('c', KeyModifiers::CONTROL);
    assert_eq!(
        resolve(&[Busy, Tree, Global], &ctrl_c),
        Some(Command::Cancel)
    );
    assert_eq!(resolve(&[Tree, Global], &ctrl_c), Some(Command::Quit));
}

#[test]
fn unbound_keys_go_to_the_text_close_the_overlay_or_nowhere() {
    let x = press(KeyCode::Char('x'));
    assert_eq!(resolve(&[Code, Global], &x), Some(Command::Input(x)));
    assert_eq!(resolve(&[Busy, Code, Global], &x), Some(Command::Input(x)));
    assert_eq!(
        resolve(&[Picks, Completable, CallForm], &x),
        Some(Command::Input(x))
    );
    assert_eq!(resolve(&[Elicit], &x), Some(Command::Input(x)));
    assert_eq!(resolve(&[ElicitUrl, Elicit], &x), None);
    assert_eq!(resolve(&[Overlay], &x), Some(Command::Close));
    assert_eq!(resolve(&[ConfirmQuit], &x), Some(Command::Close));
    assert_eq!(resolve(&[Tree, Global], &x), None);
    assert_eq!(resolve(&[Approval], &x), None);
}

#[test]
fn letters_do_not_fire_with_ctrl_or_alt_but_shift_is_ignored() {
    assert_eq!(
        resolve(&[Log, Global], &with('f', KeyModifiers::NONE)),
        Some(Command::LogFilter)
    );
    assert_eq!(
        resolve(&[Log, Global], &with('f', KeyModifiers::CONTROL)),
        None
    );
    assert_eq!(
        resolve(&[Tree, Global], &with('i', KeyModifiers::ALT)),
        None
    );
    assert_eq!(
        resolve(&[Tree, Global], &with('?', KeyModifiers::SHIFT)),
        Some(Command::Help)
    );
    assert_eq!(
        resolve(&[Tree, Global], &with('2', KeyModifiers::ALT)),
        Some(Command::Focus(crate::pane::Pane::Docs))
    );
}

#[test]
fn the_help_is_generated_from_the_table() {
    let help = help();
    let titles: Vec<&str> = help.iter().map(|g| g.title).collect();
    assert_eq!(titles, GROUPS.iter().map(|(t, _)| *t).collect::<Vec<_>>());
    let anywhere = &help[0].rows;
    let row = |keys: &str| anywhere.iter().find(|(k, _)| k == keys).map(|(_, t)| *t);
    assert_eq!(row("F5 / Ctrl-R"), Some("run the script"));
    // `Also` bindings join the row above, from other contexts too.
    assert_eq!(
        row("Tab / S-Tab"),
        Some("next / previous pane (Tab indents in code)")
    );
    assert_eq!(row("F1 / ?"), Some("this help (? outside the code pane)"));
    assert_eq!(row("Alt-1..4"), Some("servers, docs, code, log pane"));
    // Panels that show their own keys are left out.
    assert!(help.iter().all(|g| g.rows.iter().all(|(k, _)| k != "a")));
    let md = markdown();
    assert!(md.contains("| Anywhere | `F5 / Ctrl-R` | run the script |\n"));
    assert!(md.contains("|  | `Ctrl-Q / Ctrl-C / q` | quit (asks if the script is unsaved; q outside the editor) |\n"));
}
