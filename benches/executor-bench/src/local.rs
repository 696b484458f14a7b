//! Single-threaded workloads E1-E5.

use std::cell::Cell;
use std::future::ready;
use std::hint::black_box;
use std::rc::Rc;

use async_channel::{Receiver, Sender, bounded};
use futures::executor::{LocalPool, LocalSpawner};
use futures::task::LocalSpawnExt;

use crate::report::{Bar, Bench};
use crate::{BLOCK_ONS, Contestants, HOPS, ROUND_TRIPS, SPAWNS, YIELD_TASKS, YIELDS, bench};

/// Our contestant's name in E1-E4.
const OURS: &str = "executor::LocalExecutor (ours)";

/// One task of E2. Every contestant awaits the same yield future, `executor::yield_now`
/// (it wakes its task once and returns `Pending` once, with no runtime-specific policy).
pub(crate) async fn yielder() {
    for _ in 0..YIELDS {
        executor::yield_now().await;
    }
}

/// The ponging half of E3: echoes every value back until `rx` closes.
pub(crate) async fn pong(rx: Receiver<usize>, tx: Sender<usize>) {
    while let Ok(v) = rx.recv().await {
        tx.send(v).await.expect("the pinger outlives the ponger");
    }
}

/// The pinging half of E3: `ROUND_TRIPS` round trips, then closes its sender.
pub(crate) async fn ping(tx: Sender<usize>, rx: Receiver<usize>) -> usize {
    let mut sum = 0;
    for i in 0..ROUND_TRIPS {
        tx.send(i).await.expect("the ponger is alive");
        sum += rx.recv().await.expect("the ponger answers");
    }
    sum
}

/// The two channels of E3: `(ping's tx, pong's rx, pong's tx, ping's rx)`.
pub(crate) fn ping_pong_channels() -> (
    Sender<usize>,
    Receiver<usize>,
    Sender<usize>,
    Receiver<usize>,
) {
    let (tx1, rx1) = bounded(1);
    let (tx2, rx2) = bounded(1);
    (tx1, rx1, tx2, rx2)
}

/// Every single-threaded workload.
pub(crate) fn benches() -> Vec<Bench> {
    vec![
        bench(
            "E1 spawn",
            "spawn 100k tiny tasks, await all; ns/task",
            SPAWNS,
            Bar::Faster,
            e1(),
        ),
        bench(
            "E2 yield",
            "100 tasks x 1000 yields; ns/yield",
            YIELD_TASKS * YIELDS,
            Bar::Faster,
            e2(),
        ),
        bench(
            "E3 ping-pong",
            "100k round trips over async-channel bounded(1); ns/round trip",
            ROUND_TRIPS,
            Bar::Faster,
            e3(),
        ),
        bench(
            "E4 spawn chain",
            "each task spawns the next, 100k deep; ns/hop",
            HOPS,
            Bar::Faster,
            e4(),
        ),
        bench(
            "E5 block_on",
            "block_on(ready(1)); ns/op",
            BLOCK_ONS,
            Bar::Within(2.0, "pollster::block_on"),
            e5(),
        ),
    ]
}

/// A tokio current-thread runtime.
fn tokio_current() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("tokio runtime")
}

/// Each contestant that awaits `Task` handles keeps them in one vector reused across
/// runs: freeing a fresh 800 KB vector per run makes glibc trim the heap, and the page
/// faults of growing it again (about 2000 per run) would be measured instead of the
/// executor. `LocalPool` awaits no handles, so it had no such cost to begin with.
fn e1() -> Contestants {
    let ours = executor::LocalExecutor::new();
    let tokio = tokio_current();
    let smol = Rc::new(async_executor::LocalExecutor::new());
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
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
            "tokio current_thread",
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
            "async-executor LocalExecutor",
            Box::new({
                let mut handles = Vec::with_capacity(SPAWNS);
                move || {
                    let sum = futures_lite::future::block_on(smol.run(async {
                        handles
                            .extend((0..SPAWNS).map(|i| smol.spawn(async move { black_box(i) })));
                        let mut sum = 0;
                        for h in handles.drain(..) {
                            sum += h.await;
                        }
                        sum
                    }));
                    black_box(sum);
                }
            }),
        ),
        (
            "futures LocalPool",
            Box::new(move || {
                let sum = Rc::new(Cell::new(0));
                for i in 0..SPAWNS {
                    let sum = sum.clone();
                    spawner
                        .spawn_local(async move { sum.set(sum.get() + black_box(i)) })
                        .expect("pool alive");
                }
                pool.run();
                black_box(sum.get());
            }),
        ),
    ]
}

fn e2() -> Contestants {
    let ours = executor::LocalExecutor::new();
    let tokio = tokio_current();
    let smol = Rc::new(async_executor::LocalExecutor::new());
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
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
            "tokio current_thread",
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
            "async-executor LocalExecutor",
            Box::new(move || {
                futures_lite::future::block_on(smol.run(async {
                    let handles: Vec<_> = (0..YIELD_TASKS).map(|_| smol.spawn(yielder())).collect();
                    for h in handles {
                        h.await;
                    }
                }));
            }),
        ),
        (
            "futures LocalPool",
            Box::new(move || {
                for _ in 0..YIELD_TASKS {
                    spawner.spawn_local(yielder()).expect("pool alive");
                }
                pool.run();
            }),
        ),
    ]
}

