//! E6: the cost of a timer that is registered and then cancelled, the common life of a
//! `timeout` around an operation that completes in time. No bar: for information.

use std::rc::Rc;
use std::time::Duration;

use futures_lite::FutureExt;

use crate::report::{Bar, Bench};
use crate::{Contestants, TIMEOUTS, YIELD_TASKS, bench};

/// How long each timeout would wait: never reached.
const HOUR: Duration = Duration::from_secs(60 * 60);

/// The E6 workload.
pub(crate) fn benches() -> Vec<Bench> {
    vec![bench(
        "E6 timeout",
        "100 tasks x 1000 timeout(1 h, yield_now()): register + cancel a timer; ns/timeout",
        YIELD_TASKS * TIMEOUTS,
        Bar::Info,
        e6(),
    )]
}

fn e6() -> Contestants {
    let ours = executor::LocalExecutor::new();
    let tokio = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("tokio runtime");
    let smol = Rc::new(async_executor::LocalExecutor::new());
    vec![
        (
            "executor::LocalExecutor + executor::timeout (ours)",
            Box::new(move || {
                ours.run(async {
                    let tasks: Vec<_> = (0..YIELD_TASKS)
                        .map(|_| {
                            ours.spawn(async {
                                for _ in 0..TIMEOUTS {
                                    executor::timeout(HOUR, executor::yield_now())
                                        .await
                                        .expect("in time");
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await;
                    }
                });
            }),
        ),
        (
            "tokio current_thread + tokio::time::timeout",
            Box::new(move || {
                tokio.block_on(async {
                    let tasks: Vec<_> = (0..YIELD_TASKS)
                        .map(|_| {
                            tokio::spawn(async {
                                for _ in 0..TIMEOUTS {
                                    tokio::time::timeout(HOUR, executor::yield_now())
                                        .await
                                        .expect("in time");
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await.expect("no panic");
                    }
                });
            }),
        ),
        (
            "async-executor LocalExecutor + async-io Timer",
            Box::new(move || {
                futures_lite::future::block_on(smol.run(async {
                    let tasks: Vec<_> = (0..YIELD_TASKS)
                        .map(|_| {
                            smol.spawn(async {
                                for _ in 0..TIMEOUTS {
                                    async {
                                        executor::yield_now().await;
                                        Some(())
                                    }
                                    .or(async {
                                        async_io::Timer::after(HOUR).await;
                                        None
                                    })
                                    .await
                                    .expect("in time");
                                }
                            })
                        })
                        .collect();
                    for t in tasks {
                        t.await;
                    }
                }));
            }),
        ),
    ]
}
