//! Worker threads are named `exec-worker-{index}`, which fits Linux's 15-byte limit on
//! thread names, so top, ps and perf show each worker's index. Read back from the kernel
//! (`/proc/self/task/*/comm`), in a test binary of its own so that no other executor's
//! workers are around.
#![cfg(target_os = "linux")]

use std::collections::BTreeSet;

use executor::Executor;

/// The kernel's names of this process's threads.
fn thread_names() -> Vec<String> {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|name| name.trim_end().to_owned())
        .collect()
}

#[test]
fn every_worker_shows_its_index_in_the_kernels_thread_name() {
    let ex = Executor::with_threads(13);
    // Each worker names itself when it starts: wait until all 13 have.
    let names: BTreeSet<String> = loop {
        let names: Vec<String> = thread_names()
            .into_iter()
            .filter(|n| n.starts_with("exec") && n.contains("worker"))
            .collect();
        if names.len() >= 13 {
            break names.into_iter().collect();
        }
        std::thread::yield_now();
    };
    let expected: BTreeSet<String> = (0..13).map(|i| format!("exec-worker-{i}")).collect();
    assert_eq!(names, expected);
    // The name a task sees is the kernel's, untruncated.
    let (rust, kernel) = ex.run(ex.spawn(async {
        let rust = std::thread::current().name().unwrap().to_owned();
        let kernel = std::fs::read_to_string("/proc/thread-self/comm").unwrap();
        (rust, kernel.trim_end().to_owned())
    }));
    assert_eq!(rust, kernel);
    assert!(expected.contains(&rust), "{rust}");
}
