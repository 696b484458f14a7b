//! The run queues of the multi-threaded `Executor`: crossbeam-deque's work-stealing
//! deques, or, under loom (which crossbeam-deque does not support), a locked `VecDeque`
//! with the same interface, so that the loom models run the executor's real handshake
//! around them. As crossbeam's, the model's `is_empty` and `len` take no lock (they read
//! a length kept in an atomic, with crossbeam's `SeqCst`): otherwise the queue's lock
//! would order a push against a worker's "anything queued?" check, and hide a missing
//! fence in the idle/notify handshake from the models.

#[cfg(not(loom))]
pub(crate) use crossbeam_deque::{Injector, Steal, Stealer, Worker};

#[cfg(loom)]
pub(crate) use self::model::{Injector, Steal, Stealer, Worker};

#[cfg(loom)]
mod model {
    use std::collections::VecDeque;

    use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    use loom::sync::{Arc, Mutex};

    /// A queue whose length can be read without its lock.
    struct Queue<T> {
        items: Mutex<VecDeque<T>>,
        len: AtomicUsize,
    }

    impl<T> Queue<T> {
        fn new() -> Self {
            Self {
                items: Mutex::new(VecDeque::new()),
                len: AtomicUsize::new(0),
            }
        }
        fn push(&self, value: T) {
            self.items.lock().unwrap().push_back(value);
            self.len.fetch_add(1, SeqCst);
        }
        fn pop(&self) -> Option<T> {
            let value = self.items.lock().unwrap().pop_front();
            if value.is_some() {
                self.len.fetch_sub(1, SeqCst);
            }
            value
        }
        fn len(&self) -> usize {
            self.len.load(SeqCst)
        }
    }

    /// The outcome of a steal; a locked queue never asks for a retry.
    pub(crate) enum Steal<T> {
        Empty,
        Success(T),
        #[allow(dead_code, reason = "crossbeam's interface")]
        Retry,
    }

    /// Moves half of `from` (at least one) into `to`, and pops one of them.
    fn steal_half<T>(from: &Queue<T>, to: &Worker<T>) -> Steal<T> {
        let Some(first) = from.pop() else {
            return Steal::Empty;
        };
        let more = from.len() / 2;
        for _ in 0..more {
            match from.pop() {
                Some(value) => to.queue.push(value),
                None => break,
            }
        }
        Steal::Success(first)
    }

    /// The global queue.
    pub(crate) struct Injector<T> {
        queue: Queue<T>,
    }

    impl<T> Injector<T> {
        pub(crate) fn new() -> Self {
            Self {
                queue: Queue::new(),
            }
        }
        pub(crate) fn push(&self, value: T) {
            self.queue.push(value);
        }
        pub(crate) fn steal(&self) -> Steal<T> {
            match self.queue.pop() {
                Some(value) => Steal::Success(value),
                None => Steal::Empty,
            }
        }
        pub(crate) fn steal_batch_and_pop(&self, to: &Worker<T>) -> Steal<T> {
            steal_half(&self.queue, to)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.queue.len() == 0
        }
    }

    /// A worker's own FIFO queue.
    pub(crate) struct Worker<T> {
        queue: Arc<Queue<T>>,
    }

    impl<T> Worker<T> {
        pub(crate) fn new_fifo() -> Self {
            Self {
                queue: Arc::new(Queue::new()),
            }
        }
        pub(crate) fn push(&self, value: T) {
            self.queue.push(value);
        }
        pub(crate) fn pop(&self) -> Option<T> {
            self.queue.pop()
        }
        pub(crate) fn len(&self) -> usize {
            self.queue.len()
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.queue.len() == 0
        }
        pub(crate) fn stealer(&self) -> Stealer<T> {
            Stealer {
                queue: self.queue.clone(),
            }
        }
    }

    /// Another worker's view of a worker's queue.
    pub(crate) struct Stealer<T> {
        queue: Arc<Queue<T>>,
    }

    impl<T> Stealer<T> {
        pub(crate) fn steal_batch_and_pop(&self, to: &Worker<T>) -> Steal<T> {
            steal_half(&self.queue, to)
        }
        pub(crate) fn is_empty(&self) -> bool {
            self.queue.len() == 0
        }
    }
}
