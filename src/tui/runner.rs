//! The effect executor: performs what `update` asks (a run on a blocking thread, a direct
//! call, a read, a file, the model) in the background and sends each outcome back to the
//! loop as an action. It holds the reply maps of the requests that wait on the user.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::action::{Action, Effect, RunUpdate};
use super::{approval, elicit, sampling};
use crate::mcp::{CallOptions, Registry};
use crate::script::{self, RunEvent, RunOptions};

/// How scripts run from the workbench: the same limits, policy and audit log as `codemode
/// run`.
#[derive(Clone, Default)]
pub struct RunSettings {
    /// Limits per run.
    pub limits: script::Limits,
    /// Which tools scripts may call; calls it asks about wait for approval in a panel.
    pub policy: script::Policy,
    /// The approved tool definitions (pins), shared with `codemode run` and `lint`.
    pub approvals: Option<Arc<script::approval::ApprovalStore>>,
    /// Where runs are recorded.
    pub audit: Option<Arc<script::audit::AuditLog>>,
    /// The `--config` path, for reloading (`None`: discovery again).
    pub config_path: Option<std::path::PathBuf>,
    /// The model that writes scripts (`[llm]`), if configured.
    pub llm: Option<crate::llm::LlmConfig>,
    /// Capture the mouse (clicks focus and select, the wheel scrolls); `[tui] mouse`.
    pub mouse: bool,
}

/// The effect executor's own state: the running script's cancel handle, the reply maps.
pub(super) struct Runner {
    registry: Registry,
    settings: RunSettings,
    cancel: Option<CancellationToken>,
    /// Cancels the request to the model in flight.
    ask_cancel: CancellationToken,
    tx: mpsc::UnboundedSender<Action>,
    /// Answers to calls waiting for approval.
    approvals: approval::Replies,
    /// Answers to servers' elicitation requests.
    elicits: elicit::Replies,
    /// Answers (approve or not) to servers' sampling requests.
    samplings: sampling::Replies,
}

impl Runner {
    /// An executor for `registry`, whose elicitation and sampling requests now come to the
    /// UI through `tx`.
    pub(super) fn new(
        registry: &Registry,
        settings: RunSettings,
        tx: mpsc::UnboundedSender<Action>,
    ) -> Runner {
        let elicits = elicit::Replies::default();
        registry.set_elicitor(elicit::elicitor(tx.clone(), elicits.clone()));
        let samplings = sampling::Replies::default();
        registry.set_sampler(sampling::sampler(
            tx.clone(),
            samplings.clone(),
            settings.llm.clone(),
        ));
        Runner {
            registry: registry.clone(),
            settings,
            cancel: None,
            ask_cancel: CancellationToken::new(),
            tx,
            approvals: Default::default(),
            elicits,
            samplings,
        }
    }
}

/// The workbench closes: the requests still waiting are answered (elicitation cancelled,
/// sampling and calls waiting for approval denied) by dropping their senders.
impl Drop for Runner {
    fn drop(&mut self) {
        self.elicits.cancel_all();
        self.samplings.cancel_all();
        self.approvals.cancel_all();
    }
}

