//! Slow and idle clients: a thousand half-sent heads do not keep valid requests
//! waiting, each of them gets its 408 at its deadline and not before, a client
//! trickling bytes is cut off by the same deadline, and one that stops reading
//! a response by the send timeout, and one that reads a trickle by the minimum rate.
//!
//! Outcomes only: how long a valid request waits next to the stalled ones is a
//! speed figure, measured on purpose by `examples/robustness_figures.rs`.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use crate::util::{
    diff, error_response, fixture_response, get, read_to_close, seeded, start, End, Root, Server,
};

/// Clients that send half a request and stall.
const STALLED: usize = 1000;

/// The head deadline the server runs with here. Long enough that opening the
/// stalled connections and serving the valid requests fits well inside it on a
/// loaded machine, short enough to keep the test quick.
const DEADLINE: Duration = Duration::from_secs(5);

/// How late after its deadline a stalled connection may be closed: generous,
/// as the point is "closed by the server", not a speed figure.
const SLACK: Duration = Duration::from_secs(10);

/// Valid requests served while the stalled ones hang.
const VALID: usize = 20;

/// A ceiling for the server's memory with the stalled clients hanging: each holds
/// a socket and a small head buffer (about 4 MiB in all, measured), far below the
/// gigabyte that a buffer of `--max-head-bytes` per client would be.
const HANGING_RSS_CEILING: u64 = 32 << 20;

/// Threads the server may add while the stalled clients hang: the pool's spare
/// accepting thread or two after the valid requests; a thread per stalled client
/// would be a thousand.
const STALLED_THREADS_SLACK: usize = 8;

const PARTIAL: &[u8] = b"GET /file1.txt HTTP/1.1\r\nHost: loc";

/// This process needs a descriptor per stalled client, beyond the common soft
/// limit of 1024.
fn raise_own_fd_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we own.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit), 0);
        limit.rlim_cur = limit.rlim_max;
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &limit), 0);
    }
    assert!(
        limit.rlim_cur as usize > STALLED + 100,
        "the open-file hard limit {} is too low for {STALLED} clients",
        limit.rlim_cur
    );
}

struct Stalled {
    stream: TcpStream,
    connected: Instant,
    bytes: Vec<u8>,
    closed: Option<Instant>,
}

/// Waits (with poll) until every stalled connection has been closed by the
/// server, or `limit` passes; records what each received and when it closed.
fn collect_closes(stalled: &mut [Stalled], limit: Duration) {
    let give_up = Instant::now() + limit;
    let mut chunk = [0u8; 1024];
    while stalled.iter().any(|s| s.closed.is_none()) && Instant::now() < give_up {
        let open: Vec<usize> = (0..stalled.len())
            .filter(|&i| stalled[i].closed.is_none())
            .collect();
        let mut fds: Vec<libc::pollfd> = open
            .iter()
            .map(|&i| libc::pollfd {
                fd: stalled[i].stream.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            })
            .collect();
        // SAFETY: `fds` is a live array of pollfd of the length we pass.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 100) };
        if ready <= 0 {
            continue;
        }
        for (slot, &i) in fds.iter().zip(&open) {
            if slot.revents == 0 {
                continue;
            }
            let conn = &mut stalled[i];
            loop {
                match conn.stream.read(&mut chunk) {
                    Ok(0) => {
                        conn.closed = Some(Instant::now());
                        break;
                    }
                    Ok(n) => conn.bytes.extend_from_slice(&chunk[..n]),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => {
                        conn.closed = Some(Instant::now());
                        break;
                    }
                }
            }
        }
    }
}

