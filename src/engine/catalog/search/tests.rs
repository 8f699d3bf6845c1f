use serde_json::json;

use super::*;
use crate::mcp::ToolDef;

fn tool(v: serde_json::Value) -> ToolDef {
    serde_json::from_value(v).unwrap()
}

fn demo() -> Catalog {
    let tools: Vec<ToolDef> = crate::demo::tool_definitions(true)
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    Catalog::from_tools("demo", &tools)
}

fn names(hits: &[SearchHit]) -> Vec<&str> {
    hits.iter().map(|h| h.tool.as_str()).collect()
}

#[test]
fn weights_by_field_as_documented() {
    let t = tool(json!({
        "name": "getUser", "title": "Fetch account",
        "description": "Looks up a profile.",
        "inputSchema": { "type": "object", "properties": { "userId": { "type": "string" } } }
    }));
    let cat = Catalog::from_tools("srv", &[t]);
    let d = cat.tools().next().unwrap();
    // name exact 10 + params exact (user_id → user) 4 + all matched 5
    assert_eq!(score(d, "user"), 19);
    // prefix of a name word: 6 + params prefix 2 + 5
    assert_eq!(score(d, "us"), 13);
    // title exact 6 + 5
    assert_eq!(score(d, "account"), 11);
    // description exact 2 + 5 (plural stemmed: profiles → profile)
    assert_eq!(score(d, "profiles"), 7);
    // server name 3 + 5
    assert_eq!(score(d, "srv"), 8);
    // the whole name: name words 10 + 10, params 4, +30 whole, +5
    assert_eq!(score(d, "getUser"), 59);
    assert_eq!(score(d, "nothing here"), 0);
    assert_eq!(score(d, "the a of"), 0, "stop words alone match nothing");
    // a partly matched query gets no coverage bonus
    assert_eq!(score(d, "user zebra"), 14);
}

#[test]
fn ranks_across_the_demo_tools() {
    let cat = demo();
    assert_eq!(names(&cat.search("delete issue", 3))[0], "delete_issue");
    assert_eq!(names(&cat.search("comment", 10))[0], "add_comment");
    assert_eq!(names(&cat.search("multiply numbers", 10))[0], "calculate");
    let labels = cat.search("labels", 10);
    assert!(names(&labels).contains(&"create_issue") && names(&labels).contains(&"update_issue"));
    assert!(cat.search("zebra", 10).is_empty());
    assert_eq!(cat.search("issue", 2).len(), 2, "limit is respected");
    // Enum values count as parameter words: closing is an update of `status`.
    let close = cat.search("close issue", 10);
    assert!(names(&close)[..3].contains(&"update_issue"), "{close:?}");
    let hits = cat.search("get_issue", 10);
    assert_eq!(hits[0].rhai_name, "demo::get_issue");
    assert!(hits[0].score > hits[1].score + 20);
}

#[test]
fn renders_short_entries() {
    let cat = demo();
    let text = render_hits("wait", &cat.search("wait", 10), CLI_NEXT_STEP);
    assert!(text.starts_with(
        "demo::wait  Wait for the given time, sending progress notifications; useful"
    ));
    assert!(text.ends_with("codemode docs --server SERVER --tool TOOL\n"));
    assert_eq!(
        render_hits("x", &[], CLI_NEXT_STEP),
        "No tool matches \"x\".\n"
    );
}
