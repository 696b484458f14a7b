trait Source {
    #[coroutine::coroutine(yield = u8)]
    fn items(&self);
}

fn main() {}
