//! Timers and coroutines as tasks on the executor.
//!
//! Part 1 is the JavaScript chain
//!
//! ```js
//! timer(200).then(() => timer(100)).then(() => timer(50)).then(() => console.log("I'm the last one"))
//! ```
//!
//! written with `async`/`.await` on a [`LocalExecutor`], printing the elapsed time (ms with
//! fractions) at each step. Part 2 shows that timers are not rounded to whole
//! milliseconds. Part 3 spawns coroutines from the `coroutine` crate as tasks: a sync
//! `#[coroutine::coroutine]` fn with yield type `()` is a `Future`, each `yield_!()` a
//! cooperative yield point, so two of them interleave on one thread.
//!
//! Run with `cargo run --release -p coroutine-executor --example timers`.

use std::time::{Duration, Instant};

use executor::{LocalExecutor, sleep, timeout};

/// Milliseconds since `start`, with fractions.
fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

/// `timer(ms)`: resolves after `ms` milliseconds and reports when it did.
async fn timer(millis: u64, start: Instant) {
    sleep(Duration::from_millis(millis)).await;
    println!("  timer({millis:>3}) resolved at {:>8.3} ms", ms(start));
}

/// Yields `n` times, printing each step, and returns `n`.
#[coroutine::coroutine]
fn ticker(name: &'static str, n: u32) -> u32 {
    for i in 1..=n {
        println!("  coroutine {name}: step {i}/{n}");
        coroutine::yield_!();
    }
    n
}

fn main() {
    let ex = LocalExecutor::new();

    println!("1. timer(200).then(timer(100)).then(timer(50)).then(log):");
    let start = Instant::now();
    ex.run(async {
        timer(200, start).await;
        timer(100, start).await;
        timer(50, start).await;
        println!("  I'm the last one ({:.3} ms after the start)", ms(start));
    });

    println!("\n   the same three timers spawned as concurrent tasks:");
    let start = Instant::now();
    ex.run(async {
        let tasks: Vec<_> = [200, 100, 50]
            .into_iter()
            .map(|millis| ex.spawn(timer(millis, start)))
            .collect();
        for task in tasks {
            task.await;
        }
        println!("  all done at {:.3} ms", ms(start));
    });

    println!("\n2. short sleeps are not rounded up to a millisecond:");
    for micros in [50, 200, 300, 750, 1500] {
        let requested = Duration::from_micros(micros);
        let start = Instant::now();
        ex.run(sleep(requested));
        println!(
            "  sleep({:>6.3} ms) took {:>6.3} ms",
            requested.as_secs_f64() * 1e3,
            ms(start)
        );
    }
    let start = Instant::now();
    let bounded = ex.run(timeout(
        Duration::from_micros(400),
        sleep(Duration::from_secs(10)),
    ));
    println!(
        "  timeout(0.400 ms, sleep(10 s)) -> {bounded:?} after {:.3} ms",
        ms(start)
    );

    println!("\n3. coroutines spawned as tasks, interleaving at each yield_!():");
    let a = ex.spawn(ticker("a", 3));
    let b = ex.spawn(ticker("b", 3));
    let total = ex.run(async { a.await + b.await });
    println!("  both coroutines returned; total steps = {total}");
}
