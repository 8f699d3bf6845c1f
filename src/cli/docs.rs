//! `codemode docs`: the servers' tools as API docs for Rhai scripts.

use clap::ValueEnum;

use super::Exit;
use super::setup;
use crate::catalog::{Catalog, ScriptApi, render_md, render_prompt, search, tokens};

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
    let states = registry.servers();
    registry.shutdown().await;
    let code = setup::warn_unavailable(&states);
    let catalog = Catalog::from_states(&states);
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
