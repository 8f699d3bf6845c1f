//! `codemode docs`: the servers' tools as API docs for Rhai scripts.

use clap::ValueEnum;

use super::Exit;
use super::setup;
use crate::catalog::{Catalog, ScriptApi, render_md, render_prompt, search, tokens};
use crate::script::approval::ApprovalStore;
use crate::script::probe::{self, ProbeOutcome, ProbeSettings};

/// Hits shown by `--search`.
pub const SEARCH_PAGE: usize = 10;

/// Output formats of `codemode docs`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Full Markdown: primer, naming rule, per-tool sections.
    #[default]
    Markdown,
    /// Compact text to paste into an LLM prompt.
    Prompt,
    /// The doc model as JSON.
    Json,
}

/// What `codemode docs` was asked.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Request {
    /// Only this server.
    #[arg(long, short)]
    pub server: Option<String>,
    /// Only this tool (raw name or Rhai function name).
    #[arg(long, short)]
    pub tool: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    pub format: Format,
    /// Search the tools by name, title, description and parameter names.
    #[arg(long, value_name = "QUERY", conflicts_with = "stats")]
    pub search: Option<String>,
    /// Count the tokens of the raw tool list, the docs, the prompt form and a search page.
    #[arg(long)]
    pub stats: bool,
    /// First call each read-only tool (not open-world) that has no text sample yet once,
    /// with its example arguments, so the docs show what its text looks like ([policy]
    /// applies; each call is audited).
    #[arg(long)]
    pub probe: bool,
}

/// Runs the command.
pub async fn run(ctx: &setup::Context, req: Request) -> Exit {
    let wait = std::time::Duration::from_secs(60);
    let (loaded, registry) = match ctx.connect(req.server.as_deref(), wait).await {
        Ok(r) => r,
        Err(code) => return code,
    };
    // The primer shows the limits and the policy a run would have: [limits] and [policy].
    let api = crate::script::script_api_for(&loaded.settings.limits, &loaded.settings.policy);
    if req.probe {
        probe(&loaded, &registry).await;
    }
    let states = registry.servers();
    let catalog = Catalog::from_registry(&registry);
    registry.shutdown().await;
    let code = setup::warn_unavailable(&states);
    let out = match render(catalog, &req, &api) {
        Ok(text) => text,
        Err(e) => {
            errln!("error: {e}");
            return Exit::Usage;
        }
    };
    out!("{out}");
    code
}

/// `--probe`: calls the read-only tools without a sample, one line per tool on stderr.
async fn probe(loaded: &setup::Loaded, registry: &crate::mcp::Registry) {
    let settings = &loaded.settings;
    let audit = super::sandbox::open_audit(settings.audit.clone(), loaded.config.secrets());
    let approvals = ApprovalStore::open(&ApprovalStore::default_path())
        .map_err(|e| tracing::warn!("approvals are not tracked for the probe: {e}"))
        .ok();
    let with = ProbeSettings {
        policy: &settings.policy,
        approvals: approvals.as_ref(),
        audit: audit.as_deref(),
        timeout: PROBE_TIMEOUT,
    };
    let probed = probe::probe(registry, &Catalog::from_registry(registry), &with).await;
    for p in &probed {
        let what = match &p.outcome {
            ProbeOutcome::Sampled => "text sample kept".to_string(),
            ProbeOutcome::NotText => {
                "no text sample (not text, or it reads as an error)".to_string()
            }
            ProbeOutcome::Failed(why) => format!("failed: {why}"),
            ProbeOutcome::Skipped(why) => format!("not called: {why}"),
        };
        errln!("probe {}::{}: {what}", p.server, p.tool);
    }
    if probed.is_empty() {
        errln!("probe: no read-only tool without a text sample");
    }
}

/// How long `--probe` waits for each call.
const PROBE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Renders what `req` asks for from `catalog`, the primer from `api` (errors are usage
/// errors, e.g. an unknown tool, with a suggestion).
pub fn render(catalog: Catalog, req: &Request, api: &ScriptApi) -> Result<String, String> {
    if let Some(t) = &req.tool {
        let known: Vec<String> = catalog
            .tools()
            .flat_map(|d| [d.name.clone(), d.function.clone()])
            .collect();
        if !known.iter().any(|k| k == t) {
            let hint = crate::util::closest(t, known.iter().map(String::as_str))
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(format!("no tool named `{t}`{hint}"));
        }
    }
    let catalog = catalog.only(req.server.as_deref(), req.tool.as_deref());
    if req.stats {
        let rows = tokens::stats(&catalog, api);
        return Ok(match req.format {
            Format::Json => {
                let mut s = serde_json::to_string_pretty(&rows).unwrap_or_default();
                s.push('\n');
                s
            }
            _ => tokens::render_table(&rows),
        });
    }
    if let Some(q) = &req.search {
        let hits = catalog.search(q, SEARCH_PAGE);
        return Ok(match req.format {
            Format::Json => {
                let mut s = serde_json::to_string_pretty(&hits).unwrap_or_default();
                s.push('\n');
                s
            }
            _ => search::render_hits(q, &hits, search::CLI_NEXT_STEP),
        });
    }
    Ok(match req.format {
        Format::Markdown => render_md::catalog(&catalog, api),
        Format::Prompt => render_prompt::catalog(&catalog, api),
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&catalog).unwrap_or_default();
            s.push('\n');
            s
        }
    })
}
