//! Coroutine benchmark: ours against a hand-written baseline and the stable generator
//! crates, all in one process run.
//!
//! `cargo run --release -p coroutine-bench` (add `-- --quick` for a short smoke run).
//!
//! Workloads (ns per item; `create` is ns per coroutine):
//! - count:  yield `0..n`, the consumer sums;
//! - borrow: the coroutine owns a `Vec<u64>` of 1024 and yields through a borrow of it
//!   held across yields;
//! - resume: each step passes a resume argument that is accumulated and yielded back;
//! - create: make and drain many 3-yield coroutines, counting heap allocations.
//!
//! Every item is folded into a checksum with `mix` (rotate, then xor): each step depends
//! on the last, so no implementation's loop can be folded to a closed form or
//! vectorized away, and no memory barrier sits in the loop (a per-item `black_box`
//! forces whatever state has escaped back to memory at every item, which taxes an
//! implementation by how much state it has rather than by how fast it runs).

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use coroutine::{Coroutine, CoroutineState};
use futures_core::Stream;

/// Counts heap allocations, so the `create` workload can report them.
struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the
// counter has no effect on the memory handed out.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// The consumer's work per item.
#[inline]
fn mix(acc: u64, x: u64) -> u64 {
    acc.rotate_left(5) ^ x
}

