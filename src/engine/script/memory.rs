//! A cheap per-thread allocation counter, so that a script cannot exhaust memory through the
//! holes in Rhai's size limits (`m[k] = v` is not checked against the map size, strings
//! captured in closures escape the string size).
//!
//! [`CountingAlloc`] wraps the system allocator and keeps, per thread, the bytes allocated
//! minus the bytes freed. It only counts on threads that opted in with [`track`] (the script
//! thread), so every other thread pays a single thread-local read. The binary installs it as
//! the global allocator; when it is not installed, [`used`] stays 0 and `max_memory` is inert.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    static TRACKING: Cell<bool> = const { Cell::new(false) };
    static USED: Cell<usize> = const { Cell::new(0) };
}

/// The system allocator with a per-thread count of live bytes on tracked threads.
pub struct CountingAlloc;

fn add(n: usize) {
    let _ = TRACKING.try_with(|t| {
        if t.get() {
            let _ = USED.try_with(|u| u.set(u.get().saturating_add(n)));
        }
    });
}

fn sub(n: usize) {
    let _ = TRACKING.try_with(|t| {
        if t.get() {
            let _ = USED.try_with(|u| u.set(u.get().saturating_sub(n)));
        }
    });
}

// One of the two places with `unsafe` (the workspace denies it elsewhere): a global
// allocator cannot be written without it.
// SAFETY: every method forwards to `System` unchanged; the counting touches only
// const-initialised thread-locals without destructors, which never allocate.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            add(layout.size());
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            add(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        sub(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            sub(layout.size());
            add(new_size);
        }
        p
    }
}

/// Starts (or stops) counting on the current thread, from zero.
pub fn track(on: bool) {
    USED.with(|u| u.set(0));
    TRACKING.with(|t| t.set(on));
}

/// Live bytes allocated by the current thread since [`track`] (0 when not installed).
pub fn used() -> usize {
    USED.with(Cell::get)
}
