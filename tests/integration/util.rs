//! What the integration tests of our binary share besides starting it: the
//! expected bytes of the house style, and a GET that fails the test with its
//! cause (ripgrep's `tests/util.rs` idea: each test reads in a few lines).

use std::fs;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

pub use crate::support::{seeded, start, Root, Server, FIXTURES};
pub use grader::exchange::{exchange, read_to_close, End, Reply, Schedule};
pub use grader::grade::REPLY_TIMEOUT;
pub use grader::root::CANARY;
pub use grader::show::{diff, visible};

/// `command` (our binary, wrapped or set up differently), once it listens.
pub fn spawn(command: Command) -> Result<Server, String> {
    grader::launch::listening(command)
}

/// A seeded root and our binary serving it with `args`; the test fails with
/// the cause if either cannot be made.
pub fn serve(args: &[&str]) -> (Root, Server) {
    let root = seeded();
    let args: Vec<String> = args.iter().map(|arg| arg.to_string()).collect();
    let server = start(&root, &args).unwrap_or_else(|e| panic!("the server does not start: {e}"));
    (root, server)
}

/// The 200 response for a file of `fixtures/`, built from the contract (not from
/// the server): the house head, then the file's bytes.
pub fn fixture_response(name: &str, content_type: &str) -> Vec<u8> {
    let body =
        fs::read(Path::new(FIXTURES).join(name)).unwrap_or_else(|e| panic!("fixtures/{name}: {e}"));
    let mut bytes = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend(body);
    bytes
}

/// An error response in the house style: `text/plain`, the status lowercased as
/// the body (`error_response(404, "Not Found")` is the assignment's 104 bytes).
pub fn error_response(code: u16, reason: &str) -> Vec<u8> {
    let body = format!("{code} {reason}").to_ascii_lowercase();
    format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A plain GET the way the guide's browser sends it.
pub fn get(addr: SocketAddr, target: &str) -> Reply {
    grader::exchange::get(addr, target, REPLY_TIMEOUT)
        .unwrap_or_else(|e| panic!("GET {target}: {e}"))
}
