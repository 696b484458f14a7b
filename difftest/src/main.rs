//! A differential tester for the `coroutine` crate: random coroutine programs, each
//! rendered with this workspace's `#[coroutine::coroutine]` (built with stable) and as
//! nightly native coroutines (the oracle), run step by step by the same driver; their
//! traces must be equal. See `README.md` for the design.
//!
//! ```text
//! cargo run --release -p difftest -- --seed 1 --count 200
//! cargo run --release -p difftest -- --seed 1 --show 17     # print program 17 of seed 1
//! ```

#![allow(
    clippy::many_single_char_names,
    clippy::too_many_lines,
    reason = "the generator and renderer are long matches over the program language, \
              naming its pieces `d` (depth), `e` (expression), `c` (code) throughout"
)]

mod code;
mod generate;
mod render;
mod rng;
mod runner;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use render::Side;
use runner::{Config, Outcome};

const USAGE: &str = "\
usage: difftest [options]
  --seed S        seed of the program set (default 0)
  --count N       number of programs (default 200)
  --batch B       programs per scratch crate (default 200)
  --first I       index of the first program (default 0)
  --only I,J,..   run only these program indices
  --show I        print program I (both renderings) and exit
  --max-print N   print at most N mismatches in full (default 10)
  --nightly TC    toolchain of the native side, `cargo +TC` (default nightly)
  --root DIR      workspace root (default: the one difftest was built in)
  --work DIR      scratch dir (default ROOT/target/difftest)
  --edition E     edition of the generated crates: 2024 (default) or 2021
  --timeout S     seconds a batch binary may run (default 120)
  --without F,..  turn generator features off (to look past a known mismatch):
                  async, sync, methods, self-value, panics, yield-from, wild-params,
                  coercions, tail-temps
  --brief         one line per mismatch (its first difference), no sources
  -v              progress on stderr";

struct Args {
    seed: u64,
    count: usize,
    batch: usize,
    first: usize,
    only: Option<Vec<usize>>,
    show: Option<usize>,
    max_print: usize,
    brief: bool,
    without: generate::Without,
    cfg: Config,
}

fn parse_args() -> Result<Args, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("difftest lives in the workspace")
        .to_path_buf();
    let mut a = Args {
        seed: 0,
        count: 200,
        batch: 200,
        first: 0,
        only: None,
        show: None,
        max_print: 10,
        brief: false,
        without: generate::Without::default(),
        cfg: Config {
            root,
            work: PathBuf::new(),
            nightly: "nightly".into(),
            timeout: 120,
            verbose: false,
            edition: "2024".into(),
        },
    };
    let mut work = None;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or_else(|| format!("{flag} needs a value"));
        let num = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--count" => a.count = num(value()?)?,
            "--batch" => a.batch = num(value()?)?.max(1),
            "--first" => a.first = num(value()?)?,
            "--only" => {
                a.only = Some(
                    value()?
                        .split(',')
                        .map(|s| s.trim().parse().map_err(|e| format!("--only: {e}")))
                        .collect::<Result<_, _>>()?,
                );
            }
            "--show" => a.show = Some(num(value()?)?),
            "--max-print" => a.max_print = num(value()?)?,
            "--nightly" => a.cfg.nightly = value()?,
            "--root" => a.cfg.root = PathBuf::from(value()?),
            "--work" => work = Some(PathBuf::from(value()?)),
            "--timeout" => a.cfg.timeout = num(value()?)? as u64,
            "-v" => a.cfg.verbose = true,
            "--edition" => {
                a.cfg.edition = value()?;
                if !["2021", "2024"].contains(&a.cfg.edition.as_str()) {
                    return Err(format!("--edition: 2021 or 2024\n{USAGE}"));
                }
            }
            "--brief" => a.brief = true,
            "--without" => {
                for f in value()?.split(',') {
                    if !generate::FEATURES.contains(&f) {
                        return Err(format!("--without: unknown feature {f}\n{USAGE}"));
                    }
                    a.without.0.push(f.to_string());
                }
            }
            "-h" | "--help" => return Err(USAGE.into()),
            other => return Err(format!("unknown argument {other}\n{USAGE}")),
        }
    }
    a.cfg.work = work.unwrap_or_else(|| a.cfg.root.join("target").join("difftest"));
    Ok(a)
}

