// Wrapping an arbitrary future as a coroutine body (which could poll `yield_!` futures of
// other types) needs `unsafe`: only the macro's expansion does it.
fn main() {
    let _g = coroutine::__private::Gen::<_, u32, ()>::new(async {});
}
