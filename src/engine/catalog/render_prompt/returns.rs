//! What a server's tools return, said once in its prompt section instead of in every
//! signature: the result type most tools share (their signatures leave `-> T` out), and
//! object shapes several signatures repeat, named once (`TimeResult = #{ ... }`) and then
//! written by name.

use super::super::text;
use super::super::{ServerDoc, Shape, Ty};
use super::SHARED_MIN;

/// Shortest type text worth a name (shorter ones cost about as much as their name).
const NAME_MIN_CHARS: usize = 40;

/// A server's result types, said once.
#[derive(Debug, Default, PartialEq)]
pub struct Returns {
    /// The result type of most tools (at least [`SHARED_MIN`] and half of them); their
    /// signatures leave it out.
    pub common: Option<String>,
    /// Named shapes, `(name, type text)`, largest first.
    pub named: Vec<(String, String)>,
}

impl Returns {
    /// Works out what `s`'s signatures repeat.
    pub fn of(s: &ServerDoc) -> Returns {
        let mut named: Vec<(String, String)> = Vec::new();
        let mut sigs: Vec<String> = s.tools.iter().map(text::signature).collect();
        for (name, ty) in candidates(s) {
            let uses: usize = sigs.iter().map(|g| g.matches(ty.as_str()).count()).sum();
            let taken = named.iter().any(|(n, t)| *n == name || *t == ty);
            if uses < 2 || taken {
                continue;
            }
            for g in &mut sigs {
                *g = g.replace(&ty, &name);
            }
            named.push((name, ty));
        }
        let mut r = Returns {
            common: None,
            named,
        };
        let mut counts: indexmap::IndexMap<String, usize> = indexmap::IndexMap::new();
        for t in &s.tools {
            *counts.entry(r.apply(&text::return_type(t))).or_default() += 1;
        }
        let need = SHARED_MIN.max(s.tools.len().div_ceil(2));
        r.common = counts
            .into_iter()
            .filter(|(_, n)| *n >= need)
            .max_by_key(|(_, n)| *n)
            .map(|(ty, _)| ty);
        r
    }

    /// `text` with every named shape written by its name.
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (name, ty) in &self.named {
            out = out.replace(ty.as_str(), name);
        }
        out
    }

    /// The lines said once for the server (empty when nothing repeats).
    pub fn header(&self) -> String {
        let mut o = String::new();
        for (i, (name, ty)) in self.named.iter().enumerate() {
            // Later names may appear inside earlier definitions: name them too.
            let later = Returns {
                common: None,
                named: self.named[i + 1..].to_vec(),
            };
            o.push_str(&format!("Type {name} = {}\n", later.apply(ty)));
        }
        if let Some(c) = &self.common {
            o.push_str(&format!(
                "Tools return {c} unless their signature says `-> ...`.\n"
            ));
        }
        o
    }

    /// The signature of a tool with the named shapes and without the common result type.
    pub fn signature(&self, sig: &str) -> String {
        let sig = self.apply(sig);
        match &self.common {
            Some(c) => sig
                .strip_suffix(&format!(" -> {c}"))
                .map(str::to_string)
                .unwrap_or(sig),
            None => sig,
        }
    }
}

