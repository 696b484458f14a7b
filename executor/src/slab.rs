//! [`Slab`]: an executor's table of live tasks, which lets its `Drop` reach every task
//! that has not completed (a task waiting for a wake-up is referenced only by its
//! wakers, which its own future may hold).

use std::ptr::NonNull;

use crate::task::raw::Header;

/// Task pointers with a free list. Each filled slot stands for one reference to its
/// task, owned by the table's executor.
#[derive(Default)]
pub(crate) struct Slab {
    /// A task, or null for a free slot.
    slots: Vec<*const Header>,
    /// The indices of the free slots.
    free: Vec<u32>,
}

impl Slab {
    /// Records `task` in a free slot and returns the slot.
    pub(crate) fn insert(&mut self, task: NonNull<Header>) -> u32 {
        if let Some(slot) = self.free.pop() {
            self.slots[slot as usize] = task.as_ptr();
            return slot;
        }
        let slot = u32::try_from(self.slots.len()).expect("more than 2^32 live tasks");
        self.slots.push(task.as_ptr());
        slot
    }

    /// Frees `slot` if it still holds `task`, and says whether it did (whether the
    /// table's reference is the caller's to give up now). It does not once
    /// [`take_all`](Self::take_all) has taken the task.
    pub(crate) fn remove(&mut self, slot: u32, task: NonNull<Header>) -> bool {
        let entry = &mut self.slots[slot as usize];
        if !std::ptr::eq(*entry, task.as_ptr()) {
            return false;
        }
        *entry = std::ptr::null();
        self.free.push(slot);
        true
    }

    /// The task in slot `index`, and whether `index` is past the end of the table.
    pub(crate) fn get(&self, index: usize) -> (Option<NonNull<Header>>, bool) {
        match self.slots.get(index) {
            Some(&task) => (NonNull::new(task.cast_mut()), false),
            None => (None, true),
        }
    }

    /// Empties the table for good (no slot is reused) and hands over the tasks, with
    /// the table's references.
    pub(crate) fn take_all(&mut self) -> Vec<NonNull<Header>> {
        self.free.clear();
        self.slots
            .iter_mut()
            .filter_map(|slot| NonNull::new(std::mem::replace(slot, std::ptr::null()).cast_mut()))
            .collect()
    }
}
