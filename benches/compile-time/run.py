#!/usr/bin/env python3
"""Compile-time benchmark (issue 11, "Cheap to build").

Generates three crates with the same N fns (a loop and 3 yields each), each fn with a
driver fn that runs it to the end, and times clean builds of each crate alone, its
dependencies prebuilt, in the same run:

  ours          `#[coroutine::coroutine(yield = u32)] fn`, each yield a `yield_!(v)`;
                driven by `Coroutine::resume` (`--driver iter`: a `for` loop over
                `pin!(f(n)).iter()`)
  async-fn      plain `async fn`, each yield an `.await` of `core::future::ready(v)`;
                driven by `Future::poll` with a no-op waker
  async-stream  `fn .. -> impl Stream<Item = u32> { async_stream::stream! { .. } }`,
                each yield a `yield v`; driven by `Stream::poll_next` with a no-op waker

For `cargo build` (debug) and `cargo check` it prints the medians of the repetitions and
the ratios ours/async-fn and async-stream/async-fn. See README.md next to this file.

Usage: python3 benches/compile-time/run.py [--fns 200] [--reps 5] [--no-drive]
           [--driver resume|iter] [--modes build,check] [--instructions]
           [--coroutine PATH]
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / "target" / "compile-time"
WS = WORK / "ws"
TARGET = WORK / "target"
TIMES = WORK / "times.txt"

VARIANTS = [
    # (label, package name, crate name)
    ("ours", "ct-ours", "ct_ours"),
    ("async-fn", "ct-async-fn", "ct_async_fn"),
    ("async-stream", "ct-async-stream", "ct_async_stream"),
]

# The same body for all three; each `Y(e);` line becomes the variant's yield.
BODY = """\
    let mut acc = {i}u32;
    for k in 0..n {{
        Y(k);
        acc = acc.wrapping_mul(31).wrapping_add(k);
        Y(acc);
        Y(acc ^ k);
    }}
