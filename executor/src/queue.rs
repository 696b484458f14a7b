//! The run queues of the multi-threaded `Executor`: crossbeam-deque's work-stealing
//! deques, or, under loom (which crossbeam-deque does not support), a locked `VecDeque`
//! with the same interface, so that the loom models run the executor's real handshake
//! around them.

#[cfg(not(loom))]
pub(crate) use crossbeam_deque::{Injector, Steal, Stealer, Worker};

#[cfg(loom)]
pub(crate) use self::model::{Injector, Steal, Stealer, Worker};

#[cfg(loom)]
mod model {
    use std::collections::VecDeque;

    use loom::sync::{Arc, Mutex};

    /// The outcome of a steal; a locked queue never asks for a retry.
    pub(crate) enum Steal<T> {
        Empty,
        Success(T),
        #[allow(dead_code, reason = "crossbeam's interface")]
        Retry,
    }

    /// Moves half of `from` (at least one) into `to`, and pops one of them.
    fn steal_half<T>(from: &Mutex<VecDeque<T>>, to: &Worker<T>) -> Steal<T> {
        let mut from = from.lock().unwrap();
        let Some(first) = from.pop_front() else {
            return Steal::Empty;
        };
        let more = from.len() / 2;
        let mut to = to.queue.lock().unwrap();
        to.extend(from.drain(..more));
        Steal::Success(first)
    }

    /// The global queue.
    pub(crate) struct Injector<T> {
        queue: Mutex<VecDeque<T>>,
    }

    impl<T> Injector<T> {
        pub(crate) fn new() -> Self {
            Self {
                queue: Mutex::new(VecDeque::new()),
            }
        }
        pub(crate) fn push(&self, value: T) {
            self.queue.lock().unwrap().push_back(value);
        }
        pub(crate) fn steal(&self) -> Steal<T> {
            match self.queue.lock().unwrap().pop_front() {
                Some(value) => Steal::Success(value),
                None => Steal::Empty,
            }
        }
        pub(crate) fn steal_batch_and_pop(&self, to: &Worker<T>) -> Steal<T> {
            steal_half(&self.queue, to)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.queue.lock().unwrap().is_empty()
        }
    }

    /// A worker's own FIFO queue.
    pub(crate) struct Worker<T> {
        queue: Arc<Mutex<VecDeque<T>>>,
    }

    impl<T> Worker<T> {
        pub(crate) fn new_fifo() -> Self {
            Self {
                queue: Arc::new(Mutex::new(VecDeque::new())),
            }
        }
        pub(crate) fn push(&self, value: T) {
            self.queue.lock().unwrap().push_back(value);
        }
        pub(crate) fn pop(&self) -> Option<T> {
            self.queue.lock().unwrap().pop_front()
        }
        pub(crate) fn len(&self) -> usize {
            self.queue.lock().unwrap().len()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.queue.lock().unwrap().is_empty()
        }
        pub(crate) fn stealer(&self) -> Stealer<T> {
            Stealer {
                queue: self.queue.clone(),
            }
        }
    }

    /// Another worker's view of a worker's queue.
    pub(crate) struct Stealer<T> {
        queue: Arc<Mutex<VecDeque<T>>>,
    }

    impl<T> Stealer<T> {
        pub(crate) fn steal_batch_and_pop(&self, to: &Worker<T>) -> Steal<T> {
            steal_half(&self.queue, to)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.queue.lock().unwrap().is_empty()
        }
    }
}
