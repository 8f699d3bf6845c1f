//! Requests from servers that wait on the user (elicitation, sampling): each gets an id and
//! a oneshot; the UI's answer goes back by id. Dropping a sender (workbench closing) answers
//! the waiting request with the receiver's error, which the asker turns into "cancel".

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::oneshot;

/// The requests waiting for an answer of type `T`.
pub struct Waiting<T> {
    next: AtomicU64,
    senders: Mutex<HashMap<u64, oneshot::Sender<T>>>,
}

impl<T> Default for Waiting<T> {
    fn default() -> Self {
        Waiting {
            next: AtomicU64::new(0),
            senders: Mutex::new(HashMap::new()),
        }
    }
}

impl<T> Waiting<T> {
    /// A new waiting request: its id and where its answer arrives.
    pub fn open(&self) -> (u64, oneshot::Receiver<T>) {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = oneshot::channel();
        self.lock().insert(id, tx);
        (id, rx)
    }

    /// Answers request `id` (one that stopped waiting is ignored).
    pub fn deliver(&self, id: u64, answer: T) {
        if let Some(tx) = self.lock().remove(&id) {
            let _ = tx.send(answer);
        }
    }

    /// Drops request `id` unanswered.
    pub fn forget(&self, id: u64) {
        self.lock().remove(&id);
    }

    /// Drops every waiting request unanswered.
    pub fn cancel_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, oneshot::Sender<T>>> {
        self.senders
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