fn e3() -> Contestants {
    let ours = executor::LocalExecutor::new();
    let tokio = tokio_current();
    let smol = Rc::new(async_executor::LocalExecutor::new());
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    vec![
        (
            OURS,
            Box::new(move || {
                let (tx1, rx1, tx2, rx2) = ping_pong_channels();
                let sum = ours.run(async {
                    let ponger = ours.spawn(pong(rx1, tx2));
                    let sum = ours.spawn(ping(tx1, rx2)).await;
                    ponger.await;
                    sum
                });
                black_box(sum);
            }),
        ),
        (
            "tokio current_thread",
            Box::new(move || {
                let (tx1, rx1, tx2, rx2) = ping_pong_channels();
                let sum = tokio.block_on(async {
                    let ponger = tokio::spawn(pong(rx1, tx2));
                    let sum = tokio::spawn(ping(tx1, rx2)).await.expect("no panic");
                    ponger.await.expect("no panic");
                    sum
                });
                black_box(sum);
            }),
        ),
        (
            "async-executor LocalExecutor",
            Box::new(move || {
                let (tx1, rx1, tx2, rx2) = ping_pong_channels();
                let sum = futures_lite::future::block_on(smol.run(async {
                    let ponger = smol.spawn(pong(rx1, tx2));
                    let sum = smol.spawn(ping(tx1, rx2)).await;
                    ponger.await;
                    sum
                }));
                black_box(sum);
            }),
        ),
        (
            "futures LocalPool",
            Box::new(move || {
                let (tx1, rx1, tx2, rx2) = ping_pong_channels();
                spawner.spawn_local(pong(rx1, tx2)).expect("pool alive");
                let sum = Rc::new(Cell::new(0));
                let out = sum.clone();
                spawner
                    .spawn_local(async move { out.set(ping(tx1, rx2).await) })
                    .expect("pool alive");
                pool.run();
                black_box(sum.get());
            }),
        ),
    ]
}

/// E4 on our `LocalExecutor`: spawns hop `n`, which spawns hop `n - 1`, ...; hop 0
/// signals `done`.
fn ours_hop(ex: &Rc<executor::LocalExecutor>, n: usize, done: Sender<()>) {
    let next = ex.clone();
    ex.spawn(async move {
        if n == 0 {
            done.try_send(()).expect("room for the signal");
        } else {
            ours_hop(&next, n - 1, done);
        }
    })
    .detach();
}

/// E4 on tokio: spawns hop `n`, which spawns hop `n - 1`, ...; hop 0 signals `done`.
fn tokio_hop(n: usize, done: Sender<()>) {
    tokio::spawn(async move {
        if n == 0 {
            done.try_send(()).expect("room for the signal");
        } else {
            tokio_hop(n - 1, done);
        }
    });
}

/// E4 on async-executor.
fn smol_hop(ex: &Rc<async_executor::LocalExecutor<'static>>, n: usize, done: Sender<()>) {
    let next = ex.clone();
    ex.spawn(async move {
        if n == 0 {
            done.try_send(()).expect("room for the signal");
        } else {
            smol_hop(&next, n - 1, done);
        }
    })
    .detach();
}

/// E4 on `LocalPool`.
fn pool_hop(spawner: &LocalSpawner, n: usize, done: Sender<()>) {
    let next = spawner.clone();
    spawner
        .spawn_local(async move {
            if n == 0 {
                done.try_send(()).expect("room for the signal");
            } else {
                pool_hop(&next, n - 1, done);
            }
        })
        .expect("pool alive");
}

fn e4() -> Contestants {
    let ours = Rc::new(executor::LocalExecutor::new());
    let tokio = tokio_current();
    let smol = Rc::new(async_executor::LocalExecutor::new());
    let mut pool = LocalPool::new();
    let spawner = pool.spawner();
    vec![
        (
            OURS,
            Box::new(move || {
                let (tx, rx) = bounded(1);
                ours_hop(&ours, HOPS - 1, tx);
                ours.run(rx.recv()).expect("signal");
            }),
        ),
        (
            "tokio current_thread",
            Box::new(move || {
                let (tx, rx) = bounded(1);
                tokio.block_on(async {
                    tokio_hop(HOPS - 1, tx);
                    rx.recv().await.expect("signal");
                });
            }),
        ),
        (
            "async-executor LocalExecutor",
            Box::new(move || {
                let (tx, rx) = bounded(1);
                smol_hop(&smol, HOPS - 1, tx);
                futures_lite::future::block_on(smol.run(rx.recv())).expect("signal");
            }),
        ),
        (
            "futures LocalPool",
            Box::new(move || {
                let (tx, rx) = bounded(1);
                pool_hop(&spawner, HOPS - 1, tx);
                pool.run_until(rx.recv()).expect("signal");
            }),
        ),
    ]
}

fn e5() -> Contestants {
    let tokio = tokio_current();
    vec![
        (
            "executor::block_on (ours)",
            Box::new(|| {
                for _ in 0..BLOCK_ONS {
                    black_box(executor::block_on(ready(black_box(1))));
                }
            }),
        ),
        (
            "pollster::block_on",
            Box::new(|| {
                for _ in 0..BLOCK_ONS {
                    black_box(pollster::block_on(ready(black_box(1))));
                }
            }),
        ),
        (
            "futures::executor::block_on",
            Box::new(|| {
                for _ in 0..BLOCK_ONS {
                    black_box(futures::executor::block_on(ready(black_box(1))));
                }
            }),
        ),
        (
            "futures_lite::future::block_on",
            Box::new(|| {
                for _ in 0..BLOCK_ONS {
                    black_box(futures_lite::future::block_on(ready(black_box(1))));
                }
            }),
        ),
        (
            "tokio current_thread block_on",
            Box::new(move || {
                for _ in 0..BLOCK_ONS {
                    black_box(tokio.block_on(ready(black_box(1))));
                }
            }),
        ),
    ]
}
