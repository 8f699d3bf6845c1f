//! Asking the model from the workbench: F2 / Ctrl-G opens a task line; the reply streams into
//! the code pane (the script part of it, as soon as its fence opens); the script then runs.
//! The user can edit and re-run (F5); F3 / Ctrl-T ("try again") sends the last run's error,
//! with the edited script when it changed, back to the model. Esc cancels the request.
//!
//! The conversation ([`Session`]) lives here in the state; the app loop holds the client and
//! performs [`AskRequest`]s, sending the text back as [`AskUpdate`]s.

use super::log::{Level, LogBuffer, Source};
use crate::llm::{Session, Turn, prompt};

/// What the app loop should send to the model.
#[derive(Clone, Debug, PartialEq)]
pub enum AskRequest {
    /// A new conversation about this task.
    Start {
        /// The task.
        task: String,
    },
    /// Send a failed run's error back.
    Repair {
        /// The conversation so far (none: start one about fixing the script).
        session: Option<Box<Session>>,
        /// The script as it is in the editor.
        script: String,
        /// The run's error, as a code frame.
        error: String,
    },
}

/// What comes back from the model.
#[derive(Debug)]
pub enum AskUpdate {
    /// More reply text.
    Text(String),
    /// The turn ended: the conversation with the reply added, and the turn; or why it failed.
    Done(Result<(Box<Session>, Turn), String>),
}

/// The ask feature's part of the state.
#[derive(Debug, Default)]
pub struct AskState {
    /// The conversation, once a turn finished.
    pub session: Option<Box<Session>>,
    /// A request is out.
    pub asking: bool,
    /// The reply streamed so far.
    pub reply: String,
    /// The last run's error (code frame), for the repair key.
    pub last_error: Option<String>,
}

/// What the workbench does with what the model sent.
#[derive(Debug, Default, PartialEq)]
pub struct Reply {
    /// The script to put in the editor.
    pub script: Option<String>,
    /// Then run it.
    pub run: bool,
    /// A message for the status bar.
    pub message: Option<String>,
}

impl AskState {
    fn busy(&self) -> Result<(), String> {
        if self.asking {
            Err("the model is still answering".into())
        } else {
            Ok(())
        }
    }

    fn start(&mut self) {
        self.asking = true;
        self.reply.clear();
    }

    /// Enter on the task line: the request to send, or why not (`None`: no task typed).
    pub fn submit(
        &mut self,
        task: &str,
        log: &mut LogBuffer,
    ) -> Result<AskRequest, Option<String>> {
        let task = task.trim();
        if task.is_empty() {
            return Err(None);
        }
        self.busy()?;
        self.start();
        self.session = None;
        log.push(Source::App, Level::Info, None, &format!("ask: {task}"));
        Ok(AskRequest::Start {
            task: task.to_string(),
        })
    }

    /// F3 / Ctrl-T: send the last error back with `script`, or why not.
    pub fn repair(&mut self, script: String, log: &mut LogBuffer) -> Result<AskRequest, String> {
        self.busy()?;
        let Some(error) = self.last_error.clone() else {
            return Err("nothing to repair: the last run did not fail (F5 runs)".into());
        };
        self.start();
        log.push(
            Source::App,
            Level::Info,
            None,
            "ask: sending the error back",
        );
        Ok(AskRequest::Repair {
            session: self.session.take(),
            script,
            error,
        })
    }

