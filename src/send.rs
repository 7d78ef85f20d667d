//! Bytes out: a head, then a file's bytes, zero-copy where the OS allows.
//!
//! Every response written here is the last thing sent on its connection: the
//! caller closes it, or shuts down its sending side, right after. So each one
//! corks the socket first (Linux's TCP_CORK): no partial segment leaves until the
//! close, and then the response's last bytes and the FIN share one segment. For
//! `file1.txt` that is one packet instead of two (head and body, then the FIN),
//! which `bench/run.sh` measured at about a fifth of our CPU per request (~24 to
//! ~19.5 µs; nginx's `tcp_nopush` is the same idea). A caller that ever keeps a
//! connection open after a response must uncork it (TCP_CORK off), or the last
//! segment waits for the kernel's cork ceiling, 200 ms.

//!
//! The send deadline is the response's, not each write's: a response has the
//! send timeout, plus one second for every [`MIN_SEND_RATE`] bytes the client
//! has taken so far (`Pace`). A write that would block past it cuts the
//! connection, so a client reading a trickle cannot hold it for as long as it
//! likes, while a client at any real speed never meets the limit.
//!
//! So no write here ever blocks: each sends what the socket takes now (`send`
//! with `MSG_DONTWAIT`; `sendfile` on a socket made non-blocking for the body),
//! and only when it takes nothing do we wait, in `poll()`, for exactly the time
//! the response has left. A blocking write with a send timeout could not keep
//! that deadline (the kernel restarts the timeout at every wait inside one
//! call), and bounding each call instead cost two extra system calls per 64 KiB.

use std::fs::File;
use std::io;
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::limits::MIN_SEND_RATE;
use crate::response::Response;

/// How long one response may still take, from what it has sent.
#[derive(Debug, Clone, Copy)]
struct Pace {
    start: Instant,
    grace: Duration,
    sent: u64,
}

impl Pace {
    /// A response starting now, with `grace` before the rate counts.
    fn new(grace: Duration) -> Pace {
        Pace {
            start: Instant::now(),
            grace,
            sent: 0,
        }
    }

    /// Time left before the response is cut, or an error once there is none.
    /// Only bytes the client has taken count: those still in our socket's send
    /// queue (megabytes, on loopback) would buy a trickling reader minutes.
    fn left(&self, stream: &TcpStream) -> io::Result<Duration> {
        let taken = self.sent.saturating_sub(unacknowledged(stream));
        let earned = Duration::from_secs_f64(taken as f64 / MIN_SEND_RATE as f64);
        let deadline = self.start + self.grace + earned;
        match deadline.saturating_duration_since(Instant::now()) {
            left if left.is_zero() => Err(io::ErrorKind::TimedOut.into()),
            left => Ok(left),
        }
    }

    /// Waits until `stream` takes more bytes, or the response's time is up
    /// (then `TimedOut`). A wake-up without room, or a signal, just means the
    /// caller's next write finds out.
    fn wait(&self, stream: &TcpStream) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let left = self.left(stream)?;
        let mut writable = libc::pollfd {
            fd: stream.as_raw_fd(),
            events: libc::POLLOUT,
            revents: 0,
        };
        // Rounded up: a deadline less than a millisecond away is still a wait.
        let ms = left.as_micros().div_ceil(1000).min(i32::MAX as u128) as libc::c_int;
        // SAFETY: poll reads and writes the one pollfd we own, for this call only.
        match unsafe { libc::poll(&mut writable, 1, ms) } {
            -1 => match io::Error::last_os_error() {
                e if e.kind() == io::ErrorKind::Interrupted => Ok(()),
                e => Err(e),
            },
            // Nothing freed in the whole time left: the next `left` is zero.
            _ => Ok(()),
        }
    }
}

/// Bytes in the socket's send queue the client has not acknowledged: Linux's
/// SIOCOUTQ, and elsewhere the send buffer's size, the most that can be queued.
/// Counting a queued byte as taken would let a client that never reads earn a
/// second per 16 KiB of our own buffer (minutes, on loopback).
fn unacknowledged(stream: &TcpStream) -> u64 {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        let mut queued: libc::c_int = 0;
        // SAFETY: TIOCOUTQ (SIOCOUTQ) writes one c_int, which we own.
        let done = unsafe { libc::ioctl(stream.as_raw_fd(), libc::TIOCOUTQ, &mut queued) };
        if done == 0 {
            return queued.max(0) as u64;
        }
    }
    socket2::SockRef::from(stream)
        .send_buffer_size()
        .map_or(0, |size| size as u64)
}

