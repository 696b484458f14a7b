//! Builds the scratch crates, runs them, compares the traces.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::generate::Program;
use crate::render::{self, Side};

const RT: &str = include_str!("../rt/common.rs");
const NRT: &str = include_str!("../rt/native.rs");

#[derive(Clone, Debug)]
pub struct Config {
    /// The workspace root (holds `coroutine/` and `Cargo.lock`).
    pub root: PathBuf,
    /// Where scratch crates and their target dirs go.
    pub work: PathBuf,
    /// The toolchain of the native side (`cargo +<this>`).
    pub nightly: String,
    /// Seconds a batch binary may run.
    pub timeout: u64,
    pub verbose: bool,
    /// The scratch crates' edition.
    pub edition: String,
}

#[derive(Debug)]
pub enum Outcome {
    Same,
    Mismatch {
        ours: Vec<String>,
        native: Vec<String>,
    },
    /// Rejected by one side's compiler or both: the errors of each.
    Compile {
        ours: Option<String>,
        native: Option<String>,
    },
}

/// Writes `contents` unless the file already holds them (so an unchanged batch is not
/// rebuilt).
fn write_if_changed(path: &Path, contents: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(contents) {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).expect("create scratch dir");
        }
        fs::write(path, contents).expect("write scratch file");
    }
}

fn side_name(side: Side) -> &'static str {
    match side {
        Side::Ours => "ours",
        Side::Native => "native",
    }
}

struct Scratch {
    dir: PathBuf,
    target: PathBuf,
    package: String,
    side: Side,
}

impl Scratch {
    fn new(cfg: &Config, batch: usize, side: Side) -> Self {
        let name = side_name(side);
        let e = &cfg.edition;
        Scratch {
            dir: cfg.work.join(format!("b{batch}-e{e}")).join(name),
            target: cfg.work.join(format!("target-{name}")),
            package: format!("dt-{name}-b{batch}-e{e}"),
            side,
        }
    }

    fn write(&self, cfg: &Config, programs: &[&Program]) {
        let deps = match self.side {
            Side::Ours => format!(
                "coroutine = {{ package = \"stable-coroutine\", path = {:?} }}\nfutures-core = \"0.3\"\n",
                cfg.root.join("coroutine").display().to_string()
            ),
            Side::Native => String::new(),
        };
        write_if_changed(
            &self.dir.join("Cargo.toml"),
            &format!(
                "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"{}\"\npublish = false\n\n\
                 [dependencies]\n{deps}\n[profile.dev]\ndebug = 0\nincremental = false\n\n[workspace]\n",
                self.package, cfg.edition
            ),
        );
        let lock = self.dir.join("Cargo.lock");
        if self.side == Side::Ours && !lock.exists() {
            // The workspace's lock pins the same dependency versions (and needs no index).
            let _ = fs::copy(cfg.root.join("Cargo.lock"), &lock);
        }
        let src = self.dir.join("src");
        write_if_changed(&src.join("rt.rs"), RT);
        if self.side == Side::Native {
            write_if_changed(&src.join("nrt.rs"), NRT);
        }
        for p in programs {
            write_if_changed(
                &src.join(format!("p{}.rs", p.idx)),
                &render::module(self.side, p),
            );
        }
        self.write_main(&programs.iter().map(|p| p.idx).collect::<Vec<_>>());
    }

    fn write_main(&self, indices: &[usize]) {
        write_if_changed(
            &self.dir.join("src/main.rs"),
            &render::crate_main(self.side, indices),
        );
    }

    fn cargo(&self, cfg: &Config) -> Command {
        let mut cmd = Command::new("cargo");
        if self.side == Side::Native {
            cmd.arg(format!("+{}", cfg.nightly));
        }
        for var in [
            "RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "CARGO_BUILD_TARGET",
            "RUSTC",
            "RUSTC_WRAPPER",
            "RUSTDOC",
            "CARGO",
            "LD_LIBRARY_PATH",
            "CARGO_MAKEFLAGS",
        ] {
            cmd.env_remove(var);
        }
        cmd.env("CARGO_TARGET_DIR", &self.target);
        cmd
    }

    fn spawn_build(&self, cfg: &Config) -> (Child, PathBuf) {
        let log = self.dir.join("build.log");
        let file = fs::File::create(&log).expect("build log");
        let child = self
            .cargo(cfg)
            .args(["build", "--message-format=short", "--manifest-path"])
            .arg(self.dir.join("Cargo.toml"))
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("spawn cargo");
        (child, log)
    }

    fn binary(&self) -> PathBuf {
        self.target.join("debug").join(&self.package)
    }
}

