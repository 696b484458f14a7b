//! A loopback TCP echo server and its clients, every connection a task on the executor.
//!
//! I/O readiness comes from `async-net` (built on `async-io`, whose reactor thread wakes
//! our tasks); the executor only runs the tasks. Everything is bounded: 127.0.0.1 only,
//! a fixed number of clients, and a 10 s [`timeout`] over the whole exchange.
//!
//! Run with `cargo run --release -p coroutine-executor --example echo`.

use std::io;
use std::time::{Duration, Instant};

use async_net::{TcpListener, TcpStream};
use executor::{LocalExecutor, timeout};
use futures_lite::{AsyncReadExt, AsyncWriteExt};

/// How many clients connect.
const CLIENTS: usize = 8;
/// How many messages each client sends.
const MESSAGES: usize = 100;

/// Echoes everything read from `stream` until the client closes its side.
async fn serve(mut stream: TcpStream) -> io::Result<u64> {
    let mut buf = [0u8; 4096];
    let mut echoed = 0;
    loop {
        let n = stream.read(&mut buf).await?;
        if n == 0 {
            return Ok(echoed);
        }
        stream.write_all(&buf[..n]).await?;
        echoed += n as u64;
    }
}

/// Connects, sends `MESSAGES` lines and checks that each comes back unchanged.
async fn client(id: usize, addr: std::net::SocketAddr) -> io::Result<usize> {
    let mut stream = TcpStream::connect(addr).await?;
    for i in 0..MESSAGES {
        let line = format!("client {id} message {i}\n");
        stream.write_all(line.as_bytes()).await?;
        let mut back = vec![0u8; line.len()];
        stream.read_exact(&mut back).await?;
        if back != line.as_bytes() {
            return Err(io::Error::other(format!("client {id}: echo mismatch")));
        }
    }
    Ok(MESSAGES)
}

fn main() -> io::Result<()> {
    let ex = LocalExecutor::new();
    let start = Instant::now();
    let result = ex.run(timeout(Duration::from_secs(10), async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        println!("echo server listening on {addr}");
        let clients: Vec<_> = (0..CLIENTS).map(|id| ex.spawn(client(id, addr))).collect();
        let mut servers = Vec::new();
        for _ in 0..CLIENTS {
            let (stream, peer) = listener.accept().await?;
            println!("  accepted {peer}");
            servers.push(ex.spawn(serve(stream)));
        }
        let mut messages = 0;
        for c in clients {
            messages += c.await?;
        }
        let mut bytes = 0;
        for s in servers {
            bytes += s.await?;
        }
        io::Result::Ok((messages, bytes))
    }));
    let (messages, bytes) =
        result.map_err(|elapsed| io::Error::new(io::ErrorKind::TimedOut, elapsed))??;
    println!(
        "{CLIENTS} clients, {messages} messages, {bytes} bytes echoed in {:.3} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    Ok(())
}
