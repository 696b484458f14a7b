//! Attacks on the expansion's internals, written as safe code only: each must end in a
//! defined panic (or work as a plain yield), never in undefined behaviour. The suite runs
//! under `AddressSanitizer` in `.ci/run`. See the `coroutine` crate's "Soundness" docs.
//!
//! The attribute rewrites a `yield_!(v)` found inside another macro's tokens to
//! `yield_!(@__coroutine_internal 'label, yielder, v)`, so a user macro can match those
//! tokens and do anything with the yielder and the label; and `#[doc(hidden)]` items can
//! be named. Everything reachable that way is checked at run time.
#![forbid(unsafe_code)]
#![allow(clippy::items_after_statements)]

use std::cell::RefCell;
use std::future::Future;
use std::num::NonZeroUsize;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::Mutex;
use std::task::{Context, Poll, Waker};

use coroutine::__private::{Plain, Yield};
use coroutine::{Coroutine, CoroutineState, yield_};
use tests::pending_once;

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("must panic");
    err.downcast_ref::<&str>()
        .map(ToString::to_string)
        .or_else(|| err.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

const OTHER_COROUTINE: &str =
    "a `yield_!` was polled inside another coroutine than the one it belongs to";
const OUTSIDE_COROUTINE: &str = "a `yield_!` was polled outside the coroutine it belongs to";
const OUTSIDE_BODY: &str =
    "a `yield_!` was polled outside its coroutine's body (it was moved out of it)";
const OTHER_THREAD: &str = "a `yield_!` was polled on another thread than its coroutine's step \
                            (or under a re-made `Context`)";
const AWAITED: &str = "a synchronous coroutine awaited a future that was not ready; \
                       `.await` needs an `async fn` coroutine";

/// Counts how many values were made and dropped.
#[derive(Default)]
struct Tally {
    made: usize,
    dropped: usize,
}

type Shared = Rc<RefCell<Tally>>;

struct Tracked(Shared);

impl Tracked {
    fn new(tally: &Shared) -> Self {
        tally.borrow_mut().made += 1;
        Tracked(tally.clone())
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.0.borrow_mut().dropped += 1;
    }
}

/// Turns the rewritten `yield_!` back into the bare yield future, which the caller can
/// then poll as it likes (the double-free reproducer, on today's API).
macro_rules! bare_yield {
    (yield_!(@__coroutine_internal $l:lifetime, $y:ident, $v:expr)) => {
        $y.yield_((), $v)
    };
}

/// `.await` out of the attribute's sight (it rejects a visible `.await` in a sync body).
macro_rules! aw {
    ($e:expr) => {
        $e.await
    };
}

#[coroutine::coroutine(yield = Tracked)]
fn polls_one_yield_twice(tally: Shared) {
    let y = bare_yield!(yield_!(Tracked::new(&tally)));
    let mut y = pin!(y);
    aw!(y.as_mut());
    aw!(y.as_mut());
    aw!(std::future::pending::<()>());
}

#[test]
fn a_yield_polled_twice_hands_its_value_out_once() {
    let tally = Shared::default();
    let mut c = pin!(polls_one_yield_twice(tally.clone()));
    match c.as_mut().resume(()) {
        CoroutineState::Yielded(t) => drop(t),
        CoroutineState::Complete(()) => panic!("must yield"),
    }
    // The completed yield future is polled again: it is still waiting for an argument,
    // and a sync body that waits is a defined panic.
    assert_eq!(
        panic_message(|| {
            let _ = c.as_mut().resume(());
        }),
        AWAITED
    );
    assert_eq!((tally.borrow().made, tally.borrow().dropped), (1, 1));
    assert_eq!(
        panic_message(|| {
            let _ = c.as_mut().resume(());
        }),
        "coroutine resumed after panicking"
    );
}

/// A word with no `LifetimeFree` impl: its coroutines take the mode with a run-time
/// identity, `NonZeroUsize`'s the plain one (checked by types alone).
#[derive(Debug, PartialEq)]
struct Word(NonZeroUsize);

/// A yield future made by one coroutine's yielder, for another to poll: one of each mode.
static STOLEN_PLAIN: Mutex<Option<Yield<NonZeroUsize, (), Plain>>> = Mutex::new(None);
static STOLEN_CHECKED: Mutex<Option<Yield<Word, ()>>> = Mutex::new(None);

macro_rules! steal_yield {
    ($into:ident, yield_!(@__coroutine_internal $l:lifetime, $y:ident, $v:expr)) => {
        *$into.lock().unwrap() = Some($y.yield_((), $v))
    };
}

#[coroutine::coroutine(yield = NonZeroUsize)]
fn lends_a_plain_yield() {
    steal_yield!(STOLEN_PLAIN, yield_!(NonZeroUsize::new(0x1234).unwrap()));
}

#[coroutine::coroutine(yield = Word)]
fn lends_a_checked_yield() {
    steal_yield!(
        STOLEN_CHECKED,
        yield_!(Word(NonZeroUsize::new(0x1234).unwrap()))
    );
}

/// Takes whichever yield future was stolen last.
fn take_stolen() -> Pin<Box<dyn Future<Output = ()>>> {
    match STOLEN_PLAIN.lock().unwrap().take() {
        Some(y) => Box::pin(y),
        None => Box::pin(STOLEN_CHECKED.lock().unwrap().take().unwrap()),
    }
}

/// Would read the stolen `NonZeroUsize` as a `&'static mut u64`.
#[coroutine::coroutine(yield = &'static mut u64)]
fn polls_a_stolen_yield_in_place(plain: bool) {
    if plain {
        let stolen = STOLEN_PLAIN.lock().unwrap().take().unwrap();
        let stolen = pin!(stolen);
        aw!(stolen);
    } else {
        let stolen = STOLEN_CHECKED.lock().unwrap().take().unwrap();
        let stolen = pin!(stolen);
        aw!(stolen);
    }
}

/// The same, polled where it lies (a box): outside any coroutine's body.
#[coroutine::coroutine(yield = &'static mut u64)]
fn polls_a_stolen_yield_boxed() {
    aw!(take_stolen());
}

/// Makes the yield future of the mode `plain` and leaves it in its static.
fn lend(plain: bool) {
    if plain {
        let mut lender = pin!(lends_a_plain_yield());
        assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
    } else {
        let mut lender = pin!(lends_a_checked_yield());
        assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
    }
}

#[test]
fn a_yield_moved_into_a_coroutine_of_other_types_panics_there() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for plain in [true, false] {
        lend(plain);
        let mut thief = pin!(polls_a_stolen_yield_in_place(plain));
        assert_eq!(
            panic_message(|| {
                let _ = thief.as_mut().resume(());
            }),
            OTHER_COROUTINE,
            "plain: {plain}"
        );

        lend(plain);
        let mut thief = pin!(polls_a_stolen_yield_boxed());
        assert_eq!(
            panic_message(|| {
                let _ = thief.as_mut().resume(());
            }),
            OUTSIDE_BODY,
            "plain: {plain}"
        );
    }
}