impl Runner {
    /// Starts an effect in the background; its outcome comes back as an action.
    pub(super) fn perform(&mut self, effect: Effect) {
        let tx = self.tx.clone();
        let registry = self.registry.clone();
        match effect {
            Effect::RunScript(source) => self.run_script(source),
            Effect::Answer { id, approval } => self.approvals.deliver(id, approval),
            Effect::Elicit { id, reply } => self.elicits.deliver(id, reply),
            Effect::Sample { id, approve } => self.samplings.deliver(id, approve),
            Effect::Complete {
                server,
                reference,
                argument,
                value,
                context,
            } => {
                tokio::spawn(async move {
                    let result = registry
                        .complete(&server, &reference, &argument, &value, &context)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Action::Completed {
                        argument,
                        value,
                        result,
                    });
                });
            }
            Effect::CancelRun => {
                if let Some(c) = &self.cancel {
                    c.cancel();
                }
                self.ask_cancel.cancel();
            }
            Effect::CallTool { server, tool, args } => {
                tokio::spawn(async move {
                    let started = Instant::now();
                    let result = registry
                        .call_tool(&server, &tool, Some(args), &CallOptions::default())
                        .await;
                    let _ = tx.send(Action::CallDone {
                        server,
                        tool,
                        result,
                        elapsed: started.elapsed(),
                    });
                });
            }
            Effect::ReadResource { server, uri } => {
                tokio::spawn(async move {
                    let result = registry
                        .read_resource(&server, &uri)
                        .await
                        .map(|v| resource_text(&v))
                        .map_err(|e| e.to_string());
                    let title = format!("{server} · {uri}");
                    let _ = tx.send(Action::Shown { title, result });
                });
            }
            Effect::GetPrompt { server, name, args } => {
                tokio::spawn(async move {
                    let result = registry
                        .get_prompt(&server, &name, args)
                        .await
                        .map(|v| prompt_text(&v))
                        .map_err(|e| e.to_string());
                    let title = format!("{server} · prompt {name}");
                    let _ = tx.send(Action::Shown { title, result });
                });
            }
            Effect::ReloadConfig => self.reload_config(),
            Effect::Reconnect(name) => {
                tokio::spawn(async move {
                    let _ = registry.reconnect(&name).await;
                });
            }
            Effect::Open(path) => {
                tokio::spawn(async move {
                    let result = tokio::fs::read_to_string(&path)
                        .await
                        .map_err(|e| e.to_string());
                    let _ = tx.send(Action::Opened { path, result });
                });
            }
            Effect::Ask(req) => {
                self.ask_cancel = CancellationToken::new();
                super::ask::perform(
                    req,
                    self.settings.llm.clone(),
                    &self.registry,
                    &self.settings.limits,
                    self.settings.audit.clone(),
                    self.ask_cancel.clone(),
                    move |update| {
                        let _ = tx.send(Action::Ask(update));
                    },
                );
            }
            Effect::Save(path, text) => {
                tokio::spawn(async move {
                    let result = save(&path, &text).await;
                    let _ = tx.send(Action::Saved { path, result });
                });
            }
            Effect::SaveNew(path, text) => {
                tokio::spawn(async move {
                    if tokio::fs::try_exists(&path).await.unwrap_or(false) {
                        let _ = tx.send(Action::Exists { path, text });
                    } else {
                        let result = save(&path, &text).await;
                        let _ = tx.send(Action::Saved { path, result });
                    }
                });
            }
            // The app loop clears the terminal itself (it owns it).
            Effect::Redraw => {}
        }
    }

    /// Runs a script on a blocking thread; its events come back as `Action::Run`.
    fn run_script(&mut self, source: String) {
        let cancel = CancellationToken::new();
        self.cancel = Some(cancel.clone());
        let (observer, mut events) = script::event_channel();
        let opts = RunOptions {
            limits: self.settings.limits.clone(),
            policy: self.settings.policy.clone(),
            audit: self.settings.audit.clone(),
            cancel,
            observers: vec![observer],
            approver: Some(Arc::new(approval::TuiApprover {
                tx: self.tx.clone(),
                replies: self.approvals.clone(),
            })),
            approvals: self.settings.approvals.clone(),
            limit_advice: script::LimitAdvice::Config,
            ..Default::default()
        };
        let invoker = Arc::new(script::RegistryInvoker {
            registry: self.registry.clone(),
            handle: tokio::runtime::Handle::current(),
        });
        let text = source.clone();
        tokio::task::spawn_blocking(move || script::run(&text, invoker, opts));
        let tx = self.tx.clone();
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                let done = matches!(event, RunEvent::Finished(_));
                if let Some(update) = run_update(event, &source) {
                    let _ = tx.send(Action::Run(update));
                }
                if done {
                    break;
                }
            }
        });
    }
}

