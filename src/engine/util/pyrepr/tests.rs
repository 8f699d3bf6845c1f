use serde_json::json;

use super::*;

#[test]
fn reads_what_python_servers_print() {
    // `str(rows)` of an sqlite query, as mcp-server-sqlite's read_query returns it.
    let rows = "[{'id': 1, 'name': 'Ada', 'score': 9.5, 'manager': None}, {'id': 2, 'name': \"O'Brien\", 'score': -3, 'manager': 1}]";
    assert_eq!(
        parse(rows).unwrap(),
        json!([
            {"id": 1, "name": "Ada", "score": 9.5, "manager": null},
            {"id": 2, "name": "O'Brien", "score": -3, "manager": 1}
        ])
    );
    assert_eq!(
        parse("(1, 'a', True, False)").unwrap(),
        json!([1, "a", true, false])
    );
    assert_eq!(parse("(1,)").unwrap(), json!([1]));
    assert_eq!(parse("()").unwrap(), json!([]));
    assert_eq!(parse("(7)").unwrap(), json!(7));
    assert_eq!(parse("{1, 2}").unwrap(), json!([1, 2]));
    assert_eq!(parse("{}").unwrap(), json!({}));
    assert_eq!(
        parse("{1: 'one', (2, 3): 'pair', 'k': [],}").unwrap(),
        json!({"1": "one", "[2,3]": "pair", "k": []})
    );
    assert_eq!(parse("  None \n").unwrap(), json!(null));
    // JSON reads the same.
    assert_eq!(
        parse(r#"{"a": [1, 2.5, null, true], "b": "x\ny"}"#).unwrap(),
        json!({"a": [1, 2.5, null, true], "b": "x\ny"})
    );
}

#[test]
fn strings_numbers_and_things_without_a_literal() {
    assert_eq!(
        parse(r"'tab\there \x41\u00e9 \\ \' \d'").unwrap(),
        json!("tab\there Aé \\ ' \\d")
    );
    assert_eq!(parse(r"r'C:\new'").unwrap(), json!("C:\\new"));
    assert_eq!(parse(r"b'\x00ab'").unwrap(), json!("\u{0}ab"));
    assert_eq!(parse("'''one\n'two'\n'''").unwrap(), json!("one\n'two'\n"));
    assert_eq!(
        parse("[1_000, 0x1f, -2.5e-3, 1e3, 18446744073709551615]").unwrap(),
        json!([1000, 31, -0.0025, 1000.0, 18_446_744_073_709_551_615_u64])
    );
    assert_eq!(
        parse("[nan, -inf, Decimal('1.50'), datetime.date(2024, 1, 2), <Row object at 0x7f>]")
            .unwrap(),
        json!([
            "nan",
            "-inf",
            1.5,
            "datetime.date(2024, 1, 2)",
            "<Row object at 0x7f>"
        ])
    );
}

#[test]
fn errors_say_where_and_quote_the_text() {
    let e = parse("[{'id': 1, 'name': 'Ada'}, {'id' 2}]").unwrap_err();
    assert_eq!(e.what, "expected `:`");
    assert_eq!((e.line, e.column), (1, 34));
    assert_eq!(e.near, "near `…, 'name': 'Ada'}, {'id' 2}]` (at `2`)");
    assert_eq!(
        e.to_string(),
        "expected `:` at line 1, column 34: near `…, 'name': 'Ada'}, {'id' 2}]` (at `2`)"
    );
    let e = parse("The sum of 1 and 2 is 3.").unwrap_err();
    assert_eq!(e.what, "unexpected text after the value");
    let e = parse("['open").unwrap_err();
    assert_eq!(e.what, "string without its closing quote");
    assert_eq!((e.line, e.column), (1, 2));
    assert_eq!(parse("").unwrap_err().what, "empty text");
    let e = parse("[1,\n 2,\n ?]").unwrap_err();
    assert_eq!((e.line, e.column), (3, 2));
    assert_eq!(e.near, "near `[1,\\n 2,\\n ?]` (at `?`)");
}

#[test]
fn nesting_is_bounded() {
    let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse(&ok).is_ok());
    let deep = "[".repeat(100_000);
    let e = parse(&deep).unwrap_err();
    assert!(e.what.contains("nested deeper than 128"), "{e}");
}

#[test]
fn near_quotes_around_a_byte_offset() {
    let text = r#"{"a": ,}"#;
    assert_eq!(near(text, 6), "near `{\"a\": ,}` (at `,`)");
    assert_eq!(near(text, 99), "near `{\"a\": ,}` (at the end)");
    // A column in bytes inside a multi-byte character is moved back to its start.
    assert_eq!(near("é!", 1), "near `é!` (at `é`)");
    assert_eq!(offset_of("ab\ncd", 2, 2), 4);
    assert_eq!(offset_of("ab", 9, 9), 2);
}