/// Polls the stolen plain yield in a coroutine of exactly its types.
#[coroutine::coroutine(yield = NonZeroUsize)]
fn polls_a_stolen_plain_yield_of_its_types() -> u32 {
    let stolen = STOLEN_PLAIN.lock().unwrap().take().unwrap();
    let stolen = pin!(stolen);
    aw!(stolen);
    7
}

/// The same with the checked yield.
#[coroutine::coroutine(yield = Word)]
fn polls_a_stolen_checked_yield_of_its_types() -> u32 {
    let stolen = STOLEN_CHECKED.lock().unwrap().take().unwrap();
    let stolen = pin!(stolen);
    aw!(stolen);
    7
}

#[test]
fn a_plain_yield_in_a_coroutine_of_its_own_types_yields_there() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    // With no lifetime in its types there is nothing to confuse: the value crosses
    // where the future is polled.
    lend(true);
    let mut host = pin!(polls_a_stolen_plain_yield_of_its_types());
    assert_eq!(
        host.as_mut().resume(()),
        CoroutineState::Yielded(NonZeroUsize::new(0x1234).unwrap())
    );
    assert_eq!(host.as_mut().resume(()), CoroutineState::Complete(7));

    // Where the types could hold lifetimes, the coroutine's identity is checked.
    lend(false);
    let mut host = pin!(polls_a_stolen_checked_yield_of_its_types());
    assert_eq!(
        panic_message(|| {
            let _ = host.as_mut().resume(());
        }),
        OTHER_COROUTINE
    );
}

