//! Measures the robustness figures (stalled clients, peak RSS, descriptors) against the release server and
//! prints them; asserts nothing (the tests in `tests/integration/robustness_*.rs` assert the
//! outcomes). Run on purpose, on an otherwise quiet machine:
//!
//! ```sh
//! cargo build --release && cargo run --release --example robustness_figures
//! # or name the server: ... --example robustness_figures -- path/to/webserver
//! ```
//!
//! 1. stalled clients: the latency of valid requests (connect to close) alone,
//!    then with 1,000 connections that sent half a head and stalled; the median
//!    delay is the difference of the medians;
//! 2. a 1 GiB file: bytes and an FNV-1a checksum streamed on the client side
//!    against the file's own, and the server's peak RSS (VmHWM);
//! 3. 10,000 broken connections: the server's descriptor count before and after.

use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const STALLED: usize = 1000;
const SAMPLES: usize = 300;
const GIB: u64 = 1 << 30;
const BROKEN: usize = 10_000;

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(binary: &Path, root: &Path) -> Server {
        let mut child = Command::new(binary)
            .args(["--bind", "127.0.0.1", "0"])
            .current_dir(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("listening line");
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
        }
    }

    fn status(&self, field: &str) -> u64 {
        let text = fs::read_to_string(format!("/proc/{}/status", self.child.id())).expect("/proc");
        text.lines()
            .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("status field")
    }

    fn fds(&self) -> usize {
        fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .expect("/proc fd")
            .count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One GET, connect to close; returns the time it took.
fn timed_get(addr: SocketAddr) -> Duration {
    let start = Instant::now();
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .write_all(b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("read");
    assert!(reply.starts_with(b"HTTP/1.1 200 OK\r\n"));
    start.elapsed()
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted[(sorted.len() - 1) * p / 100]
}

fn latencies(addr: SocketAddr) -> Vec<Duration> {
    let mut all: Vec<Duration> = (0..SAMPLES).map(|_| timed_get(addr)).collect();
    all.sort();
    all
}

fn stalled_clients(binary: &Path, root: &Path) {
    let server = Server::start(binary, root);
    let alone = latencies(server.addr);
    let stalled: Vec<TcpStream> = (0..STALLED)
        .map(|_| {
            let mut s = TcpStream::connect(server.addr).expect("connect");
            s.write_all(b"GET /file1.txt HTTP/1.1\r\nHo").expect("send");
            s
        })
        .collect();
    let crowded = latencies(server.addr);
    let rss = server.status("VmRSS");
    println!("1. {STALLED} stalled clients, {SAMPLES} valid GETs each way (connect to close):");
    for (name, set) in [("alone", &alone), ("with stalled", &crowded)] {
        println!(
            "   {name:>13}: median {:?}, p90 {:?}, max {:?}",
            percentile(set, 50),
            percentile(set, 90),
            set[set.len() - 1]
        );
    }
    let delay = percentile(&crowded, 50).saturating_sub(percentile(&alone, 50));
    println!("   median delay caused by the stalled clients: {delay:?} (target: under 100 ms)");
    println!("   server RSS while they hang: {rss} KiB");
    drop(stalled);
}

/// FNV-1a, 64 bits: order-sensitive, one pass, no buffer.
fn fnv(hash: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *hash ^= b as u64;
        *hash = hash.wrapping_mul(0x100_0000_01b3);
    }
}

fn big_file(binary: &Path, root: &Path) {
    let path = root.join("big.bin");
    let file = File::create(&path).expect("create");
    file.set_len(GIB).expect("size");
    for offset in (0..GIB).step_by(1 << 20) {
        file.write_all_at(&((0xA5u64 << 56) | offset).to_be_bytes(), offset)
            .expect("marker");
    }
    let mut want = 0xcbf2_9ce4_8422_2325u64;
    let mut reader = File::open(&path).expect("open");
    let mut chunk = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut chunk).expect("read the file");
        if n == 0 {
            break;
        }
        fnv(&mut want, &chunk[..n]);
    }
    let server = Server::start(binary, root);
    let start = Instant::now();
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send");
    let mut got = 0xcbf2_9ce4_8422_2325u64;
    let mut head = Vec::new();
    let end = loop {
        if let Some(i) = head.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut chunk).expect("read the head");
        assert!(n > 0, "closed before the head ended");
        head.extend_from_slice(&chunk[..n]);
    };
    let mut body = (head.len() - end) as u64;
    fnv(&mut got, &head[end..]);
    head.truncate(end);
    loop {
        let n = stream.read(&mut chunk).expect("read");
        if n == 0 {
            break;
        }
        body += n as u64;
        fnv(&mut got, &chunk[..n]);
    }
    let took = start.elapsed();
    println!("2. a 1 GiB file:");
    println!(
        "   head: {:?}",
        String::from_utf8_lossy(&head).lines().collect::<Vec<_>>()
    );
    println!(
        "   body {body} bytes (file {GIB}), checksum {} ({got:016x}), {took:?}, {:.0} MiB/s",
        if got == want { "matches" } else { "DIFFERS" },
        body as f64 / (1 << 20) as f64 / took.as_secs_f64()
    );
    println!(
        "   server peak RSS (VmHWM): {} KiB (target: under 32 MiB)",
        server.status("VmHWM")
    );
    drop(server);
    let _ = fs::remove_file(&path);
}

fn broken_connections(binary: &Path, root: &Path) {
    let server = Server::start(binary, root);
    timed_get(server.addr);
    let before = server.fds();
    let start = Instant::now();
    for i in 0..BROKEN {
        let Ok(mut s) = TcpStream::connect(server.addr) else {
            continue;
        };
        match i % 4 {
            0 => {}
            1 => {
                let _ = s.write_all(b"GET /file1.txt HTTP/1.1\r\nHo");
            }
            2 => {
                let _ = s.write_all(b"GET /file1.txt HTTP/1.1\r\nHo");
                let _ = s.shutdown(Shutdown::Write);
            }
            _ => {
                let _ = s.write_all(b"GET /file1.txt HTTP/1.1\r\nHost: x\r\n\r\n");
            }
        }
        if i % 2 == 0 {
            let _ = socket2::SockRef::from(&s).set_linger(Some(Duration::ZERO));
        }
    }
    let took = start.elapsed();
    let settle = Instant::now() + Duration::from_secs(15);
    while server.fds() > before && Instant::now() < settle {
        std::thread::sleep(Duration::from_millis(50));
    }
    timed_get(server.addr);
    println!("3. {BROKEN} broken connections (closed, reset, mid-head, half-closed) in {took:?}:");
    println!(
        "   server descriptors: {before} before, {} after; still serving",
        server.fds()
    );
}

fn main() {
    let binary = std::env::args_os()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/webserver"));
    let dir = tempfile::tempdir().expect("temp dir");
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/file1.txt"),
        dir.path().join("file1.txt"),
    )
    .expect("file1.txt");
    println!("server: {}", binary.display());
    stalled_clients(&binary, dir.path());
    big_file(&binary, dir.path());
    broken_connections(&binary, dir.path());
}
