//! Coroutines on this workspace's executor: async coroutines awaiting its timers and
//! channels, sync coroutines as cooperative tasks.
#![deny(warnings)]

use std::cell::RefCell;
use std::pin::pin;
use std::rc::Rc;
use std::time::Duration;

use coroutine::yield_;
use futures::StreamExt;

/// Sleeps on the executor's timers and waits on a channel fed by another thread.
#[coroutine::coroutine(yield = u32)]
async fn timed(n: u32) -> u32 {
    let (mut tx, mut rx) = futures::channel::mpsc::channel::<u32>(0);
    std::thread::spawn(move || {
        for i in 0..n {
            futures::executor::block_on(futures::SinkExt::send(&mut tx, i)).unwrap();
        }
    });
    let mut total = 0;
    while let Some(i) = rx.next().await {
        executor::sleep(Duration::from_micros(200)).await;
        total += i;
        yield_!(i * 2);
    }
    total
}

#[test]
fn async_coroutine_on_block_on() {
    let (items, ret) = executor::block_on(async {
        let mut s = pin!(timed(3));
        let items: Vec<u32> = s.as_mut().collect().await;
        (items, s.as_mut().take_return())
    });
    assert_eq!(items, [0, 2, 4]);
    assert_eq!(ret, Some(3));
}

#[test]
fn async_coroutines_spawned_on_the_multi_threaded_executor() {
    let ex = executor::Executor::with_threads(2);
    let tasks: Vec<_> = (0..4)
        .map(|k| ex.spawn(async move { timed(k).collect::<Vec<u32>>().await }))
        .collect();
    let all = ex.run(async move {
        let mut all = vec![];
        for t in tasks {
            all.push(t.await);
        }
        all
    });
    assert_eq!(all, [vec![], vec![0], vec![0, 2], vec![0, 2, 4]]);
}

/// Holds an `Rc` across yields: not `Send`, fine on the local executor.
#[coroutine::coroutine]
async fn logs(name: &'static str, steps: u32, log: Rc<RefCell<Vec<String>>>) -> u32 {
    for i in 0..steps {
        log.borrow_mut().push(format!("{name}{i}"));
        yield_!();
    }
    steps
}

#[test]
fn not_send_coroutines_on_the_local_executor_interleave_at_each_yield() {
    let ex = executor::LocalExecutor::new();
    let log = Rc::new(RefCell::new(Vec::new()));
    let a = ex.spawn(logs("a", 3, log.clone()));
    let b = ex.spawn(logs("b", 3, log.clone()));
    let total = ex.run(async { a.await + b.await });
    assert_eq!(total, 6);
    // Each `yield_!()` wakes its task once and returns `Pending`; the executor runs the
    // other task before coming back (a woken task goes to the back of the queue).
    assert_eq!(*log.borrow(), ["a0", "b0", "a1", "b1", "a2", "b2"]);
}

/// A sync coroutine yielding `()` is a future too: each yield is a cooperative point.
#[coroutine::coroutine]
fn crunch(rounds: u64) -> u64 {
    let mut acc = 0u64;
    for i in 0..rounds {
        acc = acc.wrapping_mul(31).wrapping_add(i);
        yield_!();
    }
    acc
}

#[test]
fn sync_coroutines_as_tasks() {
    let ex = executor::LocalExecutor::new();
    let tasks: Vec<_> = (1..=3).map(|r| ex.spawn(crunch(r * 100))).collect();
    let results = ex.run(async move {
        let mut out = vec![];
        for t in tasks {
            out.push(t.await);
        }
        out
    });
    let expect = |rounds: u64| (0..rounds).fold(0u64, |a, i| a.wrapping_mul(31).wrapping_add(i));
    assert_eq!(results, [expect(100), expect(200), expect(300)]);
    assert_eq!(executor::block_on(crunch(10)), expect(10));
}

#[test]
fn async_coroutine_on_smol_async_executor() {
    /// Waits on smol's own timer between yields.
    #[coroutine::coroutine(yield = u32)]
    async fn smol_ticks(n: u32) -> &'static str {
        for i in 0..n {
            async_io::Timer::after(Duration::from_micros(300)).await;
            yield_!(i);
        }
        "smol"
    }

    let ex = async_executor::Executor::new();
    let task = ex.spawn(async {
        let mut s = pin!(smol_ticks(3));
        let items: Vec<u32> = s.as_mut().collect().await;
        (items, s.as_mut().take_return())
    });
    let (items, ret) = futures_lite::future::block_on(ex.run(task));
    assert_eq!(items, [0, 1, 2]);
    assert_eq!(ret, Some("smol"));
}