fn allocations() -> u64 {
    ALLOCATIONS.load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------------------
// count: yield 0..n
// ---------------------------------------------------------------------------------------

struct CountIter {
    i: u64,
    n: u64,
}

impl Iterator for CountIter {
    type Item = u64;
    #[inline]
    fn next(&mut self) -> Option<u64> {
        (self.i < self.n).then(|| {
            self.i += 1;
            self.i - 1
        })
    }
}

/// Defines the same coroutine under several names: one per benchmark case, so each case
/// resumes its own coroutine fn from one call site, as the baseline's iterator is used
/// from one. (A coroutine fn resumed from several call sites may get its body's `poll`
/// called out of line; BENCHMARKS.md gives that cost.)
macro_rules! twins {
    ($($name:ident),+ ; $def:tt) => {
        $(twins!(@one $name $def);)+
    };
    (@one $name:ident { #[$attr:meta] async fn $args:tt $body:block }) => {
        #[$attr]
        async fn $name $args $body
    };
    (@one $name:ident { #[$attr:meta] fn $args:tt $body:block }) => {
        #[$attr]
        fn $name $args $body
    };
}

twins!(ours_count, ours_count_iter; { #[coroutine::coroutine(yield = u64)] fn (n: u64) {
    for i in 0..n {
        coroutine::yield_!(i);
    }
} });

async fn genawaiter_count(co: genawaiter::stack::Co<'_, u64>, n: u64) {
    for i in 0..n {
        co.yield_(i).await;
    }
}

#[next_gen::generator(yield(u64))]
fn next_gen_count(n: u64) {
    for i in 0..n {
        yield_!(i);
    }
}

#[fauxgen::generator(yield = u64)]
fn fauxgen_count(n: u64) {
    for i in 0..n {
        r#yield!(i);
    }
}

fn async_stream_count(n: u64) -> impl Stream<Item = u64> {
    async_stream::stream! {
        for i in 0..n {
            yield i;
        }
    }
}

/// Drains a stream with a no-op waker (every one here is always ready).
fn drain_stream<S: Stream<Item = u64>>(s: Pin<&mut S>) -> u64 {
    let mut s = s;
    let mut cx = Context::from_waker(Waker::noop());
    let mut sum = 0u64;
    loop {
        match s.as_mut().poll_next(&mut cx) {
            Poll::Ready(Some(x)) => sum = mix(sum, x),
            Poll::Ready(None) => return sum,
            Poll::Pending => unreachable!("the benchmark streams never wait"),
        }
    }
}

fn sum(it: impl Iterator<Item = u64>) -> u64 {
    let mut sum = 0u64;
    for x in it {
        sum = mix(sum, x);
    }
    sum
}

fn count_workload(n: u64) -> Workload {
    let expected = (0..n).fold(0, mix);
    Workload {
        name: "count",
        unit: "item",
        ops: n,
        cases: vec![
            case("hand-written Iterator", move || sum(CountIter { i: 0, n })),
            case("ours: stack-pinned resume", move || {
                let mut c = pin!(ours_count(n));
                let mut s = 0u64;
                while let CoroutineState::Yielded(x) = c.as_mut().resume(()) {
                    s = mix(s, x);
                }
                s
            }),
            case("ours: IntoIterator", move || {
                sum(ours_count_iter(n).into_iter())
            }),
            case("ours: inline co!, stack-pinned", move || {
                let mut c = pin!(coroutine::co!(yield = u64, move || for i in 0..n {
                    coroutine::yield_!(i);
                }));
                let mut s = 0u64;
                while let CoroutineState::Yielded(x) = c.as_mut().resume(()) {
                    s = mix(s, x);
                }
                s
            }),
            case("genawaiter (stack)", move || {
                genawaiter::stack::let_gen_using!(g, |co| genawaiter_count(co, n));
                sum(g.into_iter())
            }),
            case("next-gen", move || {
                next_gen::mk_gen!(let g = next_gen_count(n));
                sum(g)
            }),
            case("fauxgen", move || sum(pin!(fauxgen_count(n)))),
            case("async-stream", move || {
                drain_stream(pin!(async_stream_count(n)))
            }),
        ],
        expected,
    }
}

// ---------------------------------------------------------------------------------------
// borrow: own a Vec<u64> of 1024, yield through a borrow held across yields
// ---------------------------------------------------------------------------------------

const BORROW_LEN: usize = 1024;

struct OwnedIter {
    v: Vec<u64>,
    i: usize,
}

impl Iterator for OwnedIter {
    type Item = u64;
    #[inline]
    fn next(&mut self) -> Option<u64> {
        let x = *self.v.get(self.i)?;
        self.i += 1;
        Some(x)
    }
}

twins!(ours_borrow, ours_borrow_iter; { #[coroutine::coroutine(yield = u64)] fn (v: Vec<u64>) {
    let borrowed = &v;
    for x in borrowed {
        coroutine::yield_!(*x);
    }
} });

async fn genawaiter_borrow(co: genawaiter::stack::Co<'_, u64>, v: Vec<u64>) {
    let borrowed = &v;
    for x in borrowed {
        co.yield_(*x).await;
    }
}

#[next_gen::generator(yield(u64))]
fn next_gen_borrow(v: Vec<u64>) {
    let borrowed = &v;
    for x in borrowed {
        yield_!(*x);
    }
}

#[fauxgen::generator(yield = u64)]
fn fauxgen_borrow(v: Vec<u64>) {
    let borrowed = &v;
    for x in borrowed {
        r#yield!(*x);
    }
}

fn async_stream_borrow(v: Vec<u64>) -> impl Stream<Item = u64> {
    async_stream::stream! {
        let borrowed = &v;
        for x in borrowed {
            yield *x;
        }
    }
}

fn borrow_workload() -> Workload {
    let data = || (0..BORROW_LEN as u64).collect::<Vec<_>>();
    let n = BORROW_LEN as u64;
    // Each case gets a fresh vector per run, made outside the timed region.
    Workload {
        name: "borrow",
        unit: "item",
        ops: n,
        cases: vec![
            case_with("hand-written Iterator", data, |v| {
                sum(OwnedIter { v, i: 0 })
            }),
            case_with("ours: stack-pinned resume", data, |v| {
                let mut c = pin!(ours_borrow(v));
                let mut s = 0u64;
                while let CoroutineState::Yielded(x) = c.as_mut().resume(()) {
                    s = mix(s, x);
                }
                s
            }),
            case_with("ours: IntoIterator", data, |v| {
                sum(ours_borrow_iter(v).into_iter())
            }),
            case_with("genawaiter (stack)", data, |v| {
                genawaiter::stack::let_gen_using!(g, |co| genawaiter_borrow(co, v));
                sum(g.into_iter())
            }),
            case_with("next-gen", data, |v| {
                next_gen::mk_gen!(let g = next_gen_borrow(v));
                sum(g)
            }),
            case_with("fauxgen", data, |v| sum(pin!(fauxgen_borrow(v)))),
            case_with("async-stream", data, |v| {
                drain_stream(pin!(async_stream_borrow(v)))
            }),
        ],
        expected: (0..n).fold(0, mix),
    }
}

// ---------------------------------------------------------------------------------------
// resume: accumulate a resume argument per step
// ---------------------------------------------------------------------------------------

struct Accumulator {
    total: u64,
}

impl Accumulator {
    #[inline]
    fn step(&mut self, x: u64) -> u64 {
        self.total = self.total.wrapping_add(x);
        self.total
    }
}

#[coroutine::coroutine(yield = u64)]
fn ours_acc(#[resume] first: u64) -> ! {
    let mut total = first;
    loop {
        let x = coroutine::yield_!(total);
        total = total.wrapping_add(x);
    }
}

async fn genawaiter_acc(co: genawaiter::stack::Co<'_, u64, u64>) {
    // genawaiter drops the first resume argument; start from 0.
    let mut total = 0u64;
    loop {
        let x = co.yield_(total).await;
        total = total.wrapping_add(x);
    }
}

#[next_gen::generator(yield(u64), resume(u64))]
fn next_gen_acc() {
    // next-gen drops the first resume argument; start from 0.
    let mut total = 0u64;
    loop {
        let x = yield_!(total);
        total = total.wrapping_add(x);
    }
}

#[fauxgen::generator(yield = u64, arg = u64)]
fn fauxgen_acc() {
    let mut total = argument!();
    loop {
        let x = r#yield!(total);
        total = total.wrapping_add(x);
    }
}

/// Drives `step` with the arguments 0, 1, ..., n-1 and sums what comes back; `step(0)`
/// is the first resume (its argument is 0 everywhere, so dropping it changes nothing).
#[inline]
fn drive_resume(n: u64, mut step: impl FnMut(u64) -> u64) -> u64 {
    let mut s = 0u64;
    for i in 0..n {
        s = mix(s, step(i));
    }
    s
}

fn resume_workload(n: u64) -> Workload {
    // Step i returns 0 + 1 + ... + i.
    let expected = (0..n).map(|i| i * (i + 1) / 2).fold(0, mix);
    Workload {
        name: "resume",
        unit: "step",
        ops: n,
        cases: vec![
            case("hand-written struct", move || {
                let mut acc = Accumulator { total: 0 };
                drive_resume(n, |x| acc.step(x))
            }),
            case("ours: stack-pinned resume", move || {
                let mut c = pin!(ours_acc());
                drive_resume(n, |x| match c.as_mut().resume(x) {
                    CoroutineState::Yielded(t) => t,
                })
            }),
            case("genawaiter (stack)", move || {
                genawaiter::stack::let_gen_using!(g, genawaiter_acc);
                drive_resume(n, |x| match g.resume_with(x) {
                    genawaiter::GeneratorState::Yielded(t) => t,
                    genawaiter::GeneratorState::Complete(()) => unreachable!(),
                })
            }),
            case("next-gen", move || {
                next_gen::mk_gen!(let mut g = next_gen_acc());
                drive_resume(n, |x| match g.as_mut().resume(x) {
                    next_gen::prelude::GeneratorState::Yielded(t) => t,
                    next_gen::prelude::GeneratorState::Returned(()) => unreachable!(),
                })
            }),
            case("fauxgen", move || {
                use fauxgen::Generator as _;
                let mut g = pin!(fauxgen_acc());
                drive_resume(n, |x| match g.as_mut().resume(x) {
                    fauxgen::GeneratorState::Yielded(t) => t,
                    fauxgen::GeneratorState::Complete(()) => unreachable!(),
                })
            }),
        ],
        expected,
    }
}

// ---------------------------------------------------------------------------------------
// create: many 3-yield coroutines
// ---------------------------------------------------------------------------------------

struct ThreeIter {
    base: u64,
    i: u64,
}

impl Iterator for ThreeIter {
    type Item = u64;
    #[inline]
    fn next(&mut self) -> Option<u64> {
        (self.i < 3).then(|| {
            self.i += 1;
            self.base + self.i - 1
        })
    }
}

twins!(ours_three, ours_three_iter; { #[coroutine::coroutine(yield = u64)] fn (base: u64) {
    coroutine::yield_!(base);
    coroutine::yield_!(base + 1);
    coroutine::yield_!(base + 2);
} });

