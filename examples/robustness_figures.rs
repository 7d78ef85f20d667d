//! Measures the robustness figures (stalled clients, peak RSS, descriptors, a crowd of
//! 10,000 stalled clients) against the release server and prints them; asserts nothing
//! (the tests in `tests/integration/robustness_*.rs` assert the outcomes). Run on purpose,
//! on an otherwise quiet machine:
//!
//! ```sh
//! cargo build --release && cargo run --release --example robustness_figures
//! # or name the server, and optionally one section (by name or number):
//! #   ... --example robustness_figures -- [BINARY [SECTION]]
//! # or one section of the release build: ONLY=stalled-10k cargo run --release --example ...
//! ```
//!
//! 1. `stalled`: the latency of valid requests (connect to close) alone,
//!    then with 1,000 connections that sent half a head and stalled; the median
//!    delay is the difference of the medians;
//! 2. `big-file`: a 1 GiB file: bytes and an FNV-1a checksum streamed on the client
//!    side against the file's own, and the server's peak RSS (VmHWM);
//! 3. `broken`: 10,000 broken connections: the server's descriptor count before and after;
//! 4. `stalled-10k`: 10,000 clients that sent half a head, 1,000 silent ones and 1,000
//!    trickling a byte a second, opened at 1,000 a second from 127.0.0.2-9
//!    (`--head-timeout-ms 60000`, so none is cut while we measure); then 30 s of valid
//!    requests one after another: latency median, p99 and max against a baseline without
//!    the crowd, failures, and the server's peak threads and RSS. This example raises its
//!    own descriptor limit to the hard one (the server raises its own); 12,000 sockets
//!    need a hard limit above that on both sides.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Arc};
use std::thread;
use std::time::{Duration, Instant};

use socket2::{Domain, SockAddr, Socket, Type};

const STALLED: usize = 1000;
const SAMPLES: usize = 300;
const GIB: u64 = 1 << 30;
const BROKEN: usize = 10_000;

/// Section 4's crowd, per kind, and how fast it is opened: 1,000 a second stays well
/// inside the listen backlog (1024) of a server that accepts at all.
const HALF_HEADS: usize = 10_000;
const SILENT: usize = 1_000;
const TRICKLING: usize = 1_000;
const OPEN_PER_SECOND: u64 = 1_000;
/// The crowd's sources: one address would do for 12,000 ports, but each address has
/// its own ephemeral range, so the valid requests (from 127.0.0.1) never run short.
const SOURCES: std::ops::RangeInclusive<u8> = 2..=9;
/// A connect that takes longer counts as failed (one SYN retransmission fits in it).
const CONNECT_LIMIT: Duration = Duration::from_secs(2);
/// The whole ramp, however slow the server accepts; what is left is "not tried".
const RAMP_LIMIT: Duration = Duration::from_secs(60);
const WINDOW: Duration = Duration::from_secs(30);
const PAUSE: Duration = Duration::from_millis(10);
/// One valid request, connect to end of reply; longer is a failure.
const REQUEST_LIMIT: Duration = Duration::from_secs(10);
const SAMPLE_EVERY: Duration = Duration::from_millis(100);
/// The trickle's bound: one byte a second for at most this many seconds, so a head
/// stays under 200 bytes, far from the 8,192-byte request line limit.
const TRICKLE_TICKS: usize = 180;

struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(binary: &Path, root: &Path) -> Server {
        Server::start_with(binary, root, &[])
    }

    /// `extra` goes before the port, e.g. `["--head-timeout-ms", "60000"]`.
    fn start_with(binary: &Path, root: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(binary)
            .args(["--bind", "127.0.0.1"])
            .args(extra)
            .arg("0")
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
        proc_status(self.child.id(), field).expect("status field")
    }

    fn fds(&self) -> usize {
        fs::read_dir(format!("/proc/{}/fd", self.child.id()))
            .expect("/proc fd")
            .count()
    }
}

/// One number of `/proc/<pid>/status` (`Threads`, `VmRSS` in KiB); `None` once the
/// process is gone, so a sampler thread outliving a crash reports rather than panics.
fn proc_status(pid: u32, field: &str) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
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

/// The three kinds of section 4's crowd; the discriminant indexes its tallies.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    HalfHead,
    Silent,
    Trickle,
}

