//! `codemode lint`: findings and scores for MCP server authors.

use super::Exit;
use super::setup;
use crate::catalog::Catalog;
use crate::catalog::lint::{self, Pins};

/// What `codemode lint` was asked.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Request {
    /// Only this server.
    #[arg(long, short)]
    pub server: Option<String>,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
    /// Accept the current tool definitions (sha256 pins) before checking.
    #[arg(long)]
    pub pin: bool,
    /// Exit 8 when a server scores below this (0–100), for CI gates.
    #[arg(long, value_name = "SCORE", value_parser = clap::value_parser!(u32).range(0..=100))]
    pub fail_under: Option<u32>,
}

/// Runs the command.
pub async fn run(ctx: &setup::Context, req: Request) -> Exit {
    let wait = std::time::Duration::from_secs(60);
    let registry = match ctx.connect(req.server.as_deref(), wait).await {
        Ok((_, r)) => r,
        Err(code) => return code,
    };
    let states = registry.servers();
    registry.shutdown().await;
    let code = setup::warn_unavailable(&states);
    let catalog = Catalog::from_states(&states);
    let path = Pins::default_path();
    let mut pins = match Pins::load(&path) {
        Ok(p) => p,
        Err(e) => {
            errln!("warning: {e}; not checking pinned definitions");
            Pins::default()
        }
    };
    if req.pin {
        for s in &catalog.servers {
            pins.pin(s);
        }
        match pins.save(&path) {
            Ok(()) => errln!(
                "pinned {} tools of {} servers in {}",
                catalog.tools().count(),
                catalog.servers.len(),
                path.display()
            ),
            Err(e) => {
                errln!("error: {e}");
                return Exit::Internal;
            }
        }
    }
    let reports = lint::lint(&catalog, Some(&pins));
    if req.json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&reports).unwrap_or_default()
        );
    } else {
        out!("{}", lint::render(&reports));
    }
    if let Some(min) = req.fail_under {
        let low: Vec<String> = reports
            .iter()
            .filter(|r| r.score < min)
            .map(|r| format!("{} ({})", r.server, r.score))
            .collect();
        if !low.is_empty() && code == Exit::Ok {
            errln!("error: below --fail-under {min}: {}", low.join(", "));
            return Exit::LintFailed;
        }
    }
    code
}
