//! Peak memory of one large reply: a loopback server streams a query reply of
//! about `MIB` MiB (default 256) whose rows carry a large field the SDK does
//! not decode, the client reads it under a raised size limit and decodes it,
//! and the process reports its peak RSS (`VmHWM`) against the body size.
//!
//! ```sh
//! cargo run --release -p zstack-sdk --example peak_rss -- 256
//! cargo run --release -p zstack-sdk --example peak_rss -- 256 copy   # the baseline
//! ```
//!
//! `copy` is the baseline for the same reply: the way the client read bodies
//! before, `bytes()` then a copy into a `Vec`, then the same decode.
//!
//! The server writes each chunk as it goes, so it holds no copy of the body:
//! what the peak shows beyond the body is the client's own overhead (a second
//! copy of the body would show as twice the size).

use std::io::{Read as _, Write as _};
use std::net::TcpListener;
use std::time::Instant;

use zstack_sdk::api::QueryBackupStorage;
use zstack_sdk::client::{Client, RetryPolicy};
use zstack_sdk::runtime::secret::Secret;

/// One row: a small inventory plus ~64 KiB of a field no inventory has.
fn row(i: usize) -> String {
    format!(r#"{{"uuid":"{i:032x}","name":"bs-{i:010}","state":"Enabled","padding":"{}"}}"#, "x".repeat(64 * 1024))
}

fn serve(listener: TcpListener, rows: usize) {
    let (mut stream, _) = listener.accept().expect("accept");
    let mut head = [0u8; 8192];
    let _ = stream.read(&mut head);
    let first = row(0).len();
    // Exact length: `{"inventories":[` + rows joined by `,` + `],"schema":{}}`.
    let total = 16 + rows * first + rows.saturating_sub(1) + 14;
    let _ = write!(stream, "HTTP/1.1 200 OK\r\nContent-Length: {total}\r\n\r\n{{\"inventories\":[");
    for i in 0..rows {
        let sep = if i + 1 < rows { "," } else { "" };
        let text = row(i);
        assert_eq!(text.len(), first, "rows have one length");
        let _ = stream.write_all(text.as_bytes());
        let _ = stream.write_all(sep.as_bytes());
    }
    let _ = stream.write_all(br#"],"schema":{}}"#);
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mib: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(256);
    let rows = (mib << 20) / (row(0).len() + 1);
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = std::thread::spawn(move || serve(listener, rows));

    let before = peak_rss_kib();
    let client = Client::builder()
        .base_url(format!("http://{addr}/zstack"))
        .no_proxy()
        .session(Secret::new("s"))
        .retry(RetryPolicy::NONE)
        .max_response_bytes(1 << 30)
        .build()
        .expect("client");
    let started = Instant::now();
    let rows_read = if std::env::args().nth(2).as_deref() == Some("copy") {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let url = format!("http://{addr}/zstack/v1/backup-storage");
        let bytes = reqwest::Client::new().get(url).send().await.expect("send").bytes().await.expect("body");
        let body = bytes.to_vec();
        type Reply = <QueryBackupStorage as zstack_sdk::ApiRequest>::Response;
        let reply: Reply = zstack_sdk::runtime::plumbing::poly::decode(&body, true).expect("the reply decodes");
        reply.inventories.len()
    } else {
        client.call(QueryBackupStorage::new()).await.expect("the reply decodes").inventories.len()
    };
    let took = started.elapsed();
    server.join().expect("server");
    let body = rows * (row(0).len() + 1);
    let peak = peak_rss_kib();
    println!(
        "rows {} body {:.1} MiB; peak RSS {:.1} MiB (before the call {:.1} MiB); peak / body = {:.2}; {:.2?}",
        rows_read,
        body as f64 / (1 << 20) as f64,
        peak as f64 / 1024.0,
        before as f64 / 1024.0,
        (peak * 1024) as f64 / body as f64,
        took
    );
}
