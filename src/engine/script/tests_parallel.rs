//! `parallel` against the in-process demo server: a sliding window of `max_parallel` calls,
//! joined on the runtime (no thread per call), cancel and the call limit.

use std::sync::{Arc, Mutex};

use serde_json::json;

use super::tests::demo;
use super::*;

/// Runs `src` with `max_parallel` and gives the report and the events, in order.
fn run_recorded(src: &str, max_parallel: usize) -> (RunReport, Vec<RunEvent>) {
    let d = demo();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = events.clone();
    let limits = Limits {
        max_parallel,
        ..Limits::default()
    };
    let r = d.run_with(
        src,
        RunOptions {
            limits,
            observers: vec![Arc::new(move |e: &RunEvent| {
                sink.lock().unwrap().push(e.clone());
            })],
            ..Default::default()
        },
    );
    let events = events.lock().unwrap().clone();
    (r, events)
}

/// Where in `events` call `index` started / finished.
fn at(events: &[RunEvent], index: usize, finished: bool) -> usize {
    events
        .iter()
        .position(|e| match e {
            RunEvent::CallStarted { index: i, .. } => !finished && *i == index,
            RunEvent::CallFinished(rec) => finished && rec.index == index,
            _ => false,
        })
        .unwrap_or_else(|| panic!("call {index} (finished: {finished}) not in {events:?}"))
}

#[test]
fn a_freed_slot_starts_the_next_call_without_waiting_for_the_slowest() {
    // Two slots: the long call holds one, the three short ones pass through the other.
    let (r, events) = run_recorded(
        r#"parallel([
            ["demo", "wait", #{ ms: 1500 }],
            ["demo", "wait", #{ ms: 10 }],
            ["demo", "wait", #{ ms: 10 }],
            ["demo", "wait", #{ ms: 10 }],
        ]).map(|r| r.waited_ms)"#,
        2,
    );
    assert_eq!(r.result, json!([1500, 10, 10, 10]), "{:?}", r.error);
    let long_done = at(&events, 0, true);
    assert!(at(&events, 2, false) < long_done, "{events:?}");
    assert!(at(&events, 3, false) < long_done, "{events:?}");
    // Never more than two in flight: call 2 starts after call 1 ended.
    assert!(at(&events, 1, true) < at(&events, 2, false), "{events:?}");
    assert_eq!(r.calls.len(), 4);
}

/// Threads of this process now (Linux).
fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").map_or(0, Iterator::count)
}

#[test]
fn many_calls_in_flight_take_no_thread_each() {
    let before = threads();
    let peak = Arc::new(Mutex::new(0usize));
    let (stop, seen) = (
        Arc::new(std::sync::atomic::AtomicBool::new(false)),
        peak.clone(),
    );
    let stop2 = stop.clone();
    let sampler = std::thread::spawn(move || {
        while !stop2.load(std::sync::atomic::Ordering::Relaxed) {
            let n = threads();
            let mut p = seen.lock().unwrap();
            *p = (*p).max(n);
            drop(p);
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    });
    let (r, _) = run_recorded(
        "let calls = []; for i in 0..200 { calls.push([\"demo\", \"wait\", #{ ms: 300 }]); } parallel(calls).len()",
        200,
    );
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    sampler.join().unwrap();
    assert_eq!(r.result, json!(200), "{:?}", r.error);
    let peak = *peak.lock().unwrap();
    // The demo's runtime, the script thread, the sampler and whatever the test harness
    // runs: far fewer than one thread per call (200).
    assert!(
        peak < before + 40,
        "{peak} threads at the peak, {before} before"
    );
}

#[test]
fn a_cancel_stops_the_calls_in_flight_and_starts_no_more() {
    let d = demo();
    let cancel = tokio_util::sync::CancellationToken::new();
    let trigger = cancel.clone();
    let started = Arc::new(Mutex::new(0usize));
    let count = started.clone();
    let limits = Limits {
        max_parallel: 2,
        ..Limits::default()
    };
    let opts = RunOptions {
        limits,
        cancel,
        observers: vec![Arc::new(move |e: &RunEvent| {
            if let RunEvent::CallStarted { .. } = e {
                let mut n = count.lock().unwrap();
                *n += 1;
                if *n == 2 {
                    trigger.cancel();
                }
            }
        })],
        ..Default::default()
    };
    let r = d.run_with(
        r#"parallel([
            ["demo", "wait", #{ ms: 20000 }],
            ["demo", "wait", #{ ms: 20000 }],
            ["demo", "wait", #{ ms: 20000 }],
        ])"#,
        opts,
    );
    let err = r.error.expect("cancelled");
    assert!(err.message.contains("cancel"), "{err:?}");
    assert_eq!(*started.lock().unwrap(), 2, "the third call never starts");
    assert_eq!(r.calls.len(), 2);
    assert!(r.calls.iter().all(|c| !c.ok), "{:?}", r.calls);
}
