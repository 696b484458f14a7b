//! Sampling, statistics and the printed table.

use std::hint::black_box;
use std::time::Instant;

use crate::Contestants;

/// What "ours" must achieve against the best peer.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Bar {
    /// Ours strictly faster than the best peer (median against median).
    Faster,
    /// Ours at most `factor` times the named peer (median against median).
    Within(f64, &'static str),
    /// No bar: measured for information.
    Info,
}

/// A workload with its contestants; our executor is the first contestant.
pub(crate) struct Bench {
    pub(crate) name: &'static str,
    pub(crate) what: &'static str,
    pub(crate) ops: usize,
    pub(crate) bar: Bar,
    pub(crate) contestants: Contestants,
}

/// One contestant's numbers, in ns per op.
#[derive(Debug)]
pub(crate) struct Cell {
    pub(crate) name: &'static str,
    pub(crate) min: f64,
    pub(crate) median: f64,
}

/// One workload's numbers.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) name: &'static str,
    pub(crate) what: &'static str,
    pub(crate) bar: Bar,
    pub(crate) cells: Vec<Cell>,
}

impl Bench {
    /// Runs one warm-up and then `samples` samples of every contestant, interleaved.
    pub(crate) fn run(mut self, samples: usize) -> Outcome {
        let mut times: Vec<Vec<f64>> = vec![Vec::with_capacity(samples); self.contestants.len()];
        #[expect(clippy::cast_precision_loss, reason = "op counts are far below 2^52")]
        let ops = self.ops as f64;
        for round in 0..=samples {
            for (i, (_, run)) in self.contestants.iter_mut().enumerate() {
                let start = Instant::now();
                run();
                let ns = start.elapsed().as_secs_f64() * 1e9 / ops;
                if round > 0 {
                    times[i].push(black_box(ns));
                }
            }
        }
        let cells = self
            .contestants
            .iter()
            .zip(times)
            .map(|((name, _), mut t)| {
                t.sort_by(f64::total_cmp);
                Cell {
                    name,
                    min: t[0],
                    median: t[t.len() / 2],
                }
            })
            .collect();
        let outcome = Outcome {
            name: self.name,
            what: self.what,
            bar: self.bar,
            cells,
        };
        print_one(&outcome);
        outcome
    }
}

/// The verdict word for a `verdict` result.
fn word(passed: Option<bool>) -> &'static str {
    match passed {
        Some(true) => "PASS",
        Some(false) => "SHORT",
        None => "INFO",
    }
}

/// The verdict line for one workload: `(passed, text)`, `passed` `None` without a bar.
fn verdict(outcome: &Outcome) -> (Option<bool>, String) {
    let ours = &outcome.cells[0];
    let peers = &outcome.cells[1..];
    let best = peers
        .iter()
        .min_by(|a, b| a.median.total_cmp(&b.median))
        .expect("every bench has a peer");
    match outcome.bar {
        Bar::Info => (
            None,
            format!(
                "ours {:.1} ns vs best peer {} {:.1} ns (median): no bar",
                ours.median, best.name, best.median
            ),
        ),
        Bar::Faster => (
            Some(ours.median < best.median),
            format!(
                "ours {:.1} ns vs best peer {} {:.1} ns (median): need faster",
                ours.median, best.name, best.median
            ),
        ),
        Bar::Within(factor, peer) => {
            let peer = peers
                .iter()
                .find(|c| c.name == peer)
                .expect("the bar's peer is a contestant");
            (
                Some(ours.median <= factor * peer.median),
                format!(
                    "ours {:.1} ns vs {} {:.1} ns (median): need within {factor}x",
                    ours.median, peer.name, peer.median
                ),
            )
        }
    }
}

/// Prints one workload's table as soon as it is measured.
fn print_one(outcome: &Outcome) {
    let best_min = outcome.cells[1..]
        .iter()
        .map(|c| c.min)
        .fold(f64::INFINITY, f64::min);
    let best_median = outcome.cells[1..]
        .iter()
        .map(|c| c.median)
        .fold(f64::INFINITY, f64::min);
    println!("\n{} ({})", outcome.name, outcome.what);
    println!(
        "  {:<50} {:>12} {:>12} {:>10} {:>10}",
        "executor", "min ns/op", "median ns/op", "min/best", "med/best"
    );
    for cell in &outcome.cells {
        println!(
            "  {:<50} {:>12.1} {:>12.1} {:>9.2}x {:>9.2}x",
            cell.name,
            cell.min,
            cell.median,
            cell.min / best_min,
            cell.median / best_median
        );
    }
    let (passed, text) = verdict(outcome);
    println!("  {}: {text}", word(passed));
}

/// Prints the summary (a Markdown table ready for BENCHMARKS.md).
pub(crate) fn print(outcomes: &[Outcome]) {
    println!("\n## Summary (median ns/op; ratio = ours / best peer)\n");
    println!("| workload | ours | best peer | ratio | bar | verdict |");
    println!("|---|---:|---|---:|---|---|");
    for outcome in outcomes {
        let ours = &outcome.cells[0];
        let best = outcome.cells[1..]
            .iter()
            .min_by(|a, b| a.median.total_cmp(&b.median))
            .expect("every bench has a peer");
        let bar = match outcome.bar {
            Bar::Faster => "faster than best peer".to_owned(),
            Bar::Within(f, peer) => format!("within {f}x of {peer}"),
            Bar::Info => "none (information)".to_owned(),
        };
        let (passed, _) = verdict(outcome);
        println!(
            "| {} | {:.1} | {} {:.1} | {:.2}x | {bar} | {} |",
            outcome.name,
            ours.median,
            best.name,
            best.median,
            ours.median / best.median,
            word(passed)
        );
    }
}
