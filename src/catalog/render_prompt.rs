//! The compact prompt form: what to paste into an LLM so it writes a correct script with few
//! tokens. One signature line per tool, then only what the signature cannot say.

use super::primer::{self, ScriptApi};
use super::text;
use super::workflows::Workflow;
use super::{Catalog, ServerDoc, ToolDoc};

/// The whole catalog in prompt form.
pub fn catalog(cat: &Catalog, api: &ScriptApi) -> String {
    let mut o = primer::compact(api);
    o.push_str(primer::NAMES_SHORT);
    for s in &cat.servers {
        o.push('\n');
        o.push_str(&server(s));
    }
    o
}

/// One server in prompt form.
pub fn server(s: &ServerDoc) -> String {
    let mut o = format!("## {}::", s.module);
    if let Some(d) = &s.details {
        let name = d.title.as_deref().or(d.name.as_deref()).unwrap_or(&s.name);
        o.push_str(&format!(" ({name}"));
        if let Some(v) = &d.version {
            o.push_str(&format!(" {v}"));
        }
        o.push(')');
    }
    if s.module != s.name {
        o.push_str(&format!(" raw name \"{}\"", s.name));
    }
    o.push('\n');
    if let Some(i) = s.instructions() {
        o.push_str(&crate::util::truncate(i.trim(), 600));
        o.push('\n');
    }
    for t in &s.tools {
        o.push_str(&tool(t));
    }
    o.push_str(&workflows(s));
    o
}

/// Code size (comments and blank lines left out) up to which the prompt form includes a
/// workflow's code; larger ones are only named.
pub const SMALL_WORKFLOW: usize = 240;

/// The server's sample workflows: small ones as code, the rest by name (the Markdown docs
/// show them all).
fn workflows(s: &ServerDoc) -> String {
    let ws = s.sample_workflows();
    if ws.is_empty() {
        return String::new();
    }
    let (small, large): (Vec<&Workflow>, Vec<&Workflow>) = ws
        .into_iter()
        .partition(|w| w.code().len() <= SMALL_WORKFLOW);
    let mut o = String::new();
    for w in small {
        o.push_str(&format!("Workflow {}:\n{}\n", w.name(), w.code()));
    }
    if !large.is_empty() {
        let names: Vec<&str> = large.iter().map(|w| w.name()).collect();
        o.push_str(&format!(
            "Sample workflows (in the Markdown docs): {}.\n",
            names.join(", ")
        ));
    }
    o
}

/// One tool in prompt form: signature, summary with hints, parameter notes, example.
pub fn tool(t: &ToolDoc) -> String {
    let mut o = format!("{}\n", text::signature(t));
    let mut about = t
        .description
        .as_deref()
        .map(|d| d.trim().replace("\n\n", " ").replace('\n', " "))
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| t.summary());
    about = crate::util::truncate(&about, 400);
    let flags = t.flags();
    if !flags.is_empty() {
        about.push_str(&format!(" [{}]", flags.join(", ")));
    }
    if t.name != t.function {
        about.push_str(&format!(" (raw \"{}\")", t.name));
    }
    if !about.is_empty() {
        o.push_str(&format!("  {about}\n"));
    }
    for r in text::param_rows(&t.input, 3) {
        let mut bits = r.constraints.clone();
        if !r.description.is_empty() {
            bits.push(crate::util::truncate(&r.description, 200));
        }
        if !bits.is_empty() {
            o.push_str(&format!("  - {}: {}\n", r.path, bits.join("; ")));
        }
    }
    o.push_str(&format!("  e.g. {}\n", t.example_call()));
    o
}
