//! [`LifetimeFree`]: the types whose coroutines take the `Plain` mode (see
//! `channel.rs`), and skip the run-time identity.

/// A type that names no lifetime at all, not even `'static`, in itself or in any type
/// it is made of.
///
/// A coroutine whose yield and resume types both implement it is made in a faster mode
/// (chosen by the attribute, at compile time): its `yield_!`s prove that they belong to
/// it by their types alone, a check the compiler folds away, instead of by an identity
/// loaded from the coroutine's memory. This matters most for streams polled by an
/// executor. Other coroutines behave exactly the same, with the run-time identity.
///
/// Implemented for the primitive types, `String`, and the standard containers and
/// tuples of lifetime-free types (`Box<str>` and `Box<[T]>` too). References, trait
/// objects (`dyn Trait` has a lifetime, often an implicit `'static`) and function
/// pointers are not.
///
/// It requires `Sized`: a trait object implements its trait's supertraits by itself,
/// with no `impl` written, so a user trait `Tr<'a>: LifetimeFree` would otherwise make
/// `dyn Tr<'x>` lifetime-free for every `'x`. With `Sized` as a supertrait, such a
/// trait has no objects.
///
/// # Safety
///
/// `Self` must contain no lifetime: no lifetime parameter, no reference, no trait
/// object, no function pointer, and every type parameter it is instantiated with must
/// be `LifetimeFree` too. (A yield of such a type is recognised by its type identity
/// with lifetimes erased; a type with a lifetime would be confused with its variants
/// of other lifetimes.) A struct or enum of your own with no lifetime parameter
/// qualifies whatever its fields are, as long as its type parameters are bounded by
/// `LifetimeFree`:
///
/// ```
/// # use coroutine::LifetimeFree;
/// struct Event { name: String, payload: &'static [u8] }
/// // SAFETY: `Event` has no lifetime parameter (a field's `'static` is not part of
/// // the type `Event`).
/// unsafe impl LifetimeFree for Event {}
///
/// struct Tagged<T>(u32, T);
/// // SAFETY: no lifetime parameter, and `T` is bounded.
/// unsafe impl<T: LifetimeFree> LifetimeFree for Tagged<T> {}
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` may hold a lifetime, so it is not `LifetimeFree`",
    label = "not known to be free of lifetimes",
    note = "references, trait objects and function pointers hold lifetimes (even `'static` ones); a type of your own without lifetime parameters can implement `LifetimeFree` with `unsafe impl` (see its safety section)"
)]
pub unsafe trait LifetimeFree: 'static + Sized {}

macro_rules! lifetime_free {
    ($($ty:ty),* $(,)?) => {
        $(
            // SAFETY: a type without lifetime parameters, whose type arguments (if
            // any) are lifetime-free.
            unsafe impl LifetimeFree for $ty {}
        )*
    };
}

lifetime_free! {
    (), bool, char,
    u8, u16, u32, u64, u128, usize,
    i8, i16, i32, i64, i128, isize,
    f32, f64,
    core::num::NonZero<u8>, core::num::NonZero<u16>, core::num::NonZero<u32>,
    core::num::NonZero<u64>, core::num::NonZero<u128>, core::num::NonZero<usize>,
    core::num::NonZero<i8>, core::num::NonZero<i16>, core::num::NonZero<i32>,
    core::num::NonZero<i64>, core::num::NonZero<i128>, core::num::NonZero<isize>,
    core::convert::Infallible,
    core::cmp::Ordering,
    core::time::Duration,
    core::sync::atomic::AtomicBool,
    core::sync::atomic::AtomicUsize,
    core::sync::atomic::AtomicIsize,
    core::sync::atomic::AtomicU32,
    core::sync::atomic::AtomicI32,
    core::sync::atomic::AtomicU64,
    core::sync::atomic::AtomicI64,
}

macro_rules! lifetime_free_of {
    ($($ty:ident$(::$path:ident)* <$($p:ident),*>),* $(,)?) => {
        $(
            // SAFETY: no lifetime parameter, and every type parameter is bounded.
            unsafe impl<$($p: LifetimeFree),*> LifetimeFree for $ty$(::$path)*<$($p),*> {}
        )*
    };
}

lifetime_free_of! {
    core::option::Option<T>,
    core::result::Result<T, E>,
    core::num::Wrapping<T>,
    core::num::Saturating<T>,
    core::cmp::Reverse<T>,
    core::cell::Cell<T>,
    core::cell::RefCell<T>,
    core::marker::PhantomData<T>,
    core::mem::ManuallyDrop<T>,
    core::ops::Range<T>,
    core::ops::RangeInclusive<T>,
    core::task::Poll<T>,
}

// SAFETY: no lifetime parameter, and the element type is bounded; `N` is a value.
unsafe impl<T: LifetimeFree, const N: usize> LifetimeFree for [T; N] {}

macro_rules! lifetime_free_tuples {
    ($(($($p:ident),+)),* $(,)?) => {
        $(
            // SAFETY: a tuple of bounded types.
            unsafe impl<$($p: LifetimeFree),+> LifetimeFree for ($($p,)+) {}
        )*
    };
}

lifetime_free_tuples! {
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H),
}

#[cfg(feature = "alloc")]
mod alloc_types {
    use super::LifetimeFree;
    extern crate alloc;

    lifetime_free! {
        alloc::string::String,
        alloc::boxed::Box<str>,
        alloc::rc::Rc<str>,
        alloc::sync::Arc<str>,
    }

    // SAFETY: no lifetime parameter, and the element type is bounded.
    unsafe impl<T: LifetimeFree> LifetimeFree for alloc::boxed::Box<[T]> {}
    // SAFETY: as for `Box<[T]>`.
    unsafe impl<T: LifetimeFree> LifetimeFree for alloc::rc::Rc<[T]> {}
    // SAFETY: as for `Box<[T]>`.
    unsafe impl<T: LifetimeFree> LifetimeFree for alloc::sync::Arc<[T]> {}

    lifetime_free_of! {
        alloc::boxed::Box<T>,
        alloc::rc::Rc<T>,
        alloc::sync::Arc<T>,
        alloc::vec::Vec<T>,
        alloc::collections::VecDeque<T>,
        alloc::collections::BTreeMap<K, V>,
        alloc::collections::BTreeSet<T>,
        alloc::collections::BinaryHeap<T>,
    }
}

#[cfg(feature = "std")]
mod std_types {
    use super::LifetimeFree;
    extern crate std;

    lifetime_free! {
        std::ffi::OsString,
        std::ffi::CString,
        std::path::PathBuf,
        std::io::Error,
        std::time::Instant,
        std::time::SystemTime,
        std::net::IpAddr,
        std::net::SocketAddr,
    }

    lifetime_free_of! {
        std::collections::HashMap<K, V, S>,
        std::collections::HashSet<T, S>,
        std::sync::Mutex<T>,
        std::sync::RwLock<T>,
    }
}