async fn genawaiter_three(co: genawaiter::stack::Co<'_, u64>, base: u64) {
    co.yield_(base).await;
    co.yield_(base + 1).await;
    co.yield_(base + 2).await;
}

#[next_gen::generator(yield(u64))]
fn next_gen_three(base: u64) {
    yield_!(base);
    yield_!(base + 1);
    yield_!(base + 2);
}

#[fauxgen::generator(yield = u64)]
fn fauxgen_three(base: u64) {
    r#yield!(base);
    r#yield!(base + 1);
    r#yield!(base + 2);
}

fn async_stream_three(base: u64) -> impl Stream<Item = u64> {
    async_stream::stream! {
        yield base;
        yield base + 1;
        yield base + 2;
    }
}

fn create_workload(n: u64) -> Workload {
    let expected = (0..n)
        .map(|b| [b, b + 1, b + 2].into_iter().fold(0, mix))
        .fold(0, mix);
    let each = |f: fn(u64) -> u64| move || (0..n).map(f).fold(0, mix);
    Workload {
        name: "create",
        unit: "coroutine",
        ops: n,
        cases: vec![
            case(
                "hand-written Iterator",
                each(|b| sum(ThreeIter { base: b, i: 0 })),
            ),
            case(
                "ours: stack-pinned",
                each(|b| {
                    let mut c = pin!(ours_three(b));
                    sum(c.as_mut().iter())
                }),
            ),
            case(
                "ours: IntoIterator",
                each(|b| sum(ours_three_iter(b).into_iter())),
            ),
            case(
                "ours: inline co!, stack-pinned",
                each(|b| {
                    let mut c = pin!(coroutine::co!(yield = u64, move || {
                        coroutine::yield_!(b);
                        coroutine::yield_!(b + 1);
                        coroutine::yield_!(b + 2);
                    }));
                    sum(c.as_mut().iter())
                }),
            ),
            // Without `yield = T` the types are only known after the body is checked,
            // too late to pick the plain mode: this one takes an identity.
            case(
                "ours: co!, yield type inferred",
                each(|b| {
                    let mut c = pin!(coroutine::co!(move || {
                        coroutine::yield_!(b);
                        coroutine::yield_!(b + 1);
                        coroutine::yield_!(b + 2);
                    }));
                    sum(c.as_mut().iter())
                }),
            ),
            case(
                "genawaiter (stack)",
                each(|b| {
                    genawaiter::stack::let_gen_using!(g, |co| genawaiter_three(co, b));
                    sum(g.into_iter())
                }),
            ),
            case(
                "next-gen",
                each(|b| {
                    next_gen::mk_gen!(let g = next_gen_three(b));
                    sum(g)
                }),
            ),
            case("fauxgen", each(|b| sum(pin!(fauxgen_three(b))))),
            case(
                "async-stream",
                each(|b| drain_stream(pin!(async_stream_three(b)))),
            ),
        ],
        expected,
    }
}

