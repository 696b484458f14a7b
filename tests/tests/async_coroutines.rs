//! `async fn` coroutines: `.await` and `yield_!` together, on real runtimes, inside
//! combinators that replace the waker, with delegation, `?` and `Send`.
#![deny(warnings)]

use std::pin::{Pin, pin};
use std::time::Duration;

use coroutine::{AsyncGen, CoroutineState, yield_, yield_from};
use futures::stream::{self, FuturesUnordered, StreamExt};

/// Waits on a timer and a channel between yields: every await needs the real waker.
#[coroutine::coroutine(yield = u32)]
async fn ticks(n: u32) -> &'static str {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<u32>(1);
    for i in 0..n {
        tokio::time::sleep(Duration::from_millis(1)).await;
        let tx = tx.clone();
        std::thread::spawn(move || tx.blocking_send(i * 10).unwrap());
        let got = rx.recv().await.unwrap();
        yield_!(got);
    }
    "ticked"
}

#[test]
fn stream_on_tokio_current_thread_keeps_the_return_value() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut s = pin!(ticks(3));
        let mut got = vec![];
        while let Some(x) = s.next().await {
            got.push(x);
        }
        assert_eq!(got, [0, 10, 20]);
        assert_eq!(s.next().await, None, "fused");
        assert_eq!(s.as_mut().take_return(), Some("ticked"));
    });
}

#[test]
fn send_is_inferred_so_it_spawns_on_tokio_multi_thread() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let got = rt.block_on(async {
        let handles: Vec<_> = (0..4)
            .map(|k| tokio::spawn(async move { ticks(k).collect::<Vec<u32>>().await }))
            .collect();
        let mut all = vec![];
        for h in handles {
            all.push(h.await.unwrap());
        }
        all
    });
    assert_eq!(got, [vec![], vec![0], vec![0, 10], vec![0, 10, 20]]);
}

/// Awaits a `futures` channel fed by another thread.
#[coroutine::coroutine(yield = String)]
async fn lines(words: Vec<&'static str>) -> usize {
    let (mut tx, mut rx) = futures::channel::mpsc::channel(0);
    let n = words.len();
    std::thread::spawn(move || {
        for w in words {
            futures::executor::block_on(futures::SinkExt::send(&mut tx, w)).unwrap();
        }
    });
    while let Some(w) = rx.next().await {
        yield_!(w.to_uppercase());
    }
    n
}

#[test]
fn stream_on_the_futures_executor() {
    let got: Vec<String> = futures::executor::block_on(lines(vec!["a", "b"]).collect());
    assert_eq!(got, ["A", "B"]);
}

/// `yield = ()`: a future, with cooperative yield points between awaits.
#[coroutine::coroutine]
async fn cooperative_sum(n: u64) -> u64 {
    let mut total = 0;
    for i in 0..n {
        total += async { i }.await;
        yield_!();
    }
    total
}

#[test]
fn unit_yield_async_coroutine_is_a_future() {
    assert_eq!(futures::executor::block_on(cooperative_sum(4)), 6);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    assert_eq!(rt.block_on(cooperative_sum(5)), 10);
}

#[test]
fn inside_combinators_that_replace_the_waker() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        // FuturesUnordered gives each future its own waker.
        let mut set: FuturesUnordered<_> = (1..=3).map(cooperative_sum).collect();
        let mut sums = vec![];
        while let Some(s) = set.next().await {
            sums.push(s);
        }
        sums.sort_unstable();
        assert_eq!(sums, [0, 1, 3]);

        // join! and select! poll with their own wakers too.
        let (a, b) = futures::join!(ticks(2).collect::<Vec<_>>(), cooperative_sum(3));
        assert_eq!((a, b), (vec![0, 10], 3));

        let mut s = pin!(ticks(5).fuse());
        let mut timeout = pin!(futures::FutureExt::fuse(tokio::time::sleep(
            Duration::from_secs(30)
        )));
        let first = futures::select! {
            x = s.next() => x,
            () = timeout => None,
        };
        assert_eq!(first, Some(0));

        // A spawned task on a runtime polls it with the task's waker.
        let h = tokio::spawn(ticks(2).collect::<Vec<_>>());
        assert_eq!(h.await.unwrap(), [0, 10]);
    });
}

#[coroutine::coroutine(yield = String)]
async fn greeter(#[resume] first: &'static str) -> usize {
    let mut name = first;
    let mut count = 0;
    while !name.is_empty() {
        tokio::time::sleep(Duration::from_millis(1)).await;
        count += 1;
        name = yield_!(format!("hello {name}"));
    }
    count
}

#[test]
fn asynchronous_resume_with_arguments() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut g = pin!(greeter());
        assert_eq!(
            g.as_mut().resume("ann").await,
            CoroutineState::Yielded("hello ann".into())
        );
        assert_eq!(
            g.as_mut().resume("bob").await,
            CoroutineState::Yielded("hello bob".into())
        );
        assert_eq!(g.as_mut().resume("").await, CoroutineState::Complete(2));
        assert!(g.is_complete());
    });
}

#[coroutine::coroutine(yield = u32)]
async fn echo_twice(#[resume] first: u32) -> u32 {
    let second = yield_!(first);
    second + 1
}

