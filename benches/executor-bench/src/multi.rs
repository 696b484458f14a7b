//! Multi-threaded workloads E1 and E2 (suffix `M`), each executor with the same number
//! of worker threads and the awaiting future on the calling thread.

use std::hint::black_box;
use std::sync::Arc;
use std::thread::JoinHandle;

use crate::local::yielder;
use crate::report::{Bar, Bench};
use crate::{Contestants, SPAWNS, YIELD_TASKS, YIELDS, bench};

/// Our contestant's name.
const OURS: &str = "executor::Executor (ours)";

/// Both multi-threaded workloads.
pub(crate) fn benches(threads: usize) -> Vec<Bench> {
    vec![
        bench(
            "E1M spawn (multi-threaded)",
            "spawn 100k tiny tasks, await all; ns/task",
            SPAWNS,
            Bar::Within(1.2, "tokio multi_thread"),
            e1(threads),
        ),
        bench(
            "E2M yield (multi-threaded)",
            "100 tasks x 1000 yields; ns/yield",
            YIELD_TASKS * YIELDS,
            Bar::Within(1.2, "tokio multi_thread"),
            e2(threads),
        ),
    ]
}

/// A tokio multi-thread runtime with `threads` workers.
fn tokio_multi(threads: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .build()
        .expect("tokio runtime")
}

/// An `async_executor::Executor` run by `threads` threads until it is dropped.
struct SmolPool {
    ex: Arc<async_executor::Executor<'static>>,
    stop: async_channel::Sender<()>,
    threads: Vec<JoinHandle<()>>,
}

impl SmolPool {
    fn new(threads: usize) -> Self {
        let ex = Arc::new(async_executor::Executor::new());
        let (stop, stopped) = async_channel::bounded::<()>(1);
        let threads = (0..threads)
            .map(|_| {
                let ex = ex.clone();
                let stopped = stopped.clone();
                std::thread::spawn(move || {
                    futures_lite::future::block_on(ex.run(async { stopped.recv().await.ok() }));
                })
            })
            .collect();
        Self { ex, stop, threads }
    }
}

impl Drop for SmolPool {
    fn drop(&mut self) {
        self.stop.close();
        for t in self.threads.drain(..) {
            t.join().expect("worker exits cleanly");
        }
    }
}

/// Each contestant that awaits `Task` handles keeps them in one vector reused across
/// runs: freeing a fresh 800 KB vector per run makes glibc trim the heap, and the page
/// faults of growing it again (about 2000 per run) would be measured instead of the
/// executor. `LocalPool` awaits no handles, so it had no such cost to begin with.
fn e1(threads: usize) -> Contestants {
    let ours = executor::Executor::with_threads(threads);
    let tokio = tokio_multi(threads);
    let smol = SmolPool::new(threads);
    vec![
        (
            OURS,
            Box::new({
                let mut handles = Vec::with_capacity(SPAWNS);
                move || {
                    let sum = ours.run(async {
                        handles
                            .extend((0..SPAWNS).map(|i| ours.spawn(async move { black_box(i) })));
                        let mut sum = 0;
                        for h in handles.drain(..) {
                            sum += h.await;
                        }
                        sum
                    });
                    black_box(sum);
                }
            }),
        ),
        (
            "tokio multi_thread",
            Box::new({
                let mut handles = Vec::with_capacity(SPAWNS);
                move || {
                    let sum = tokio.block_on(async {
                        handles
                            .extend((0..SPAWNS).map(|i| tokio::spawn(async move { black_box(i) })));
                        let mut sum = 0;
                        for h in handles.drain(..) {
                            sum += h.await.expect("no panic");
                        }
                        sum
                    });
                    black_box(sum);
                }
            }),
        ),
        (
            "async-executor Executor",
            Box::new({
                let mut handles = Vec::with_capacity(SPAWNS);
                move || {
                    let ex = &smol.ex;
                    let sum = futures_lite::future::block_on(async {
                        handles.extend((0..SPAWNS).map(|i| ex.spawn(async move { black_box(i) })));
                        let mut sum = 0;
                        for h in handles.drain(..) {
                            sum += h.await;
                        }
                        sum
                    });
                    black_box(sum);
                }
            }),
        ),
    ]
}

fn e2(threads: usize) -> Contestants {
    let ours = executor::Executor::with_threads(threads);
    let tokio = tokio_multi(threads);
    let smol = SmolPool::new(threads);
    vec![
        (
            OURS,
            Box::new(move || {
                ours.run(async {
                    let handles: Vec<_> = (0..YIELD_TASKS).map(|_| ours.spawn(yielder())).collect();
                    for h in handles {
                        h.await;
                    }
                });
            }),
        ),
        (
            "tokio multi_thread",
            Box::new(move || {
                tokio.block_on(async {
                    let handles: Vec<_> =
                        (0..YIELD_TASKS).map(|_| tokio::spawn(yielder())).collect();
                    for h in handles {
                        h.await.expect("no panic");
                    }
                });
            }),
        ),
        (
            "async-executor Executor",
            Box::new(move || {
                let ex = &smol.ex;
                futures_lite::future::block_on(async {
                    let handles: Vec<_> = (0..YIELD_TASKS).map(|_| ex.spawn(yielder())).collect();
                    for h in handles {
                        h.await;
                    }
                });
            }),
        ),
    ]
}
