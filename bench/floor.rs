//! The floor for `bench/run.sh`: a server that does nothing a connection does not
//! force. One thread accepts, reads once, writes a canned response as big as
//! ours for `file1.txt`, and closes; no parsing, no file. Its CPU per request is
//! what the kernel charges for a connection (handshake, one segment each way,
//! teardown), which no server can go below; the benchmark prints it beside ours
//! and nginx's so the figures can be read against it.
//!
//! ```text
//! floor PORT    # listens on 127.0.0.1:PORT until killed
//! ```

use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::ExitCode;

/// Same length as our answer for the guide's `file1.txt` (a 265-byte body).
const BODY_LEN: usize = 265;

fn main() -> ExitCode {
    let Some(port) = std::env::args().nth(1).and_then(|p| p.parse::<u16>().ok()) else {
        eprintln!("usage: floor PORT");
        return ExitCode::from(2);
    };
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("floor: cannot listen on {port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut response = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {BODY_LEN}\r\nConnection: close\r\n\r\n"
    )
    .into_bytes();
    response.resize(response.len() + BODY_LEN, b'x');
    let mut buf = [0u8; 8192];
    for stream in listener.incoming() {
        // Whatever goes wrong with one client is that client's problem.
        let Ok(mut stream) = stream else { continue };
        let _ = stream.read(&mut buf);
        let _ = stream.write_all(&response);
    }
    ExitCode::SUCCESS
}
