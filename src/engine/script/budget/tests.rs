use super::*;
use crate::script::RunReport;

fn numbered(lines: usize) -> String {
    (0..lines)
        .map(|i| format!("line {i} of the output\n"))
        .collect()
}

#[test]
fn small_outputs_are_unchanged() {
    let text = numbered(10);
    let b = fit(&text, 1000);
    assert_eq!(b.text, text);
    assert_eq!(b.cut, None);
    assert_eq!(
        fit(&numbered(100_000), 0).text.len(),
        numbered(100_000).len()
    );
}

#[test]
fn large_outputs_keep_head_and_tail_around_one_marker() {
    let text = numbered(100_000);
    let b = fit(&text, 2000);
    assert!(count(&b.text) <= 2000, "{} tokens", count(&b.text));
    assert!(
        b.text.starts_with("line 0 of the output\nline 1 "),
        "{}",
        &b.text[..80]
    );
    assert!(b.text.ends_with("line 99999 of the output\n"));
    assert_eq!(b.text.matches("[output budget 2000 tokens: ").count(), 1);
    let cut = b.cut.unwrap();
    // Whole lines are cut: what is kept plus what was cut is the original.
    assert_eq!(
        b.text.len() - marker(2000, cut).len() + cut.bytes,
        text.len()
    );
    assert_eq!(
        text.lines().count() - cut.lines,
        b.text.lines().count() - 2,
        "kept lines + cut lines = all lines (the marker is one line and its blank start)"
    );
    // The budget is used, not wasted: most of it holds output.
    assert!(count(&b.text) > 1500, "{} tokens", count(&b.text));
}

#[test]
fn one_huge_line_is_cut_on_characters() {
    let text = "é".repeat(1_000_000);
    let b = fit(&text, 500);
    assert!(count(&b.text) <= 500);
    assert!(b.cut.unwrap().bytes > 1_900_000);
}

#[test]
fn a_streamed_head_is_kept() {
    let text = numbered(50_000);
    let shown = live_bytes(3000);
    let b = fit_keeping(&text, shown, 3000);
    assert!(b.head_bytes >= shown);
    assert!(b.text.starts_with(&text[..shown]));
    assert!(count(&b.text) <= 3000, "{}", count(&b.text));
}

fn big_report() -> RunReport {
    RunReport {
        run_id: "r".into(),
        result: serde_json::Value::String("x".repeat(5_000_000)),
        prints: (0..20_000).map(|i| format!("print {i}")).collect(),
        calls: vec![],
        error: None,
        limit_hit: None,
        operations: 1,
        elapsed: Default::default(),
    }
}

#[test]
fn reports_as_json_stay_valid_and_within_budget() {
    let r = big_report();
    let v = report_json(&r, "", 4000);
    let text = serde_json::to_string_pretty(&v).unwrap();
    assert!(count(&text) <= 4000, "{}", count(&text));
    assert_eq!(v["prints"], serde_json::json!([]));
    let output = v["output"].as_str().unwrap();
    assert!(output.starts_with("print 0\nprint 1\n"));
    assert!(
        output.ends_with("xxx\"\n"),
        "{}",
        &output[output.len() - 20..]
    );
    assert!(v["cut"]["bytes"].as_u64().unwrap() > 5_000_000);
    // A small report is unchanged.
    let small = RunReport {
        result: serde_json::json!(42),
        prints: vec!["hi".into()],
        ..r
    };
    assert_eq!(
        report_json(&small, "", 4000),
        serde_json::to_value(&small).unwrap()
    );
}

#[test]
fn the_budgeted_output_has_prints_calls_and_result() {
    let r = RunReport {
        result: serde_json::json!({"ok": true}),
        prints: vec!["hello".into()],
        calls: vec![crate::script::CallRecord {
            index: 0,
            server: "demo".into(),
            tool: "get_issue".into(),
            args_summary: "{\"id\":1}".into(),
            duration: std::time::Duration::from_millis(3),
            ok: true,
            error: None,
            result_bytes: 120,
            outcome: None,
        }],
        ..big_report()
    };
    let b = budgeted(&r, "", 1000);
    assert_eq!(
        b.text,
        "hello\ncall 0 demo::get_issue {\"id\":1} ok 3ms 120 bytes\n{\n  \"ok\": true\n}\n"
    );
}
