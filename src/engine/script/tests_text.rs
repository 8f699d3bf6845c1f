//! Reading text results in scripts: `parse_repr` and `parse_json`'s errors.

use serde_json::json;

use super::tests::demo;

#[test]
fn parse_repr_reads_python_literals() {
    let d = demo();
    // What mcp-server-sqlite's read_query returns: `str()` of a list of dicts.
    let r = d.run(
        r#"
        let rows = parse_repr("[{'id': 1, 'name': 'Ada', 'boss': None}, {'id': 2, 'name': \"O'Brien\", 'boss': 1}]");
        #{ names: rows.map(|r| r.name), bosses: rows.filter(|r| r.boss != ()).len(), t: parse_repr("(1, True)") }
        "#,
    );
    assert!(r.ok(), "{:?}", r.error);
    assert_eq!(
        r.result,
        json!({"names": ["Ada", "O'Brien"], "bosses": 1, "t": [1, true]})
    );
    let r = d.run(r#"parse_repr("The sum of 1 and 2 is 3.")"#);
    let e = r.error.unwrap().message;
    assert!(
        e.contains("parse_repr: not a Python literal: unexpected text after the value at line 1, column 5: near `The sum of 1 and 2 i…` (at `s`)"),
        "{e}"
    );
}

#[test]
fn parse_json_errors_quote_the_text_and_point_at_parse_repr() {
    let d = demo();
    let r = d.run(r#"parse_json(`{"a": 1, "b": ,}`)"#);
    let e = r.error.unwrap().message;
    assert!(
        e.contains(r#"parse_json: invalid JSON at line 1, column 15: expected value, near `{"a": 1, "b": ,}` (at `,`)"#),
        "{e}"
    );
    assert!(!e.contains("parse_repr"), "{e}");
    let r = d.run(r#"parse_json("[{'id': 1}]")"#);
    let e = r.error.unwrap().message;
    assert!(e.contains("near `[{'id': 1}]` (at `'`)"), "{e}");
    assert!(e.contains("use parse_repr"), "{e}");
}