    /// Applies what the model sent: the script part of the reply goes to the editor as it
    /// streams, and runs when the turn ends.
    pub fn apply(&mut self, update: AskUpdate, log: &mut LogBuffer) -> Reply {
        match update {
            AskUpdate::Text(t) => {
                self.reply.push_str(&t);
                Reply {
                    script: prompt::extract_script(&self.reply),
                    ..Reply::default()
                }
            }
            AskUpdate::Done(Err(e)) => {
                self.asking = false;
                log.push(Source::App, Level::Error, None, &e);
                Reply {
                    message: Some(e),
                    ..Reply::default()
                }
            }
            AskUpdate::Done(Ok((session, turn))) => {
                self.asking = false;
                self.session = Some(session);
                let usage = match (turn.usage.input_tokens, turn.usage.output_tokens) {
                    (Some(i), Some(o)) => format!(", model reported {i} in / {o} out"),
                    _ => String::new(),
                };
                log.push(
                    Source::App,
                    Level::Info,
                    None,
                    &format!("ask: prompt {} tokens{usage}", turn.prompt_tokens),
                );
                if turn.script.is_none() {
                    log.push(Source::App, Level::Warn, None, &turn.reply);
                    return Reply {
                        message: Some("the model's reply had no script (see the log)".into()),
                        ..Reply::default()
                    };
                }
                Reply {
                    run: true,
                    script: turn.script,
                    message: None,
                }
            }
        }
    }

    /// The status bar's text while the model answers.
    pub fn status(&self, spinner: &str) -> Option<String> {
        self.asking.then(|| {
            format!(
                "{spinner} asking the model… {} chars",
                self.reply.chars().count()
            )
        })
    }
}

