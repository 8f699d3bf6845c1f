//! Where a server's paths may point: the directories it allows, as its own tool said — a
//! text sample that starts `Allowed directories:`, as server-filesystem's
//! `list_allowed_directories` answers (its allowed directories are the roots codemode
//! declares when it declares any). The docs name them and put the example paths inside the
//! first, instead of a made-up `/tmp/example.txt` the server would refuse.

use serde_json::Value;

use super::doc::ServerDoc;

/// What the sample of such a tool starts with.
const HEADER: &str = "Allowed directories:";
/// The directory the example generator makes paths in ([`super::example`]).
const MADE_UP: &str = "/tmp/example";

/// The directories a tool of `s` said are allowed, from its text sample; empty when none did.
pub fn allowed(s: &ServerDoc) -> Vec<String> {
    s.tools
        .iter()
        .filter_map(|t| t.sample.as_ref())
        .find_map(|sample| sample.text.trim_start().strip_prefix(HEADER))
        .map(|rest| {
            rest.lines()
                .map(str::trim)
                .filter(|l| l.starts_with('/') || l.get(1..3) == Some(":\\"))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Records `s`'s allowed directories and moves its example paths into the first of them.
pub fn place(s: &mut ServerDoc) {
    s.allowed_dirs = allowed(s);
    let Some(first) = s.allowed_dirs.first().cloned() else {
        return;
    };
    let first = first.trim_end_matches(['/', '\\']).to_string();
    for t in &mut s.tools {
        inside(&mut t.example, &first);
    }
}

/// Every string of `v` under the made-up directory moved under `dir`.
fn inside(v: &mut Value, dir: &str) {
    match v {
        Value::String(text) => {
            if let Some(rest) = text.strip_prefix(MADE_UP) {
                *text = format!("{dir}/example{rest}");
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| inside(i, dir)),
        Value::Object(map) => map.values_mut().for_each(|i| inside(i, dir)),
        _ => {}
    }
}

/// The docs' line about them: `Allowed directories: `/a`, `/b` (paths must be inside;
/// absolute paths are safest).`, or nothing.
pub fn line(s: &ServerDoc) -> Option<String> {
    if s.allowed_dirs.is_empty() {
        return None;
    }
    let dirs: Vec<String> = s.allowed_dirs.iter().map(|d| format!("`{d}`")).collect();
    Some(format!(
        "Allowed directories: {} (paths outside are refused; give absolute paths inside them).",
        dirs.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::mcp::{CallOutcome, Samples, TextSample, ToolDef};
    use serde_json::json;

    fn tools() -> Vec<ToolDef> {
        serde_json::from_value(json!([
            {"name": "list_allowed_directories", "inputSchema": {"type": "object"}},
            {"name": "read_file", "inputSchema": {"type": "object", "required": ["path"],
                "properties": {"path": {"type": "string"}}}}
        ]))
        .unwrap()
    }

    fn with_sample(text: &str) -> Catalog {
        let tools = tools();
        let mut samples = Samples::default();
        let outcome = CallOutcome {
            content: vec![json!({"type": "text", "text": text})],
            ..Default::default()
        };
        samples.insert(
            "fs",
            "list_allowed_directories",
            TextSample::of(&tools[0], &outcome).unwrap(),
        );
        Catalog::from_tools("fs", &tools).with_samples(&samples)
    }

    #[test]
    fn examples_move_into_the_first_allowed_directory_and_the_docs_name_them() {
        let cat = with_sample("Allowed directories:\n/home/ada/work\n/srv/data");
        let s = &cat.servers[0];
        assert_eq!(s.allowed_dirs, ["/home/ada/work", "/srv/data"]);
        let read = s.tool("read_file").unwrap();
        assert_eq!(read.example, json!({"path": "/home/ada/work/example.txt"}));
        assert_eq!(
            line(s).unwrap(),
            "Allowed directories: `/home/ada/work`, `/srv/data` (paths outside are refused; give absolute paths inside them)."
        );
        let prompt = crate::catalog::render_prompt::server(s);
        assert!(prompt.contains(&line(s).unwrap()), "{prompt}");
        let markdown = crate::catalog::render_md::server(s);
        assert!(markdown.contains(&line(s).unwrap()), "{markdown}");
        assert!(
            markdown.contains("/home/ada/work/example.txt"),
            "{markdown}"
        );
        assert!(!markdown.contains("/tmp/example"), "{markdown}");
    }

    #[test]
    fn without_such_a_sample_nothing_changes() {
        let cat = with_sample("Some other text\n/not/a/dir");
        let s = &cat.servers[0];
        assert!(s.allowed_dirs.is_empty());
        assert_eq!(line(s), None);
        let read = s.tool("read_file").unwrap();
        assert_eq!(read.example, json!({"path": "/tmp/example.txt"}));
    }
}
