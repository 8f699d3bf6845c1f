//! The call form: a tool called directly (the hybrid path), a prompt rendered or a resource
//! template read, its arguments edited as JSON prefilled with an example. F5 validates and
//! sends (a destructive tool wants a second F5); in a prompt or template form Tab asks the
//! server to complete the argument on the cursor's line ([`super::complete`]).

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use ratatui::text::Span;
use ratatui::widgets::{Clear, Paragraph, Wrap};
use serde_json::{Map, Value};
use tui_textarea::TextArea;

use super::action::Effect;
use super::command::Command;
use super::complete::{self, Answered, Completable, Picks};
use super::theme::Theme;
use super::widgets::{centered, modal_block};
use crate::catalog::ToolDoc;
use crate::mcp::{CompletionRef, Completions, PromptDef, ResourceTemplateDef, ToolDef};

/// What a call form sends.
#[derive(Debug, Clone)]
pub enum FormTarget {
    /// `tools/call`.
    Tool(Box<ToolDef>),
    /// `prompts/get`.
    Prompt(PromptDef),
    /// `resources/read` of a template filled in.
    Template(ResourceTemplateDef),
}

impl FormTarget {
    /// The tool's or prompt's name.
    pub fn name(&self) -> &str {
        match self {
            FormTarget::Tool(t) => &t.name,
            FormTarget::Prompt(p) => &p.name,
            FormTarget::Template(t) => &t.name,
        }
    }
}

/// A direct tool call (the hybrid path) or a prompt rendering being edited.
#[derive(Debug)]
pub struct CallForm {
    /// Server name.
    pub server: String,
    /// What it calls.
    pub target: FormTarget,
    /// The arguments as JSON, prefilled with a valid example.
    pub editor: TextArea<'static>,
    /// A validation message, if the last attempt failed.
    pub error: Option<String>,
    /// The tool is destructive and the user has not confirmed yet.
    pub needs_confirm: bool,
    /// Completions offered for a prompt argument (Tab), if shown.
    pub picks: Option<Picks>,
    /// The server declared the `completions` capability (else Tab completes nothing and
    /// the form does not offer it).
    pub completions: bool,
}

/// What a command did to the form.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// The form stays open; these effects run.
    Stay(Vec<Effect>),
    /// Closed.
    Close,
    /// Sent: the form closes and this effect runs.
    Send(Effect),
}

/// `{"name": "", ...}` for string arguments.
fn empty_strings(names: impl Iterator<Item = String>) -> String {
    let args: Map<String, Value> = names.map(|n| (n, Value::String(String::new()))).collect();
    serde_json::to_string_pretty(&args).unwrap_or_default()
}

impl CallForm {
    /// A form for `target` on `server`, its editor holding `text`.
    pub fn new(server: String, target: FormTarget, text: &str) -> CallForm {
        let needs_confirm = matches!(&target, FormTarget::Tool(t) if t.is_destructive());
        CallForm {
            server,
            target,
            editor: TextArea::new(text.lines().map(str::to_string).collect()),
            error: None,
            needs_confirm,
            picks: None,
            completions: true,
        }
    }

    /// A tool's form, prefilled with its docs' example arguments.
    pub fn tool(server: String, doc: &ToolDoc) -> CallForm {
        let text = serde_json::to_string_pretty(&doc.example).unwrap_or_default();
        CallForm::new(server, FormTarget::Tool(Box::new(doc.raw.clone())), &text)
    }

    /// A prompt's form, every argument empty.
    pub fn prompt(server: String, prompt: PromptDef) -> CallForm {
        let text = empty_strings(prompt.arguments.iter().map(|a| a.name.clone()));
        CallForm::new(server, FormTarget::Prompt(prompt), &text)
    }

    /// A resource template's form, every variable empty.
    pub fn template(server: String, template: ResourceTemplateDef) -> CallForm {
        let text = empty_strings(super::template::variables(&template.uri_template).into_iter());
        CallForm::new(server, FormTarget::Template(template), &text)
    }

    /// What the server can complete in this form (prompts and templates, when it declared
    /// completions).
    pub fn completable(&self) -> Option<Completable> {
        if !self.completions {
            return None;
        }
        match &self.target {
            FormTarget::Prompt(p) => Some(Completable {
                reference: CompletionRef::Prompt(p.name.clone()),
                arguments: p.arguments.iter().map(|a| a.name.clone()).collect(),
            }),
            FormTarget::Template(t) => Some(Completable {
                reference: CompletionRef::Resource(t.uri_template.clone()),
                arguments: super::template::variables(&t.uri_template),
            }),
            FormTarget::Tool(_) => None,
        }
    }

