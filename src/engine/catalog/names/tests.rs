use super::*;

fn ident(raw: &str) -> String {
    base_identifier(raw, Kind::Tool)
}

#[test]
fn snake_case_splits_separators_and_camel_case() {
    assert_eq!(ident("list-issues"), "list_issues");
    assert_eq!(ident("files.read"), "files_read");
    assert_eq!(ident("getUser"), "get_user");
    assert_eq!(ident("HTMLParser"), "html_parser");
    assert_eq!(ident("getHTTPResponse"), "get_http_response");
    assert_eq!(ident("v2Api"), "v2_api");
    assert_eq!(ident("  Search  Nodes "), "search_nodes");
    assert_eq!(ident("créer_issue"), "cr_er_issue");
    assert_eq!(ident("already_snake"), "already_snake");
}

#[test]
fn digits_empties_and_reserved_words() {
    assert_eq!(ident("2fa"), "n2fa");
    assert_eq!(ident("404"), "n404");
    assert_eq!(ident("---"), "tool");
    assert_eq!(base_identifier("日本", Kind::Server), "server");
    assert_eq!(ident("import"), "import_");
    assert_eq!(ident("Fn"), "fn_");
    assert_eq!(ident("call"), "call_");
    assert_eq!(ident("parse-json"), "parse_json_");
    assert_eq!(ident("callTool"), "call_tool_");
    assert_eq!(ident("_private"), "private_");
}

#[test]
fn collisions_number_in_sorted_raw_order() {
    let names = Names::assign(["get-user", "get_user", "getUser"], Kind::Tool);
    // Sorted raw order: "get-user" < "getUser" < "get_user" (byte order).
    assert_eq!(names.get("get-user"), Some("get_user"));
    assert_eq!(names.get("getUser"), Some("get_user_2"));
    assert_eq!(names.get("get_user"), Some("get_user_3"));
    // Input order does not matter.
    let again = Names::assign(["getUser", "get_user", "get-user"], Kind::Tool);
    assert_eq!(names, again);
    assert_eq!(names.raw("get_user_2"), Some("getUser"));
}

#[test]
fn a_real_numbered_name_is_not_stolen_by_a_collision() {
    let names = Names::assign(["get", "GET", "get_2"], Kind::Tool);
    assert_eq!(names.get("GET"), Some("get"));
    assert_eq!(names.get("get"), Some("get_3"));
    assert_eq!(names.get("get_2"), Some("get_2"));
}

/// A small deterministic generator of awkward raw names (no extra dependency).
fn awkward_names(count: usize, seed: u64) -> Vec<String> {
    const PIECES: &[&str] = &[
        "get", "Get", "GET", "user", "User", "-", "_", ".", "/", " ", "2", "404", "fn", "import",
        "call", "this", "é", "日本", "HTTP", "x", "Parser", "__", "eval", "print", "let", "a1",
        "null", "parallel", "sleep", "0",
    ];
    let mut state = seed;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize
    };
    (0..count)
        .map(|_| {
            let len = 1 + next() % 4;
            (0..len).map(|_| PIECES[next() % PIECES.len()]).collect()
        })
        .collect()
}

#[test]
fn assignment_is_injective_and_deterministic() {
    for seed in 0..20 {
        let raws = awkward_names(200, seed);
        let names = Names::assign(raws.iter().map(String::as_str), Kind::Tool);
        let idents: BTreeSet<&str> = names.iter().map(|(_, i)| i).collect();
        assert_eq!(idents.len(), names.len(), "seed {seed}: not injective");
        let mut reversed = raws.clone();
        reversed.reverse();
        let again = Names::assign(reversed.iter().map(String::as_str), Kind::Tool);
        assert_eq!(names, again, "seed {seed}: depends on input order");
    }
}

#[test]
fn every_identifier_compiles_as_variable_and_module_function() {
    let engine = rhai::Engine::new_raw();
    for seed in 0..5 {
        let raws = awkward_names(100, seed);
        for kind in [Kind::Tool, Kind::Server] {
            let names = Names::assign(raws.iter().map(String::as_str), kind);
            for (raw, name) in names.iter() {
                assert!(
                    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'),
                    "{raw:?} -> {name:?}"
                );
                assert!(!is_reserved(name), "{raw:?} -> {name:?}");
                let script = format!("let {name} = 1; {name}");
                engine
                    .compile(&script)
                    .unwrap_or_else(|e| panic!("{raw:?} -> {name:?}: {e}"));
                let script = format!("m::{name}(#{{}}); {name}::f()");
                engine
                    .compile(&script)
                    .unwrap_or_else(|e| panic!("{raw:?} -> {name:?}: {e}"));
            }
        }
    }
}

#[test]
fn reserved_words_are_really_rejected_by_rhai() {
    // Guards the list: a word we append `_` to must be one Rhai refuses (or one of ours).
    // `global` is a valid variable but names the module of global constants (`global::X`);
    // `exit` is the name of Rhai's script-terminating function in some builds.
    let engine = rhai::Engine::new_raw();
    let accepted: Vec<&str> = RHAI_RESERVED
        .iter()
        .copied()
        .filter(|w| engine.compile(format!("let {w} = 1;")).is_ok())
        .collect();
    assert_eq!(accepted, ["global", "exit"]);
}

#[test]
fn rule_text_is_the_module_doc() {
    assert!(RULE.contains("sorted order of their"));
    assert!(RULE.contains("call_tool("));
}
