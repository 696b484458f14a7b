fn main() {
    let _ = coroutine::yield_from!(std::iter::empty::<u8>());
}
