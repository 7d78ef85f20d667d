//! Behaviour that is not one request and one response: concurrency, signals,
//! the listening line.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::util::{diff, fixture_response, get, serve, End};
use rstest::rstest;

#[test]
fn silent_and_half_sent_clients_do_not_block_others() {
    let (_root, server) = serve(&[]);
    // Held open for the whole test: one says nothing, one stops mid-head.
    let _silent = TcpStream::connect(server.addr).expect("connect");
    let mut half = TcpStream::connect(server.addr).expect("connect");
    half.write_all(b"GET /file1.txt HTTP/1.1\r\nHo")
        .expect("send");
    let reply = get(server.addr, "/file1.txt");
    assert_eq!(reply.end, End::Closed);
    if let Some(report) = diff(&fixture_response("file1.txt", "text/plain"), &reply.bytes) {
        panic!("{report}\n{}", server.report());
    }
}

#[test]
fn many_clients_at_once_each_get_their_bytes() {
    let (_root, server) = serve(&[]);
    let expected = fixture_response("file1.txt", "text/plain");
    let clients: Vec<_> = (0..50)
        .map(|_| {
            let addr = server.addr;
            thread::spawn(move || get(addr, "/file1.txt"))
        })
        .collect();
    for client in clients {
        let reply = client.join().expect("client thread");
        assert_eq!(diff(&expected, &reply.bytes), None);
    }
}

#[rstest]
#[case::sigint(libc::SIGINT, "SIGINT")]
#[case::sigterm(libc::SIGTERM, "SIGTERM")]
#[case::sigquit(libc::SIGQUIT, "SIGQUIT")]
fn signals_stop_it_cleanly(#[case] signal: i32, #[case] name: &str) {
    let (_root, mut server) = serve(&[]);
    // SAFETY: kill() only sends a signal to the child we started.
    let sent = unsafe { libc::kill(server.pid() as i32, signal) };
    assert_eq!(sent, 0);
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("the server exits");
    assert!(status.success(), "{status:?}\n{}", server.report());
    assert_eq!(server.stderr(), format!("webserver: stopping on {name}\n"));
}

fn signal(server: &grader::process::Server, signal: i32) {
    // SAFETY: kill() only sends a signal to the child we started.
    assert_eq!(unsafe { libc::kill(server.pid() as i32, signal) }, 0);
}

/// Waits, bounded, until the server has said it is stopping: from then on,
/// what it does is the stop's doing.
fn await_stopping(server: &grader::process::Server) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !server.stderr().contains("stopping on") {
        assert!(
            Instant::now() < deadline,
            "no stop line\n{}",
            server.report()
        );
        thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn sighup_is_ignored() {
    let (_root, mut server) = serve(&[]);
    signal(&server, libc::SIGHUP);
    // A request after the signal, and after one before it, both served.
    for _ in 0..2 {
        let reply = get(server.addr, "/file1.txt");
        assert_eq!(
            diff(&fixture_response("file1.txt", "text/plain"), &reply.bytes),
            None
        );
    }
    assert_eq!(server.exit_status(), None, "{}", server.report());
    assert_eq!(server.stderr(), "");
}

#[test]
fn sigterm_lets_a_request_in_flight_finish() {
    let (_root, mut server) = serve(&[]);
    let fds_before = crate::proc_stats::fd_count(server.pid());
    let mut client = TcpStream::connect(server.addr).expect("connect");
    client
        .write_all(b"GET /file1.txt HTTP/1.1\r\nHost: x\r\n")
        .expect("send");
    // In flight means accepted: one still in the backlog is the kernel's, and
    // the stop refuses it. The server's descriptor for it says it was taken.
    let accepted = crate::proc_stats::eventually(Duration::from_secs(10), || {
        crate::proc_stats::fd_count(server.pid()) > fds_before
    });
    assert!(accepted, "the server never accepted the connection");
    signal(&server, libc::SIGTERM);
    await_stopping(&server);
    // The stop has begun; the request in flight still gets its whole answer.
    client.write_all(b"\r\n").expect("send the blank line");
    let mut reply = Vec::new();
    client.read_to_end(&mut reply).expect("read");
    assert_eq!(
        diff(&fixture_response("file1.txt", "text/plain"), &reply),
        None
    );
    let status = server
        .wait_exit(Duration::from_secs(10))
        .expect("the server exits once it is done");
    assert!(status.success(), "{status:?}\n{}", server.report());
}

#[test]
fn the_listening_line_names_the_url_and_the_root() {
    let (root, server) = serve(&[]);
    let www = root.www().canonicalize().expect("the served dir exists");
    let expected = format!(
        "listening on http://127.0.0.1:{}/ serving {}",
        server.addr.port(),
        www.display()
    );
    assert_eq!(server.banner, expected);
}