// ---------------------------------------------------------------------------------------
// stream: an async coroutine as a `Stream` of 0..n
// ---------------------------------------------------------------------------------------

/// The hand-written `Stream` baseline.
struct CountStream {
    i: u64,
    n: u64,
}

impl Stream for CountStream {
    type Item = u64;
    #[inline]
    fn poll_next(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Option<u64>> {
        Poll::Ready((self.i < self.n).then(|| {
            self.i += 1;
            self.i - 1
        }))
    }
}

twins!(ours_stream, ours_stream_exec, ours_stream_ours; { #[coroutine::coroutine(yield = u64)] async fn (n: u64) {
    for i in 0..n {
        coroutine::yield_!(i);
    }
} });

/// The same stream, generic over its item type with no `LifetimeFree` bound: such a
/// coroutine takes a run-time identity, as every coroutine whose types may hold
/// lifetimes does. Two copies, one per executor, as for the others.
#[coroutine::coroutine(yield = T)]
async fn ours_stream_identity_exec<T: From<u64>>(n: u64) {
    for i in 0..n {
        coroutine::yield_!(T::from(i));
    }
}

/// See [`ours_stream_identity_exec`].
#[coroutine::coroutine(yield = T)]
async fn ours_stream_identity_ours<T: From<u64>>(n: u64) {
    for i in 0..n {
        coroutine::yield_!(T::from(i));
    }
}