"""


def body(i, yield_):
    out = []
    for line in BODY.format(i=i).splitlines():
        stripped = line.strip()
        if stripped.startswith("Y(") and stripped.endswith(");"):
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + yield_(stripped[2:-2]))
        else:
            out.append(line)
    return "\n".join(out) + "\n"


def drive_fn(i, label, driver):
    """A non-generic fn that runs coroutine `i` to the end, so that its state machine
    (and whatever runs it) is compiled in this crate, as in a program that uses it."""
    if label == "ours" and driver == "iter":
        return (
            f"pub fn drive{i}(n: u32) -> u32 {{\n"
            "    let mut a = 0;\n"
            f"    for x in core::pin::pin!(f{i}(n)).iter() {{\n"
            "        a ^= x;\n"
            "    }\n"
            "    a\n"
            "}\n"
        )
    if label == "ours":
        return (
            f"pub fn drive{i}(n: u32) -> u32 {{\n"
            f"    let mut c = core::pin::pin!(f{i}(n));\n"
            "    let mut a = 0;\n"
            "    while let CoroutineState::Yielded(x) = c.as_mut().resume(()) {\n"
            "        a ^= x;\n"
            "    }\n"
            "    a\n"
            "}\n"
        )
    if label == "async-fn":
        return (
            f"pub fn drive{i}(n: u32) -> u32 {{\n"
            f"    let mut f = core::pin::pin!(f{i}(n));\n"
            "    let mut cx = Context::from_waker(Waker::noop());\n"
            "    while f.as_mut().poll(&mut cx).is_pending() {}\n"
            "    n\n"
            "}\n"
        )
    return (
        f"pub fn drive{i}(n: u32) -> u32 {{\n"
        f"    let mut s = core::pin::pin!(f{i}(n));\n"
        "    let mut cx = Context::from_waker(Waker::noop());\n"
        "    let mut a = 0;\n"
        "    while let Poll::Ready(Some(x)) = s.as_mut().poll_next(&mut cx) {\n"
        "        a ^= x;\n"
        "    }\n"
        "    a\n"
        "}\n"
    )


def source(label, fns, drive, driver):
    if label == "ours":
        head = "use coroutine::yield_;\n"
        if drive and driver == "resume":
            head += "use coroutine::{Coroutine as _, CoroutineState};\n"

        def item(i):
            return (
                "#[coroutine::coroutine(yield = u32)]\n"
                f"pub fn f{i}(n: u32) {{\n" + body(i, lambda e: f"yield_!({e});") + "}\n"
            )
    elif label == "async-fn":
        head = "use core::future::Future;\nuse core::task::{Context, Waker};\n" if drive else ""

        def item(i):
            return (
                f"pub async fn f{i}(n: u32) {{\n"
                + body(i, lambda e: f"core::future::ready({e}).await;")
                + "}\n"
            )
    else:
        head = "use async_stream::stream;\nuse futures_core::Stream;\n"
        if drive:
            head += "use core::task::{Context, Poll, Waker};\n"

        def item(i):
            lines = body(i, lambda e: f"yield {e};").splitlines()
            return (
                f"pub fn f{i}(n: u32) -> impl Stream<Item = u32> {{\n"
                "    stream! {\n" + "".join("    " + line + "\n" for line in lines) + "    }\n"
                "}\n"
            )
    parts = ["//! Generated by benches/compile-time/run.py.\n", head]
    for i in range(fns):
        parts.append("\n" + item(i))
        if drive:
            parts.append("\n" + drive_fn(i, label, driver))
    return "".join(parts)


# RUSTC_WRAPPER: measures the rustc run of the benchmark's own crates (`ct_*`), wall and
# CPU time, or (CT_VALGRIND set) the instructions it executes, under cachegrind.
WRAPPER = '''#!/usr/bin/env python3
import os, re, sys, tempfile, time
args = sys.argv[1:]
crate = None
for a, b in zip(args, args[1:]):
    if a == "--crate-name":
        crate = b
if crate is None or not crate.startswith("ct_"):
    os.execvp(args[0], args)
log = None
if os.environ.get("CT_VALGRIND"):
    fd, log = tempfile.mkstemp(prefix="ct-valgrind-")
    os.close(fd)
    args = ["valgrind", "--tool=cachegrind", "--cache-sim=no",
            "--cachegrind-out-file=/dev/null", f"--log-file={log}"] + args
t0 = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(args[0], args)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t0
instructions = 0
if log:
    m = re.search(r"I\\s+refs:\\s+([\\d,]+)", open(log).read())
    instructions = int(m.group(1).replace(",", "")) if m else 0
    os.unlink(log)
with open(os.environ["CT_TIMES"], "a") as f:
    f.write(f"{crate} {wall:.4f} {ru.ru_utime + ru.ru_stime:.4f} {instructions}\\n")
sys.exit(os.waitstatus_to_exitcode(status))
'''


def generate(fns, drive, driver, coroutine):
    if WS.exists():
        shutil.rmtree(WS)
    WS.mkdir(parents=True)
    (WS / "Cargo.toml").write_text(
        "# Generated by benches/compile-time/run.py.\n"
        "[workspace]\n"
        'resolver = "3"\n'
        'members = ["ct-ours", "ct-async-fn", "ct-async-stream"]\n'
    )
    deps = {
        "ours": f'coroutine = {{ package = "stable-coroutine", path = "{coroutine.as_posix()}" }}\n',
        "async-fn": "",
        "async-stream": 'async-stream = "0.3"\nfutures-core = "0.3"\n',
    }
    for label, package, _ in VARIANTS:
        d = WS / package
        (d / "src").mkdir(parents=True)
        (d / "Cargo.toml").write_text(
            "[package]\n"
            f'name = "{package}"\n'
            'version = "0.0.0"\n'
            'edition = "2024"\n'
            "publish = false\n\n"
            "[dependencies]\n" + deps[label]
        )
        (d / "src" / "lib.rs").write_text(source(label, fns, drive, driver))
    # The workspace's lock file: the versions the workspace is tested with.
    lock = ROOT / "Cargo.lock"
    if lock.exists():
        shutil.copy(lock, WS / "Cargo.lock")
    wrapper = WORK / "rustc-wrapper.py"
    wrapper.write_text(WRAPPER)
    wrapper.chmod(0o755)


def env(valgrind):
    e = dict(os.environ)
    # Whatever the caller's shell sets, the benchmark measures the default dev profile.
    for k in list(e):
        if k.startswith("CARGO_PROFILE_") or k in (
            "RUSTFLAGS",
            "CARGO_INCREMENTAL",
            "CARGO_BUILD_RUSTFLAGS",
            "CARGO_ENCODED_RUSTFLAGS",
            "RUSTC_WRAPPER",
            "CARGO_BUILD_JOBS",
        ):
            del e[k]
    e["CARGO_TARGET_DIR"] = str(TARGET)
    e["RUSTC_WRAPPER"] = str(WORK / "rustc-wrapper.py")
    e["CT_TIMES"] = str(TIMES)
    if valgrind:
        e["CT_VALGRIND"] = "1"
    return e


def cargo(*args, valgrind=False):
    cmd = ["cargo", *args, "--manifest-path", str(WS / "Cargo.toml")]
    r = subprocess.run(cmd, env=env(valgrind), cwd=WS, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        sys.exit(f"failed: {' '.join(cmd)}")
    return r


def clean_build(mode, package, crate, valgrind):
    """One clean build of `package` alone (its dependencies are built): rustc's wall
    time, CPU time and instructions (0 unless measured), and cargo's wall time."""
    cargo("clean", "-p", package)
    TIMES.write_text("")
    t0 = time.perf_counter()
    cargo(mode, "-p", package, valgrind=valgrind)
    total = time.perf_counter() - t0
    rows = [line.split() for line in TIMES.read_text().splitlines() if line.startswith(crate + " ")]
    if len(rows) != 1:
        sys.exit(f"expected one rustc run of {crate}, saw {len(rows)}")
    wall, cpu, instructions = float(rows[0][1]), float(rows[0][2]), int(rows[0][3])
    return wall, cpu, instructions, total