const KINDS: [(Kind, &str, usize); 3] = [
    (Kind::HalfHead, "half a head", HALF_HEADS),
    (Kind::Silent, "silent", SILENT),
    (Kind::Trickle, "trickling", TRICKLING),
];

/// Raises this process's descriptor soft limit to the hard one: 12,000 client sockets
/// are far past the usual soft 1,024. Returns the soft limit now in force.
fn raise_nofile() -> libc::rlim_t {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: both calls only read or write the one struct we pass them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return 0;
        }
        let current = limit.rlim_cur;
        limit.rlim_cur = limit.rlim_max;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
            return current;
        }
    }
    limit.rlim_cur
}

/// The crowd's order: each kind spread evenly over the ramp (the j-th of n goes at
/// j/n of it), so no kind is all early or all late.
fn crowd_plan() -> Vec<Kind> {
    let mut plan: Vec<(u64, Kind)> = Vec::new();
    for (kind, _, n) in KINDS {
        plan.extend((0..n).map(|j| (j as u64 * 1_000_000 / n as u64, kind)));
    }
    plan.sort_by_key(|&(at, _)| at);
    plan.into_iter().map(|(_, kind)| kind).collect()
}

/// One connection of the crowd from `127.0.0.<source>`, with its first bytes sent.
fn open_from(source: u8, to: SocketAddr, first: &[u8]) -> std::io::Result<TcpStream> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    // Port 0: a port of this source address's own ephemeral range.
    socket.bind(&SockAddr::from(SocketAddr::from(([127, 0, 0, source], 0))))?;
    socket.connect_timeout(&SockAddr::from(to), CONNECT_LIMIT)?;
    let mut stream = TcpStream::from(socket);
    // A few bytes into an empty send buffer: this never waits for the server.
    stream.write_all(first)?;
    Ok(stream)
}

struct Crowd {
    /// The half heads and the silent ones; the trickling ones live in their thread.
    held: Vec<(Kind, TcpStream)>,
    opened: [usize; 3],
    failed: [usize; 3],
    untried: [usize; 3],
    first_error: Option<String>,
    took: Duration,
}

/// Opens the crowd at `OPEN_PER_SECOND`, never longer than `RAMP_LIMIT` in all: a
/// server that stops accepting makes every connect wait `CONNECT_LIMIT`, and what the
/// ramp has no time left for is counted as not tried.
fn open_crowd(to: SocketAddr, trickle: &mpsc::Sender<TcpStream>) -> Crowd {
    let sources: Vec<u8> = SOURCES.collect();
    let mut crowd = Crowd {
        held: Vec::with_capacity(HALF_HEADS + SILENT),
        opened: [0; 3],
        failed: [0; 3],
        untried: [0; 3],
        first_error: None,
        took: Duration::ZERO,
    };
    let start = Instant::now();
    for (i, kind) in crowd_plan().into_iter().enumerate() {
        if start.elapsed() > RAMP_LIMIT {
            crowd.untried[kind as usize] += 1;
            continue;
        }
        let due = start + Duration::from_micros(i as u64 * 1_000_000 / OPEN_PER_SECOND);
        thread::sleep(due.saturating_duration_since(Instant::now()));
        let first: &[u8] = match kind {
            Kind::HalfHead => b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\n",
            Kind::Silent => b"",
            Kind::Trickle => b"GET /",
        };
        let stream = open_from(sources[i % sources.len()], to, first).and_then(|s| {
            // The trickle writes to a thousand sockets a second: none may block it.
            if kind == Kind::Trickle {
                s.set_nonblocking(true)?;
            }
            Ok(s)
        });
        match stream {
            Ok(s) => {
                crowd.opened[kind as usize] += 1;
                if kind == Kind::Trickle {
                    let _ = trickle.send(s);
                } else {
                    crowd.held.push((kind, s));
                }
            }
            Err(e) => {
                crowd.failed[kind as usize] += 1;
                crowd.first_error.get_or_insert_with(|| e.to_string());
            }
        }
    }
    crowd.took = start.elapsed();
    crowd
}