/// Makes a stream and consumes it inside an async block run by a real single-threaded
/// executor. Not inlined into the harness, so each stream's consumer is optimized as a
/// unit, as a program's would be.
#[inline(never)]
fn on_executor<S: Stream<Item = u64>>(make: impl FnOnce() -> S) -> u64 {
    futures_executor::block_on(consume(make))
}

/// The same on this workspace's `executor::block_on`.
#[inline(never)]
fn on_our_executor<S: Stream<Item = u64>>(make: impl FnOnce() -> S) -> u64 {
    executor::block_on(consume(make))
}

/// Makes a stream and folds its items, awaiting each.
async fn consume<S: Stream<Item = u64>>(make: impl FnOnce() -> S) -> u64 {
    {
        use futures_util::StreamExt;
        let mut s = pin!(make());
        let mut sum = 0u64;
        while let Some(x) = s.next().await {
            sum = mix(sum, x);
        }
        sum
    }
}

fn stream_workloads(n: u64) -> [Workload; 3] {
    let expected = (0..n).fold(0, mix);
    [
        Workload {
            name: "stream (no-op waker)",
            unit: "item",
            ops: n,
            cases: vec![
                case("hand-written Stream", move || {
                    drain_stream(pin!(CountStream { i: 0, n }))
                }),
                case("ours: async fn coroutine", move || {
                    drain_stream(pin!(ours_stream(n)))
                }),
                case("async-stream", move || {
                    drain_stream(pin!(async_stream_count(n)))
                }),
            ],
            expected,
        },
        Workload {
            name: "stream (futures executor)",
            unit: "item",
            ops: n,
            cases: vec![
                case("hand-written Stream", move || {
                    on_executor(|| CountStream { i: 0, n })
                }),
                case("ours: async fn coroutine", move || {
                    on_executor(|| ours_stream_exec(n))
                }),
                case("ours: with an identity", move || {
                    on_executor(|| ours_stream_identity_exec::<u64>(n))
                }),
                case("async-stream", move || {
                    on_executor(|| async_stream_count(n))
                }),
            ],
            expected,
        },
        Workload {
            name: "stream (executor::block_on)",
            unit: "item",
            ops: n,
            cases: vec![
                case("hand-written Stream", move || {
                    on_our_executor(|| CountStream { i: 0, n })
                }),
                case("ours: async fn coroutine", move || {
                    on_our_executor(|| ours_stream_ours(n))
                }),
                case("ours: with an identity", move || {
                    on_our_executor(|| ours_stream_identity_ours::<u64>(n))
                }),
                case("async-stream", move || {
                    on_our_executor(|| async_stream_count(n))
                }),
            ],
            expected,
        },
    ]
}

// ---------------------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------------------

/// One implementation of a workload: `run` does the whole workload once and returns a
/// checksum; `prepare(k)` makes the inputs of the next `k` runs before the clock starts.
struct Case {
    name: &'static str,
    prepare: Box<dyn FnMut(usize)>,
    run: Box<dyn FnMut() -> u64>,
}