/// Object shapes in the tools' arguments and results, largest type text first, each named
/// by its role: its `title` when it is a type name, else from a place it sits
/// ([`derived_name`]: `entities[]` → `Entity`). A whole argument map or result gets no name
/// of its own (several tools may share it in different roles; a name after the first tool
/// that used it would mislead), only the shapes inside it.
fn candidates(s: &ServerDoc) -> Vec<(String, String)> {
    // (titled, name, type text): a title beats a name from a path for the same shape.
    let mut out: Vec<(bool, String, String)> = Vec::new();
    for t in &s.tools {
        let shapes = t.output.iter().chain(std::iter::once(&t.input));
        for (path, shape) in shapes.flat_map(Shape::walk) {
            if !is_object(shape) {
                continue;
            }
            let ty = text::type_text(shape);
            if ty.chars().count() < NAME_MIN_CHARS {
                continue;
            }
            let (titled, name) = match shape.title.as_deref().filter(|n| is_type_name(n)) {
                Some(title) => (true, title.to_string()),
                None if path.is_empty() => continue,
                None => (false, derived_name(&path)),
            };
            match out.iter_mut().find(|(_, _, t)| *t == ty) {
                Some(seen) if titled && !seen.0 => *seen = (titled, name, ty),
                Some(_) => {}
                None => out.push((titled, name, ty)),
            }
        }
    }
    out.sort_by_key(|(_, _, ty)| std::cmp::Reverse(ty.len()));
    out.into_iter().map(|(_, name, ty)| (name, ty)).collect()
}

/// A name from where a shape sits: `source` → `Source`, `issues[]` → `Issue`.
fn derived_name(path: &str) -> String {
    let last = path.rsplit(['.', '|']).next().unwrap_or("");
    let item = last.ends_with("[]");
    let last = last.trim_end_matches("[]");
    if item {
        camel(&singular(last))
    } else {
        camel(last)
    }
}

/// `entities` → `entity`, `boxes` → `box`, `issues` → `issue`, `status` stays.
fn singular(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if ["sses", "xes", "ches", "shes"]
        .iter()
        .any(|e| word.ends_with(e))
    {
        word[..word.len() - 2].to_string()
    } else if word.ends_with("ss") || word.ends_with("us") {
        word.to_string()
    } else {
        word.strip_suffix('s').unwrap_or(word).to_string()
    }
}

fn is_object(shape: &Shape) -> bool {
    matches!(&shape.ty, Ty::Object { properties, .. } if !properties.is_empty())
}