/// The program indices named in compile errors (`src/pN.rs:..: error..`), with the
/// error lines of each.
fn errors_by_program(log: &str) -> BTreeMap<usize, String> {
    let mut out: BTreeMap<usize, String> = BTreeMap::new();
    for line in log.lines() {
        let Some(rest) = line.strip_prefix("src/p") else {
            continue;
        };
        let Some((num, tail)) = rest.split_once(".rs:") else {
            continue;
        };
        let Ok(idx) = num.parse::<usize>() else {
            continue;
        };
        if tail.contains(": error") {
            let e = out.entry(idx).or_default();
            e.push_str(line);
            e.push('\n');
        }
    }
    out
}

fn wait_timeout(child: &mut Child, timeout: Duration) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        if start.elapsed() > timeout {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        sleep(Duration::from_millis(20));
    }
}

/// Runs the batch binary on `only` (all when empty); the traces it printed, by index.
fn run_binary(
    bin: &Path,
    only: &[usize],
    timeout: Duration,
    out_file: &Path,
) -> (BTreeMap<usize, Vec<String>>, String) {
    let file = fs::File::create(out_file).expect("run output");
    let mut child = Command::new(bin)
        .args(only.iter().map(ToString::to_string))
        .stdout(file)
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn batch binary");
    let status = wait_timeout(&mut child, timeout);
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        use std::io::Read as _;
        let _ = e.read_to_string(&mut stderr);
    }
    let end = match status {
        None => format!("timed out after {}s", timeout.as_secs()),
        Some(s) if s.success() => String::new(),
        Some(s) => format!("exited with {s}; stderr: {}", stderr.trim()),
    };
    let text = fs::read_to_string(out_file).unwrap_or_default();
    let mut traces = BTreeMap::new();
    let mut current: Option<(usize, Vec<String>)> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("=== end ") {
            if let (Some((idx, lines)), Ok(end)) = (current.take(), rest.parse::<usize>())
                && idx == end
            {
                traces.insert(idx, lines);
            }
        } else if let Some(rest) = line.strip_prefix("=== ") {
            current = rest.parse().ok().map(|i| (i, Vec::new()));
        } else if let Some((_, lines)) = &mut current {
            lines.push(line.to_string());
        }
    }
    (traces, end)
}

/// Traces of every program in `indices` on one side: one run of the batch, then each
/// program the batch did not finish, alone (a crash or hang ends only its own trace).
fn traces(cfg: &Config, s: &Scratch, indices: &[usize]) -> BTreeMap<usize, Vec<String>> {
    let bin = s.binary();
    let out = s.dir.join("run.out");
    let (mut traces, end) = run_binary(&bin, &[], Duration::from_secs(cfg.timeout), &out);
    for &i in indices {
        if let std::collections::btree_map::Entry::Vacant(slot) = traces.entry(i) {
            if cfg.verbose {
                eprintln!("  {} p{i}: rerun alone ({end})", side_name(s.side));
            }
            let (mut one, end) = run_binary(&bin, &[i], Duration::from_secs(20), &out);
            let t = one.remove(&i).unwrap_or_else(|| {
                let text = fs::read_to_string(&out).unwrap_or_default();
                let mut lines: Vec<String> =
                    text.lines().skip(1).map(ToString::to_string).collect();
                lines.push(format!("CRASH: {end}"));
                lines
            });
            slot.insert(t);
        }
    }
    traces
}