fn case(name: &'static str, run: impl FnMut() -> u64 + 'static) -> Case {
    Case {
        name,
        prepare: Box::new(|_| {}),
        run: Box::new(run),
    }
}

/// A case that consumes an input made by `make`, outside the timed region.
fn case_with<T: 'static>(
    name: &'static str,
    make: impl Fn() -> T + 'static,
    run: impl Fn(T) -> u64 + 'static,
) -> Case {
    let inputs = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let filler = inputs.clone();
    Case {
        name,
        prepare: Box::new(move |k| filler.borrow_mut().extend((0..k).map(|_| make()))),
        run: Box::new(move || {
            let input = inputs.borrow_mut().pop().expect("prepared");
            run(input)
        }),
    }
}

struct Workload {
    name: &'static str,
    unit: &'static str,
    ops: u64,
    cases: Vec<Case>,
    expected: u64,
}

struct Measured {
    name: &'static str,
    min: f64,
    median: f64,
    allocs_per_op: f64,
}

fn measure(w: &mut Workload, samples: usize, runs_per_sample: usize) -> Vec<Measured> {
    // Warm up and check every case computes the same thing.
    for c in &mut w.cases {
        (c.prepare)(1);
        let got = (c.run)();
        assert_eq!(
            got, w.expected,
            "{} / {} computed a wrong checksum",
            w.name, c.name
        );
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); w.cases.len()];
    let mut allocs = vec![0u64; w.cases.len()];
    // Interleave cases sample by sample so drift in machine speed hits all alike.
    for _ in 0..samples {
        for (i, c) in w.cases.iter_mut().enumerate() {
            (c.prepare)(runs_per_sample);
            let a0 = allocations();
            let t0 = Instant::now();
            for _ in 0..runs_per_sample {
                black_box((c.run)());
            }
            let elapsed = t0.elapsed().as_secs_f64();
            allocs[i] = allocations() - a0;
            #[allow(clippy::cast_precision_loss)] // op counts are far below 2^52
            times[i].push(elapsed * 1e9 / (w.ops as f64 * runs_per_sample as f64));
        }
    }
    w.cases
        .iter()
        .zip(times)
        .zip(allocs)
        .map(|((c, mut t), a)| {
            t.sort_by(f64::total_cmp);
            #[allow(clippy::cast_precision_loss)]
            let allocs_per_op = a as f64 / (w.ops as f64 * runs_per_sample as f64);
            Measured {
                name: c.name,
                min: t[0],
                median: t[t.len() / 2],
                allocs_per_op,
            }
        })
        .collect()
}

/// `count` reaches the bar when ours is within `bar` of the baseline.
struct Bar {
    workload: &'static str,
    case: &'static str,
    max_ratio: f64,
}

const BARS: &[Bar] = &[
    Bar {
        workload: "count",
        case: "ours: stack-pinned resume",
        max_ratio: 1.1,
    },
    Bar {
        workload: "borrow",
        case: "ours: stack-pinned resume",
        max_ratio: 1.1,
    },
    Bar {
        workload: "resume",
        case: "ours: stack-pinned resume",
        max_ratio: 1.2,
    },
    Bar {
        workload: "create",
        case: "ours: stack-pinned",
        max_ratio: 4.0,
    },
    Bar {
        workload: "stream (no-op waker)",
        case: "ours: async fn coroutine",
        max_ratio: 1.5,
    },
    Bar {
        workload: "stream (futures executor)",
        case: "ours: async fn coroutine",
        max_ratio: 1.5,
    },
    Bar {
        workload: "stream (executor::block_on)",
        case: "ours: async fn coroutine",
        max_ratio: 1.5,
    },
];

/// The verdict on allocations per coroutine (bar: none).
fn zero_allocations(case: &str, m: &Measured) -> String {
    format!(
        "create  {:<26} {:.2} allocations per coroutine (bar: 0): {}",
        case,
        m.allocs_per_op,
        if m.allocs_per_op == 0.0 {
            "PASS"
        } else {
            "SHORT"
        }
    )
}

