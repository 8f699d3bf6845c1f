//! The doc model of the catalog: servers and their tools as a script sees them.

use serde::Serialize;
use serde_json::Value;

use super::example;
use super::names::{Kind, Names};
use super::schema::{self, Shape};
use crate::mcp::{
    PromptDef, Registry, ResourceDef, ResourceTemplateDef, Samples, ServerDetails, ServerState,
    ServerStatus, TextSample, ToolAnnotations, ToolDef,
};

/// One tool, documented.
#[derive(Clone, Debug, Serialize)]
pub struct ToolDoc {
    /// The server's configured name.
    pub server: String,
    /// The server's Rhai module name.
    pub module: String,
    /// The tool's name exactly as the server lists it.
    pub name: String,
    /// The tool's Rhai function name.
    pub function: String,
    /// `title` (or the annotations' title).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The full description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The argument map (`inputSchema`).
    pub input: Shape,
    /// The result's shape (`outputSchema`), if declared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output: Option<Shape>,
    /// Behaviour hints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ToolAnnotations>,
    /// An argument map that validates against `inputSchema` (as JSON).
    pub example: Value,
    /// Why [`ToolDoc::example`] does not validate, when it does not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub example_problem: Option<String>,
    /// Schema constructs the docs could not express precisely, as `input.path: what`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unsupported: Vec<String>,
    /// What a real call of the tool returned as text, when it returned text
    /// ([`Catalog::with_samples`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sample: Option<TextSample>,
    /// The definition as the server sent it.
    #[serde(skip)]
    pub raw: ToolDef,
}

impl ToolDoc {
    /// Documents `tool` of server `server` (module name `module`, function name `function`).
    pub fn new(server: &str, module: &str, function: &str, tool: &ToolDef) -> Self {
        let input = schema::parse(&tool.input_schema);
        let output = tool.output_schema.as_ref().map(schema::parse);
        let mut unsupported: Vec<String> = input
            .unsupported_all()
            .into_iter()
            .map(|u| format!("input: {u}"))
            .collect();
        if let Some(o) = &output {
            unsupported.extend(
                o.unsupported_all()
                    .into_iter()
                    .map(|u| format!("output: {u}")),
            );
        }
        let example = example::synthesize(&input);
        let example_problem = match jsonschema::validator_for(&tool.input_schema) {
            Ok(v) => v
                .iter_errors(&example)
                .next()
                .map(|e| format!("{e} (at `{}`)", e.instance_path())),
            // An external `$ref` cannot be fetched here; it is already reported as unresolved.
            Err(e) if e.to_string().contains("retrieving it failed") => None,
            Err(e) => {
                unsupported.push(format!(
                    "input: the schema does not compile: {}",
                    crate::util::truncate(&e.to_string(), 160)
                ));
                None
            }
        };
        ToolDoc {
            server: server.to_string(),
            module: module.to_string(),
            name: tool.name.clone(),
            function: function.to_string(),
            title: tool
                .title
                .clone()
                .or_else(|| tool.annotations.as_ref().and_then(|a| a.title.clone())),
            description: tool.description.clone(),
            input,
            output,
            annotations: tool.annotations.clone(),
            example,
            example_problem,
            unsupported,
            sample: None,
            raw: tool.clone(),
        }
    }

    /// `module::function`.
    pub fn rhai_name(&self) -> String {
        format!("{}::{}", self.module, self.function)
    }

    /// The first sentence of the description (else the title), at most 160 characters.
    pub fn summary(&self) -> String {
        let text = self
            .description
            .as_deref()
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .or(self.title.as_deref())
            .unwrap_or("");
        let line = text.lines().next().unwrap_or("").trim();
        let sentence = match line.find(". ") {
            Some(i) => &line[..=i],
            None => line,
        };
        crate::util::truncate(sentence, 160)
    }

    /// The example as a Rhai call: `demo::get_issue(#{ id: 1 })`, `demo::tool()` when the
    /// example map is empty.
    pub fn example_call(&self) -> String {
        let args = match &self.example {
            Value::Object(m) if m.is_empty() => String::new(),
            v => example::rhai_literal(v),
        };
        format!("{}({args})", self.rhai_name())
    }

    /// Behaviour flags from the annotations: `read-only`, `destructive`, `idempotent`,
    /// `open-world` (only those the server set to true).
    pub fn flags(&self) -> Vec<&'static str> {
        let Some(a) = &self.annotations else {
            return vec![];
        };
        let mut out = Vec::new();
        if a.read_only_hint == Some(true) {
            out.push("read-only");
        }
        if a.destructive_hint == Some(true) && a.read_only_hint != Some(true) {
            out.push("destructive");
        }
        if a.idempotent_hint == Some(true) {
            out.push("idempotent");
        }
        if a.open_world_hint == Some(true) {
            out.push("open-world");
        }
        out
    }
}

/// One server, documented.
#[derive(Clone, Debug, Serialize)]
pub struct ServerDoc {
    /// The configured name.
    pub name: String,
    /// Its Rhai module name.
    pub module: String,
    /// What it said about itself (name, version, instructions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<ServerDetails>,
    /// Its tools, in the server's order.
    pub tools: Vec<ToolDoc>,
    /// Its resources.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<ResourceDef>,
    /// Its resource templates.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub templates: Vec<ResourceTemplateDef>,
    /// Its prompts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub prompts: Vec<PromptDef>,
    /// File names of the sample workflows (`scripts/`) that use it; empty when the docs are
    /// narrowed to one tool.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub workflows: Vec<&'static str>,
    /// The directories its paths must be inside, as one of its tools said
    /// ([`super::dirs`]); empty when none did.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allowed_dirs: Vec<String>,
}