#[test]
fn a_thousand_stalled_clients_neither_block_others_nor_outlive_their_deadline() {
    raise_own_fd_limit();
    let root = seeded();
    let args = vec![
        "--head-timeout-ms".to_string(),
        DEADLINE.as_millis().to_string(),
    ];
    let server = start(&root, &args).expect("server starts");
    let threads_before = crate::proc_stats::threads(server.pid());
    let first_connect = Instant::now();
    let mut stalled: Vec<Stalled> = (0..STALLED)
        .map(|i| {
            let connected = Instant::now();
            let mut stream = TcpStream::connect(server.addr)
                .unwrap_or_else(|e| panic!("stalled client {i}: {e}"));
            stream.write_all(PARTIAL).expect("send half a request");
            stream.set_nonblocking(true).expect("nonblocking");
            Stalled {
                stream,
                connected,
                bytes: Vec::new(),
                closed: None,
            }
        })
        .collect();

    let expected = fixture_response("file1.txt", "text/plain");
    for _ in 0..VALID {
        let reply = get(server.addr, "/file1.txt");
        assert_eq!(diff(&expected, &reply.bytes), None, "{}", server.report());
        assert_eq!(reply.end, End::Closed);
    }
    let hanging_rss = crate::proc_stats::status_bytes(server.pid(), "VmRSS");
    let threads = crate::proc_stats::threads(server.pid());
    // Everything above must have happened while the stalled clients hung, or
    // the test proved nothing about them.
    let served_by = first_connect.elapsed();
    assert!(
        served_by < DEADLINE,
        "opening {STALLED} clients and serving {VALID} requests took {served_by:?}, \
         past the {DEADLINE:?} deadline: the machine is too slow for this test's premise"
    );
    eprintln!(
        "{STALLED} stalled clients: server RSS {} KiB, {threads} threads",
        hanging_rss / 1024
    );
    assert!(
        hanging_rss < HANGING_RSS_CEILING,
        "server RSS {} MiB with {STALLED} stalled clients",
        hanging_rss >> 20
    );

    // Waiting for a head costs no thread: the few the valid requests used, no more.
    assert!(
        threads <= threads_before + STALLED_THREADS_SLACK,
        "{threads} threads with {STALLED} stalled clients (had {threads_before}): \
         a stalled client holds a thread"
    );

    collect_closes(&mut stalled, DEADLINE + SLACK);
    let expected = error_response(408, "Request Timeout");
    for (i, conn) in stalled.iter().enumerate() {
        let closed = conn
            .closed
            .unwrap_or_else(|| panic!("stalled client {i} still open after deadline + slack"));
        let lived = closed - conn.connected;
        assert!(
            lived >= DEADLINE,
            "stalled client {i} was closed after {lived:?}, before its deadline"
        );
        assert!(
            lived <= DEADLINE + SLACK,
            "stalled client {i} lived {lived:?}"
        );
        if let Some(report) = diff(&expected, &conn.bytes) {
            panic!("stalled client {i}: {report}");
        }
    }
    // Generous: a pool may keep spare threads for a few seconds before they end.
    let settled = crate::proc_stats::eventually(Duration::from_secs(30), || {
        crate::proc_stats::threads(server.pid()) <= threads_before + 4
    });
    assert!(
        settled,
        "the server still has {} threads (had {threads_before}) after the stalled clients ended",
        crate::proc_stats::threads(server.pid())
    );
}

#[test]
fn a_trickling_client_is_cut_off_by_the_deadline_for_the_whole_head() {
    // One byte every 50 ms, never a blank line: no read ever waits 500 ms, so
    // only a deadline for the whole head can stop it before the trickle ends.
    const TRICKLE: usize = 200;
    let root = seeded();
    let args = vec!["--head-timeout-ms".to_string(), "500".to_string()];
    let server = start(&root, &args).expect("server starts");
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream.set_nodelay(true).expect("nodelay");
    let writer = stream.try_clone().expect("clone");
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicUsize::new(0));
    let trickle = {
        let (stop, sent) = (Arc::clone(&stop), Arc::clone(&sent));
        thread::spawn(move || {
            let mut writer = writer;
            let head = b"GET /file1.txt HTTP/1.1\r\nX-Slow: ";
            for i in 0..TRICKLE {
                if stop.load(Ordering::SeqCst) {
                    return;
                }
                let byte = head.get(i).copied().unwrap_or(b'z');
                if writer.write_all(&[byte]).is_err() {
                    return;
                }
                sent.fetch_add(1, Ordering::SeqCst);
                // Part of the input: how fast a slowloris client sends.
                thread::sleep(Duration::from_millis(50));
            }
        })
    };
    let reply = read_to_close(&mut stream, Duration::from_secs(30)).expect("read");
    let sent_by_then = sent.load(Ordering::SeqCst);
    stop.store(true, Ordering::SeqCst);
    trickle.join().expect("trickle thread");
    assert_eq!(
        diff(&error_response(408, "Request Timeout"), &reply.bytes),
        None,
        "{}",
        server.report()
    );
    assert_ne!(reply.end, End::Open);
    assert!(
        sent_by_then < TRICKLE,
        "the server waited for the whole trickle ({sent_by_then} bytes)"
    );
}