def main():
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--fns", type=int, default=200, help="fns per crate (default 200)")
    p.add_argument("--reps", type=int, default=5, help="clean builds per crate and mode (default 5)")
    p.add_argument("--modes", default="build,check", help="comma-separated: build,check")
    p.add_argument("--no-drive", action="store_true", help="the fns alone, no driver fns")
    p.add_argument("--driver", choices=["resume", "iter"], default="resume", help="how ours is driven")
    p.add_argument(
        "--instructions",
        action="store_true",
        help="count rustc's instructions under valgrind (one build each, ~1 min per build; "
        "steady on a loaded machine) instead of timing",
    )
    p.add_argument(
        "--coroutine",
        type=Path,
        default=ROOT / "coroutine",
        help="the coroutine crate to measure (default: this checkout's)",
    )
    a = p.parse_args()
    modes = a.modes.split(",")
    drive = not a.no_drive
    reps = 1 if a.instructions else a.reps
    if a.instructions and shutil.which("valgrind") is None:
        sys.exit("--instructions needs valgrind")
    WORK.mkdir(parents=True, exist_ok=True)
    generate(a.fns, drive, a.driver, a.coroutine.resolve())
    rustc = subprocess.run(["rustc", "-V"], capture_output=True, text=True).stdout.strip()
    what = f"{a.fns} fns per crate" + (f", each with a driver ({a.driver} for ours)" if drive else "")
    print(f"compile-time benchmark: {what}; {reps} clean build(s) per crate and mode")
    print(f"  {rustc}; coroutine crate: {a.coroutine}; load average {os.getloadavg()[0]:.2f}")
    for mode in modes:
        cargo(mode)  # the dependencies, and a first build of each crate
    results = {}
    for mode in modes:
        for _ in range(reps):
            # Interleaved, so that a change in the machine's load hits all three alike.
            for label, package, crate in VARIANTS:
                m = clean_build(mode, package, crate, a.instructions)
                results.setdefault((mode, label), []).append(m)
    for mode in modes:
        name = "cargo build (debug)" if mode == "build" else "cargo check"
        base = [statistics.median(x) for x in zip(*results[(mode, "async-fn")])]
        print()
        if a.instructions:
            print(f"{name}: instructions rustc executes for the crate (G)")
            print(f"  {'':<14}{'instr':>8}{'x':>8}")
        else:
            print(f"{name}: seconds in rustc for the crate, medians")
            print(f"  {'':<14}{'wall':>8}{'cpu':>8}{'cargo':>8}{'x wall':>9}{'x cpu':>8}")
        for label, _, _ in VARIANTS:
            med = [statistics.median(x) for x in zip(*results[(mode, label)])]
            if a.instructions:
                print(f"  {label:<14}{med[2] / 1e9:>8.3f}{med[2] / base[2]:>8.2f}")
            else:
                print(
                    f"  {label:<14}{med[0]:>8.2f}{med[1]:>8.2f}{med[3]:>8.2f}"
                    f"{med[0] / base[0]:>9.2f}{med[1] / base[1]:>8.2f}"
                )
    if not a.instructions:
        print(f"\n(load average at the end {os.getloadavg()[0]:.2f}; 'x' columns: ratio to async-fn)")


if __name__ == "__main__":
    main()
