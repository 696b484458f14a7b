//! Executor benchmark harness: `cargo run --release -p executor-bench`.
//!
//! One process runs every workload on our executor and on its peers, interleaving the
//! samples (one sample of each executor in turn) so that noise from the rest of the
//! machine spreads evenly, and prints min and median ns/op, each one's ratio to the best
//! peer's, and a PASS/SHORT line per bar.
//!
//! | workload | what one op is |
//! |---|---|
//! | E1 | spawn one of 100k tiny tasks and await it |
//! | E2 | one `yield_now` of 100 tasks x 1000 yields (the same yield future everywhere) |
//! | E3 | one of 100k ping-pong round trips between two tasks over `async_channel::bounded(1)` |
//! | E4 | one hop of a 100k-deep chain where each task spawns the next |
//! | E5 | one `block_on(ready(1))` |
//! | E6 | one of 100 tasks x 1000 `timeout(1 h, yield_now())`: a timer registered, then cancelled (no bar) |
//!
//! Multi-threaded (`--threads`, default 2): E1 and E2 on our `Executor` against tokio's
//! `multi_thread` runtime and `async_executor::Executor`, each with that many workers and
//! the awaiting future on the calling thread.
//!
//! Options: `--samples N` (default 15), `--only E1,E3,...` (a filter on the row names).

mod local;
mod multi;
mod report;
mod timers;

use report::Bench;

/// Tasks in E1.
pub(crate) const SPAWNS: usize = 100_000;
/// Tasks and yields per task in E2.
pub(crate) const YIELD_TASKS: usize = 100;
/// Yields per task in E2.
pub(crate) const YIELDS: usize = 1_000;
/// Round trips in E3.
pub(crate) const ROUND_TRIPS: usize = 100_000;
/// Hops in E4.
pub(crate) const HOPS: usize = 100_000;
/// Timeouts per task in E6 (with `YIELD_TASKS` tasks).
pub(crate) const TIMEOUTS: usize = 1_000;
/// `block_on` calls per sample in E5.
pub(crate) const BLOCK_ONS: usize = 1_000_000;

fn main() {
    let mut samples = 15;
    let mut threads = 2;
    let mut only: Option<Vec<String>> = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage(&arg));
        match arg.as_str() {
            "--samples" => samples = value().parse().unwrap_or_else(|_| usage("--samples")),
            "--threads" => threads = value().parse().unwrap_or_else(|_| usage("--threads")),
            "--only" => only = Some(value().split(',').map(str::to_owned).collect()),
            _ => usage(&arg),
        }
    }
    let wanted = |name: &str| {
        only.as_ref()
            .is_none_or(|o| o.iter().any(|w| name.starts_with(w.as_str())))
    };

    println!(
        "executor-bench: {samples} samples per cell, {} CPUs available, multi-threaded runs with {threads} workers",
        std::thread::available_parallelism().map_or(0, std::num::NonZero::get)
    );
    let mut results = Vec::new();
    for bench in local::benches()
        .into_iter()
        .chain(timers::benches())
        .chain(multi::benches(threads))
    {
        if wanted(bench.name) {
            results.push(bench.run(samples));
        }
    }
    report::print(&results);
}

/// Prints how to call the harness and exits.
fn usage(bad: &str) -> ! {
    eprintln!(
        "bad argument {bad:?}; usage: executor-bench [--samples N] [--threads N] [--only E1,E2M,...]"
    );
    std::process::exit(2)
}

/// Shorthand for the benches' contestant lists.
pub(crate) type Contestants = Vec<(&'static str, Box<dyn FnMut()>)>;

/// A workload: its name, how many ops one sample does, the bar, and its contestants
/// (our executor first).
pub(crate) fn bench(
    name: &'static str,
    what: &'static str,
    ops: usize,
    bar: report::Bar,
    contestants: Contestants,
) -> Bench {
    Bench {
        name,
        what,
        ops,
        bar,
        contestants,
    }
}