impl ServerDoc {
    /// A server known only by its tools (fixtures, `tools/list` dumps).
    pub fn from_tools(name: &str, module: &str, tools: &[ToolDef]) -> Self {
        let names = Names::assign(tools.iter().map(|t| t.name.as_str()), Kind::Tool);
        let tools = tools
            .iter()
            .map(|t| ToolDoc::new(name, module, names.get(&t.name).unwrap_or("tool"), t))
            .collect();
        ServerDoc {
            name: name.to_string(),
            module: module.to_string(),
            details: None,
            tools,
            resources: vec![],
            templates: vec![],
            prompts: vec![],
            workflows: super::workflows::for_server(name, module)
                .into_iter()
                .map(|w| w.file)
                .collect(),
            allowed_dirs: vec![],
        }
    }

    /// The tool with this raw name or Rhai function name.
    pub fn tool(&self, name: &str) -> Option<&ToolDoc> {
        self.tools
            .iter()
            .find(|t| t.name == name)
            .or_else(|| self.tools.iter().find(|t| t.function == name))
    }

    /// The sample workflows of `scripts/` that use this server.
    pub fn sample_workflows(&self) -> Vec<&'static super::workflows::Workflow> {
        self.workflows
            .iter()
            .filter_map(|f| super::workflows::WORKFLOWS.iter().find(|w| w.file == *f))
            .collect()
    }

    /// The `instructions` the server sent at initialization.
    pub fn instructions(&self) -> Option<&str> {
        self.details
            .as_ref()
            .and_then(|d| d.instructions.as_deref())
            .filter(|i| !i.trim().is_empty())
    }
}

/// Every server's docs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Catalog {
    /// The servers, in configuration order.
    pub servers: Vec<ServerDoc>,
}

/// The ready servers among `states` (others have no tools to show), each with its Rhai module
/// name: the one naming of servers that docs and scripts share.
pub fn ready_modules(states: &[ServerState]) -> Vec<(&ServerState, String)> {
    let ready: Vec<&ServerState> = states
        .iter()
        .filter(|s| s.status == ServerStatus::Ready)
        .collect();
    let modules = Names::assign(ready.iter().map(|s| s.name.as_str()), Kind::Server);
    ready
        .into_iter()
        .map(|s| (s, modules.get(&s.name).unwrap_or("server").to_string()))
        .collect()
}

impl Catalog {
    /// Documents the ready servers among `states` (others have no tools to show).
    pub fn from_states(states: &[ServerState]) -> Self {
        let servers = ready_modules(states)
            .into_iter()
            .map(|(s, module)| {
                let mut doc = ServerDoc::from_tools(&s.name, &module, &s.tools);
                doc.details.clone_from(&s.details);
                doc.resources = s.resources.to_vec();
                doc.templates = s.templates.to_vec();
                doc.prompts = s.prompts.to_vec();
                doc
            })
            .collect();
        Catalog { servers }
    }

    /// The catalog of `registry`'s ready servers with the text samples it kept.
    pub fn from_registry(registry: &Registry) -> Self {
        Catalog::from_states(&registry.servers()).with_samples(&registry.samples())
    }

    /// Gives each tool its text sample from `samples`, when one was taken from its current
    /// definition and may be shown to a model ([`super::sample::showable`]).
    #[must_use]
    pub fn with_samples(mut self, samples: &Samples) -> Self {
        for s in &mut self.servers {
            for t in &mut s.tools {
                t.sample = samples
                    .get(&s.name, &t.raw)
                    .filter(|x| super::sample::showable(x))
                    .cloned();
            }
            super::dirs::place(s);
        }
        self
    }

    /// A catalog of one server known only by its tools.
    pub fn from_tools(server: &str, tools: &[ToolDef]) -> Self {
        let module = super::names::base_identifier(server, Kind::Server);
        Catalog {
            servers: vec![ServerDoc::from_tools(server, &module, tools)],
        }
    }

    /// The server with this configured name or module name.
    pub fn server(&self, name: &str) -> Option<&ServerDoc> {
        self.servers
            .iter()
            .find(|s| s.name == name)
            .or_else(|| self.servers.iter().find(|s| s.module == name))
    }

    /// Every tool of every server.
    pub fn tools(&self) -> impl Iterator<Item = &ToolDoc> {
        self.servers.iter().flat_map(|s| s.tools.iter())
    }

    /// Keeps only `server` (and, within it, only `tool`, without the sample workflows), by raw
    /// or Rhai name.
    pub fn only(mut self, server: Option<&str>, tool: Option<&str>) -> Self {
        if let Some(s) = server {
            self.servers.retain(|d| d.name == s || d.module == s);
        }
        if let Some(t) = tool {
            for s in &mut self.servers {
                s.tools.retain(|d| d.name == t || d.function == t);
                s.workflows.clear();
            }
        }
        self
    }
}
