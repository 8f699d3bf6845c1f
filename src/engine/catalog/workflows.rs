//! The sample workflows of `scripts/*.rhai`, embedded at compile time (the binary never reads
//! the working directory). Each script names the servers it uses in a header line,
//! `// Servers: demo (list_issues, get_issue), git (git_log).`; the docs show a server's
//! workflows with it.

/// One sample workflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Workflow {
    /// Its file name under `scripts/`, e.g. `triage_report.rhai`.
    pub file: &'static str,
    /// The script.
    pub source: &'static str,
}

/// Embeds `scripts/<file>`.
macro_rules! workflow {
    ($file:literal) => {
        Workflow {
            file: $file,
            source: include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../scripts/",
                $file
            )),
        }
    };
}

/// Every workflow in `scripts/`, one line per file (a test fails when a file is missing here).
pub const WORKFLOWS: &[Workflow] = &[
    workflow!("close_with_try_catch.rhai"),
    workflow!("escalate_unassigned.rhai"),
    workflow!("fs_summarise_dir.rhai"),
    workflow!("git_repo_report.rhai"),
    workflow!("label_in_parallel.rhai"),
    workflow!("memory_most_connected.rhai"),
    workflow!("rank_by_score.rhai"),
    workflow!("retry_or_create.rhai"),
    workflow!("schedule_team_sync.rhai"),
    workflow!("time_meeting_hours.rhai"),
    workflow!("triage_report.rhai"),
];

/// The header that names the servers.
const HEADER: &str = "// Servers:";

impl Workflow {
    /// The file name without `.rhai`.
    pub fn name(&self) -> &'static str {
        self.file.strip_suffix(".rhai").unwrap_or(self.file)
    }

    /// The servers its header names (the tool lists in parentheses are left out).
    pub fn servers(&self) -> Vec<&'static str> {
        let Some(list) = self
            .source
            .lines()
            .find_map(|l| l.trim().strip_prefix(HEADER))
        else {
            return vec![];
        };
        let mut out = Vec::new();
        let (mut depth, mut start) = (0i32, 0);
        let list = list.trim().trim_end_matches('.');
        for (i, c) in list.char_indices().chain([(list.len(), ',')]) {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                ',' if depth <= 0 => {
                    let item = &list[start..i];
                    let name = item.split('(').next().unwrap_or("").trim();
                    if !name.is_empty() {
                        out.push(name);
                    }
                    start = (i + 1).min(list.len());
                }
                _ => {}
            }
        }
        out
    }

    /// The opening comment up to the header, as one line.
    pub fn summary(&self) -> String {
        self.source
            .lines()
            .map(str::trim)
            .take_while(|l| l.starts_with("//") && !l.starts_with(HEADER))
            .map(|l| l.trim_start_matches('/').trim())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The code without comment-only and blank lines (the prompt form of a small workflow).
    pub fn code(&self) -> String {
        self.source
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Whether it uses the server with this configured or module name.
    pub fn uses(&self, server: &str) -> bool {
        self.servers().contains(&server)
    }
}

/// The workflows that use a server, by its configured name or its module name.
pub fn for_server(name: &str, module: &str) -> Vec<&'static Workflow> {
    WORKFLOWS
        .iter()
        .filter(|w| w.uses(name) || w.uses(module))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_script_in_the_folder_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".rhai"))
            .collect();
        on_disk.sort();
        let mut listed: Vec<&str> = WORKFLOWS.iter().map(|w| w.file).collect();
        listed.sort_unstable();
        assert_eq!(
            on_disk, listed,
            "add each scripts/*.rhai to catalog::workflows::WORKFLOWS"
        );
        for w in WORKFLOWS {
            assert!(!w.servers().is_empty(), "{}: no `{HEADER}` line", w.file);
            assert!(!w.summary().is_empty(), "{}: no opening comment", w.file);
        }
    }

    #[test]
    fn header_lists_servers_without_their_tools() {
        let w = Workflow {
            file: "x.rhai",
            source: "// Does x.\n// Servers: demo (a, b), git (log), time.\nlet a = 1;\n",
        };
        assert_eq!(w.servers(), ["demo", "git", "time"]);
        assert_eq!(w.summary(), "Does x.");
        assert_eq!(w.code(), "let a = 1;");
        assert_eq!(w.name(), "x");
        assert!(for_server("demo", "demo").len() >= 6);
        assert!(for_server("nobody", "nobody").is_empty());
    }
}