/// Generic with no `LifetimeFree` bound: takes an identity even for `u64`.
#[coroutine::coroutine(yield = T)]
fn awaits_a_plain_yield<T>(stolen: Yield<T, (), Plain>) -> u8 {
    let stolen = pin!(stolen);
    aw!(stolen);
    9
}

#[test]
fn a_plain_yield_in_a_coroutine_with_an_identity_of_its_types_yields_there() {
    use coroutine::__private::{Pick, PickPlain, Yielder};
    let (_identity, yielder): (_, Yielder<u64, (), Plain>) =
        PickPlain::__coroutine_pair(&Pick::<u64, ()>::new());
    let mut host = pin!(awaits_a_plain_yield::<u64>(yielder.yield_((), 0xdead)));
    assert_eq!(host.as_mut().resume(()), CoroutineState::Yielded(0xdead));
    assert_eq!(host.as_mut().resume(()), CoroutineState::Complete(9));
}

#[test]
fn a_yield_polled_under_a_foreign_waker_panics() {
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for plain in [true, false] {
        lend(plain);
        let mut stolen = take_stolen();
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(
            panic_message(|| {
                let _ = stolen.as_mut().poll(&mut cx);
            }),
            OUTSIDE_COROUTINE,
            "plain: {plain}"
        );
    }
}

/// The tests sharing `STOLEN_PLAIN` and `STOLEN_CHECKED` run one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

/// Re-declares the body's label inside an `async` block, so the dead `break` of the
/// `yield_!` inside compiles there.
macro_rules! relabel {
    (yield_!(@__coroutine_internal $l:lifetime, $y:ident, $v:expr)) => {
        async move { $l: { coroutine::yield_!(@__coroutine_internal $l, $y, $v) } }
    };
}

#[coroutine::coroutine(yield = u32)]
fn yields_from_a_relabelled_block() -> u32 {
    let block = relabel!(yield_!(7));
    aw!(block);
    1
}

#[test]
fn a_relabelled_yield_awaited_in_its_own_body_is_a_plain_yield() {
    let mut c = pin!(yields_from_a_relabelled_block());
    assert_eq!(c.as_mut().resume(()), CoroutineState::Yielded(7));
    assert_eq!(c.as_mut().resume(()), CoroutineState::Complete(1));
}

thread_local! {
    static STOLEN_BLOCK: RefCell<Option<Pin<Box<dyn Future<Output = ()>>>>> =
        const { RefCell::new(None) };
}

#[coroutine::coroutine(yield = u32)]
fn lends_a_relabelled_block() {
    let block = relabel!(yield_!(7));
    STOLEN_BLOCK.with(|s| *s.borrow_mut() = Some(Box::pin(block)));
}

#[coroutine::coroutine(yield = String)]
fn polls_a_stolen_block() {
    let block = STOLEN_BLOCK.with(|s| s.borrow_mut().take()).unwrap();
    aw!(block);
}

#[test]
fn a_relabelled_yield_polled_elsewhere_panics() {
    let mut lender = pin!(lends_a_relabelled_block());
    assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
    let mut thief = pin!(polls_a_stolen_block());
    assert_eq!(
        panic_message(|| {
            let _ = thief.as_mut().resume(());
        }),
        OUTSIDE_BODY
    );
}

