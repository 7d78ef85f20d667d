//! A bulk download loader for `bench/run.sh`: fetches one path over and over,
//! one request per connection, and reads with a 1 MiB buffer.
//!
//! Why not wrk: it reads into an 8 KiB buffer, so on big files it spends its core
//! on read() calls and every sendfile server looks alike (about 1.8 GiB/s here).
//! With 1 MiB reads the client stops being the bound and servers differ.
//!
//! ```text
//! loader ADDR PATH [CONNECTIONS] [SECONDS]
//! ```
//!
//! Prints one line, `requests=N bytes=B seconds=S errors=E`: whole responses
//! (status 200, as many body bytes as Content-Length says), their body bytes, the
//! time from start until the last of them ended, and the responses that were not
//! whole. Every connection starts its last request before SECONDS have passed; a
//! read that waits longer than [`STALL`] is an error, so a run always ends.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

/// Each read asks for this much, like a client that is not the bottleneck.
const READ_BUFFER: usize = 1 << 20;

/// A server silent this long has failed the request.
const STALL: Duration = Duration::from_secs(10);

#[derive(Default)]
struct Tally {
    requests: u64,
    bytes: u64,
    errors: u64,
    last_end: Option<Instant>,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(addr), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: loader ADDR PATH [CONNECTIONS] [SECONDS]");
        return ExitCode::from(2);
    };
    let Ok(addr) = addr.parse::<SocketAddr>() else {
        eprintln!("loader: not an address: {addr}");
        return ExitCode::from(2);
    };
    let connections: usize = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(1);
    let seconds: f64 = args.get(3).and_then(|n| n.parse().ok()).unwrap_or(5.0);
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");

    let start = Instant::now();
    let stop = start + Duration::from_secs_f64(seconds);
    let workers: Vec<_> = (0..connections.max(1))
        .map(|_| {
            let request = request.clone();
            thread::spawn(move || fetch_until(addr, request.as_bytes(), stop))
        })
        .collect();
    let mut total = Tally::default();
    for worker in workers {
        let Ok(tally) = worker.join() else {
            eprintln!("loader: a connection thread panicked");
            return ExitCode::FAILURE;
        };
        total.requests += tally.requests;
        total.bytes += tally.bytes;
        total.errors += tally.errors;
        total.last_end = total.last_end.max(tally.last_end);
    }
    let elapsed = total
        .last_end
        .map_or(0.0, |end| (end - start).as_secs_f64());
    println!(
        "requests={} bytes={} seconds={elapsed:.3} errors={}",
        total.requests, total.bytes, total.errors
    );
    ExitCode::SUCCESS
}

/// One connection's loop: a request per connection until `stop`.
fn fetch_until(addr: SocketAddr, request: &[u8], stop: Instant) -> Tally {
    let mut buf = vec![0u8; READ_BUFFER];
    let mut tally = Tally::default();
    while Instant::now() < stop {
        match fetch(addr, request, &mut buf) {
            Some(body) => {
                tally.requests += 1;
                tally.bytes += body;
            }
            None => tally.errors += 1,
        }
        tally.last_end = Some(Instant::now());
    }
    tally
}

/// One request; the body's length if the response was a whole 200.
fn fetch(addr: SocketAddr, request: &[u8], buf: &mut [u8]) -> Option<u64> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(STALL)).ok()?;
    stream.write_all(request).ok()?;
    // The head: read until its blank line (it fits in the first read in practice).
    let mut filled = 0;
    let head_end = loop {
        let n = stream.read(&mut buf[filled..]).ok()?;
        if n == 0 {
            return None;
        }
        filled += n;
        if let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
            break end + 4;
        }
        if filled == buf.len() {
            return None;
        }
    };
    let head = std::str::from_utf8(&buf[..head_end]).ok()?;
    if !head.starts_with("HTTP/1.1 200 ") {
        return None;
    }
    let length: u64 = head.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())?
    })?;
    // The body: count it, keep none of it.
    let mut body = (filled - head_end) as u64;
    while body < length {
        match stream.read(buf) {
            Ok(0) | Err(_) => return None,
            Ok(n) => body += n as u64,
        }
    }
    (body == length).then_some(body)
}
