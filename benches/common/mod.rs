//! Helpers shared by the benches: the summary table every bench adds its rows to, medians,
//! and a runtime that lives as long as the bench.
//! Include with `#[path = "common/mod.rs"] mod common;`.
#![allow(dead_code)]

use std::io::Write;
use std::time::Duration;

/// Env var naming the file the rows go to (`scripts/bench` sets it and prints the table of
/// every bench's rows at the end). Without it, rows are only printed.
pub const TABLE_ENV: &str = "CODEMODE_BENCH_TABLE";

/// One row of the summary table.
pub struct Row<'a> {
    /// The group (`calls`, `docs`, `tokens`, `tui`, `sandbox`, `workflows`).
    pub section: &'a str,
    /// What was measured, and what the time includes.
    pub what: String,
    /// The measured value, with its unit (absolute figures: context only on a noisy machine).
    pub value: String,
    /// The ratio against the row's baseline, measured in the same run.
    pub ratio: Option<f64>,
    /// The goal (`<= 1.15x`), or empty.
    pub goal: &'a str,
    /// Whether the goal is met (`None`: no goal).
    pub met: Option<bool>,
}

/// Prints the row and appends it (tab-separated) to the file named by [`TABLE_ENV`].
pub fn record(row: Row) {
    let ratio = row.ratio.map(|r| format!("{r:.2}x")).unwrap_or_default();
    let verdict = match row.met {
        Some(true) => "ok",
        Some(false) => "MISSED",
        None => "",
    };
    let goal = if row.goal.is_empty() {
        String::new()
    } else {
        format!("{} {verdict}", row.goal)
    };
    let line = [row.section, &row.what, &row.value, &ratio, &goal].join("\t");
    println!("row: {}", line.replace('\t', " | "));
    if let Some(path) = std::env::var_os(TABLE_ENV) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .expect("open the bench table file");
        writeln!(file, "{line}").expect("write the bench table file");
    }
}

/// A row with a ratio and a goal `ratio <= max` (or `>= min` when `at_least`).
pub fn ratio_row(section: &str, what: String, value: String, ratio: f64, goal: &str, met: bool) {
    record(Row {
        section,
        what,
        value,
        ratio: Some(ratio),
        goal,
        met: Some(met),
    });
}

/// A row with a goal on its absolute value (`<= 100 ms`) but no ratio.
pub fn goal_row(section: &str, what: String, value: String, goal: &str, met: bool) {
    record(Row {
        section,
        what,
        value,
        ratio: None,
        goal,
        met: Some(met),
    });
}

/// A row without a ratio or goal (context).
pub fn plain_row(section: &str, what: String, value: String) {
    record(Row {
        section,
        what,
        value,
        ratio: None,
        goal: "",
        met: None,
    });
}

/// The median of `times` (sorts them).
pub fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    let n = times.len();
    assert!(n > 0, "no samples");
    if n % 2 == 1 {
        times[n / 2]
    } else {
        (times[n / 2 - 1] + times[n / 2]) / 2
    }
}

/// The `p`-th percentile (0..=100, nearest rank) of `times` (sorts them).
pub fn percentile(times: &mut [Duration], p: usize) -> Duration {
    times.sort();
    let rank = (p * times.len()).div_ceil(100).max(1);
    times[rank - 1]
}

/// A multi-threaded runtime (2 workers, as the machine has 2 cores) that lives as long as
/// the process.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// Duration in the unit that reads best (`812 µs`, `3.41 ms`, `1.20 s`).
pub fn human(d: Duration) -> String {
    let us = d.as_secs_f64() * 1e6;
    if us < 1_000.0 {
        format!("{us:.0} µs")
    } else if us < 1_000_000.0 {
        format!("{:.2} ms", us / 1e3)
    } else {
        format!("{:.2} s", us / 1e6)
    }
}

/// Resident set size of this process, in KiB (0 when unknown).
pub fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}