    /// Applies a command: the pick list's first, then `Submit`, `Complete`, `Close`, typing.
    pub fn update(&mut self, command: Command) -> Outcome {
        if complete::update(&mut self.picks, &mut self.editor, command) {
            return Outcome::Stay(vec![]);
        }
        match command {
            Command::Close => return Outcome::Close,
            Command::Submit => {
                if let Some(effect) = self.submit() {
                    return Outcome::Send(effect);
                }
            }
            Command::Complete => {
                if let Some(what) = self.completable() {
                    let (effect, note) = complete::request(&self.server, &what, &self.editor);
                    self.error = Some(note);
                    return Outcome::Stay(effect.into_iter().collect());
                }
            }
            Command::Input(key) => {
                self.editor.input(key);
                self.error = None;
            }
            _ => {}
        }
        Outcome::Stay(vec![])
    }

    /// The server answered a completion request.
    pub fn answered(
        &mut self,
        argument: String,
        value: String,
        result: Result<Completions, String>,
    ) {
        let Some(what) = self.completable() else {
            return;
        };
        match complete::answered(&what, &self.editor, argument, value, result) {
            Answered::Stale => self.error = None,
            Answered::Picks(picks) => {
                self.error = None;
                self.picks = Some(picks);
            }
            Answered::Note(note) => self.error = Some(note),
        }
    }

    /// Validates the JSON and builds the request: a tool call (after a confirming second
    /// press for destructive tools), a prompt rendering or a template read. `None` leaves
    /// the reason in `error`.
    fn submit(&mut self) -> Option<Effect> {
        let text = self.editor.lines().join("\n");
        let args = match crate::mcp::parse_args(&text) {
            Ok(a) => a,
            Err(e) => return self.refuse(e),
        };
        let server = self.server.clone();
        match &self.target {
            FormTarget::Tool(tool) => {
                if let Err(e) = tool.check_input(&Value::Object(args.clone())) {
                    return self.refuse(e);
                }
                if self.needs_confirm {
                    self.needs_confirm = false;
                    let e = format!(
                        "`{}` is marked destructive. Press F5 again to call it, Esc to back out.",
                        tool.name
                    );
                    return self.refuse(e);
                }
                let tool = tool.name.clone();
                Some(Effect::CallTool { server, tool, args })
            }
            FormTarget::Template(t) => {
                if let Some((k, _)) = args.iter().find(|(_, v)| !v.is_string()) {
                    return self.refuse(format!("template variables are strings: `{k}` is not"));
                }
                let uri = super::template::expand(&t.uri_template, &args);
                Some(Effect::ReadResource { server, uri })
            }
            FormTarget::Prompt(prompt) => {
                if let Some((k, _)) = args.iter().find(|(_, v)| !v.is_string()) {
                    return self.refuse(format!("prompt arguments are strings: `{k}` is not"));
                }
                if let Some(a) = prompt
                    .arguments
                    .iter()
                    .find(|a| a.required && !args.contains_key(&a.name))
                {
                    return self.refuse(format!("`{}` is required", a.name));
                }
                let name = prompt.name.clone();
                let args = args
                    .into_iter()
                    .filter(|(_, v)| v.as_str() != Some(""))
                    .collect();
                Some(Effect::GetPrompt { server, name, args })
            }
        }
    }

    fn refuse(&mut self, why: String) -> Option<Effect> {
        self.error = Some(why);
        None
    }

    /// The form over the panes.
    pub fn draw(&self, t: &Theme, frame: &mut Frame) {
        let screen = frame.area();
        let area = centered(screen, screen.width * 4 / 5, screen.height * 4 / 5);
        frame.render_widget(Clear, area);
        let tab = if self.completable().is_some() {
            " · Tab complete"
        } else {
            ""
        };
        let title = format!(
            "Call {}::{} · F5 send{tab} · Esc close",
            self.server,
            self.target.name()
        );
        let block = modal_block(t, &title);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let msg_h = if self.error.is_some() { 3 } else { 0 };
        let [editor, msg] =
            Layout::vertical([Constraint::Min(3), Constraint::Length(msg_h)]).areas(inner);
        frame.render_widget(&self.editor, editor);
        if let Some(picks) = &self.picks {
            complete::draw(picks, self.editor.cursor().0, t, frame, editor);
        }
        if let Some(e) = &self.error {
            let style = if e.contains("destructive") {
                t.warn
            } else {
                t.error
            };
            frame.render_widget(
                Paragraph::new(Span::styled(e.clone(), style)).wrap(Wrap { trim: false }),
                msg,
            );
        }
    }
}
