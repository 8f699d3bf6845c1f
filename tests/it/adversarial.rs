//! Every script in `tests/adversarial/` runs in this process against the in-process demo
//! server and must end the way its first line says: `// expect: <limit name>` (the config key
//! of the limit that stops it) or `// expect: parse|runtime|result` (the kind of error).
//! `// limits: key = value` lines (TOML) adjust the default limits for that script;
//! `// message: text` requires the error message (or an `ok` script's result) to contain `text`.
//! After each script a normal one must still work: the process stays healthy.

use crate::demo;

// `max_memory` is enforced: the crate installs the counting allocator (main.rs).
use codemode::script::{self, Limits, RunOptions, RunReport};

fn outcome(r: &RunReport) -> String {
    if let Some(hit) = &r.limit_hit {
        return hit.limit.clone();
    }
    match &r.error {
        None => "ok".into(),
        Some(e) => serde_json::to_value(e.kind)
            .unwrap()
            .as_str()
            .unwrap()
            .to_string(),
    }
}

fn header(text: &str) -> (String, Limits, Option<String>) {
    let mut expect = String::new();
    let mut message = None;
    let mut toml_text = String::new();
    for line in text.lines() {
        if let Some(e) = line.strip_prefix("// expect:") {
            expect = e.trim().to_string();
        } else if let Some(m) = line.strip_prefix("// message:") {
            message = Some(m.trim().to_string());
        } else if let Some(l) = line.strip_prefix("// limits:") {
            toml_text.push_str(l.trim());
            toml_text.push('\n');
        }
    }
    let mut limits: Limits = toml::from_str(&toml_text).expect("valid // limits: lines");
    // Which limit stops a script must not depend on how loaded the machine is: scripts that
    // expect another limit get a timeout far beyond their work (a slow debug build on a busy
    // machine would otherwise reach the default timeout first).
    if expect != "timeout" && !toml_text.contains("timeout") {
        limits.timeout = std::time::Duration::from_secs(600);
    }
    (expect, limits, message)
}

fn threads() -> usize {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:").map(|n| n.trim().parse().ok()))
                .flatten()
        })
        .unwrap_or(0)
}

#[test]
fn adversarial_scripts_hit_their_expected_limits() {
    let (_runtime, invoker) = demo::demo_invoker();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/adversarial");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "rhai"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 40,
        "only {} adversarial scripts",
        files.len()
    );
    let baseline_threads = threads();
    let mut wrong = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let (expect, limits, message) = header(&text);
        assert!(
            !expect.is_empty(),
            "{} has no `// expect:` line",
            path.display()
        );
        let opts = RunOptions {
            limits,
            ..Default::default()
        };
        let report = script::run(&text, invoker.clone(), opts);
        let got = outcome(&report);
        if got != expect {
            wrong.push(format!(
                "{}: expected {expect}, got {got} ({:?})",
                path.file_name().unwrap().to_string_lossy(),
                report.error.map(|e| e.message)
            ));
        } else if let Some(e) = &report.error {
            if let Some(m) = &message {
                assert!(
                    e.message.contains(m.as_str()),
                    "{}: {}",
                    path.display(),
                    e.message
                );
            }
            // Limits name themselves and their value in the message.
            if let Some(hit) = &report.limit_hit {
                assert!(e.message.contains(&hit.limit), "{}", e.message);
            }
        } else if let Some(m) = &message {
            let result = report.result.to_string();
            assert!(result.contains(m.as_str()), "{}: {result}", path.display());
        }
        // Still healthy: a normal script runs and calls a tool.
        let check = script::run(
            "demo::calculate(#{ a: 20, b: 22 }).result",
            invoker.clone(),
            RunOptions::default(),
        );
        assert_eq!(
            check.result,
            serde_json::json!(42.0),
            "after {}: {:?}",
            path.display(),
            check.error
        );
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // No leaked script, watchdog or parallel threads.
    assert!(threads() <= baseline_threads + 2, "{} threads", threads());
    // Nothing destructive slipped through the policy.
    let issue = script::run(
        "demo::get_issue(#{ id: 1 }).id",
        invoker.clone(),
        RunOptions::default(),
    );
    assert_eq!(issue.result, serde_json::json!(1));
}