mod named_yield {
    //! A user macro named `yield_` receives the internal tokens directly.
    use super::{OTHER_COROUTINE, panic_message};
    use coroutine::__private::{Plain, Yielder};
    use coroutine::{Coroutine, CoroutineState};
    use std::cell::RefCell;
    use std::pin::pin;

    /// No `LifetimeFree` impl: the yielder carries the coroutine's identity.
    #[derive(Debug, PartialEq)]
    pub struct Word(u64);

    thread_local! {
        static STOLEN_YIELDER: RefCell<Option<Yielder<Word, ()>>> = const { RefCell::new(None) };
        static STOLEN_PLAIN: RefCell<Option<Yielder<u64, (), Plain>>> = const { RefCell::new(None) };
    }

    macro_rules! yield_ {
        // A `yield_!` written directly in the body gets the guard-free arm; one in
        // another macro's tokens the labeled one.
        (@__coroutine_direct $y:ident, Word($v:expr)) => {{
            let _ = $v;
            STOLEN_YIELDER.with(|s| *s.borrow_mut() = Some($y));
        }};
        (@__coroutine_direct $y:ident, $v:expr) => {{
            let _ = $v;
            STOLEN_PLAIN.with(|s| *s.borrow_mut() = Some($y));
        }};
        (@__coroutine_internal $l:lifetime, $y:ident, $v:expr) => {{
            let _ = $v;
            STOLEN_YIELDER.with(|s| *s.borrow_mut() = Some($y));
        }};
    }

    macro_rules! aw {
        ($e:expr) => {
            $e.await
        };
    }

    #[coroutine::coroutine(yield = Word)]
    fn gives_its_yielder_away() {
        yield_!(Word(1));
    }

    #[coroutine::coroutine(yield = Word)]
    fn yields_with_a_stolen_yielder() {
        let yielder = STOLEN_YIELDER.with(|s| s.borrow_mut().take()).unwrap();
        aw!(yielder.yield_((), Word(5)));
    }

    #[test]
    fn a_stolen_yielder_is_useless_elsewhere() {
        let mut lender = pin!(gives_its_yielder_away());
        assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
        let mut thief = pin!(yields_with_a_stolen_yielder());
        assert_eq!(
            panic_message(|| {
                let _ = thief.as_mut().resume(());
            }),
            OTHER_COROUTINE
        );
    }

    #[coroutine::coroutine(yield = u64)]
    fn gives_its_plain_yielder_away() {
        yield_!(1);
    }

    #[coroutine::coroutine(yield = u64)]
    fn yields_with_a_stolen_plain_yielder() -> u8 {
        let yielder = STOLEN_PLAIN.with(|s| s.borrow_mut().take()).unwrap();
        aw!(yielder.yield_((), 5));
        9
    }

    #[coroutine::coroutine(yield = u32)]
    fn yields_other_types_with_a_stolen_plain_yielder() {
        let yielder = STOLEN_PLAIN.with(|s| s.borrow_mut().take()).unwrap();
        aw!(yielder.yield_((), 5));
    }

    #[test]
    fn a_stolen_plain_yielder_works_only_for_its_own_types() {
        let mut lender = pin!(gives_its_plain_yielder_away());
        assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
        let mut host = pin!(yields_with_a_stolen_plain_yielder());
        assert_eq!(host.as_mut().resume(()), CoroutineState::Yielded(5));
        assert_eq!(host.as_mut().resume(()), CoroutineState::Complete(9));

        let mut lender = pin!(gives_its_plain_yielder_away());
        assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
        let mut thief = pin!(yields_other_types_with_a_stolen_plain_yielder());
        assert_eq!(
            panic_message(|| {
                let _ = thief.as_mut().resume(());
            }),
            OTHER_COROUTINE
        );
    }
}