/// The inline form against the fn form, in the same run.
struct Relative {
    workload: &'static str,
    case: &'static str,
    against: &'static str,
    max_ratio: f64,
}

const RELATIVE: &[Relative] = &[
    Relative {
        workload: "count",
        case: "ours: inline co!, stack-pinned",
        against: "ours: stack-pinned resume",
        max_ratio: 1.1,
    },
    Relative {
        workload: "create",
        case: "ours: inline co!, stack-pinned",
        against: "ours: stack-pinned",
        max_ratio: 1.1,
    },
];

/// `--only stream` keeps the workloads whose name starts with `stream`.
fn keep_only_requested(workloads: &mut Vec<Workload>) {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--only") {
        let prefix = args
            .get(at + 1)
            .expect("--only takes a workload name prefix");
        workloads.retain(|w| w.name.starts_with(prefix.as_str()));
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (samples, scale) = if quick { (5, 10) } else { (21, 1) };
    let n = 100_000 / scale;
    let mut workloads = vec![
        count_workload(n),
        borrow_workload(),
        resume_workload(n),
        create_workload(n / 10),
    ];
    workloads.extend(stream_workloads(n));
    keep_only_requested(&mut workloads);
    println!("coroutine benchmark: {samples} samples per case, ratios against the first row");
    let mut verdicts = Vec::new();
    for w in &mut workloads {
        let results = measure(w, samples, 10);
        let base = &results[0];
        println!();
        println!("{} (ns/{}; allocations/{})", w.name, w.unit, w.unit);
        println!(
            "  {:<32} {:>9} {:>9} {:>8} {:>8} {:>8}",
            "", "min", "median", "min x", "med x", "allocs"
        );
        for m in &results {
            println!(
                "  {:<32} {:>9.3} {:>9.3} {:>8.2} {:>8.2} {:>8.2}",
                m.name,
                m.min,
                m.median,
                m.min / base.min,
                m.median / base.median,
                m.allocs_per_op
            );
        }
        for bar in BARS.iter().filter(|b| b.workload == w.name) {
            let m = results.iter().find(|m| m.name == bar.case).expect("case");
            let ratio = m.median / base.median;
            verdicts.push(format!(
                "{:<7} {:<26} median {:.2}x baseline (bar <= {:.1}x): {}",
                w.name,
                bar.case,
                ratio,
                bar.max_ratio,
                if ratio <= bar.max_ratio {
                    "PASS"
                } else {
                    "SHORT"
                }
            ));
            if w.name.starts_with("stream") {
                let peer = results
                    .iter()
                    .find(|m| m.name == "async-stream")
                    .expect("peer");
                let speedup = peer.median / m.median;
                verdicts.push(format!(
                    "{:<7} {:<26} {:.2}x faster than async-stream (bar >= 2x): {}",
                    w.name,
                    bar.case,
                    speedup,
                    if speedup >= 2.0 { "PASS" } else { "SHORT" }
                ));
            }
            if w.name == "create" {
                verdicts.push(zero_allocations(bar.case, m));
            }
        }
        for rel in RELATIVE.iter().filter(|r| r.workload == w.name) {
            let m = results.iter().find(|m| m.name == rel.case).expect("case");
            let other = results
                .iter()
                .find(|m| m.name == rel.against)
                .expect("case");
            let ratio = m.median / other.median;
            verdicts.push(format!(
                "{:<7} {:<26} median {:.2}x {} (bar <= {:.1}x): {}",
                w.name,
                rel.case,
                ratio,
                rel.against,
                rel.max_ratio,
                if ratio <= rel.max_ratio {
                    "PASS"
                } else {
                    "SHORT"
                }
            ));
            if w.name == "create" {
                verdicts.push(zero_allocations(rel.case, m));
            }
        }
    }
    println!();
    for v in verdicts {
        println!("{v}");
    }
}
