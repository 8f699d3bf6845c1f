//! Requests that wait on the user (a server's elicitation or sampling, a script's call
//! waiting for approval): each gets an id and a oneshot; the UI's answer goes back by id.
//! Dropping a sender (workbench closing) answers the waiting request with the receiver's
//! error, which the asker turns into "cancel". On the UI side, [`Queue`] holds the requests
//! shown one at a time.

use std::collections::{HashMap, VecDeque};
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

/// Requests shown one at a time: the first is on screen, the rest wait behind it.
#[derive(Debug)]
pub struct Queue<T>(VecDeque<T>);

impl<T> Default for Queue<T> {
    fn default() -> Self {
        Queue(VecDeque::new())
    }
}

impl<T> Queue<T> {
    /// Adds a request behind the others.
    pub fn push(&mut self, item: T) {
        self.0.push_back(item);
    }

    /// The request on screen.
    pub fn front(&self) -> Option<&T> {
        self.0.front()
    }

    /// The request on screen, to edit.
    pub fn front_mut(&mut self) -> Option<&mut T> {
        self.0.front_mut()
    }

    /// Takes the request on screen away (answered).
    pub fn pop(&mut self) -> Option<T> {
        self.0.pop_front()
    }

    /// How many wait, the shown one included.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether none waits.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The requests, the shown one first.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.0.iter()
    }

    /// Keeps the requests `keep` accepts.
    pub fn retain(&mut self, keep: impl FnMut(&T) -> bool) {
        self.0.retain(keep);
    }

    /// Drops them all.
    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl<T> std::ops::Index<usize> for Queue<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        &self.0[i]
    }
}
