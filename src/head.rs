//! A connection while its request head arrives: an explicit state, read without
//! ever waiting.
//!
//! [`Incoming::pull`] takes what the kernel already holds (`recv` with
//! `MSG_DONTWAIT`) and frames it; it never blocks. So the same state serves both
//! ways a head can arrive: whole in the first segment (the usual case, which
//! TCP_DEFER_ACCEPT makes the rule: see `listener`), read at once by the thread
//! that accepted it; or in pieces, with the connection parked where one thread
//! waits for many (`parking`) until the head is whole, wrong, or late.
//!
//! The head deadline runs from `accept()` for the whole head, not per read, so a
//! client trickling a byte at a time is cut off like one that stops.
//!
//! An `Incoming` is also how the process counts its connections: one exists from
//! `accept()` until the connection closes (it owns the socket), and
//! [`open_connections`] is what a graceful stop waits for.

use std::io;
use std::net::TcpStream;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use crate::limits::{Limits, FIRST_HEAD_BUFFER};
use crate::request::{self, Framer};

/// Connections accepted and not yet closed, in the whole process.
static OPEN: AtomicUsize = AtomicUsize::new(0);

/// How many connections are open right now: accepted, and not yet closed.
pub fn open_connections() -> usize {
    OPEN.load(Ordering::Acquire)
}

/// How reading a head can end without one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unread {
    /// The client closed or reset before its head was whole: nobody to answer.
    Gone,
    /// The deadline passed; `received` bytes had arrived by then.
    Timeout { received: usize },
    /// The bytes so far can never become a valid head.
    Invalid(request::Error),
}

/// Where reading a head stands after a [`Incoming::pull`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Not whole yet, and nothing more has arrived: wait for the socket.
    Waiting,
    /// Whole (its length in bytes), or never will be.
    Done(Result<usize, Unread>),
}

/// One accepted connection and the head read from it so far.
pub struct Incoming {
    stream: TcpStream,
    /// Every byte received, head and anything after it; grows with what
    /// arrives, never past the head limit.
    buf: Vec<u8>,
    received: usize,
    framer: Framer,
    deadline: Instant,
}

impl Incoming {
    /// A connection `accept()` just returned; its head deadline starts now.
    pub fn accepted(stream: TcpStream, limits: &Limits) -> Incoming {
        OPEN.fetch_add(1, Ordering::AcqRel);
        Incoming {
            stream,
            buf: Vec::new(),
            received: 0,
            framer: Framer::default(),
            deadline: Instant::now() + limits.head_timeout,
        }
    }

    pub fn stream(&self) -> &TcpStream {
        &self.stream
    }

    /// Every byte received so far.
    pub fn received(&self) -> &[u8] {
        &self.buf[..self.received]
    }

    /// When the head must be whole.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Reads what has arrived, without waiting, until the head is whole, proves
    /// wrong, or the socket has nothing more for now.
    pub fn pull(&mut self, limits: &Limits) -> Progress {
        loop {
            match self.framer.advance(&self.buf[..self.received], limits) {
                Ok(Some(len)) => return Progress::Done(Ok(len)),
                Ok(None) => {}
                Err(e) => return Progress::Done(Err(Unread::Invalid(e))),
            }
            if Instant::now() >= self.deadline {
                return self.expire();
            }
            if self.received == self.buf.len() {
                let grown = (self.buf.len() * 2)
                    .max(FIRST_HEAD_BUFFER)
                    .min(limits.max_head);
                self.buf.resize(grown, 0);
            }
            match recv_now(&self.stream, &mut self.buf[self.received..]) {
                Ok(0) => return Progress::Done(Err(Unread::Gone)),
                Ok(n) => self.received += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Progress::Waiting,
                Err(_) => return Progress::Done(Err(Unread::Gone)),
            }
        }
    }

    /// The deadline has passed: the head is late.
    pub fn expire(&self) -> Progress {
        Progress::Done(Err(Unread::Timeout {
            received: self.received,
        }))
    }
}

impl Drop for Incoming {
    fn drop(&mut self) {
        OPEN.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One `recv` that returns `WouldBlock` instead of waiting. The socket itself
/// stays blocking: sending the answer waits with its own deadline (`send`).
fn recv_now(stream: &TcpStream, buf: &mut [u8]) -> io::Result<usize> {
    use std::os::fd::AsRawFd;
    // SAFETY: `buf` is ours and writable for its whole length; the descriptor is
    // open for as long as `stream` lives.
    let n = unsafe {
        libc::recv(
            stream.as_raw_fd(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            libc::MSG_DONTWAIT,
        )
    };
    match n {
        n if n >= 0 => Ok(n as usize),
        _ => Err(io::Error::last_os_error()),
    }
}