fn print_program(seed: u64, p: &generate::Program) {
    println!(
        "--- program {} of seed {seed}; {}",
        p.idx,
        render::driver_summary(p)
    );
    println!(
        "--- ours (stable, this workspace's crate):\n{}",
        render::coroutines(Side::Ours, p)
    );
    println!(
        "--- native (nightly oracle):\n{}",
        render::coroutines(Side::Native, p)
    );
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if let Some(i) = args.show {
        let p = generate::program(args.seed, i, &args.without);
        print_program(args.seed, &p);
        println!(
            "--- driver (ours):\n{}",
            render::module(Side::Ours, &p)
                .split("pub fn run()")
                .nth(1)
                .map_or(String::new(), |s| format!("pub fn run(){s}"))
        );
        return ExitCode::SUCCESS;
    }
    let indices: Vec<usize> = match &args.only {
        Some(only) => only.clone(),
        None => (args.first..args.first + args.count).collect(),
    };
    let start = Instant::now();
    let mut mismatches = 0;
    let mut invalid = 0;
    let mut printed = 0;
    let mut mismatch_ids = Vec::new();
    for (batch, chunk) in indices.chunks(args.batch).enumerate() {
        let programs: Vec<generate::Program> = chunk
            .iter()
            .map(|&i| generate::program(args.seed, i, &args.without))
            .collect();
        if args.cfg.verbose {
            eprintln!(
                "batch {batch}: programs {}..={}",
                chunk[0],
                chunk[chunk.len() - 1]
            );
        }
        let outcomes = runner::run_batch(&args.cfg, batch, &programs);
        for p in &programs {
            match outcomes.get(&p.idx) {
                Some(Outcome::Same) => {}
                Some(Outcome::Mismatch { ours, native }) => {
                    mismatches += 1;
                    mismatch_ids.push(p.idx);
                    if args.brief {
                        println!("p{}: {}", p.idx, runner::first_difference(ours, native));
                    } else if printed < args.max_print {
                        printed += 1;
                        println!(
                            "\n======== MISMATCH: program {} (seed {})",
                            p.idx, args.seed
                        );
                        print_program(args.seed, p);
                        println!("--- traces:\n{}", runner::side_by_side(ours, native));
                    }
                }
                Some(Outcome::Compile { ours, native }) => {
                    let what = match (ours, native) {
                        (Some(_), Some(_)) => {
                            invalid += 1;
                            "INVALID PROGRAM (both compilers reject it: a generator bug)"
                        }
                        (Some(_), None) => {
                            mismatches += 1;
                            mismatch_ids.push(p.idx);
                            "MISMATCH: only ours fails to compile"
                        }
                        _ => {
                            mismatches += 1;
                            mismatch_ids.push(p.idx);
                            "MISMATCH: only native fails to compile"
                        }
                    };
                    if args.brief {
                        let e = ours
                            .as_ref()
                            .or(native.as_ref())
                            .map_or("", |e| e.lines().next().unwrap_or(""));
                        println!("p{}: {what}: {e}", p.idx);
                    } else if printed < args.max_print {
                        printed += 1;
                        println!("\n======== {what}: program {} (seed {})", p.idx, args.seed);
                        print_program(args.seed, p);
                        if let Some(e) = ours {
                            println!("--- ours' errors:\n{e}");
                        }
                        if let Some(e) = native {
                            println!("--- native errors:\n{e}");
                        }
                    }
                }
                None => unreachable!("every program has an outcome"),
            }
        }
    }
    if !mismatch_ids.is_empty() {
        let ids: Vec<String> = mismatch_ids.iter().map(ToString::to_string).collect();
        println!(
            "\nmismatching programs (seed {}): {}",
            args.seed,
            ids.join(",")
        );
    }
    let extra = if invalid > 0 {
        format!(", {invalid} invalid (generator bugs)")
    } else {
        String::new()
    };
    println!(
        "{} programs, {mismatches} mismatches{extra} (seed {}, {:.0}s)",
        indices.len(),
        args.seed,
        start.elapsed().as_secs_f64()
    );
    if mismatches > 0 || invalid > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
