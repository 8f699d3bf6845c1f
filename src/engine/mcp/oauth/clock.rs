//! Time spent in logins: connect timeouts leave the user's time in the browser out.

use std::time::{Duration, Instant};

use super::Authorizer;

/// Time spent in logins, so that connect timeouts leave the user's time out.
#[derive(Default)]
pub(super) struct LoginClock {
    spent: Duration,
    since: Option<Instant>,
}

/// Ends a login on the clock when dropped.
pub(super) struct Running<'a>(&'a Authorizer);

impl Authorizer {
    /// Time spent in logins so far, including one still running; and whether one runs.
    pub fn login_time(&self) -> (Duration, bool) {
        let clock = self
            .clock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let running = clock.since.map(|s| s.elapsed());
        (clock.spent + running.unwrap_or_default(), running.is_some())
    }

    pub(super) fn start_clock(&self) -> Running<'_> {
        self.clock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .since
            .get_or_insert_with(Instant::now);
        Running(self)
    }
}

impl Drop for Running<'_> {
    fn drop(&mut self) {
        let mut clock = self
            .0
            .clock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(since) = clock.since.take() {
            clock.spent += since.elapsed();
        }
    }
}

/// Like `tokio::time::timeout`, but time spent in logins does not count: a user may take
/// minutes in the browser, a hung server still times out.
pub async fn timeout_excluding_logins<F: std::future::Future>(
    limit: Duration,
    auth: &Authorizer,
    fut: F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    tokio::pin!(fut);
    let start = Instant::now();
    loop {
        let (spent, _) = auth.login_time();
        let deadline = start + limit + spent;
        let remaining = deadline.saturating_duration_since(Instant::now());
        match tokio::time::timeout(remaining, &mut fut).await {
            Ok(out) => return Ok(out),
            Err(elapsed) => {
                let (now_spent, running) = auth.login_time();
                if !running && now_spent == spent {
                    return Err(elapsed);
                }
            }
        }
    }
}
