//! Lint for MCP server authors: what a Code Mode user needs from a tool definition, what is
//! missing, and what looks like an attack (tool poisoning, definitions that changed since they
//! were pinned). Each finding has a severity and a fix hint; tools and servers get a 0–100
//! score (formula in [`score`] and in the README's "Lint" section).

mod pins;
pub(crate) mod poison;
mod rules;

use serde::Serialize;

pub use pins::{PinStatus, Pins, PinsError, tool_hash};
pub use poison::{hidden_chars, poison_markers};

use super::{Catalog, ServerDoc};

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; costs 2 points.
    Info,
    /// Makes scripts harder to write correctly; costs 8 points.
    Warning,
    /// Breaks scripts or endangers the user; costs 25 points.
    Error,
}

impl Severity {
    /// Points a finding of this severity costs.
    pub fn weight(self) -> u32 {
        match self {
            Severity::Info => 2,
            Severity::Warning => 8,
            Severity::Error => 25,
        }
    }

    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule code, e.g. `description-missing`.
    pub rule: &'static str,
    /// How bad.
    pub severity: Severity,
    /// What is wrong, naming the parameters or markers involved.
    pub message: String,
    /// How to fix it.
    pub hint: &'static str,
}

/// One tool's findings and score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ToolReport {
    /// Raw tool name.
    pub tool: String,
    /// `module::function`.
    pub rhai_name: String,
    /// 0–100.
    pub score: u32,
    /// Findings, worst first.
    pub findings: Vec<Finding>,
}

/// One server's findings and score.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ServerReport {
    /// Configured name.
    pub server: String,
    /// 0–100.
    pub score: u32,
    /// Findings about the server as a whole (collisions, removed pinned tools).
    pub findings: Vec<Finding>,
    /// Per tool.
    pub tools: Vec<ToolReport>,
}

impl ServerReport {
    /// Every finding of the server and its tools.
    pub fn all_findings(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .chain(self.tools.iter().flat_map(|t| t.findings.iter()))
    }
}

/// `100 − Σ severity weights`, never below 0.
pub fn score(findings: &[Finding]) -> u32 {
    let lost: u32 = findings.iter().map(|f| f.severity.weight()).sum();
    100u32.saturating_sub(lost)
}

/// Points a server loses for each tool that has an error finding.
pub const TOOL_ERROR_PENALTY: u32 = 10;

/// The server's score: the mean of its tools' scores (100 without tools), minus
/// [`TOOL_ERROR_PENALTY`] for each tool with an error finding (one poisoned tool taints the
/// server), minus the weights of the server-level findings; never below 0.
pub fn server_score(tools: &[ToolReport], findings: &[Finding]) -> u32 {
    let mean = if tools.is_empty() {
        100
    } else {
        let sum: u32 = tools.iter().map(|t| t.score).sum();
        (f64::from(sum) / tools.len() as f64).round() as u32
    };
    let failing = tools
        .iter()
        .filter(|t| t.findings.iter().any(|f| f.severity == Severity::Error))
        .count() as u32;
    let server_lost: u32 = findings.iter().map(|f| f.severity.weight()).sum();
    mean.saturating_sub(failing * TOOL_ERROR_PENALTY + server_lost)
}

/// Lints one server; `pins` adds the changed-definition checks.
pub fn lint_server(server: &ServerDoc, pins: Option<&Pins>) -> ServerReport {
    let mut findings = rules::server_findings(server);
    let mut tools: Vec<ToolReport> = server
        .tools
        .iter()
        .map(|t| {
            let mut f = rules::tool_findings(t);
            f.extend(rules::collision_findings(server, t));
            if let Some(p) = pins {
                f.extend(pins::finding(p, server, t));
            }
            f.sort_by_key(|x| std::cmp::Reverse(x.severity));
            ToolReport {
                tool: t.name.clone(),
                rhai_name: t.rhai_name(),
                score: score(&f),
                findings: f,
            }
        })
        .collect();
    if let Some(p) = pins {
        findings.extend(pins::removed_findings(p, server));
    }
    tools.sort_by(|a, b| a.score.cmp(&b.score).then_with(|| a.tool.cmp(&b.tool)));
    ServerReport {
        server: server.name.clone(),
        score: server_score(&tools, &findings),
        findings,
        tools,
    }
}

/// Lints every server of the catalog.
pub fn lint(catalog: &Catalog, pins: Option<&Pins>) -> Vec<ServerReport> {
    catalog
        .servers
        .iter()
        .map(|s| lint_server(s, pins))
        .collect()
}

/// Reports as text: a line per server and per tool with its score, then each finding and its
/// fix.
pub fn render(reports: &[ServerReport]) -> String {
    let mut o = String::new();
    for r in reports {
        o.push_str(&format!(
            "{}  score {}  ({} tools)\n",
            r.server,
            r.score,
            r.tools.len()
        ));
        for f in &r.findings {
            o.push_str(&finding_text(f, "  "));
        }
        let width = r.tools.iter().map(|t| t.tool.len()).max().unwrap_or(0);
        for t in &r.tools {
            o.push_str(&format!("  {:<width$}  {:>3}\n", t.tool, t.score));
            for f in &t.findings {
                o.push_str(&finding_text(f, "    "));
            }
        }
    }
    o
}

fn finding_text(f: &Finding, indent: &str) -> String {
    format!(
        "{indent}{:<7} {}: {}\n{indent}        fix: {}\n",
        f.severity.as_str(),
        f.rule,
        f.message,
        f.hint
    )
}

#[cfg(test)]
mod tests;
