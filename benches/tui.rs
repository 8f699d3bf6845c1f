//! Frame render time and memory of the workbench with a large catalog and a full log:
//! 5 000 tools across 50 servers and 100 000 log lines, at 80x24 and 160x48.
//! After divan's table: frame time percentiles, and the time to the first frame of the real
//! binary (in a pseudo-terminal) with a server that takes 5 s to start (`first_frame.rs`).
//! Run with `scripts/bench` (or `cargo bench --bench tui`).

// The first-frame bench opens a pseudo-terminal and signals the binary with libc; the library itself denies `unsafe`.
#![allow(unsafe_code)]

#[path = "common/mod.rs"]
mod common;
#[path = "tui/first_frame.rs"]
mod first_frame;
#[path = "common/synthetic.rs"]
mod synthetic;

use std::sync::Arc;

use codemode::mcp::{ServerState, ServerStatus};
use codemode::tui::log::{Level, Source};
use codemode::tui::state::Pane;
use codemode::tui::theme::{ColorDepth, Theme};
use codemode::tui::{State, draw};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SERVERS: usize = 50;
const TOOLS_PER_SERVER: usize = 100;
const LOG_LINES: usize = 100_000;

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
                    .map(|t| synthetic::tool(s * TOOLS_PER_SERVER + t))
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
    state.tree.selected = 2_500;
    state
}

fn main() {
    let before = common::rss_kib();
    let state = big_state();
    // As the user sees it: one frame drawn, so the selected tool's docs are built.
    let mut term = Terminal::new(TestBackend::new(160, 48)).unwrap();
    term.draw(|f| draw::draw(&state, f)).unwrap();
    let after = common::rss_kib();
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
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    frame_percentiles(after);
    first_frame::measure();
}

/// p50 / p99 of 200 frames at each size, and the RSS with the big state, as table rows.
fn frame_percentiles(rss_kib: u64) {
    let mut state = big_state();
    state.focus = Pane::Log;
    for (w, h) in [(80, 24), (160, 48)] {
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        let mut times: Vec<std::time::Duration> = (0..200)
            .map(|_| {
                let start = std::time::Instant::now();
                term.draw(|f| draw::draw(&state, f)).unwrap();
                start.elapsed()
            })
            .collect();
        let p50 = common::percentile(&mut times, 50);
        let p99 = common::percentile(&mut times, 99);
        let what = format!(
            "frame at {w}x{h}, {} tools, {LOG_LINES} log lines: p50 / p99 of 200",
            SERVERS * TOOLS_PER_SERVER
        );
        let value = format!("{} / {}", common::human(p50), common::human(p99));
        if w == 160 {
            let goal = std::time::Duration::from_millis(2);
            common::goal_row("tui", what, value, "p99 <= 2 ms", p99 <= goal);
        } else {
            common::plain_row("tui", what, value);
        }
    }
    common::goal_row(
        "tui",
        "RSS of the bench process holding that state (one frame drawn)".into(),
        format!("{} MiB", rss_kib / 1024),
        "<= 100 MiB",
        rss_kib <= 100 * 1024,
    );
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
