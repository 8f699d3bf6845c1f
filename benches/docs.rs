//! Docs generation and what the docs cost in tokens:
//!
//! - scaling: synthetic catalogs of 10, 100, 1 000 and 10 000 tools (realistic schemas,
//!   `common/synthetic.rs`), from `tools/list` definitions to the full Markdown and to the
//!   prompt form; time and bytes per tool, so linearity is visible;
//! - tokens (o200k, `catalog::tokens`): `tools/list` JSON against the Markdown docs, the
//!   prompt form and one search page, for each real test server and a synthetic 100-tool
//!   catalog.
//!
//! Run with `scripts/bench` (or `cargo bench --bench docs`, after `scripts/test` installed
//! the servers).

// The shared test helpers check processes with libc `kill`; the library itself denies `unsafe`.
#![allow(unsafe_code)]

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/it/common/demo.rs"]
mod demo;
#[path = "../tests/it/common/real_catalog.rs"]
mod real_catalog;
#[path = "../tests/it/common/real_env.rs"]
mod real_env;
#[path = "../tests/it/common/servers.rs"]
mod servers;
#[path = "common/synthetic.rs"]
mod synthetic;

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use codemode::catalog::{Catalog, render_md, render_prompt, tokens};
use codemode::script::{Limits, script_api};
use common::{human, median, plain_row, ratio_row};

/// Catalog sizes.
const SIZES: [usize; 4] = [10, 100, 1_000, 10_000];

/// Per-tool cost at the largest size may be at most this many times the one at 1 000 tools
/// (ten times fewer) to count as linear.
const LINEAR: f64 = 1.5;

/// Measured (time, bytes) per (form, size).
type Samples = BTreeMap<(&'static str, usize), (Vec<Duration>, usize)>;

fn samples() -> &'static Mutex<Samples> {
    static S: OnceLock<Mutex<Samples>> = OnceLock::new();
    S.get_or_init(Default::default)
}

fn main() {
    divan::main();
    scaling_summary();
    token_table();
}

/// Times `render` over a fresh catalog of `n` synthetic tools (building the catalog from
/// the definitions is part of it).
fn bench_form(bencher: divan::Bencher, n: usize, form: &'static str) {
    let tools = synthetic::tools(0, n);
    let api = script_api(&Limits::default());
    bencher.bench_local(|| {
        let start = Instant::now();
        let cat = Catalog::from_tools("synthetic", &tools);
        let text = match form {
            "markdown" => render_md::catalog(&cat, &api),
            _ => render_prompt::catalog(&cat, &api),
        };
        let took = start.elapsed();
        let mut s = samples().lock().unwrap();
        let entry = s.entry((form, n)).or_default();
        entry.0.push(took);
        entry.1 = text.len();
    });
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn markdown(bencher: divan::Bencher, n: usize) {
    bench_form(bencher, n, "markdown");
}

#[divan::bench(args = SIZES, sample_count = 5, sample_size = 1)]
fn prompt(bencher: divan::Bencher, n: usize) {
    bench_form(bencher, n, "prompt");
}

fn scaling_summary() {
    let mut s = samples().lock().unwrap();
    if s.is_empty() {
        return; // filtered out, or `--list`
    }
    for form in ["markdown", "prompt"] {
        let mut per_tool = BTreeMap::new();
        for n in SIZES {
            let Some((times, bytes)) = s.get_mut(&(form, n)) else {
                continue;
            };
            let m = median(times);
            per_tool.insert(n, m.as_secs_f64() / n as f64);
            plain_row(
                "docs",
                format!("{form}, {n} synthetic tools: per tool (total)"),
                format!(
                    "{} ({}), {} B/tool",
                    human(m / n as u32),
                    human(m),
                    *bytes / n
                ),
            );
        }
        let (Some(small), Some(mid), Some(large)) = (
            per_tool.get(&100),
            per_tool.get(&1_000),
            per_tool.get(&10_000),
        ) else {
            continue;
        };
        let ratio = large / mid;
        ratio_row(
            "docs",
            format!(
                "{form}: time per tool at 10 000 tools vs at 1 000 (vs at 100: {:.2}x)",
                large / small
            ),
            human(Duration::from_secs_f64(*large)),
            ratio,
            "<= 1.5x (linear)",
            ratio <= LINEAR,
        );
    }
}

/// The token table of the real servers and of 100 synthetic tools, with its ratios.
fn token_table() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mut cat = common::runtime().block_on(real_catalog::real_catalog(dir.path()));
    cat.servers
        .extend(Catalog::from_tools("synthetic100", &synthetic::tools(0, 100)).servers);
    let rows = tokens::stats(&cat, &script_api(&Limits::default()));
    println!("\n{}", tokens::render_table(&rows));
    for r in rows.iter().filter(|r| r.tools > 0 && r.server != "total") {
        let of_list = |n: usize| n as f64 / r.raw_json as f64;
        let what = |form: &str| {
            format!(
                "{}: {form} vs tools/list JSON ({} tokens, {} tools)",
                r.server, r.raw_json, r.tools
            )
        };
        ratio_row(
            "tokens",
            what("prompt form"),
            format!("{} tokens", r.prompt),
            of_list(r.prompt),
            "<= 0.5x",
            of_list(r.prompt) <= 0.5,
        );
        plain_row(
            "tokens",
            what("Markdown docs"),
            format!("{} tokens ({:.2}x)", r.markdown, of_list(r.markdown)),
        );
        let page = format!("search page ({} hits)", r.tools.min(tokens::SEARCH_PAGE));
        if r.tools >= 100 {
            ratio_row(
                "tokens",
                what(&page),
                format!("{} tokens", r.search_page),
                of_list(r.search_page),
                "<= 0.05x",
                of_list(r.search_page) <= 0.05,
            );
        } else {
            plain_row(
                "tokens",
                what(&page),
                format!("{} tokens ({:.2}x)", r.search_page, of_list(r.search_page)),
            );
        }
    }
    let primer = rows.iter().find(|r| r.tools == 0 && r.server != "total");
    if let Some(p) = primer {
        plain_row(
            "tokens",
            "primer + naming rule (paid once per document, not in the rows above)".into(),
            format!("{} tokens prompt, {} Markdown", p.prompt, p.markdown),
        );
    }
}