/// `TimeResult`: an ASCII letter, then letters and digits.
fn is_type_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// `get_user` → `GetUser`.
fn camel(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
                .unwrap_or_default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::mcp::ToolDef;
    use serde_json::json;

    fn server(tools: serde_json::Value) -> ServerDoc {
        let tools: Vec<ToolDef> = serde_json::from_value(tools).unwrap();
        Catalog::from_tools("t", &tools).servers.remove(0)
    }

    fn point(title: Option<&str>) -> serde_json::Value {
        let mut p = json!({
            "type": "object",
            "properties": { "timezone": { "type": "string" }, "datetime": { "type": "string" }, "dst": { "type": "boolean" } },
            "required": ["timezone", "datetime", "dst"]
        });
        if let Some(t) = title {
            p["title"] = json!(t);
        }
        p
    }

    #[test]
    fn names_a_repeated_shape_once_by_its_title_and_uses_the_name() {
        let s = server(json!([
            { "name": "now", "inputSchema": { "type": "object" }, "outputSchema": point(Some("TimeResult")) },
            { "name": "convert", "inputSchema": { "type": "object" }, "outputSchema": {
                "type": "object",
                "properties": { "source": point(Some("TimeResult")), "target": point(Some("TimeResult")) },
                "required": ["source", "target"]
            } }
        ]));
        let r = Returns::of(&s);
        assert_eq!(r.named.len(), 1, "{r:?}");
        assert_eq!(r.named[0].0, "TimeResult");
        assert_eq!(r.common, None);
        assert_eq!(
            r.header(),
            "Type TimeResult = #{ timezone: string, datetime: string, dst: bool }\n"
        );
        assert_eq!(
            r.signature(&text::signature(&s.tools[1])),
            "t::convert() -> #{ source: TimeResult, target: TimeResult }"
        );
        assert_eq!(
            r.signature(&text::signature(&s.tools[0])),
            "t::now() -> TimeResult"
        );
    }

    #[test]
    fn untitled_shapes_are_named_where_they_are_first_seen_and_single_ones_stay_inline() {
        let s = server(json!([
            { "name": "get_point", "inputSchema": { "type": "object" }, "outputSchema": point(None) },
            { "name": "pair", "inputSchema": { "type": "object" }, "outputSchema": {
                "type": "object", "properties": { "start": point(None) }, "required": ["start"]
            } },
            { "name": "other", "inputSchema": { "type": "object" }, "outputSchema": {
                "type": "object", "properties": { "only_here_and_long_enough_to_name": { "type": "string" } }
            } }
        ]));
        let r = Returns::of(&s);
        let names: Vec<&str> = r.named.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Start"]);
        assert!(
            r.signature(&text::signature(&s.tools[0]))
                .ends_with("-> Start")
        );
    }

    #[test]
    fn shapes_shared_by_arguments_and_results_are_named_by_their_role() {
        let entity = json!({
            "type": "object",
            "properties": { "name": { "type": "string" }, "entityType": { "type": "string" }, "observations": { "type": "array", "items": { "type": "string" } } },
            "required": ["name", "entityType", "observations"]
        });
        let relation = json!({
            "type": "object",
            "properties": { "from": { "type": "string" }, "to": { "type": "string" }, "relationType": { "type": "string" } },
            "required": ["from", "to", "relationType"]
        });
        let list = |key: &str, item: &serde_json::Value| {
            json!({
                "type": "object", "properties": { key: { "type": "array", "items": item } }, "required": [key]
            })
        };
        let graph = json!({
            "type": "object",
            "properties": { "entities": { "type": "array", "items": entity }, "relations": { "type": "array", "items": relation } },
            "required": ["entities", "relations"]
        });
        let s = server(json!([
            { "name": "create_entities", "inputSchema": list("entities", &entity), "outputSchema": list("entities", &entity) },
            { "name": "delete_relations", "inputSchema": list("relations", &relation) },
            { "name": "open_nodes", "inputSchema": { "type": "object" }, "outputSchema": graph },
            { "name": "read_graph", "inputSchema": { "type": "object" }, "outputSchema": graph }
        ]));
        let r = Returns::of(&s);
        let names: Vec<&str> = r.named.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["Entity", "Relation"], "{r:?}");
        assert_eq!(
            r.signature(&text::signature(&s.tools[0])),
            "t::create_entities(#{ entities: [Entity] }) -> #{ entities: [Entity] }"
        );
        assert_eq!(
            r.signature(&text::signature(&s.tools[3])),
            "t::read_graph() -> #{ entities: [Entity], relations: [Relation] }"
        );
    }

    #[test]
    fn item_names_are_singular() {
        let names: Vec<String> = [
            "entities[]",
            "issues[]",
            "boxes[]",
            "status[]",
            "a.classes[]",
            "source",
        ]
        .iter()
        .map(|p| derived_name(p))
        .collect();
        assert_eq!(
            names,
            ["Entity", "Issue", "Box", "Status", "Class", "Source"]
        );
    }

    #[test]
    fn the_common_result_type_leaves_the_signatures() {
        let tool = |n: &str| json!({ "name": n, "inputSchema": { "type": "object" } });
        let s = server(json!([tool("a"), tool("b"), tool("c"), {
            "name": "d", "inputSchema": { "type": "object" },
            "outputSchema": { "type": "object", "properties": { "n": { "type": "integer" } } }
        }]));
        let r = Returns::of(&s);
        assert_eq!(r.common.as_deref(), Some("string"));
        assert_eq!(r.signature("t::a() -> string"), "t::a()");
        assert_eq!(
            r.signature("t::d() -> #{ n?: int }"),
            "t::d() -> #{ n?: int }"
        );
        assert!(r.header().contains("Tools return string unless"));
        // Two tools are too few for a common type.
        let two = server(json!([tool("a"), tool("b")]));
        assert_eq!(Returns::of(&two), Returns::default());
    }
}
