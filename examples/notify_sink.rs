//! The notification benchmark's receivers: a minimal SMTP server (no TLS,
//! no auth: it only accepts) and an HTTP/1.1 server (keep-alive, `200`
//! for every POST) on 127.0.0.1, so that what is measured is statusfleet's
//! delivery, not a receiver's. Prints its two ports, then, when its
//! standard input closes (or after `SECONDS`), how many mails and posts
//! it took.
//!
//! ```sh
//! cargo run --release --example notify_sink -- [SECONDS=600]
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

async fn smtp(stream: TcpStream, mails: Arc<AtomicUsize>) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 sink ESMTP\r\n").await?;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.to_ascii_uppercase();
        let reply: &[u8] = if cmd.starts_with("EHLO") {
            b"250-sink\r\n250 8BITMIME\r\n"
        } else if cmd.starts_with("DATA") {
            w.write_all(b"354 go ahead\r\n").await?;
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
            }
            mails.fetch_add(1, Ordering::Relaxed);
            b"250 OK\r\n"
        } else if cmd.starts_with("QUIT") {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            b"250 OK\r\n"
        };
        w.write_all(reply).await?;
    }
}

async fn http(stream: TcpStream, posts: Arc<AtomicUsize>) -> std::io::Result<()> {
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    let mut line = String::new();
    loop {
        let mut len = 0usize;
        let mut first = true;
        loop {
            line.clear();
            if r.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            if line == "\r\n" && !first {
                break;
            }
            first = false;
            let l = line.to_ascii_lowercase();
            if let Some(v) = l.strip_prefix("content-length:") {
                len = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; len];
        r.read_exact(&mut body).await?;
        posts.fetch_add(1, Ordering::Relaxed);
        w.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .await?;
    }
}

fn main() {
    let seconds: u64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(600);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let mails = Arc::new(AtomicUsize::new(0));
    let posts = Arc::new(AtomicUsize::new(0));
    rt.block_on(async {
        let s = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let h = TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!(
            "{} {}",
            s.local_addr().unwrap().port(),
            h.local_addr().unwrap().port()
        );
        let m = mails.clone();
        tokio::spawn(async move {
            while let Ok((c, _)) = s.accept().await {
                // Replies go out at once, as a server tuned for mail does
                // (Nagle's delay would be measured otherwise).
                let _ = c.set_nodelay(true);
                tokio::spawn(smtp(c, m.clone()));
            }
        });
        let p = posts.clone();
        tokio::spawn(async move {
            while let Ok((c, _)) = h.accept().await {
                let _ = c.set_nodelay(true);
                tokio::spawn(http(c, p.clone()));
            }
        });
        // Until stdin closes, or the time is up.
        let stdin = tokio::task::spawn_blocking(|| {
            let mut buf = String::new();
            while std::io::stdin().read_line(&mut buf).unwrap_or(0) > 0 {}
        });
        let _ = tokio::time::timeout(Duration::from_secs(seconds), stdin).await;
    });
    println!(
        "{} {}",
        mails.load(Ordering::Relaxed),
        posts.load(Ordering::Relaxed)
    );
}