impl Runner {
    /// Re-reads the config and applies its server list; reports what changed.
    fn reload_config(&mut self) {
        let tx = self.tx.clone();
        let registry = self.registry.clone();
        let path = self.settings.config_path.clone();
        tokio::spawn(async move {
            let result = match crate::config::Config::discover(path.as_deref()) {
                Err(e) => Err(format!("config not reloaded: {e}")),
                Ok(config) => {
                    crate::logging::add_secrets(&config.secrets());
                    let mut notes: Vec<String> = config
                        .warnings
                        .iter()
                        .map(std::string::ToString::to_string)
                        .collect();
                    let r = registry.reconfigure(crate::demo::specs_for(&config)).await;
                    notes.push(format!(
                        "config reloaded: {} added, {} removed, {} changed",
                        r.added.len(),
                        r.removed.len(),
                        r.changed.len()
                    ));
                    for (what, names) in [
                        ("added", &r.added),
                        ("removed", &r.removed),
                        ("changed", &r.changed),
                    ] {
                        if !names.is_empty() {
                            notes.push(format!("  {what}: {}", names.join(", ")));
                        }
                    }
                    Ok(notes.join("\n"))
                }
            };
            let _ = tx.send(Action::Shown {
                title: "Reload config".into(),
                result,
            });
        });
    }
}

/// The text of a `resources/read` result; binary contents are summarised, not dumped.
fn resource_text(v: &serde_json::Value) -> String {
    let contents = v
        .get("contents")
        .and_then(|c| c.as_array())
        .cloned()
        .unwrap_or_default();
    contents
        .iter()
        .map(|c| {
            if let Some(text) = c.get("text").and_then(|t| t.as_str()) {
                text.to_string()
            } else {
                let mime = c.get("mimeType").and_then(|m| m.as_str()).unwrap_or("?");
                let bytes = c
                    .get("blob")
                    .and_then(|b| b.as_str())
                    .map_or(0, crate::mcp::base64_decoded_len);
                format!("[binary {mime}, {bytes} bytes]")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The messages of a `prompts/get` result, one block per message.
fn prompt_text(v: &serde_json::Value) -> String {
    let mut out = Vec::new();
    if let Some(d) = v.get("description").and_then(|d| d.as_str()) {
        out.push(format!("# {d}"));
    }
    for m in v
        .get("messages")
        .and_then(|m| m.as_array())
        .into_iter()
        .flatten()
    {
        let role = m.get("role").and_then(|r| r.as_str()).unwrap_or("?");
        let content = m.get("content").cloned().unwrap_or_default();
        let text = match content.get("text").and_then(|t| t.as_str()) {
            Some(t) => t.to_string(),
            None => crate::mcp::summarize_block(&content),
        };
        out.push(format!("[{role}]\n{text}"));
    }
    out.join("\n\n")
}

/// A sandbox event as the UI shows it.
pub fn run_update(event: RunEvent, source: &str) -> Option<RunUpdate> {
    Some(match event {
        RunEvent::Print { text } => RunUpdate::Print(text),
        RunEvent::CallStarted {
            server,
            tool,
            args_summary,
            ..
        } => RunUpdate::CallStarted {
            server,
            tool,
            args: args_summary,
        },
        RunEvent::CallFinished(rec) => RunUpdate::CallFinished {
            server: rec.server,
            tool: rec.tool,
            elapsed: rec.duration,
            outcome: if rec.ok {
                Ok(rec.result_bytes)
            } else {
                Err(rec.error.unwrap_or_default())
            },
        },
        RunEvent::LimitHit(_) => return None, // the Finished error names it
        RunEvent::Finished(report) => RunUpdate::Finished {
            result: match &report.error {
                None => Ok(serde_json::to_string_pretty(&report.result).unwrap_or_default()),
                Some(e) => Err(e.render(source)),
            },
            limit_hit: report.limit_hit.is_some(),
            cancelled: report
                .error
                .as_ref()
                .is_some_and(|e| e.kind == crate::script::ErrorKind::Cancelled),
            position: report
                .error
                .as_ref()
                .and_then(|e| e.line.map(|l| (l, e.column.unwrap_or(1)))),
            elapsed: report.elapsed,
        },
    })
}

async fn save(path: &PathBuf, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| e.to_string())?;
    }
    let body = if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    };
    tokio::fs::write(path, body)
        .await
        .map_err(|e| e.to_string())
}
