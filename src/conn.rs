//! One connection's answer: from its head, read by `head`, to the close.
//!
//! The states, in order: reading the head (`head::Incoming`, bounded by
//! `max_head` bytes and the `head_timeout` deadline of [`Limits`]), answering
//! (one [`Response`] value, a file or a page or an error, built here and sent
//! in one place, `send::response`), closing (after an error, a short linger so
//! the client reads our answer instead of a reset). Every failure ends the
//! connection and nothing else.
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
use std::io::Read;
use std::net::{Shutdown, TcpStream};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use std::time::Instant;

use crate::head::{Incoming, Unread};
use crate::limits::{Limits, LINGER, LINGER_BYTES};
use crate::request::{self, Method, Request};
use crate::resolve::{self, Found, Refusal, Site};
use crate::response::{self, Response, Status};
use crate::{listing, mime, send};

/// Whether a head that ended this way has anyone to answer: not a client that
/// left, nor one that sent nothing before its deadline.
pub fn nobody_to_answer(read: &Result<usize, Unread>) -> bool {
    matches!(read, Err(Unread::Gone | Unread::Timeout { received: 0 }))
}

/// Answers the connection whose head reading ended with `read`, then closes it.
pub fn answer(incoming: Incoming, read: Result<usize, Unread>, site: &Site, limits: &Limits) {
    if nobody_to_answer(&read) {
        return;
    }
    let stream = incoming.stream();
    let received = incoming.received();
    // Judged from the first word, so a HEAD refused before it parses gets no body.
    let head_only = received.starts_with(b"HEAD ");
    let (response, unread_input) = match read {
        Ok(len) => {
            let parsed = request::parse(&received[..len]);
            // A declared body was never read: it must be drained, not reset.
            let body = parsed.is_ok_and(|request| request.declares_body());
            let response = parsed
                .map_err(status_for)
                .and_then(|request| respond(site, &request))
                .unwrap_or_else(response::error);
            (response, received.len() > len || body)
        }
        Err(Unread::Timeout { .. }) => (response::error(Status::RequestTimeout), true),
        Err(Unread::Invalid(e)) => (response::error(status_for(e)), true),
        Err(Unread::Gone) => return,
    };
    if send::response(stream, &response, head_only, limits.send_timeout).is_err() {
        return;
    }
    // A refused request may come with a body we never read; a 404 for a plain GET
    // is the common case and needs no linger.
    let refused = !matches!(
        response.status(),
        Status::Ok | Status::MovedPermanently | Status::NotFound
    );
    if unread_input || refused {
        linger(stream);
    }
}

/// What a parsed request gets: a file, a listing, a redirect, or an error.
fn respond(site: &Site, request: &Request) -> Result<Response, Status> {
    match request.method {
        Method::Get | Method::Head => {}
        Method::Unserved => return Err(Status::MethodNotAllowed),
        Method::Unknown => return Err(Status::NotImplemented),
    }
    let found = resolve::find(site, request.target).map_err(|refusal| match refusal {
        Refusal::NotFound => Status::NotFound,
        Refusal::BadTarget => Status::BadRequest,
    })?;
    match found {
        Found::File(path) => open_file(&path),
        Found::Listing { dir, url } => {
            let body = listing::page(site, &dir, &url).map_err(unreadable)?;
            Ok(response::page(&body, listing::CONTENT_TYPE))
        }
        Found::Redirect(location) => Ok(response::redirect(&location)),
    }
}

/// The file at `path` as a response, or why it cannot be served.
fn open_file(path: &Path) -> Result<Response, Status> {
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
    Ok(response::file(file, meta.len(), mime::for_path(path)))
}

/// Why something the resolver found cannot be read now. Out of descriptors or
/// memory is our state, not the file's: 503, so nobody caches a 404 for a file
/// that exists. Anything else (gone, unreadable) is the assignment's 404.
fn unreadable(error: std::io::Error) -> Status {
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
                unreadable(std::io::Error::from_raw_os_error(errno)),
                status,
                "{errno}"
            );
        }
    }
}
