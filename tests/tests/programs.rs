//! Programs people write with coroutines, each checked end to end. The crate docs'
//! guide shows them.
#![deny(warnings)]

use std::pin::pin;

use coroutine::{Coroutine, CoroutineState, yield_, yield_from};

// ---------------------------------------------------------------------------------------
// A lexer whose tokens borrow the input.
// ---------------------------------------------------------------------------------------

#[derive(Debug, PartialEq, Eq)]
enum Token<'a> {
    Word(&'a str),
    Number(u64),
    Punct(char),
}

#[coroutine::coroutine(yield = Token<'a>)]
fn lex<'a>(src: &'a str) -> usize {
    let mut count = 0;
    let mut rest = src.trim_start();
    while let Some(c) = rest.chars().next() {
        let len = if c.is_alphabetic() {
            let len = rest
                .find(|c: char| !c.is_alphanumeric())
                .unwrap_or(rest.len());
            yield_!(Token::Word(&rest[..len]));
            len
        } else if c.is_ascii_digit() {
            let len = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            yield_!(Token::Number(rest[..len].parse().expect("digits")));
            len
        } else {
            yield_!(Token::Punct(c));
            c.len_utf8()
        };
        count += 1;
        rest = rest[len..].trim_start();
    }
    count
}

#[test]
fn a_lexer_yields_tokens_that_borrow_the_input() {
    let src = String::from("let x = 42;");
    let mut tokens = lex(&src).into_iter();
    assert_eq!(
        tokens.by_ref().collect::<Vec<_>>(),
        [
            Token::Word("let"),
            Token::Word("x"),
            Token::Punct('='),
            Token::Number(42),
            Token::Punct(';'),
        ]
    );
    assert_eq!(tokens.take_return(), Some(5));
}

// ---------------------------------------------------------------------------------------
// An in-order walk of a tree, recursing through `yield_from!(Box::pin(..))`.
// ---------------------------------------------------------------------------------------

enum Tree {
    Leaf,
    Node(Box<Tree>, u32, Box<Tree>),
}

impl Tree {
    fn node(left: Tree, value: u32, right: Tree) -> Tree {
        Tree::Node(Box::new(left), value, Box::new(right))
    }

    /// The values in order; completes with their count.
    #[coroutine::coroutine(yield = &u32)]
    fn in_order(&self) -> usize {
        match self {
            Tree::Leaf => 0,
            Tree::Node(left, value, right) => {
                let before = yield_from!(Box::pin(left.in_order()));
                yield_!(value);
                let after = yield_from!(Box::pin(right.in_order()));
                before + 1 + after
            }
        }
    }
}

#[test]
fn an_in_order_tree_walk() {
    use Tree::Leaf;
    let tree = Tree::node(
        Tree::node(Leaf, 1, Tree::node(Leaf, 2, Leaf)),
        3,
        Tree::node(Leaf, 4, Leaf),
    );
    let mut walk = tree.in_order().into_iter();
    assert_eq!(walk.by_ref().copied().collect::<Vec<_>>(), [1, 2, 3, 4]);
    assert_eq!(walk.take_return(), Some(4));
}

// ---------------------------------------------------------------------------------------
// A push parser: input arrives in chunks as resume arguments, records come out as yields.
// ---------------------------------------------------------------------------------------

/// Each resume pushes the next chunk of text (`None`: the input ended); each yield
/// hands out the lines that chunk completed. Completes with the unterminated tail.
#[coroutine::coroutine(yield = Vec<String>)]
fn lines<'a>(#[resume] first: Option<&'a str>) -> Option<String> {
    let mut buf = String::new();
    let mut chunk = first;
    while let Some(text) = chunk {
        buf.push_str(text);
        let mut done = Vec::new();
        while let Some(at) = buf.find('\n') {
            done.push(buf[..at].to_string());
            buf.drain(..=at);
        }
        chunk = yield_!(done);
    }
    (!buf.is_empty()).then_some(buf)
}

#[test]
fn a_push_parser_fed_by_resume_arguments() {
    let mut parser = pin!(lines());
    let mut out = Vec::new();
    for chunk in ["hel", "lo\nwor", "ld\n", "tail"] {
        match parser.as_mut().resume(Some(chunk)) {
            CoroutineState::Yielded(done) => out.extend(done),
            CoroutineState::Complete(_) => unreachable!("the input has not ended"),
        }
    }
    assert_eq!(out, ["hello", "world"]);
    assert_eq!(
        parser.as_mut().resume(None),
        CoroutineState::Complete(Some("tail".to_string()))
    );
}

// ---------------------------------------------------------------------------------------
// An async coroutine reading a channel, consumed with `StreamExt` combinators on tokio's
// multi-thread runtime.
// ---------------------------------------------------------------------------------------

#[coroutine::coroutine(yield = u32)]
async fn evens_from(mut rx: tokio::sync::mpsc::Receiver<u32>) -> usize {
    let mut seen = 0;
    while let Some(n) = rx.recv().await {
        seen += 1;
        if n % 2 == 0 {
            yield_!(n);
        }
    }
    seen
}

#[test]
fn an_async_coroutine_reading_a_channel_on_tokio() {
    use futures::StreamExt;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .unwrap();
    let sum = runtime.block_on(async {
        let (tx, rx) = tokio::sync::mpsc::channel(4);
        tokio::spawn(async move {
            for n in 1..=10 {
                tx.send(n).await.unwrap();
            }
        });
        // `Send` is inferred, so the stream can run as a task of its own.
        tokio::spawn(async move {
            evens_from(rx)
                .map(|n| n * 10)
                .filter(|n| std::future::ready(*n > 20))
                .fold(0, |acc, n| async move { acc + n })
                .await
        })
        .await
        .unwrap()
    });
    assert_eq!(sum, 40 + 60 + 80 + 100);
}

// ---------------------------------------------------------------------------------------
// A pipeline of `yield_from!` stages.
// ---------------------------------------------------------------------------------------

#[coroutine::coroutine(yield = u64)]
fn numbers(n: u64) -> u64 {
    for i in 1..=n {
        yield_!(i);
    }
    n
}

/// Doubles what a stage yields, passing its return value through.
#[coroutine::coroutine(yield = u64)]
fn doubled<C: Coroutine<Yield = u64, Return = u64>>(stage: C) -> u64 {
    let mut stage = pin!(stage);
    loop {
        match stage.as_mut().resume(()) {
            CoroutineState::Yielded(x) => yield_!(x * 2),
            CoroutineState::Complete(r) => return r,
        }
    }
}

/// Two stages one after the other, then a total.
#[coroutine::coroutine(yield = u64)]
fn pipeline() -> u64 {
    let a = yield_from!(doubled(numbers(3)));
    let b = yield_from!(doubled(doubled(numbers(2))));
    yield_!(a + b);
    a + b
}

#[test]
fn a_pipeline_of_yield_from_stages() {
    let mut it = pipeline().into_iter();
    assert_eq!(it.by_ref().collect::<Vec<_>>(), [2, 4, 6, 4, 8, 5]);
    assert_eq!(it.take_return(), Some(5));
}
