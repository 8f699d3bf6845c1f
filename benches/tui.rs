//! Frame render time and memory of the workbench with a large catalog and a full log:
//! 5 000 tools across 50 servers and 100 000 log lines, at 80x24 and 160x48.
//! Run with `scripts/bench` (or `cargo bench --bench tui`).

use std::sync::Arc;

use codemode::mcp::{ServerState, ServerStatus, ToolDef};
use codemode::tui::log::{Level, Source};
use codemode::tui::state::Pane;
use codemode::tui::theme::{ColorDepth, Theme};
use codemode::tui::{State, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::json;

const SERVERS: usize = 50;
const TOOLS_PER_SERVER: usize = 100;
const LOG_LINES: usize = 100_000;

fn tool(i: usize) -> ToolDef {
    serde_json::from_value(json!({
        "name": format!("tool_{i}"),
        "title": format!("Tool number {i}"),
        "description": "Fetch records from the store, filtered and paginated. Fails when the store is offline.",
        "inputSchema": {
            "type": "object",
            "properties": {
                "query": { "type": "string", "minLength": 1, "description": "What to look for." },
                "limit": { "type": "integer", "minimum": 1, "maximum": 100, "default": 20 },
                "order": { "type": "string", "enum": ["asc", "desc"] },
                "filters": { "type": "object", "properties": { "tag": { "type": "string" } } }
            },
            "required": ["query"]
        },
        "outputSchema": { "type": "object", "properties": { "items": { "type": "array", "items": { "type": "string" } } } },
        "annotations": { "readOnlyHint": true }
    }))
    .unwrap()
}

fn servers() -> Vec<ServerState> {
    (0..SERVERS)
        .map(|s| ServerState {
            name: format!("server{s}"),
            transport: "stdio",
            target: "synthetic".into(),
            status: ServerStatus::Ready,
            details: None,
            tools: Arc::new(
                (0..TOOLS_PER_SERVER)
                    .map(|t| tool(s * TOOLS_PER_SERVER + t))
                    .collect(),
            ),
            resources: Arc::default(),
            templates: Arc::default(),
            prompts: Arc::default(),
            stderr_tail: vec![],
            reconnects: 0,
        })
        .collect()
}

fn big_state() -> State {
    let theme = Theme::builtin("dark", ColorDepth::TrueColor).unwrap();
    let script: String = (0..5_000)
        .map(|i| format!("let v{i} = server0::tool_{i}(#{{ query: \"x\" }});\n"))
        .collect();
    let mut state = State::new(theme, &script, None);
    state.set_servers(servers());
    for i in 0..LOG_LINES {
        let source = if i % 3 == 0 {
            Source::Call
        } else {
            Source::Run
        };
        state.log.push(
            source,
            Level::Info,
            None,
            &format!("line {i}: server0::tool_{} ok in 3 ms", i % 5000),
        );
    }
    state.selected = 2_500;
    state
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn main() {
    let before = rss_kib();
    let state = big_state();
    let after = rss_kib();
    eprintln!(
        "tui bench: {} tools, {} log lines, {} script lines; RSS {} MiB before the state, {} MiB after (+{} MiB)",
        SERVERS * TOOLS_PER_SERVER,
        state.log.len(),
        state.editor.lines().len(),
        before / 1024,
        after / 1024,
        (after - before) / 1024
    );
    drop(state);
    divan::main();
}

#[divan::bench(args = [(80, 24), (160, 48)], sample_count = 50)]
fn frame(bencher: divan::Bencher, (w, h): (u16, u16)) {
    let mut state = big_state();
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    bencher.bench_local(|| {
        state.focus = Pane::Log;
        term.draw(|f| draw::draw(&state, f)).unwrap();
    });
}

#[divan::bench(sample_count = 20)]
fn catalog_rebuild_5000_tools(bencher: divan::Bencher) {
    let servers = servers();
    bencher.bench_local(|| codemode::catalog::Catalog::from_states(&servers));
}

#[divan::bench(sample_count = 50)]
fn keystroke_in_5000_line_script(bencher: divan::Bencher) {
    let mut state = big_state();
    let mut n = 0usize;
    bencher.bench_local(|| {
        n += 1;
        state
            .editor
            .insert_char(if n.is_multiple_of(2) { 'a' } else { 'b' });
        state.rehighlight();
    });
}
