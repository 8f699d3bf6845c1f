use std::sync::Arc;

use serde_json::json;

use super::*;

fn demo() -> Vec<ServerTools> {
    let tools = crate::demo::tools::definitions(false)
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    vec![ServerTools {
        name: "demo".into(),
        tools: Arc::new(tools),
    }]
}

#[test]
fn static_calls_in_every_form_with_their_literal_args() {
    let src = r#"
let a = demo::get_issue(#{ id: 1 });
let b = call_tool("demo", "calculate", #{ op: "add", a: 1, b: a.id });
fn helper() { demo::list_issues() }
let c = parallel([["demo", "get_issue", #{ id: 2 }], ["demo", "list_issues"]]);
"#;
    let p = plan(src, &demo()).unwrap();
    let got: Vec<(usize, CallForm, String)> = p
        .calls
        .iter()
        .map(|c| (c.line, c.form, c.target()))
        .collect();
    assert_eq!(
        got,
        [
            (2, CallForm::Module, "demo::get_issue".to_string()),
            (3, CallForm::CallTool, "demo::calculate".into()),
            (4, CallForm::Module, "demo::list_issues".into()),
            (5, CallForm::Parallel, "demo::get_issue".into()),
            (5, CallForm::Parallel, "demo::list_issues".into()),
        ]
    );
    assert_eq!(p.calls[0].args, Some(json!({"id": 1})));
    assert_eq!(
        p.calls[1].args,
        Some(json!({"op": "add", "a": 1, "b": COMPUTED}))
    );
    assert_eq!(p.calls[2].args, Some(json!({})));
    assert_eq!(p.calls[3].args, Some(json!({"id": 2})));
    assert!(
        p.calls
            .iter()
            .all(|c| !c.has(Flag::Dynamic) && !c.has(Flag::Unknown))
    );
    assert!(p.calls[0].has(Flag::ReadOnly), "{:?}", p.calls[0]);
}

#[test]
fn computed_names_are_dynamic() {
    let src = r#"
let tool = "get_" + "issue";
call_tool("demo", tool, #{ id: 1 });
let list = [];
list.push(["demo", "list_issues"]);
parallel(list);
parallel([["demo", tool]]);
call_tool("demo", "get_issue", args_from_somewhere());
"#;
    let p = plan(src, &demo()).unwrap();
    let targets: Vec<String> = p.calls.iter().map(super::PlannedCall::target).collect();
    assert_eq!(targets, ["demo::?", "?::?", "demo::?", "demo::get_issue"]);
    assert!(p.calls[..3].iter().all(|c| c.flags == [Flag::Dynamic]));
    assert_eq!(p.calls[3].args, None);
    assert!(p.any(Flag::Dynamic));
    assert!(
        p.render()
            .contains("line 3    demo::?  {\"id\":1}  [dynamic]"),
        "{}",
        p.render()
    );
}

#[test]
fn destructive_and_unknown_tools_are_marked() {
    let src = r#"
demo::delete_issue(#{ id: 3 });
call_tool("demo", "no_such_tool", #{});
nowhere::thing();
"#;
    let p = plan(src, &demo()).unwrap();
    assert_eq!(p.calls[0].flags, [Flag::Destructive]);
    assert_eq!(p.calls[1].flags, [Flag::Unknown]);
    assert_eq!(p.calls[2].target(), "nowhere::thing");
    assert_eq!(p.calls[2].flags, [Flag::Unknown]);
    let text = p.render();
    assert!(
        text.contains("demo::delete_issue  {\"id\":3}  [destructive]"),
        "{text}"
    );
}

#[test]
fn a_parse_error_is_reported_with_its_line() {
    let err = plan("let x = ;\n", &demo()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Parse);
    assert_eq!(err.line, Some(1));
    assert_eq!(plan("40 + 2", &demo()).unwrap().render(), "no tool calls\n");
}

#[test]
fn function_pointers_that_reach_tools_are_dynamic_calls() {
    // Each script calls a tool only through a function pointer: none may plan as "no calls".
    for src in [
        r#"let f = Fn("call_tool"); f.call("demo", "delete_issue", #{ id: 1 })"#,
        r#"let f = Fn("call_tool"); call(f, "demo", "delete_issue", #{ id: 1 })"#,
        r#"let f = Fn("call_tool").curry("demo"); f.call("delete_issue", #{ id: 1 })"#,
        r#"let f = Fn("parallel"); f.call([["demo", "delete_issue", #{ id: 1 }]])"#,
        r#"let n = "call_" + "tool"; let f = Fn(n); f.call("demo", "delete_issue", #{ id: 1 })"#,
        r#"fn g(x) { x.call("demo", "delete_issue", #{ id: 1 }) } g(Fn("call_tool"))"#,
    ] {
        let p = plan(src, &demo()).unwrap();
        assert!(!p.calls.is_empty(), "{src}: {}", p.render());
        assert!(p.any(Flag::Dynamic), "{src}: {}", p.render());
        assert!(
            p.calls.iter().any(|c| c.form == CallForm::FnPointer),
            "{src}"
        );
        assert_ne!(p.render(), "no tool calls\n");
    }
    // Pointers to script functions and closures are not: their calls are planned where they
    // are written.
    let src =
        r#"fn list() { demo::list_issues() } let f = Fn("list"); let g = || 1; f.call(); g.call()"#;
    let p = plan(src, &demo()).unwrap();
    assert_eq!(p.calls.len(), 1, "{}", p.render());
    assert_eq!(p.calls[0].target(), "demo::list_issues");
}
