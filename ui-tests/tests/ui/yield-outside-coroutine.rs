fn main() {
    coroutine::yield_!(1);
}