/// Builds and runs one batch; the outcome of each program.
pub fn run_batch(cfg: &Config, batch: usize, programs: &[Program]) -> BTreeMap<usize, Outcome> {
    let refs: Vec<&Program> = programs.iter().collect();
    let ours = Scratch::new(cfg, batch, Side::Ours);
    let native = Scratch::new(cfg, batch, Side::Native);
    ours.write(cfg, &refs);
    native.write(cfg, &refs);
    let mut live: BTreeSet<usize> = programs.iter().map(|p| p.idx).collect();
    let mut outcomes = BTreeMap::new();
    let mut compile: BTreeMap<usize, (Option<String>, Option<String>)> = BTreeMap::new();
    let started = Instant::now();
    for attempt in 0.. {
        let indices: Vec<usize> = live.iter().copied().collect();
        ours.write_main(&indices);
        native.write_main(&indices);
        let (mut oc, olog) = ours.spawn_build(cfg);
        let (mut nc, nlog) = native.spawn_build(cfg);
        let (os, ns) = (oc.wait().expect("cargo"), nc.wait().expect("cargo"));
        if os.success() && ns.success() {
            break;
        }
        let mut progress = false;
        for (ok, log, is_ours) in [(os.success(), &olog, true), (ns.success(), &nlog, false)] {
            if ok {
                continue;
            }
            let text = fs::read_to_string(log).unwrap_or_default();
            let errs = errors_by_program(&text);
            for (idx, e) in errs {
                if live.remove(&idx) {
                    progress = true;
                }
                let entry = compile.entry(idx).or_default();
                if is_ours {
                    entry.0.get_or_insert(e);
                } else {
                    entry.1.get_or_insert(e);
                }
            }
            if !progress && attempt > 0 {
                eprintln!(
                    "batch {batch}: {} build failed:\n{text}",
                    if is_ours { "ours" } else { "native" }
                );
            }
        }
        if !progress {
            let (olog, nlog) = (
                fs::read_to_string(&olog).unwrap_or_default(),
                fs::read_to_string(&nlog).unwrap_or_default(),
            );
            panic!(
                "batch {batch}: a build failed without naming a program\n--- ours:\n{olog}\n--- native:\n{nlog}"
            );
        }
    }
    // A program one side rejected was also taken out of the other side's build: build
    // it alone there to know whether both reject it.
    let rejected: Vec<usize> = compile.keys().copied().collect();
    if !rejected.is_empty() {
        let probe_ours = Scratch::new(cfg, batch + 100_000, Side::Ours);
        let probe_native = Scratch::new(cfg, batch + 100_000, Side::Native);
        let rp: Vec<&Program> = programs
            .iter()
            .filter(|p| rejected.contains(&p.idx))
            .collect();
        probe_ours.write(cfg, &rp);
        probe_native.write(cfg, &rp);
        for &idx in &rejected {
            let (o, n) = compile.get(&idx).cloned().unwrap_or_default();
            for (have, s) in [(o.is_some(), &probe_ours), (n.is_some(), &probe_native)] {
                if have {
                    continue;
                }
                s.write_main(&[idx]);
                let (mut c, log) = s.spawn_build(cfg);
                if !c.wait().expect("cargo").success() {
                    let text = fs::read_to_string(&log).unwrap_or_default();
                    let errs = errors_by_program(&text).remove(&idx).unwrap_or(text);
                    let entry = compile.get_mut(&idx).expect("entry");
                    if s.side == Side::Ours {
                        entry.0 = Some(errs);
                    } else {
                        entry.1 = Some(errs);
                    }
                }
            }
        }
    }
    if cfg.verbose {
        eprintln!(
            "batch {batch}: built in {:.1}s",
            started.elapsed().as_secs_f64()
        );
    }
    let indices: Vec<usize> = live.iter().copied().collect();
    let (o, n) = std::thread::scope(|sc| {
        let o = sc.spawn(|| traces(cfg, &ours, &indices));
        let n = sc.spawn(|| traces(cfg, &native, &indices));
        (
            o.join().expect("ours traces"),
            n.join().expect("native traces"),
        )
    });
    for &i in &indices {
        let (ot, nt) = (
            o.get(&i).cloned().unwrap_or_default(),
            n.get(&i).cloned().unwrap_or_default(),
        );
        outcomes.insert(
            i,
            if ot == nt {
                Outcome::Same
            } else {
                Outcome::Mismatch {
                    ours: ot,
                    native: nt,
                }
            },
        );
    }
    for (idx, (o, n)) in compile {
        outcomes.insert(idx, Outcome::Compile { ours: o, native: n });
    }
    let _ = std::io::stderr().flush();
    outcomes
}

/// The two traces side by side, from the first difference marked `>>`.
pub fn side_by_side(ours: &[String], native: &[String]) -> String {
    let first = ours
        .iter()
        .zip(native)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(native.len()));
    let width = ours.iter().map(String::len).max().unwrap_or(0).max(20);
    let mut out = format!("  {:<width$} | native\n", "ours");
    for i in 0..ours.len().max(native.len()) {
        let a = ours.get(i).map_or("", String::as_str);
        let b = native.get(i).map_or("", String::as_str);
        let mark = if i == first {
            ">>"
        } else if a != b {
            " *"
        } else {
            "  "
        };
        let _ = writeln!(out, "{mark}{a:<width$} | {b}");
    }
    out
}

/// The first differing trace line, with the one before it.
pub fn first_difference(ours: &[String], native: &[String]) -> String {
    let i = ours
        .iter()
        .zip(native)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(native.len()));
    let get = |t: &[String], i: usize| t.get(i).map_or("<end>".to_string(), Clone::clone);
    let before = if i > 0 {
        get(ours, i - 1)
    } else {
        "<start>".into()
    };
    format!(
        "after `{before}`: ours `{}`, native `{}`",
        get(ours, i),
        get(native, i)
    )
}