mod lifetime_laundering {
    //! The plain mode (no run-time identity) is only for types without lifetimes: a
    //! yielder of `&'x str`, stolen and used in a coroutine of `&'static str`, would
    //! otherwise hand out a borrow of short-lived data as `&'static str` (the two types
    //! are the same with lifetimes erased). Such a yielder carries its identity.
    use super::{OTHER_COROUTINE, panic_message};
    use coroutine::__private::Yielder;
    #[allow(unused_imports, reason = "its one use is rewritten by the attribute")]
    use coroutine::yield_;
    use coroutine::{Coroutine, CoroutineState};
    use std::cell::RefCell;
    use std::pin::pin;

    type Slot<'x> = RefCell<Option<Yielder<&'x str, ()>>>;

    macro_rules! steal {
        ($slot:ident, yield_!(@__coroutine_internal $l:lifetime, $y:ident, $v:expr)) => {{
            let _ = $v;
            *$slot.borrow_mut() = Some($y);
        }};
    }

    macro_rules! aw {
        ($e:expr) => {
            $e.await
        };
    }

    #[coroutine::coroutine(yield = &'x str)]
    fn gives_its_yielder_away<'x>(slot: &'x Slot<'x>, data: &'x str) {
        steal!(slot, yield_!(data));
    }

    #[coroutine::coroutine(yield = &'static str)]
    fn launders<'x>(y: Yielder<&'x str, ()>, data: &'x str) {
        aw!(y.yield_((), data));
    }

    #[test]
    fn a_yielder_of_borrowed_data_is_useless_in_a_static_coroutine() {
        let slot = Slot::default();
        let data = String::from("short-lived");
        {
            let mut lender = pin!(gives_its_yielder_away(&slot, &data));
            assert_eq!(lender.as_mut().resume(()), CoroutineState::Complete(()));
        }
        let stolen = slot.borrow_mut().take().unwrap();
        let mut thief = pin!(launders(stolen, &data));
        assert_eq!(
            panic_message(|| {
                let _ = thief.as_mut().resume(());
            }),
            OTHER_COROUTINE
        );
    }
}

/// Hands the bare yield future to the body, for it to lend to another thread.
macro_rules! yield_on_another_thread {
    (yield_!(@__coroutine_internal $l:lifetime, $y:ident, $v:expr)) => {{
        let y = $y.yield_((), $v);
        let mut y = pin!(y);
        aw!(std::future::poll_fn(|cx| {
            let waker = cx.waker();
            std::thread::scope(|s| {
                s.spawn(|| {
                    let _ = y.as_mut().poll(&mut Context::from_waker(waker));
                })
                .join()
            })
            .map_err(|e| e.downcast_ref::<&str>().map(ToString::to_string))
            .map(|()| String::new())
            .map_or_else(|e| Poll::Ready(e.unwrap_or_default()), Poll::Ready)
        }))
    }};
}

#[coroutine::coroutine(yield = u64)]
async fn lends_a_yield_to_a_scoped_thread() -> String {
    yield_on_another_thread!(yield_!(3))
}

#[test]
fn a_yield_polled_on_another_thread_panics_there() {
    let mut c = pin!(lends_a_yield_to_a_scoped_thread());
    let mut cx = Context::from_waker(Waker::noop());
    let mut step = c.as_mut().resume(());
    let out = Pin::new(&mut step).poll(&mut cx);
    assert_eq!(
        out,
        Poll::Ready(CoroutineState::Complete(OTHER_THREAD.to_string()))
    );
}

mod redirected_crate {
    //! `crate = path` naming a "re-exporter" whose `Gen::new` keeps the body for itself.
    #![forbid(unsafe_code)]
    use super::{OTHER_COROUTINE, OUTSIDE_COROUTINE, panic_message};
    use coroutine::Coroutine;
    use std::future::Future;
    use std::marker::PhantomData;
    use std::pin::pin;
    use std::task::{Context, Waker};

    pub mod fake {
        pub use coroutine::yield_;

