//! How the script thread waits for one tool call: [`block_on`] polls the call on the script
//! thread (inside the runtime's context, as `Handle::block_on` does) but, before parking,
//! yields its CPU for a short while, checking between yields whether the call has ended.
//!
//! A fast tool answers in tens of microseconds. Parked at once, the script thread must be
//! woken by the runtime worker that reads the answer (a futex wake, then a scheduler hop,
//! often onto an idle CPU that must be woken first), which on a small VM costs as much as
//! the call itself: 1 000 calls of the demo's `calculate` took 164 µs each with
//! `Handle::block_on` and 73 µs yielding up to 250 µs first (100 µs: 89 µs; 500 µs: 80 µs);
//! server-everything's `echo`, 154 µs and 108 µs (the bare rmcp client: 108 and 133 µs).
//! A slow call costs at most [`SPIN`] of yielding (which hands the CPU to anything else
//! runnable) before the thread parks as before.

use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use tokio::runtime::Handle;

/// How long the script thread yields, waiting for a call, before it parks.
pub(crate) const SPIN: Duration = Duration::from_micros(250);

/// Wakes the waiting thread: a flag it checks while yielding, and an unpark once it sleeps
/// (unparking a thread that is not parked is one atomic swap, no system call).
struct Wakeup {
    woken: AtomicBool,
    thread: Thread,
}

impl Wake for Wakeup {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.thread.unpark();
    }
}

impl Wakeup {
    /// Takes a wake-up, if one came.
    fn take(&self) -> bool {
        self.woken.swap(false, Ordering::Acquire)
    }
}

/// Runs `future` to completion on the current thread within `handle`'s runtime context,
/// yielding up to `spin` before each park. Never call it from a runtime worker thread.
pub(crate) fn block_on<F: Future>(handle: &Handle, future: F, spin: Duration) -> F::Output {
    // `Handle::block_on` panics there; this would hold a worker (or, on a current-thread
    // runtime, never finish).
    debug_assert!(
        Handle::try_current().is_err(),
        "script::wait::block_on called on a thread inside a runtime"
    );
    let _context = handle.enter();
    let wakeup = Arc::new(Wakeup {
        woken: AtomicBool::new(false),
        thread: thread::current(),
    });
    let waker = Waker::from(Arc::clone(&wakeup));
    let mut cx = Context::from_waker(&waker);
    let mut future = pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
        let since = Instant::now();
        while !wakeup.take() {
            if since.elapsed() < spin {
                thread::yield_now();
            } else {
                // `park` may return without an unpark; the flag says whether one came.
                while !wakeup.take() {
                    thread::park();
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap()
    }

    /// A value sent from a runtime task after `after`, received on this thread.
    fn answered_after(rt: &tokio::runtime::Runtime, after: Duration, spin: Duration) -> u32 {
        let (tx, rx) = tokio::sync::oneshot::channel();
        rt.spawn(async move {
            tokio::time::sleep(after).await;
            tx.send(42).unwrap();
        });
        block_on(rt.handle(), rx, spin).unwrap()
    }

    #[test]
    fn an_answer_within_the_spin_and_one_after_the_park_both_arrive() {
        let rt = runtime();
        assert_eq!(answered_after(&rt, Duration::ZERO, SPIN), 42);
        // Longer than the spin: the thread parks and the task's send unparks it.
        assert_eq!(answered_after(&rt, Duration::from_millis(30), SPIN), 42);
        // No spin at all: parks at once.
        assert_eq!(
            answered_after(&rt, Duration::from_millis(5), Duration::ZERO),
            42
        );
    }

    #[test]
    fn the_future_runs_in_the_runtime_context() {
        let rt = runtime();
        // `tokio::time::sleep` panics outside a runtime context.
        let slept = block_on(
            rt.handle(),
            async {
                tokio::time::sleep(Duration::from_millis(2)).await;
                tokio::runtime::Handle::current().runtime_flavor()
            },
            SPIN,
        );
        assert_eq!(slept, tokio::runtime::RuntimeFlavor::MultiThread);
    }

    #[test]
    fn a_future_woken_many_times_before_it_ends_is_polled_until_it_does() {
        let rt = runtime();
        let (tx, mut rx) = tokio::sync::mpsc::channel(1);
        rt.spawn(async move {
            for i in 0..50u32 {
                tx.send(i).await.unwrap();
                tokio::time::sleep(Duration::from_micros(300)).await;
            }
        });
        let sum = block_on(
            rt.handle(),
            async move {
                let mut sum = 0;
                while let Some(i) = rx.recv().await {
                    sum += i;
                }
                sum
            },
            Duration::from_micros(100),
        );
        assert_eq!(sum, (0..50).sum::<u32>());
    }
}