/// A server with a 256 MiB `big.bin` (sparse: far larger than any socket buffer,
/// costing no disk) and the send timeout `send_timeout_ms`. The root must live as
/// long as the server.
fn serving_a_big_file(send_timeout_ms: &str) -> (Root, Server) {
    let root = seeded();
    let big = std::fs::File::create(root.www().join("big.bin")).expect("big file");
    big.set_len(256 << 20).expect("size it");
    let args = vec!["--send-timeout-ms".to_string(), send_timeout_ms.to_string()];
    let server = start(&root, &args).expect("server starts");
    (root, server)
}

#[test]
fn a_client_that_stops_reading_is_cut_off_by_the_send_timeout() {
    // It asks for a file far larger than the socket buffers and never reads:
    // the server's send blocks, and --send-timeout-ms must end it, giving back
    // the connection's descriptors while the client still holds its end.
    let (_root, server) = serving_a_big_file("500");
    let pid = server.pid();
    let fds_before = crate::proc_stats::fd_count(pid);
    let mut stream = TcpStream::connect(server.addr).expect("connect");
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send");
    // The socket and the open file, while it sends.
    let sending = crate::proc_stats::eventually(Duration::from_secs(10), || {
        crate::proc_stats::fd_count(pid) >= fds_before + 2
    });
    assert!(sending, "the server never opened the file");
    let given_up = crate::proc_stats::eventually(Duration::from_secs(20), || {
        crate::proc_stats::fd_count(pid) <= fds_before
    });
    assert!(
        given_up,
        "{} descriptors, {fds_before} before: the stalled send was never cut",
        crate::proc_stats::fd_count(pid)
    );
    // The client got a prefix, then the end: nowhere near the whole file.
    let reply = read_to_close(&mut stream, Duration::from_secs(20)).expect("read");
    assert_ne!(reply.end, End::Open);
    assert!(reply.bytes.starts_with(b"HTTP/1.1 200 OK\r\n"));
    assert!(reply.bytes.len() < 128 << 20, "{} bytes", reply.bytes.len());
}

#[test]
fn a_client_that_reads_a_trickle_is_cut_off_by_the_minimum_rate() {
    // 8 KiB every 1.5 s: each write makes progress within the send timeout,
    // so only the response's own deadline (the timeout, then 16 KiB/s) ends it.
    let (_root, server) = serving_a_big_file("2000");
    let socket =
        socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None).expect("socket");
    socket
        .set_recv_buffer_size(4096)
        .expect("a small receive buffer");
    socket.connect(&server.addr.into()).expect("connect");
    let mut stream: TcpStream = socket.into();
    stream
        .write_all(b"GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .expect("send");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .expect("read timeout");
    let started = Instant::now();
    let mut received = 0usize;
    let mut chunk = [0u8; 8192];
    let ended = loop {
        if started.elapsed() > Duration::from_secs(60) {
            break false;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break true,
            Ok(n) => received += n,
        }
        thread::sleep(Duration::from_millis(1500));
    };
    assert!(
        ended,
        "still sending after 60 s ({received} bytes): nothing bounds a slow response"
    );
    assert!(received < 16 << 20, "{received} bytes");
}