/// Once a second, one more byte of a request line that never ends to every trickling
/// client, for at most `TRICKLE_TICKS` seconds. Returns those still open and how many
/// the server cut (a write failed).
fn trickle(arrivals: mpsc::Receiver<TcpStream>, stop: &AtomicBool) -> (Vec<TcpStream>, usize) {
    let mut open: Vec<TcpStream> = Vec::new();
    let mut cut = 0;
    for _ in 0..TRICKLE_TICKS {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        open.extend(arrivals.try_iter());
        open.retain_mut(|s| match s.write(b"a") {
            Ok(_) => true,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => true,
            Err(_) => {
                cut += 1;
                false
            }
        });
        thread::sleep(Duration::from_secs(1));
    }
    open.extend(arrivals.try_iter());
    (open, cut)
}

/// The server's peak `Threads` and `VmRSS` (KiB), sampled until `stop` (or `limit`).
fn sample_peaks(pid: u32, stop: &AtomicBool, limit: Duration) -> (u64, u64) {
    let (mut threads, mut rss) = (0, 0);
    let end = Instant::now() + limit;
    while !stop.load(Ordering::Relaxed) && Instant::now() < end {
        threads = threads.max(proc_status(pid, "Threads").unwrap_or(0));
        rss = rss.max(proc_status(pid, "VmRSS").unwrap_or(0));
        thread::sleep(SAMPLE_EVERY);
    }
    (threads, rss)
}

/// One valid request, connect to the end of the reply (the server closes: Connection:
/// close), within `REQUEST_LIMIT`; a failure is named, not a panic, since a server
/// drowning in the crowd is what is being measured.
fn valid_request(addr: SocketAddr) -> Result<Duration, &'static str> {
    use std::io::ErrorKind::{Interrupted, TimedOut, WouldBlock};
    let start = Instant::now();
    let deadline = start + REQUEST_LIMIT;
    let mut stream = TcpStream::connect_timeout(&addr, REQUEST_LIMIT).map_err(|_| "connect")?;
    let _ = stream.set_write_timeout(Some(REQUEST_LIMIT));
    stream
        .write_all(b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .map_err(|_| "send")?;
    let mut reply = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err("timed out");
        }
        let _ = stream.set_read_timeout(Some(left));
        match stream.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => reply.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == Interrupted => {}
            Err(e) if matches!(e.kind(), WouldBlock | TimedOut) => return Err("timed out"),
            Err(_) => return Err("reset"),
        }
    }
    let took = start.elapsed();
    match reply {
        r if r.starts_with(b"HTTP/1.1 200") => Ok(took),
        r if r.is_empty() => Err("closed, no reply"),
        _ => Err("not 200"),
    }
}

/// Valid requests one after another, `PAUSE` apart, up to `count` of them or until
/// `limit` has passed: sorted latencies of the good ones, and the failures by kind.
fn request_series(
    addr: SocketAddr,
    count: usize,
    limit: Duration,
) -> (Vec<Duration>, BTreeMap<&'static str, usize>) {
    let start = Instant::now();
    let (mut good, mut bad) = (Vec::new(), BTreeMap::new());
    for _ in 0..count {
        if start.elapsed() >= limit {
            break;
        }
        match valid_request(addr) {
            Ok(took) => good.push(took),
            Err(why) => *bad.entry(why).or_insert(0) += 1,
        }
        thread::sleep(PAUSE);
    }
    good.sort();
    (good, bad)
}

/// Whether the server still holds this connection open: nothing to read yet (a 408 or
/// a close would be readable).
fn still_open(stream: &TcpStream) -> bool {
    let _ = stream.set_nonblocking(true);
    matches!(stream.peek(&mut [0u8; 1]), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
}

fn spread(set: &[Duration]) -> String {
    if set.is_empty() {
        return "no successful request".to_string();
    }
    format!(
        "median {:?}, p99 {:?}, max {:?}",
        percentile(set, 50),
        percentile(set, 99),
        set[set.len() - 1]
    )
}

fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "MISSED"
    }
}