#[test]
fn a_resume_polled_again_after_it_completed_panics_and_leaves_the_body_suspended() {
    use std::future::Future;
    use std::panic::{AssertUnwindSafe, catch_unwind};
    use std::task::{Context, Poll, Waker};
    let mut c = pin!(echo_twice());
    let mut cx = Context::from_waker(Waker::noop());
    let mut step = c.as_mut().resume(7);
    assert_eq!(
        Pin::new(&mut step).poll(&mut cx),
        Poll::Ready(CoroutineState::Yielded(7))
    );
    // A second poll is a misuse of the `Resume`; the body stays at its `yield_!`.
    let err = catch_unwind(AssertUnwindSafe(|| Pin::new(&mut step).poll(&mut cx))).unwrap_err();
    assert_eq!(
        err.downcast_ref::<&str>(),
        Some(&"a `Resume` future was polled after it completed")
    );
    let mut step = c.as_mut().resume(41);
    assert_eq!(
        Pin::new(&mut step).poll(&mut cx),
        Poll::Ready(CoroutineState::Complete(42))
    );
}

#[coroutine::coroutine(yield = u32)]
fn sync_range(lo: u32, hi: u32) -> u32 {
    for i in lo..hi {
        yield_!(i);
    }
    hi - lo
}

#[coroutine::coroutine(yield = u32)]
async fn async_range(lo: u32, hi: u32) -> &'static str {
    for i in lo..hi {
        tokio::task::yield_now().await;
        yield_!(i);
    }
    "async done"
}

#[coroutine::coroutine(yield = u32)]
async fn delegates_to_everything() -> (&'static str, u32, &'static str) {
    let a = yield_from!(async_range(0, 2));
    let s = yield_from!(sync_range(10, 12));
    // A stream delegate evaluates to `()`.
    let () = yield_from!(stream::iter([20, 21]));
    let boxed = yield_from!(Box::pin(async_range(30, 31)));
    (a, s, boxed)
}

#[test]
fn yield_from_async_and_sync_coroutines_and_streams() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut s = pin!(delegates_to_everything());
        let got: Vec<u32> = s.as_mut().collect().await;
        assert_eq!(got, [0, 1, 10, 11, 20, 21, 30]);
        assert_eq!(
            s.as_mut().take_return(),
            Some(("async done", 2, "async done"))
        );
    });
}

#[coroutine::coroutine(yield = i64)]
async fn async_doubler(#[resume] first: i64) -> i64 {
    let mut x = first;
    let mut n = 0;
    while x != 0 {
        n += 1;
        x = yield_!(async { x * 2 }.await);
    }
    n
}

#[coroutine::coroutine(yield = i64)]
async fn forwards(#[resume] first: i64) -> i64 {
    let n = yield_from!(async_doubler(), first);
    yield_!(-n)
}

#[test]
fn async_yield_from_forwards_resume_arguments() {
    futures::executor::block_on(async {
        let mut c = pin!(forwards());
        assert_eq!(c.as_mut().resume(3).await, CoroutineState::Yielded(6));
        assert_eq!(c.as_mut().resume(5).await, CoroutineState::Yielded(10));
        assert_eq!(c.as_mut().resume(0).await, CoroutineState::Yielded(-2));
        assert_eq!(c.as_mut().resume(9).await, CoroutineState::Complete(9));
    });
}

/// `?` completes the coroutine with the error, as in an `async fn`.
#[coroutine::coroutine(yield = u32)]
async fn parse_all(inputs: Vec<&'static str>) -> Result<u32, std::num::ParseIntError> {
    let mut sum = 0;
    for s in inputs {
        let n: u32 = async { s.parse() }.await?;
        sum += n;
        yield_!(n);
    }
    Ok(sum)
}

#[test]
fn question_mark_completes_with_the_error() {
    futures::executor::block_on(async {
        let mut ok = pin!(parse_all(vec!["1", "2"]));
        assert_eq!(ok.as_mut().collect::<Vec<_>>().await, [1, 2]);
        assert_eq!(ok.as_mut().take_return(), Some(Ok(3)));

        let mut bad = pin!(parse_all(vec!["4", "x", "5"]));
        assert_eq!(bad.as_mut().collect::<Vec<_>>().await, [4]);
        let err = bad.as_mut().take_return().unwrap().unwrap_err();
        assert_eq!(err.to_string(), "invalid digit found in string");
    });
}

#[test]
fn a_borrow_across_await_and_yield() {
    #[coroutine::coroutine(yield = usize)]
    async fn borrowing() -> String {
        let s = String::from("held across both");
        let borrowed = &s;
        tokio::task::yield_now().await;
        yield_!(borrowed.len());
        format!("{borrowed}!")
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut b = pin!(borrowing());
        assert_eq!(b.next().await, Some(16));
        assert_eq!(b.next().await, None);
        assert_eq!(
            b.as_mut().take_return().as_deref(),
            Some("held across both!")
        );
    });
}

#[test]
#[should_panic(expected = "resumed after completion")]
fn polling_a_completed_async_coroutine_future_panics() {
    let mut f = pin!(cooperative_sum(0));
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    assert_eq!(
        std::future::Future::poll(f.as_mut(), &mut cx),
        std::task::Poll::Ready(0)
    );
    let _ = std::future::Future::poll(f.as_mut(), &mut cx);
}

/// The coroutine type names the body's future, the yield and the resume types.
fn _types_are_nameable() -> AsyncGen<impl std::future::Future<Output = i64>, i64, i64> {
    async_doubler()
}