/// Sends `response`, the last thing on its connection: its head, then its body
/// unless `head_only`. This is the one place that decides whether a body goes
/// out, so a HEAD gets exactly GET's head and nothing else, errors included.
/// A response that falls behind its deadline (`Pace`) is cut with a reset:
/// a plain close would leave the kernel sending what is queued (megabytes, on
/// loopback) at the client's trickle.
pub fn response(
    stream: &TcpStream,
    response: &Response,
    head_only: bool,
    grace: Duration,
) -> io::Result<()> {
    let mut pace = Pace::new(grace);
    let sent = if head_only {
        all(stream, response.head(), &mut pace)
    } else {
        all(stream, response.bytes(), &mut pace).and_then(|()| match response.file() {
            Some((body, len)) => file(stream, body, len, &mut pace),
            None => Ok(()),
        })
    };
    if sent.as_ref().is_err_and(|e| {
        matches!(
            e.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
        )
    }) {
        let _ = socket2::SockRef::from(stream).set_linger(Some(Duration::ZERO));
    }
    sent
}

/// Writes all of `bytes`: a head alone, a whole error response, or a head before
/// the body.
fn all(stream: &TcpStream, mut bytes: &[u8], pace: &mut Pace) -> io::Result<()> {
    cork(stream);
    let socket = socket2::SockRef::from(stream);
    while !bytes.is_empty() {
        match socket.send_with_flags(bytes, libc::MSG_DONTWAIT | MSG_NOSIGNAL) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => {
                bytes = &bytes[n..];
                pace.sent += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => pace.wait(stream)?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// A client gone before its answer is an error to return, never a SIGPIPE: the
/// library may run in a process that has not ignored it, as Rust's `main` does.
#[cfg(target_os = "linux")]
const MSG_NOSIGNAL: libc::c_int = libc::MSG_NOSIGNAL;
#[cfg(not(target_os = "linux"))]
const MSG_NOSIGNAL: libc::c_int = 0;

/// Best effort: uncorked, the bytes are the same, only in more segments.
fn cork(stream: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        let _ = socket2::SockRef::from(stream).set_tcp_cork(true);
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = stream;
    }
}

/// Sends the first `len` bytes of `file`. If the file ends sooner (it shrank while
/// we sent it), stops with an error: the caller closes the connection, so the
/// client sees a short body instead of bytes we never had.
fn file(stream: &TcpStream, file: &File, len: u64, pace: &mut Pace) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        // sendfile takes no MSG_DONTWAIT: the socket itself is non-blocking
        // while the body goes out, and blocking again after (a linger reads it).
        stream.set_nonblocking(true)?;
        let sent = sendfile_all(stream, file, len, pace);
        let restored = stream.set_nonblocking(false);
        sent.and(restored)
    }
    #[cfg(not(target_os = "linux"))]
    {
        use std::io::Read;
        let mut chunk = vec![0u8; 64 * 1024];
        let mut left = len;
        let mut file = file;
        while left > 0 {
            let want = left.min(chunk.len() as u64) as usize;
            let n = file.read(&mut chunk[..want])?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            all(stream, &chunk[..n], pace)?;
            left -= n as u64;
        }
        Ok(())
    }
}

/// `file`'s body on Linux: `sendfile` on a non-blocking socket, waiting only when
/// the socket takes nothing.
#[cfg(target_os = "linux")]
fn sendfile_all(stream: &TcpStream, file: &File, len: u64, pace: &mut Pace) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    // One call may move gigabytes; the kernel caps each call anyway.
    const MAX_CALL: u64 = 1 << 30;
    let mut left = len;
    while left > 0 {
        // SAFETY: both descriptors are open for the duration of the call, and a
        // null offset tells the kernel to use and advance the file's own position.
        let sent = unsafe {
            libc::sendfile(
                stream.as_raw_fd(),
                file.as_raw_fd(),
                std::ptr::null_mut(),
                left.min(MAX_CALL) as usize,
            )
        };
        match sent {
            0 => return Err(io::ErrorKind::UnexpectedEof.into()),
            n if n > 0 => {
                left -= n as u64;
                pace.sent += n as u64;
            }
            _ => match io::Error::last_os_error() {
                e if e.kind() == io::ErrorKind::WouldBlock => pace.wait(stream)?,
                e if e.kind() == io::ErrorKind::Interrupted => {}
                e => return Err(e),
            },
        }
    }
    Ok(())
}
