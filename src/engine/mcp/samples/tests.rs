use std::os::unix::fs::PermissionsExt;

use serde_json::json;

use super::*;

fn tool(description: &str) -> ToolDef {
    serde_json::from_value(json!({
        "name": "read_query", "description": description, "inputSchema": {"type": "object"}
    }))
    .unwrap()
}

fn text(t: &str) -> CallOutcome {
    CallOutcome {
        content: vec![json!({"type": "text", "text": t})],
        ..Default::default()
    }
}

#[test]
fn text_results_are_sampled_with_their_format() {
    let def = tool("Run a SELECT.");
    let s = TextSample::of(&def, &text("[{'id': 1, 'name': 'Ada'}]")).unwrap();
    assert_eq!(s.format, TextFormat::PythonLiteral);
    assert_eq!(s.field, None);
    assert_eq!(s.definition, def.sha256());
    let s = TextSample::of(&def, &text("{\"a\": [1]}")).unwrap();
    assert_eq!(s.format, TextFormat::Json);
    let s = TextSample::of(&def, &text("The sum of 1 and 2 is 3.")).unwrap();
    assert_eq!(s.format, TextFormat::Text);
    assert_eq!(s.text, "The sum of 1 and 2 is 3.");
    // server-filesystem: a map of one string is the text, named by its field.
    let fs = CallOutcome {
        content: vec![json!({"type": "text", "text": "/r/a.txt\n/r/b.txt"})],
        structured_content: Some(json!({"content": "/r/a.txt\n/r/b.txt"})),
        is_error: false,
    };
    let s = TextSample::of(&def, &fs).unwrap();
    assert_eq!(s.field.as_deref(), Some("content"));
    assert_eq!(s.text, "/r/a.txt\n/r/b.txt");
}

#[test]
fn only_successful_non_empty_text_is_sampled() {
    let def = tool("x");
    let mut failed = text("no such table");
    failed.is_error = true;
    assert_eq!(TextSample::of(&def, &failed), None);
    assert_eq!(TextSample::of(&def, &text("  \n")), None);
    assert_eq!(TextSample::of(&def, &CallOutcome::default()), None);
    let image = CallOutcome {
        content: vec![
            json!({"type": "text", "text": "logo"}),
            json!({"type": "image", "mimeType": "image/png", "data": "AAAA"}),
        ],
        ..Default::default()
    };
    assert_eq!(TextSample::of(&def, &image), None);
    let structured = CallOutcome {
        structured_content: Some(json!({"a": "x", "b": 1})),
        ..text("{\"a\": \"x\", \"b\": 1}")
    };
    assert_eq!(TextSample::of(&def, &structured), None);
}

#[test]
fn samples_are_short_and_escaped() {
    let def = tool("x");
    let long: Vec<String> = (0..40).map(|i| format!("line {i}")).collect();
    let s = TextSample::of(&def, &text(&(long.join("\n") + "\n\n"))).unwrap();
    assert_eq!(s.text.lines().count(), MAX_LINES + 1);
    assert!(s.text.ends_with("line 11\n…"), "{}", s.text);
    let s = TextSample::of(&def, &text(&"x".repeat(5000))).unwrap();
    assert!(s.text.len() <= MAX_BYTES + '…'.len_utf8());
    // The format is judged on the whole text, before the cut.
    let rows: Vec<String> = (0..200).map(|i| format!("{{'id': {i}}}")).collect();
    let s = TextSample::of(&def, &text(&format!("[{}]", rows.join(", ")))).unwrap();
    assert_eq!(s.format, TextFormat::PythonLiteral);
    let s = TextSample::of(&def, &text("ok\u{1b}[2J\u{202e}")).unwrap();
    assert_eq!(s.text, "ok\\u001b[2J\\u202e");
}

#[test]
fn the_first_call_of_a_definition_is_kept_in_a_private_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state/codemode/samples.json");
    let store = SampleStore::open(&path).unwrap();
    let def = tool("v1");
    assert!(store.record("db", &def, &text("[{'n': 1}]"), false));
    // Later calls of the same definition keep the first sample.
    assert!(!store.record("db", &def, &text("[{'n': 2}]"), false));
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let again = SampleStore::open(&path).unwrap().snapshot();
    assert_eq!(again.get("db", &def).unwrap().text, "[{'n': 1}]");
    // A changed definition hides the old sample and takes a new one.
    let v2 = tool("v2");
    assert_eq!(again.get("db", &v2), None);
    assert!(store.record("db", &v2, &text("[{'n': 3}]"), false));
    assert_eq!(store.snapshot().get("db", &v2).unwrap().text, "[{'n': 3}]");
    // A broken file is an error naming it.
    std::fs::write(&path, "not json").unwrap();
    let e = SampleStore::open(&path).unwrap_err().to_string();
    assert!(e.contains("samples.json"), "{e}");
}

#[test]
fn a_probe_sample_gives_way_to_the_first_real_call_and_errors_are_not_kept() {
    let store = SampleStore::in_memory();
    let def = tool("x");
    // A refusal answered as text is not a sample of what the tool returns.
    assert!(!store.record(
        "fs",
        &def,
        &text("/tmp/example.txt: Error - Access denied"),
        true
    ));
    assert!(store.record("fs", &def, &text("[FILE] a.txt"), true));
    assert!(store.snapshot().get("fs", &def).unwrap().provisional);
    // Another probe does not replace it; a real call does, once.
    assert!(!store.record("fs", &def, &text("[FILE] b.txt"), true));
    assert!(store.record("fs", &def, &text("[DIR] docs\n[FILE] c.txt"), false));
    assert!(!store.record("fs", &def, &text("[FILE] d.txt"), false));
    let kept = store.snapshot();
    let kept = kept.get("fs", &def).unwrap();
    assert_eq!(kept.text, "[DIR] docs\n[FILE] c.txt");
    assert!(!kept.provisional);
    // A real call keeps what reads as an error: it is what the tool said.
    let other = tool("y");
    assert!(store.record("fs", &other, &text("error: none found"), false));
}
