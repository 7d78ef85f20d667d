//! Behaviour that is not one request and one response: concurrency, signals,
//! the listening line.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

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