/// Performs a request (app loop side): builds the client and the docs, sends the turn, and
/// streams the reply back as [`AskUpdate`]s.
pub(super) fn perform(
    req: AskRequest,
    llm: Option<crate::llm::LlmConfig>,
    registry: &crate::mcp::Registry,
    limits: &crate::script::Limits,
    audit: Option<std::sync::Arc<crate::script::audit::AuditLog>>,
    cancel: tokio_util::sync::CancellationToken,
    send: impl Fn(AskUpdate) + Send + Sync + 'static,
) {
    let client = match llm.map(crate::llm::Client::new) {
        None => {
            return send(AskUpdate::Done(Err(
                crate::llm::NOT_CONFIGURED.replace('\n', " ")
            )));
        }
        Some(Err(e)) => return send(AskUpdate::Done(Err(e))),
        Some(Ok(c)) => c,
    };
    crate::logging::add_secrets(&client.secrets());
    let catalog = crate::catalog::Catalog::from_registry(registry);
    let api = crate::script::script_api(limits);
    let (mut session, task) = match req {
        AskRequest::Start { task } => (Box::new(Session::new(&catalog, &api, &task)), task),
        AskRequest::Repair {
            session,
            script,
            error,
        } => {
            let mut s = session.unwrap_or_else(|| {
                Box::new(Session::new(&catalog, &api, "Make this script work."))
            });
            s.repair(&script, &error);
            (s, "repair: the last run's error".to_string())
        }
    };
    tokio::spawn(async move {
        let mut on_event = |e: crate::llm::AskEvent| {
            if let crate::llm::AskEvent::Text(t) = e {
                send(AskUpdate::Text(t));
            }
        };
        let result = session
            .turn(&client, &catalog, &mut on_event, &cancel)
            .await;
        if let (Some(log), Ok(turn)) = (&audit, &result) {
            // The script's own run follows as a separate run (started from the editor).
            let status = if turn.script.is_some() {
                "script"
            } else {
                "no_script"
            };
            let attempt = session
                .messages
                .iter()
                .filter(|m| m.role == crate::llm::Role::Assistant)
                .count();
            crate::llm::session::audit_attempt(
                log,
                client.config(),
                "",
                attempt,
                &task,
                turn,
                status,
            );
        }
        send(AskUpdate::Done(result.map(|turn| (session, turn))));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::State;
    use crate::action::{Action, Effect, RunUpdate};
    use crate::llm::{Message, Usage};
    use crate::theme::{ColorDepth, Theme};
    use crate::update::update;
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    fn state() -> State {
        let mut s = State::new(
            Theme::builtin("dark", ColorDepth::Ansi16).unwrap(),
            "",
            None,
        );
        s.llm = true;
        s
    }

    fn press(state: &mut State, code: KeyCode, mods: KeyModifiers) -> Vec<Effect> {
        update(state, Action::Key(KeyEvent::new(code, mods)))
    }

    fn type_text(state: &mut State, text: &str) {
        for c in text.chars() {
            press(state, KeyCode::Char(c), KeyModifiers::NONE);
        }
    }

    fn session() -> Box<Session> {
        Box::new(Session {
            system: "sys".into(),
            messages: vec![
                Message::user("Task: x"),
                Message::assistant("```rhai\nlet m = { a: 1 };\n```"),
            ],
        })
    }

    #[test]
    fn the_task_line_starts_a_request_and_the_reply_streams_into_the_editor() {
        let mut s = state();
        assert!(press(&mut s, KeyCode::Char('g'), KeyModifiers::CONTROL).is_empty());
        type_text(&mut s, "add two numbers");
        let fx = press(&mut s, KeyCode::Enter, KeyModifiers::NONE);
        assert_eq!(
            fx,
            [Effect::Ask(AskRequest::Start {
                task: "add two numbers".into()
            })]
        );
        assert!(s.ask.asking && s.overlay.is_none() && s.busy());
        update(&mut s, Action::Ask(AskUpdate::Text("Sure:\n```rh".into())));
        assert_eq!(s.script(), "", "nothing before the fence opens");
        update(&mut s, Action::Ask(AskUpdate::Text("ai\nlet x = 1".into())));
        assert_eq!(s.script(), "let x = 1");
        update(&mut s, Action::Ask(AskUpdate::Text(";\nx + 1\n```".into())));
        assert_eq!(s.script(), "let x = 1;\nx + 1");
        // A second request while answering is refused; Esc cancels the request.
        assert!(press(&mut s, KeyCode::F(3), KeyModifiers::NONE).is_empty());
        assert_eq!(
            press(&mut s, KeyCode::Esc, KeyModifiers::NONE),
            [Effect::CancelRun]
        );
        assert_eq!(
            press(&mut s, KeyCode::Char('c'), KeyModifiers::CONTROL),
            [Effect::CancelRun]
        );
        assert!(
            !s.quit && s.overlay.is_none(),
            "Ctrl-C cancels, it does not quit"
        );
        let turn = Turn {
            reply: s.ask.reply.clone(),
            script: Some("let x = 1;\nx + 1\n".into()),
            searches: vec![],
            prompt_tokens: 900,
            usage: Usage::default(),
        };
        let fx = update(&mut s, Action::Ask(AskUpdate::Done(Ok((session(), turn)))));
        assert_eq!(fx, [Effect::RunScript("let x = 1;\nx + 1".into())]);
        assert!(!s.ask.asking && s.ask.session.is_some());
    }

    #[test]
    fn repair_sends_the_last_error_and_the_edited_script_back() {
        let mut s = state();
        let fx = press(&mut s, KeyCode::F(3), KeyModifiers::NONE);
        assert!(fx.is_empty());
        assert!(s.message.as_deref().unwrap().contains("nothing to repair"));
        s.ask.session = Some(session());
        s.run = crate::state::RunState::Running { started: s.now };
        let frame = "error: Expecting ';'\n  --> line 1, column 9\n";
        update(
            &mut s,
            Action::Run(RunUpdate::Finished {
                result: Err(frame.into()),
                limit_hit: false,
                cancelled: false,
                position: Some((1, 9)),
                elapsed: std::time::Duration::from_millis(3),
            }),
        );
        s.overlay = None;
        let fx = press(&mut s, KeyCode::Char('t'), KeyModifiers::CONTROL);
        assert_eq!(
            fx,
            [Effect::Ask(AskRequest::Repair {
                session: Some(session()),
                script: String::new(),
                error: frame.into(),
            })]
        );
        assert!(s.ask.asking && s.ask.session.is_none());
        update(
            &mut s,
            Action::Ask(AskUpdate::Done(Err("the model API answered 500".into()))),
        );
        assert!(!s.ask.asking);
        assert!(s.message.as_deref().unwrap().contains("500"));
    }
}
