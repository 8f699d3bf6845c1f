//! The compact prompt form: what to paste into an LLM so it writes a correct script with few
//! tokens. One signature line per tool, then only what the signature cannot say.

use super::primer::{self, ScriptApi};
use super::text;
use super::workflows::Workflow;
use super::{Catalog, ServerDoc, Shape, ToolDoc, Ty};

mod params;
mod returns;
use returns::Returns;

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
        o.push_str(&instructions(i));
        o.push('\n');
    }
    let shared = shared_sentences(s);
    if !shared.is_empty() {
        o.push_str(&format!("Every tool below: {}\n", shared.join(" ")));
    }
    if let Some(dirs) = super::dirs::line(s) {
        o.push_str(&dirs);
        o.push('\n');
    }
    let returns = Returns::of(s);
    o.push_str(&returns.header());
    for t in &s.tools {
        o.push_str(&tool_without(t, &shared, &returns));
    }
    o.push_str(&workflows(s));
    o
}

/// Longest tool description in the prompt form (the Markdown docs have it all).
const DESCRIPTION_MAX: usize = 300;
/// Longest parameter description in the prompt form.
const PARAM_DESCRIPTION_MAX: usize = 200;
/// Longest server instructions in the prompt form.
const INSTRUCTIONS_MAX: usize = 400;
/// Instructions of at most this many non-blank lines are kept whole in the prompt form.
const INSTRUCTIONS_FEW_LINES: usize = 3;

/// The server's instructions for the prompt form: a few lines as they are, longer ones cut
/// to their first paragraph (leading heading lines skipped, `…` marks the cut: the Markdown
/// docs have them all), without blank lines, within [`INSTRUCTIONS_MAX`] (cut after the last
/// whole line that fits; a single long line is cut inside).
fn instructions(text: &str) -> String {
    let all: Vec<&str> = text.trim().lines().collect();
    let non_blank = all.iter().filter(|l| !l.trim().is_empty()).count();
    let (lines, cut) = if non_blank <= INSTRUCTIONS_FEW_LINES {
        let lines: Vec<&str> = all.into_iter().filter(|l| !l.trim().is_empty()).collect();
        (lines, false)
    } else {
        let body = all
            .iter()
            .skip_while(|l| l.trim().is_empty() || l.trim_start().starts_with('#'));
        let first: Vec<&str> = body.take_while(|l| !l.trim().is_empty()).copied().collect();
        let cut = first.len() < non_blank;
        (first, cut)
    };
    let joined = lines.join("\n");
    if joined.len() <= INSTRUCTIONS_MAX {
        return if cut { format!("{joined} …") } else { joined };
    }
    let mut kept = String::new();
    for line in &lines {
        if kept.len() + line.len() + 1 > INSTRUCTIONS_MAX {
            break;
        }
        kept.push_str(line);
        kept.push('\n');
    }
    if kept.is_empty() {
        crate::util::truncate(&joined, INSTRUCTIONS_MAX)
    } else {
        format!("{kept}…")
    }
}

/// The tool's behaviour flags, without `idempotent` on a read-only tool: the MCP spec gives
/// `idempotentHint` meaning only when `readOnlyHint` is false.
fn flags(t: &ToolDoc) -> Vec<&'static str> {
    let mut flags = t.flags();
    if flags.contains(&"read-only") {
        flags.retain(|f| *f != "idempotent");
    }
    flags
}

/// How many of a server's tools must repeat a sentence before the prompt says it once.
const SHARED_MIN: usize = 3;

/// The sentences of a tool's description (split after `.`, `!` or `?` and a space).
fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        if matches!(b, b'.' | b'!' | b'?') && bytes.get(i + 1).is_none_or(|n| *n == b' ') {
            out.push(text[start..=i].trim().to_string());
            start = i + 1;
        }
    }
    if start < text.len() && !text[start..].trim().is_empty() {
        out.push(text[start..].trim().to_string());
    }
    out
}

/// `text` within `max` bytes: whole sentences while they fit (marked `…` when some are left
/// out), else cut inside the first sentence. A model reads a whole sentence better than one
/// cut mid-clause, and the Markdown docs keep everything.
fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut kept = String::new();
    for sentence in sentences(text) {
        if kept.len() + sentence.len() + 1 > max {
            break;
        }
        if !kept.is_empty() {
            kept.push(' ');
        }
        kept.push_str(&sentence);
    }
    if kept.is_empty() {
        crate::util::truncate(text, max)
    } else {
        format!("{kept} …")
    }
}

