//! A loopback TCP echo exchange whose connections are tasks on the executor (the I/O
//! readiness comes from `async-net`); timers bound it. 127.0.0.1 only, bounded in count
//! and time.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Duration;

use async_net::{TcpListener, TcpStream};
use executor::{Executor, LocalExecutor, Task, timeout};
use futures_lite::{AsyncReadExt, AsyncWriteExt};

const CLIENTS: usize = 4;
const MESSAGES: usize = 20;

async fn serve(mut stream: TcpStream) -> io::Result<usize> {
    let mut buf = [0u8; 1024];
    let mut echoed = 0;
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(echoed);
        }
        stream.write_all(&buf[..n]).await?;
        echoed += n;
    }
}

async fn client(id: usize, addr: SocketAddr) -> io::Result<usize> {
    let mut stream = TcpStream::connect(addr).await?;
    let mut sent = 0;
    for i in 0..MESSAGES {
        let line = format!("client {id} says {i}\n");
        stream.write_all(line.as_bytes()).await?;
        let mut back = vec![0u8; line.len()];
        stream.read_exact(&mut back).await?;
        assert_eq!(back, line.as_bytes());
        sent += line.len();
    }
    Ok(sent)
}

/// A client or server connection, boxed so either executor can spawn it.
type Connection = Pin<Box<dyn Future<Output = io::Result<usize>> + Send>>;

/// The whole exchange: `CLIENTS` clients and the server side of each connection, all
/// spawned with `spawn`. Returns the bytes sent and the bytes echoed.
async fn exchange(
    spawn: impl Fn(Connection) -> Task<io::Result<usize>>,
) -> io::Result<(usize, usize)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|id| spawn(Box::pin(client(id, addr))))
        .collect();
    let mut servers = Vec::new();
    for _ in 0..CLIENTS {
        let (stream, _) = listener.accept().await?;
        servers.push(spawn(Box::pin(serve(stream))));
    }
    let (mut sent, mut echoed) = (0, 0);
    for c in clients {
        sent += c.await?;
    }
    for s in servers {
        echoed += s.await?;
    }
    Ok((sent, echoed))
}

/// The exchange finished in time, without I/O errors, and every byte came back.
fn check(result: Result<io::Result<(usize, usize)>, executor::Elapsed>) {
    let (sent, echoed) = result
        .expect("the exchange finishes in time")
        .expect("no I/O error");
    assert_eq!(sent, echoed);
    assert_eq!(sent, (0..CLIENTS).map(expected_bytes).sum::<usize>());
}

/// What client `id` sends in all.
fn expected_bytes(id: usize) -> usize {
    (0..MESSAGES)
        .map(|i| format!("client {id} says {i}\n").len())
        .sum()
}

#[test]
fn echo_on_a_local_executor() {
    let ex = LocalExecutor::new();
    check(ex.run(timeout(Duration::from_secs(30), exchange(|c| ex.spawn(c)))));
}

#[test]
fn echo_on_the_multi_threaded_executor() {
    let ex = Executor::with_threads(2);
    check(ex.run(timeout(Duration::from_secs(30), exchange(|c| ex.spawn(c)))));
}
