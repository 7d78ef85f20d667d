//! One connection, start to finish: read the head, answer it, close.
//!
//! The states, in order: reading the head (bounded by `max_head` bytes and the
//! `head_timeout` deadline of [`Limits`]), answering (a file, or an error from
//! `response`), closing (after an error, a short linger so the client reads our
//! answer instead of a reset). Every failure ends the connection and nothing else.
//!
//! Decisions (pinned by `spec/robustness/` and `tests/robustness.rs`):
//! - The head deadline runs from `accept()` for the whole head, not per read, so
//!   a client trickling a byte at a time is cut off like one that stops. (With
//!   TCP_DEFER_ACCEPT, see `listener`, a client that sends nothing first waits
//!   about a second in the kernel, unaccepted and costing us no thread.)
//! - When it passes after some bytes arrived, the client gets a 408 (it was
//!   sending a request and deserves to know why nothing came). When nothing
//!   arrived, the connection is closed silently: browsers open spare connections
//!   they may never use, and a 408 there would be read as the answer to the
//!   request they send on it later (nginx and Apache close those silently too).
//! - A client that closes or resets mid-head is gone: nothing is sent.
//! - A defect in the head is answered as soon as it is visible (a bare LF, an
//!   overlong line), without waiting for the rest.
//! - A request that declares a body (a Content-Length above 0, a
//!   Transfer-Encoding) or sends bytes past its head is answered, then its input
//!   is drained for [`LINGER`]: the body is never read as a request, and never
//!   left unread at the close, where the kernel's reset would destroy the reply.
//! - A HEAD gets no body, errors included; it is known by its first word, so a
//!   HEAD refused before it parses (400, 414, 431, 505) is treated the same.
//! - A file or directory the resolver found but that cannot be opened for want
//!   of descriptors or memory is a 503, not a 404: the shortage is ours, and a
//!   404 for a file that exists would be cached (`tests/integration/robustness_descriptors.rs`).

use std::fs::OpenOptions;
use std::io::{self, Read};
use std::net::{Shutdown, TcpStream};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Instant;

use crate::limits::{Limits, FIRST_HEAD_BUFFER, LINGER, LINGER_BYTES};
use crate::request::{self, Method, Request};
use crate::resolve::{self, Found, Refusal, Site};
use crate::response::{self, Status};
use crate::{listing, mime, send};

/// How reading a head can end without one.
enum Unread {
    /// The client closed or reset before its head was whole: nobody to answer.
    Gone,
    /// The deadline passed; `received` bytes had arrived by then.
    Timeout { received: usize },
    /// The bytes so far can never become a valid head.
    Invalid(request::Error),
}

/// Serves one connection and closes it.
pub fn serve(mut stream: TcpStream, site: &Site, limits: &Limits) {
    let mut buf = Vec::new();
    let read = read_head(&mut stream, &mut buf, limits);
    // A HEAD gets exactly the head GET would get, errors included: no body.
    // Judged from the first word, so a HEAD refused before it parses gets no body.
    let head_only = buf.starts_with(b"HEAD ");
    let (answer, unread_input) = match read {
        Ok(len) => {
            let parsed = request::parse(&buf[..len]);
            // A declared body was never read: it must be drained, not reset.
            let body = parsed.is_ok_and(|request| request.declares_body());
            let answer = parsed
                .map_err(status_for)
                .and_then(|request| respond(&stream, site, &request, limits));
            (answer, buf.len() > len || body)
        }
        Err(Unread::Gone) | Err(Unread::Timeout { received: 0 }) => return,
        Err(Unread::Timeout { .. }) => (Err(Status::RequestTimeout), true),
        Err(Unread::Invalid(e)) => (Err(status_for(e)), true),
    };
    if let Err(status) = answer {
        let whole = response::error(status);
        let bytes = if head_only {
            response::without_body(&whole)
        } else {
            &whole
        };
        if send::all(&stream, bytes, &mut send::Pace::new(limits.send_timeout)).is_err() {
            return;
        }
    }
    // A refused request may come with a body we never read; a 404 for a plain GET
    // is the common case and needs no linger.
    if unread_input || answer.is_err_and(|status| status != Status::NotFound) {
        linger(&stream);
    }
}

/// Reads into `buf` until the head is whole, and returns the head's length; `buf`
/// then holds every byte received. It grows with what arrives, never past the
/// head limit.
fn read_head(stream: &mut TcpStream, buf: &mut Vec<u8>, limits: &Limits) -> Result<usize, Unread> {
    let deadline = Instant::now() + limits.head_timeout;
    let mut received = 0;
    let mut framer = request::Framer::default();
    loop {
        match framer.advance(&buf[..received], limits) {
            Ok(Some(len)) => {
                buf.truncate(received);
                return Ok(len);
            }
            Ok(None) => {}
            Err(e) => return Err(Unread::Invalid(e)),
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return Err(Unread::Timeout { received });
        }
        if received == buf.len() {
            let grown = (buf.len() * 2).max(FIRST_HEAD_BUFFER).min(limits.max_head);
            buf.resize(grown, 0);
        }
        match stream.read(&mut buf[received..]) {
            Ok(0) => return Err(Unread::Gone),
            Ok(n) => received += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Unread::Timeout { received })
            }
            Err(_) => return Err(Unread::Gone),
        }
    }
}

