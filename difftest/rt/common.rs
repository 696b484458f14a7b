//! The runtime shared by both sides of a difftest scratch crate (written there as
//! `src/rt.rs`). Everything that logs goes through `log`; a program's trace is the log
//! of one `run`.
#![allow(dead_code)]

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

thread_local! {
    static LOG: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

pub fn log(line: impl Into<String>) {
    let line = line.into();
    LOG.with(|l| l.borrow_mut().push(line));
}

pub fn take_log() -> Vec<String> {
    LOG.with(|l| std::mem::take(&mut *l.borrow_mut()))
}

/// The drop tracer: logs its creation and its drop.
pub struct Tracer(pub u32, pub u32);

impl Tracer {
    pub fn new(id: u32, v: u32) -> Tracer {
        log(format!("new {id}"));
        Tracer(id, v % 1000)
    }
}

impl Drop for Tracer {
    fn drop(&mut self) {
        // 1999 is the argument of the resume after the end: a native coroutine leaks
        // it (it panics before the argument is dropped), so its drop is not traced.
        if self.0 != 1999 {
            log(format!("drop {}", self.0));
        }
    }
}

/// The receiver of method coroutines.
pub struct H {
    pub t: Tracer,
    pub n: u32,
}

pub fn log_val(v: u32) {
    log(format!("val {v}"));
}

pub fn peek(t: &Tracer) -> u32 {
    log(format!("peek {}", t.0));
    t.1
}

pub fn pass(t: Tracer) -> Tracer {
    log(format!("pass {}", t.0));
    t
}

pub fn consume(t: Tracer) {
    log(format!("consume {}", t.0));
}

pub fn mix(a: u32, b: u32) -> u32 {
    (a * 3 + b) % 1000
}

pub fn sum(v: Vec<u32>) -> u32 {
    v.iter().sum::<u32>() % 1000
}

pub fn strlen(s: String) -> u32 {
    log(format!("str {s}"));
    s.len() as u32
}

pub fn check(x: u32) -> Result<u32, Tracer> {
    if x % 5 == 4 { Err(Tracer::new(800, x)) } else { Ok(x) }
}

pub fn checkt(t: Tracer) -> Result<Tracer, Tracer> {
    if t.1 % 5 == 4 { Err(t) } else { Ok(t) }
}

pub fn explode(id: u32, x: u32) -> u32 {
    if x % 4 == 1 {
        panic!("boom {id}");
    }
    x
}

/// `Pending` once (waking), then its value.
pub struct PendingOnce<T>(Option<T>, bool);

impl<T> Unpin for PendingOnce<T> {}

impl<T> Future for PendingOnce<T> {
    type Output = T;
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let this = self.get_mut();
        if this.1 {
            Poll::Ready(this.0.take().expect("PendingOnce polled after completion"))
        } else {
            this.1 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

pub fn pending_once<T>(v: T) -> PendingOnce<T> {
    PendingOnce(Some(v), false)
}

pub fn ready<T>(v: T) -> std::future::Ready<T> {
    std::future::ready(v)
}

/// Polls `fut` to completion with a no-op waker (every pending future here wakes itself).
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..100_000 {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
    }
    panic!("difftest: a future stayed pending for 100000 polls");
}

/// One step of a coroutine, whichever way the driver took it.
pub enum St<Y, R> {
    Y(Y),
    R(R),
}

pub trait Show {
    fn show(&self) -> String;
}

impl Show for u32 {
    fn show(&self) -> String {
        self.to_string()
    }
}

impl Show for () {
    fn show(&self) -> String {
        "()".into()
    }
}

impl Show for Tracer {
    fn show(&self) -> String {
        format!("T{}/{}", self.0, self.1)
    }
}

impl Show for Box<dyn Show> {
    fn show(&self) -> String {
        format!("Box({})", (**self).show())
    }
}

impl<T: Show, E: Show> Show for Result<T, E> {
    fn show(&self) -> String {
        match self {
            Ok(v) => format!("Ok({})", v.show()),
            Err(e) => format!("Err({})", e.show()),
        }
    }
}

pub fn panic_msg(p: &Box<dyn Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string payload>".into()
    }
}

/// What a resume after the end showed: the expected phrase, or what happened instead.
/// The native side accepts any panic after a panic (its message differs).
pub fn after_end(native: bool, phrase: &str, result: Result<String, Box<dyn Any + Send>>) -> String {
    match result {
        Ok(state) => format!("again: no panic, got {state}"),
        Err(p) => {
            let msg = panic_msg(&p);
            if msg.contains(phrase) || (native && phrase == "resumed after panicking") {
                format!("again: panicked ({phrase})")
            } else {
                format!("again: panicked with unexpected message: {msg}")
            }
        }
    }
}

macro_rules! impl_main {
    ($($idx:literal => $m:ident),* $(,)?) => {
        pub fn main_impl() {
            std::panic::set_hook(Box::new(|_| {}));
            let only: Vec<usize> = std::env::args().skip(1).map(|a| a.parse().expect("index")).collect();
            let progs: &[(usize, fn() -> Vec<String>)] = &[$(($idx, crate::$m::run)),*];
            for &(idx, run) in progs {
                if only.is_empty() || only.contains(&idx) {
                    println!("=== {idx}");
                    for line in run() {
                        println!("{line}");
                    }
                    println!("=== end {idx}");
                }
            }
        }
    };
}
pub(crate) use impl_main;