fn description(t: &ToolDoc) -> Option<String> {
    t.description
        .as_deref()
        .map(|d| d.trim().replace("\n\n", " ").replace('\n', " "))
        .filter(|d| !d.is_empty())
}

/// Sentences that at least [`SHARED_MIN`] of the server's tools (and at least half of them)
/// all say, in first-seen order: the prompt states them once for the server.
fn shared_sentences(s: &ServerDoc) -> Vec<String> {
    let mut counts: indexmap::IndexMap<String, usize> = indexmap::IndexMap::new();
    for t in &s.tools {
        let mut seen = std::collections::HashSet::new();
        for sentence in description(t).map(|d| sentences(&d)).unwrap_or_default() {
            if seen.insert(sentence.clone()) {
                *counts.entry(sentence).or_default() += 1;
            }
        }
    }
    let need = SHARED_MIN.max(s.tools.len().div_ceil(2));
    counts
        .into_iter()
        .filter(|(_, n)| *n >= need)
        .map(|(sentence, _)| sentence)
        .collect()
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
            "Workflows in the Markdown docs: {}.\n",
            names.join(", ")
        ));
    }
    o
}

/// One tool in prompt form: signature, summary with hints, parameter notes, and an example
/// when its arguments nest (flat ones are fully said by the signature).
pub fn tool(t: &ToolDoc) -> String {
    tool_without(t, &[], &Returns::default())
}

/// [`tool`] without the description sentences in `shared` and the result types in `returns`
/// (said once for the server).
fn tool_without(t: &ToolDoc, shared: &[String], returns: &Returns) -> String {
    let mut o = format!("{}\n", returns.signature(&text::signature(t)));
    let mut about = match description(t) {
        Some(d) if !shared.is_empty() => sentences(&d)
            .into_iter()
            .filter(|s| !shared.contains(s))
            .collect::<Vec<_>>()
            .join(" "),
        Some(d) => d,
        None => t.summary(),
    };
    about = clip(&about, DESCRIPTION_MAX);
    let flags = flags(t);
    if !flags.is_empty() {
        about.push_str(&format!(" [{}]", flags.join(", ")));
    }
    // The raw name only when the naming rule alone would not give this function name back.
    if t.function != super::names::base_identifier(&t.name, super::names::Kind::Tool) {
        about.push_str(&format!(" (raw \"{}\")", t.name));
    }
    let about = about.trim();
    if !about.is_empty() {
        o.push_str(&format!("  {about}\n"));
    }
    let mut said = params::Said::default();
    for r in text::param_rows(&t.input, 3) {
        let mut bits = r.constraints.clone();
        if !r.description.is_empty() {
            let description = said.once(&r.path, &r.description);
            bits.push(clip(&description, PARAM_DESCRIPTION_MAX));
        }
        if !bits.is_empty() {
            o.push_str(&format!("  - {}: {}\n", r.path, bits.join("; ")));
        }
    }
    if nests(&t.input) {
        o.push_str(&format!("  e.g. {}\n", t.example_call()));
    }
    if let Some(s) = &t.sample {
        o.push_str(&format!("  {}\n", super::sample::prompt_line(s)));
    }
    o
}

/// Whether an argument holds an object (directly or in an array or union): the case where a
/// literal example teaches the syntax.
fn nests(input: &Shape) -> bool {
    input.properties().iter().any(|p| {
        p.shape
            .walk()
            .iter()
            .any(|(_, s)| matches!(s.ty, Ty::Object { .. }))
    })
}

#[cfg(test)]
mod clip_tests {
    use super::{clip, instructions};

    #[test]
    fn long_instructions_are_cut_to_their_first_paragraph() {
        let long =
            "# Server Instructions\n\nAudience: agents.\nFollow them.\n\n## More\n\n- a\n- b\n";
        assert_eq!(instructions(long), "Audience: agents.\nFollow them. …");
        // A few lines are kept whole, blank lines dropped.
        assert_eq!(instructions("One.\n\nTwo.\nThree.\n"), "One.\nTwo.\nThree.");
    }

    #[test]
    fn long_text_is_cut_after_whole_sentences() {
        let text = "First sentence here. Second one is a little longer. Third goes past the cap.";
        assert_eq!(clip(text, 200), text);
        assert_eq!(
            clip(text, 55),
            "First sentence here. Second one is a little longer. …"
        );
        // No whole sentence fits: cut inside the first one.
        assert_eq!(clip(text, 10), "First sent…");
    }
}