/// Answers a parsed request (a file, a listing, a redirect), or says which
/// error to send instead.
fn respond(
    stream: &TcpStream,
    site: &Site,
    request: &Request,
    limits: &Limits,
) -> Result<(), Status> {
    match request.method {
        Method::Get | Method::Head => {}
        Method::Unserved => return Err(Status::MethodNotAllowed),
        Method::Unknown => return Err(Status::NotImplemented),
    }
    let head_only = request.method == Method::Head;
    let found = resolve::find(site, request.target).map_err(|refusal| match refusal {
        Refusal::NotFound => Status::NotFound,
        Refusal::BadTarget => Status::BadRequest,
    })?;
    match found {
        Found::File(path) => send_file(stream, &path, head_only, limits),
        Found::Listing { dir, url } => {
            let body = listing::page(site, &dir, &url).map_err(unreadable)?;
            let mut whole = response::head(Status::Ok, listing::CONTENT_TYPE, body.len() as u64);
            if !head_only {
                whole.extend_from_slice(&body);
            }
            let _ = send::all(stream, &whole, &mut send::Pace::new(limits.send_timeout));
            Ok(())
        }
        Found::Redirect(location) => {
            let whole = response::redirect(&location);
            let bytes = if head_only {
                response::without_body(&whole)
            } else {
                &whole
            };
            let _ = send::all(stream, bytes, &mut send::Pace::new(limits.send_timeout));
            Ok(())
        }
    }
}

/// Sends the file at `path`, or says it cannot be served (404).
fn send_file(
    stream: &TcpStream,
    path: &Path,
    head_only: bool,
    limits: &Limits,
) -> Result<(), Status> {
    // O_NONBLOCK: should the name have become a FIFO since it was resolved,
    // opening it must not wait for a writer; it is then refused as not a file.
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(unreadable)?;
    // Length from the opened file, not the name: the name may change under us.
    let meta = file.metadata().map_err(|_| Status::NotFound)?;
    if !meta.is_file() {
        return Err(Status::NotFound);
    }
    let head = response::head(Status::Ok, mime::for_path(path), meta.len());
    // From here on the status line is out: a failure can only cut the connection.
    let mut pace = send::Pace::new(limits.send_timeout);
    let sent = if head_only || meta.len() == 0 {
        send::all(stream, &head, &mut pace)
    } else {
        send::head_before_body(stream, &head, &mut pace)
            .and_then(|()| send::file(stream, &file, meta.len(), &mut pace))
    };
    if sent.is_err_and(|e| {
        matches!(
            e.kind(),
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock
        )
    }) {
        // Cut means cut: a plain close would leave the kernel sending the
        // queued megabytes at the client's trickle. A reset drops them.
        let _ = socket2::SockRef::from(stream).set_linger(Some(std::time::Duration::ZERO));
    }
    Ok(())
}

/// Why something the resolver found cannot be read now. Out of descriptors or
/// memory is our state, not the file's: 503, so nobody caches a 404 for a file
/// that exists. Anything else (gone, unreadable) is the assignment's 404.
fn unreadable(error: io::Error) -> Status {
    match error.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::ENOMEM) => Status::ServiceUnavailable,
        _ => Status::NotFound,
    }
}

fn status_for(error: request::Error) -> Status {
    use request::Error::*;
    match error {
        RequestLine | Target | Version | Header | LineEnding | Host | NotHttp | Framing => {
            Status::BadRequest
        }
        MethodTooLong | UnknownCoding => Status::NotImplemented,
        UnsupportedVersion => Status::VersionNotSupported,
        LineTooLong => Status::UriTooLong,
        HeadTooLarge => Status::HeaderFieldsTooLarge,
    }
}

/// Half-closes, then reads and drops what the client still sends, bounded in bytes
/// and time. Closing a socket with unread input makes the kernel send a reset,
/// which can destroy our answer in the client's receive buffer before it reads it.
fn linger(mut stream: &TcpStream) {
    if stream.shutdown(Shutdown::Write).is_err() || stream.set_read_timeout(Some(LINGER)).is_err() {
        return;
    }
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    let mut dropped = 0;
    while dropped < LINGER_BYTES && Instant::now() < deadline {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => return,
            Ok(n) => dropped += n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shortage_is_503_and_anything_else_404() {
        for (errno, status) in [
            (libc::EMFILE, Status::ServiceUnavailable),
            (libc::ENFILE, Status::ServiceUnavailable),
            (libc::ENOMEM, Status::ServiceUnavailable),
            (libc::ENOENT, Status::NotFound),
            (libc::EACCES, Status::NotFound),
            (libc::ELOOP, Status::NotFound),
        ] {
            assert_eq!(
                unreadable(io::Error::from_raw_os_error(errno)),
                status,
                "{errno}"
            );
        }
    }
}
