//! One raw client connection: send a request on a [`Schedule`] (how its bytes
//! arrive is part of the input under test), then read until the server closes,
//! resets, or the patience runs out.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use crate::sandbox::Endpoint;

/// How long a loopback connect may take before the exchange fails.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most of a reply kept when nothing says how long a right one is: far
/// above any file the suites serve, far below what would strain the grader.
pub const READ_LIMIT: usize = 16 << 20;

/// How a request's bytes are handed to the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// One write.
    All,
    /// Writes of `size` bytes with `pause` between them.
    Pieces { size: usize, pause: Duration },
    /// Writes split at these byte offsets, with `pause` between them.
    Split { at: Vec<usize>, pause: Duration },
}

impl Schedule {
    /// The request cut into the writes this schedule makes.
    pub fn pieces<'a>(&self, request: &'a [u8]) -> Vec<&'a [u8]> {
        match self {
            Schedule::All => vec![request],
            Schedule::Pieces { size, .. } => request.chunks((*size).max(1)).collect(),
            Schedule::Split { at, .. } => {
                let mut pieces = Vec::new();
                let mut start = 0;
                for &cut in at.iter().chain([request.len()].iter()) {
                    let cut = cut.clamp(start, request.len());
                    pieces.push(&request[start..cut]);
                    start = cut;
                }
                pieces.retain(|piece| !piece.is_empty());
                pieces
            }
        }
    }

    fn pause(&self) -> Duration {
        match self {
            Schedule::All => Duration::ZERO,
            Schedule::Pieces { pause, .. } | Schedule::Split { pause, .. } => *pause,
        }
    }
}

/// How a connection ended, from the client's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The server closed it (EOF).
    Closed,
    /// The server reset it.
    Reset,
    /// It was still open when we stopped waiting.
    Open,
    /// It went on past the limit, and we stopped reading.
    Cut,
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub bytes: Vec<u8>,
    pub end: End,
}

/// Connects, sends `request` on `schedule`, and reads until the server closes or
/// `patience` has passed since the last byte was sent.
pub fn exchange(
    to: impl Into<Endpoint>,
    request: &[u8],
    schedule: &Schedule,
    patience: Duration,
) -> io::Result<Reply> {
    let stream = to.into().connect(CONNECT_TIMEOUT)?;
    exchange_on(stream, request, schedule, patience)
}

/// [`exchange`] on a connection already made.
pub fn exchange_on(
    stream: TcpStream,
    request: &[u8],
    schedule: &Schedule,
    patience: Duration,
) -> io::Result<Reply> {
    exchange_limited(stream, request, schedule, patience, READ_LIMIT)
}

/// [`exchange_on`], keeping at most `limit` bytes of the reply: past them
/// it stops reading, and the reply ends [`End::Cut`].
pub fn exchange_limited(
    mut stream: TcpStream,
    request: &[u8],
    schedule: &Schedule,
    patience: Duration,
    limit: usize,
) -> io::Result<Reply> {
    // Each piece leaves as its own segment instead of being merged by Nagle.
    stream.set_nodelay(true)?;
    let pieces = schedule.pieces(request);
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            // Part of the input under test (how the bytes arrive), not a wait
            // for anything to happen.
            thread::sleep(schedule.pause());
        }
        if stream.write_all(piece).is_err() {
            // The server answered and closed early (a 431, say): read what it sent.
            break;
        }
    }
    read_limited(&mut stream, patience, limit)
}

/// Reads until EOF, a reset, or `patience` with the connection still open.
pub fn read_to_close(stream: &mut TcpStream, patience: Duration) -> io::Result<Reply> {
    read_limited(stream, patience, READ_LIMIT)
}

/// [`read_to_close`], stopping once more than `limit` bytes have come.
pub fn read_limited(stream: &mut TcpStream, patience: Duration, limit: usize) -> io::Result<Reply> {
    let deadline = Instant::now() + patience;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Reply {
                bytes,
                end: End::Open,
            });
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut chunk) {
            Ok(0) => {
                return Ok(Reply {
                    bytes,
                    end: End::Closed,
                })
            }
            Ok(n) if bytes.len() + n > limit => {
                bytes.extend_from_slice(&chunk[..limit - bytes.len()]);
                return Ok(Reply {
                    bytes,
                    end: End::Cut,
                });
            }
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(Reply {
                    bytes,
                    end: End::Open,
                })
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                return Ok(Reply {
                    bytes,
                    end: End::Reset,
                })
            }
            Err(e) => return Err(e),
        }
    }
}

/// A plain GET the way the guide's browser sends it, read to the close.
pub fn get(to: impl Into<Endpoint>, target: &str, patience: Duration) -> io::Result<Reply> {
    let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    exchange(to, request.as_bytes(), &Schedule::All, patience)
}
