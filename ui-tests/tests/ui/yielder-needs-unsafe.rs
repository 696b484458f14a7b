// Making a yielder (and so a `yield_!` future) outside a coroutine needs `unsafe`.
fn main() {
    let y = coroutine::__private::Yielder::<u32, ()>::new();
    let _ = y.yield_(1);
}