        /// What the fn "returns": the raw body.
        pub struct Gen<F, Y, A>(pub F, pub super::PhantomData<fn(A) -> Y>);

        pub mod __private {
            pub use coroutine::__private::{
                Future, Identity, Pick, PickChecked, PickPlain, Yielder,
            };

            pub struct Gen;

            impl Gen {
                #[allow(clippy::new_ret_no_self, reason = "the expansion calls it so")]
                pub fn new<F, Y, A>(_: Identity<Y, A>, body: F) -> super::Gen<F, Y, A> {
                    super::Gen(body, super::super::PhantomData)
                }
            }
        }
    }

    /// Would hand out a `&'static [u8; 4096]` made from anything.
    #[coroutine::coroutine(yield = &'static [u8; 4096], crate = fake)]
    fn forger() {
        fake::yield_!(&[0; 4096]);
    }

    /// The same with lifetime-free types (the plain mode): checked by types alone.
    #[coroutine::coroutine(yield = u64, crate = fake)]
    fn plain_forger() {
        fake::yield_!(0x1234);
    }

    #[coroutine::coroutine(yield = usize)]
    fn polls_the_raw_body<F: Future<Output = ()>>(body: F) {
        let body = pin!(body);
        aw!(body);
    }

    #[test]
    fn a_raw_body_polled_anywhere_else_panics() {
        let fake::Gen(body, _) = forger();
        let mut body = Box::pin(body);
        let mut cx = Context::from_waker(Waker::noop());
        assert_eq!(
            panic_message(|| {
                let _ = body.as_mut().poll(&mut cx);
            }),
            OUTSIDE_COROUTINE
        );

        let fake::Gen(body, _) = forger();
        let mut host = pin!(polls_the_raw_body(body));
        assert_eq!(
            panic_message(|| {
                let _ = host.as_mut().resume(());
            }),
            OTHER_COROUTINE
        );

        let fake::Gen(body, _) = plain_forger();
        let mut body = Box::pin(body);
        assert_eq!(
            panic_message(|| {
                let _ = body.as_mut().poll(&mut cx);
            }),
            OUTSIDE_COROUTINE
        );
        let fake::Gen(body, _) = plain_forger();
        let mut host = pin!(polls_the_raw_body(body));
        assert_eq!(
            panic_message(|| {
                let _ = host.as_mut().resume(());
            }),
            OTHER_COROUTINE
        );
    }
}

// ---------------------------------------------------------------------------------------
// Found in the same review: arguments, `poll_resume`, `iter` on a completed coroutine.
// ---------------------------------------------------------------------------------------

/// Records each argument the body receives.
#[coroutine::coroutine(yield = u32)]
async fn records_arguments(seen: Rc<RefCell<Vec<u32>>>, #[resume] first: u32) {
    let mut arg = first;
    loop {
        seen.borrow_mut().push(arg);
        pending_once().await;
        arg = yield_!(arg);
    }
}

#[test]
fn an_argument_sent_while_the_body_is_mid_step_is_handed_back() {
    let seen = Rc::new(RefCell::new(Vec::new()));
    let mut c = pin!(records_arguments(seen.clone()));
    let mut cx = Context::from_waker(Waker::noop());
    // a1 starts the body, which stops at its await: the step is abandoned.
    assert!(pin!(c.as_mut().resume(1)).poll(&mut cx).is_pending());
    // a2's step finishes that one: the body yields 1, and was not at a yield point for 2.
    let mut step = c.as_mut().resume(2);
    assert_eq!(
        Pin::new(&mut step).poll(&mut cx),
        Poll::Ready(CoroutineState::Yielded(1))
    );
    assert_eq!(step.take_arg(), Some(2), "handed back, not lost");
    // a3 reaches the yield point.
    let mut step = c.as_mut().resume(3);
    assert!(Pin::new(&mut step).poll(&mut cx).is_pending());
    assert_eq!(
        Pin::new(&mut step).poll(&mut cx),
        Poll::Ready(CoroutineState::Yielded(3))
    );
    assert_eq!(step.take_arg(), None, "delivered");
    assert_eq!(*seen.borrow(), [1, 3]);
}

