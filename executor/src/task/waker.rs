//! The task's own waker: a `RawWaker` whose data pointer is the task header.
//!
//! Cloning adds a reference to the task (one `fetch_add`), dropping releases one. Waking
//! runs [`State::transition_to_notified_by_ref`](super::state::State) and, when the
//! state says so, hands a `Runnable` to the task's scheduler. No allocation, no `Arc`.

use std::ptr::NonNull;
use std::task::{RawWaker, RawWakerVTable};

use super::raw::Header;
use super::state::{Notify, NotifyByVal};

static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, wake, wake_by_ref, drop_waker);

/// A `RawWaker` for the task at `ptr`, which does *not* add a reference: the caller lends
/// one (wrap the `Waker` in `ManuallyDrop`) or gives one up.
///
/// # Safety
///
/// `ptr` points to a live task header, and stays live while the waker is in use.
pub(crate) unsafe fn raw(ptr: NonNull<Header>) -> RawWaker {
    RawWaker::new(ptr.as_ptr().cast_const().cast(), &VTABLE)
}

/// # Safety
///
/// `data` is the header pointer of a waker made by [`raw`], which owns or borrows a
/// reference, so the header is live.
unsafe fn header<'a>(data: *const ()) -> &'a Header {
    // SAFETY: see the function's contract.
    unsafe { &*data.cast::<Header>() }
}

/// Clones the waker: one more reference to the task.
///
/// # Safety
///
/// `data` is the header pointer of a waker made by [`raw`] that owns one reference to
/// the task (the `RawWakerVTable` contract: called by `Waker` on a waker it owns), or
/// borrows one for the duration of the call.
unsafe fn clone(data: *const ()) -> RawWaker {
    // SAFETY: the waker being cloned keeps the task alive.
    unsafe { header(data) }.state.ref_inc();
    RawWaker::new(data, &VTABLE)
}

/// Wakes by value: the waker's reference moves to the new `Runnable`, or is released.
///
/// Once the transition has released the reference, another thread may free the task at
/// any moment: everything needed afterwards (the vtable) is read *before* it.
///
/// # Safety
///
/// `data` is the header pointer of a waker made by [`raw`] that owns one reference to
/// the task (the `RawWakerVTable` contract: called by `Waker` on a waker it owns),
/// which this call consumes.
unsafe fn wake(data: *const ()) {
    // SAFETY: this waker's reference keeps the task alive until the transition below.
    let header = unsafe { header(data) };
    let vtable = header.vtable();
    let action = header.state.transition_to_notified_by_val();
    // SAFETY: `data` is a non-null header pointer (made by `raw`).
    let ptr = unsafe { NonNull::new_unchecked(data.cast_mut().cast::<Header>()) };
    match action {
        // SAFETY: the waker's reference moved to the new `Runnable`, which keeps the task
        // alive until the scheduler has it.
        NotifyByVal::Submit => unsafe { (vtable.schedule)(ptr) },
        // The reference is gone: the task must not be touched any more.
        NotifyByVal::DoNothing => {}
        // SAFETY: the waker's reference was the last one.
        NotifyByVal::Dealloc => unsafe { (vtable.dealloc)(ptr) },
    }
}

/// Wakes by reference: the waker keeps its reference; a new `Runnable` gets one of its
/// own.
///
/// # Safety
///
/// `data` is the header pointer of a waker made by [`raw`] that owns one reference to
/// the task (the `RawWakerVTable` contract: called by `Waker` on a waker it owns), or
/// borrows one for the duration of the call.
unsafe fn wake_by_ref(data: *const ()) {
    // SAFETY: the waker keeps the task alive for this call (it keeps its reference).
    let header = unsafe { header(data) };
    match header.state.transition_to_notified_by_ref() {
        Notify::Submit => {
            let vtable = header.vtable();
            // SAFETY: the transition counted a reference for the new `Runnable`; `data`
            // is a non-null header pointer.
            unsafe { (vtable.schedule)(NonNull::new_unchecked(data.cast_mut().cast())) }
        }
        Notify::DoNothing => {}
    }
}

/// Releases the waker's reference. As in [`wake`], the vtable is read before the
/// reference is given up.
///
/// # Safety
///
/// `data` is the header pointer of a waker made by [`raw`] that owns one reference to
/// the task (the `RawWakerVTable` contract: called by `Waker` on a waker it owns),
/// which this call releases.
unsafe fn drop_waker(data: *const ()) {
    // SAFETY: the waker's reference keeps the task alive until released below.
    let header = unsafe { header(data) };
    let vtable = header.vtable();
    if header.state.ref_dec(1) {
        // SAFETY: that was the last reference; `data` is a non-null header pointer.
        unsafe { (vtable.dealloc)(NonNull::new_unchecked(data.cast_mut().cast())) }
    }
}
