//! Timers must fire while a run loop's *main future* keeps itself busy (it yields in a
//! loop, so the loop always has it to poll and never goes idle), with no other thread
//! driving timers: this binary holds only these tests, and none of them parks.
//!
//! Regression tests: `block_on` and `LocalExecutor::run` once fired timers only when they
//! parked, so a main future that woke itself in a loop starved every timer of its
//! thread. Both loops now fire due timers before re-polling a main future that woke
//! itself (one atomic load when no timer exists).

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Wake, Waker};
use std::time::{Duration, Instant};

use executor::{LocalExecutor, block_on, sleep, yield_now};

#[test]
fn timers_fire_while_the_main_future_of_run_spins() {
    // The main future yields in a loop (so the run loop always has it to poll) while a
    // spawned task sleeps: the sleeper must still be woken. Bounded: fails after 10 s.
    let ex = LocalExecutor::new();
    let woke = Rc::new(Cell::new(false));
    {
        let woke = woke.clone();
        ex.spawn(async move {
            sleep(Duration::from_millis(1)).await;
            woke.set(true);
        })
        .detach();
    }
    let give_up = Instant::now() + Duration::from_secs(10);
    let woke_in_time = ex.run(async {
        while !woke.get() && Instant::now() < give_up {
            yield_now().await;
        }
        woke.get()
    });
    assert!(
        woke_in_time,
        "the sleeping task starved behind a spinning main future"
    );
}

#[test]
fn timers_fire_while_the_main_future_of_block_on_spins() {
    // `block_on`'s future spins on `yield_now` while a timer registered by it must fire.
    let woke = Arc::new(AtomicBool::new(false));
    let give_up = Instant::now() + Duration::from_secs(10);
    let woke_in_time = block_on(async {
        // 50 ms: still pending at the first poll even on a loaded machine.
        let mut nap = Box::pin(sleep(Duration::from_millis(50)));
        let flag = woke.clone();
        // Register the timer with a waker that only sets the flag (the sleep is not
        // polled again, so only the driver can fire it).
        let waker = Waker::from(Arc::new(FlagWaker(flag)));
        assert!(
            nap.as_mut()
                .poll(&mut Context::from_waker(&waker))
                .is_pending()
        );
        while !woke.load(Ordering::SeqCst) && Instant::now() < give_up {
            yield_now().await;
        }
        woke.load(Ordering::SeqCst)
    });
    assert!(
        woke_in_time,
        "the timer starved behind a spinning block_on future"
    );
}

/// Sets its flag when woken.
struct FlagWaker(Arc<AtomicBool>);

impl Wake for FlagWaker {
    fn wake(self: Arc<Self>) {
        self.0.store(true, Ordering::SeqCst);
    }
}