/// An argument whose drop panics while armed.
struct PanicsOnDrop(Shared, bool);

impl PanicsOnDrop {
    fn disarm(&mut self) {
        self.1 = false;
    }
}

impl Drop for PanicsOnDrop {
    fn drop(&mut self) {
        self.0.borrow_mut().dropped += 1;
        assert!(!self.1, "argument dropped");
    }
}

#[coroutine::coroutine(yield = Tracked)]
async fn yields_tracked(tally: Shared, #[resume] first: PanicsOnDrop) {
    let mut arg = first;
    loop {
        arg.disarm();
        pending_once().await;
        arg = yield_!(Tracked::new(&tally));
    }
}

#[test]
fn a_handed_back_argument_whose_drop_panics_leaks_nothing() {
    let tally = Shared::default();
    let args = Shared::default();
    {
        let mut c = pin!(yields_tracked(tally.clone()));
        let mut cx = Context::from_waker(Waker::noop());
        let first = PanicsOnDrop(args.clone(), true);
        assert!(pin!(c.as_mut().resume(first)).poll(&mut cx).is_pending());
        let mut step = c.as_mut().resume(PanicsOnDrop(args.clone(), true));
        let Poll::Ready(CoroutineState::Yielded(value)) = Pin::new(&mut step).poll(&mut cx) else {
            panic!("must yield");
        };
        // The step handed its argument back: dropping it panics here, not in the step.
        assert_eq!(panic_message(|| drop(step)), "argument dropped");
        drop(value);
    }
    assert_eq!((tally.borrow().made, tally.borrow().dropped), (1, 1));
    assert_eq!(
        args.borrow().dropped,
        2,
        "the handed-back one, then the body's"
    );
}

#[test]
fn poll_resume_without_an_argument_where_one_is_awaited_is_a_clear_panic() {
    use coroutine::AsyncCoroutine;
    const MISSING: &str = "a coroutine step without a resume argument (`poll_resume` with \
                           `&mut None`) while the coroutine waits for one, at its start or \
                           at a yield point (or, for an `async fn` coroutine, after its body \
                           panicked)";
    let seen = Rc::new(RefCell::new(Vec::new()));
    let mut c = pin!(records_arguments(seen.clone()));
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(
        panic_message(|| {
            let _ = c.as_mut().poll_resume(&mut cx, &mut None);
        }),
        MISSING
    );
    // The coroutine is not poisoned: it starts when given its argument.
    let mut arg = Some(1);
    assert!(c.as_mut().poll_resume(&mut cx, &mut arg).is_pending());
    assert_eq!(arg, None);
    // Mid-step, polling on without an argument is right.
    assert_eq!(
        c.as_mut().poll_resume(&mut cx, &mut None),
        Poll::Ready(CoroutineState::Yielded(1))
    );
    // At the yield point, an argument is needed again.
    assert_eq!(
        panic_message(|| {
            let _ = c.as_mut().poll_resume(&mut cx, &mut None);
        }),
        MISSING
    );
    assert_eq!(*seen.borrow(), [1]);
}

#[coroutine::coroutine(yield = u8)]
fn one_two() -> &'static str {
    yield_!(1);
    yield_!(2);
    "end"
}

#[test]
fn iterating_a_completed_coroutine_yields_nothing_as_its_stream_does() {
    let mut c = pin!(one_two());
    assert_eq!(c.as_mut().iter().collect::<Vec<_>>(), [1, 2]);
    let mut it = c.as_mut().iter();
    assert_eq!(it.next(), None);
    assert!(it.is_complete());
    let mut cx = Context::from_waker(Waker::noop());
    assert_eq!(
        futures_core::Stream::poll_next(c.as_mut(), &mut cx),
        Poll::Ready(None)
    );
}