fn stalled_crowd(binary: &Path, root: &Path) {
    let nofile = raise_nofile();
    // Longer than ramp and window together: every stalled client is still stalled,
    // not answered 408, while the valid requests are measured.
    let server = Server::start_with(binary, root, &["--head-timeout-ms", "60000"]);
    let pid = server.child.id();
    let (alone, alone_bad) = request_series(server.addr, SAMPLES, Duration::from_secs(60));

    let stop = Arc::new(AtomicBool::new(false));
    let (to_trickle, arrivals) = mpsc::channel();
    let trickler = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || trickle(arrivals, &stop))
    };
    let crowd = open_crowd(server.addr, &to_trickle);
    drop(to_trickle);

    let sampler = {
        let stop = Arc::clone(&stop);
        thread::spawn(move || sample_peaks(pid, &stop, WINDOW + REQUEST_LIMIT * 2))
    };
    let (crowded, crowded_bad) = request_series(server.addr, usize::MAX, WINDOW);
    stop.store(true, Ordering::Relaxed);
    let (threads, rss) = sampler.join().expect("sampler");
    let (trickling, cut) = trickler.join().expect("trickler");
    let hwm = proc_status(pid, "VmHWM");
    let mut open = [0usize; 3];
    for (kind, s) in &crowd.held {
        open[*kind as usize] += usize::from(still_open(s));
    }
    open[Kind::Trickle as usize] = trickling.iter().filter(|s| still_open(s)).count();

    println!(
        "4. {HALF_HEADS} stalled clients (--head-timeout-ms 60000; this side's descriptor limit {nofile}):"
    );
    println!(
        "   opened at {OPEN_PER_SECOND}/s from 127.0.0.{}-{} in {:?}:",
        SOURCES.start(),
        SOURCES.end(),
        crowd.took
    );
    for (kind, name, n) in KINDS {
        let k = kind as usize;
        println!(
            "   {name:>12}: {} of {n} opened, {} connects failed, {} not tried; {} still open after the window",
            crowd.opened[k], crowd.failed[k], crowd.untried[k], open[k]
        );
    }
    println!("   trickling clients cut by the server meanwhile: {cut}");
    if let Some(e) = &crowd.first_error {
        println!("   first connect error: {e}");
    }
    println!(
        "   baseline, no crowd ({} GETs): {}; failures {alone_bad:?}",
        alone.len(),
        spread(&alone)
    );
    println!(
        "   with the crowd ({} GETs in {WINDOW:?}): {}",
        crowded.len(),
        spread(&crowded)
    );
    println!(
        "   failures with the crowd: {} {crowded_bad:?}",
        crowded_bad.values().sum::<usize>()
    );
    if !crowded.is_empty() {
        let (median, p99) = (percentile(&crowded, 50), percentile(&crowded, 99));
        println!(
            "   median {median:?} (target: <= 10 ms, {}), p99 {p99:?} (target: <= 100 ms, {})",
            verdict(median <= Duration::from_millis(10)),
            verdict(p99 <= Duration::from_millis(100))
        );
    }
    println!(
        "   server threads, max: {threads} (target: <= 64, {})",
        verdict(threads <= 64)
    );
    println!(
        "   server VmRSS, max: {rss} KiB (target: <= 64 MiB = 65536 KiB, {}); VmHWM at the end: {} KiB",
        verdict(rss <= 64 * 1024),
        hwm.map_or("gone".to_string(), |k| k.to_string())
    );
    drop(crowd);
    drop(trickling);
}

/// Every section by name and number (its place here, from 1), for `SECTION` or `ONLY`.
/// A section's run: the server binary, then the folder it serves.
type Section = fn(&Path, &Path);

const SECTIONS: [(&str, Section); 4] = [
    ("stalled", stalled_clients),
    ("big-file", big_file),
    ("broken", broken_connections),
    ("stalled-10k", stalled_crowd),
];

fn main() {
    let mut args = std::env::args_os().skip(1);
    let binary = args
        .next()
        .filter(|a| !a.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/webserver"));
    let only = args
        .next()
        .map(|a| a.to_string_lossy().into_owned())
        .or_else(|| std::env::var("ONLY").ok())
        .filter(|o| !o.is_empty());
    let chosen: Vec<Section> = SECTIONS
        .iter()
        .enumerate()
        .filter(|(i, (name, _))| match &only {
            None => true,
            Some(o) => o == name || *o == (i + 1).to_string(),
        })
        .map(|(_, &(_, run))| run)
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = SECTIONS.iter().map(|(name, _)| *name).collect();
        eprintln!(
            "no section {only:?}; sections: {names:?} or 1-{}",
            names.len()
        );
        std::process::exit(2);
    }
    let dir = tempfile::tempdir().expect("temp dir");
    fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/file1.txt"),
        dir.path().join("file1.txt"),
    )
    .expect("file1.txt");
    println!("server: {}", binary.display());
    for run in chosen {
        run(&binary, dir.path());
    }
}
