//! Every response head this server writes, errors included, comes from here.
//!
//! One house style, the assignment's own: a status line, Content-Type,
//! Content-Length, `Connection: close`, a blank line. Error bodies are the status
//! in lowercase (`404 not found`, `400 bad request`), so the assignment's 404 is
//! not a special case but the first instance of the rule.

use std::fs::File;
use std::io::Write;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Ok,
    MovedPermanently,
    BadRequest,
    NotFound,
    MethodNotAllowed,
    RequestTimeout,
    UriTooLong,
    HeaderFieldsTooLarge,
    NotImplemented,
    ServiceUnavailable,
    VersionNotSupported,
}

impl Status {
    pub fn code(self) -> u16 {
        match self {
            Status::Ok => 200,
            Status::MovedPermanently => 301,
            Status::BadRequest => 400,
            Status::NotFound => 404,
            Status::MethodNotAllowed => 405,
            Status::RequestTimeout => 408,
            Status::UriTooLong => 414,
            Status::HeaderFieldsTooLarge => 431,
            Status::NotImplemented => 501,
            Status::ServiceUnavailable => 503,
            Status::VersionNotSupported => 505,
        }
    }

    /// The reason phrase; an error body is `code` and this, lowercased.
    pub fn reason(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::MovedPermanently => "Moved Permanently",
            Status::BadRequest => "Bad Request",
            Status::NotFound => "Not Found",
            Status::MethodNotAllowed => "Method Not Allowed",
            Status::RequestTimeout => "Request Timeout",
            Status::UriTooLong => "URI Too Long",
            Status::HeaderFieldsTooLarge => "Request Header Fields Too Large",
            Status::NotImplemented => "Not Implemented",
            Status::ServiceUnavailable => "Service Unavailable",
            Status::VersionNotSupported => "HTTP Version Not Supported",
        }
    }

    /// Headers this status needs beyond the house set, each ending in CRLF.
    fn extra_headers(self) -> &'static str {
        match self {
            Status::MethodNotAllowed => "Allow: GET, HEAD\r\n",
            _ => "",
        }
    }
}

/// A response ready to be sent: its head and any body made here in one buffer,
/// then, for a file, the file whose bytes follow. Whether the body goes out is
/// not decided here but in one place, `send::response` (a HEAD gets the head).
pub struct Response {
    status: Status,
    bytes: Vec<u8>,
    head_len: usize,
    file: Option<(File, u64)>,
}

impl Response {
    pub fn status(&self) -> Status {
        self.status
    }

    /// The head alone: what a HEAD request gets.
    pub fn head(&self) -> &[u8] {
        &self.bytes[..self.head_len]
    }

    /// The head and the body made here (an error's text, a listing).
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The file whose first `len` bytes follow [`Response::bytes`], if any.
    pub fn file(&self) -> Option<(&File, u64)> {
        self.file.as_ref().map(|(file, len)| (file, *len))
    }
}

/// `200 OK` with the first `len` bytes of `file`, which is `content_type`.
pub fn file(file: File, len: u64, content_type: &str) -> Response {
    let mut bytes = Vec::with_capacity(128);
    write_head(&mut bytes, Status::Ok, content_type, len, "");
    Response {
        status: Status::Ok,
        head_len: bytes.len(),
        bytes,
        file: Some((file, len)),
    }
}

/// `200 OK` with `body`, made here, of `content_type`.
pub fn page(body: &[u8], content_type: &str) -> Response {
    made(Status::Ok, content_type, body, "")
}

/// An error response: its body is the status in lowercase.
pub fn error(status: Status) -> Response {
    canned(status, "")
}

/// `301 Moved Permanently` to `location`, which must already be a valid URL
/// reference (percent-encoded, no CR or LF): the body is in the house style.
pub fn redirect(location: &str) -> Response {
    debug_assert!(!location.bytes().any(|b| b.is_ascii_control()));
    canned(
        Status::MovedPermanently,
        &format!("Location: {location}\r\n"),
    )
}

/// A response whose body is its status in lowercase.
fn canned(status: Status, extra: &str) -> Response {
    let body = format!("{} {}", status.code(), status.reason()).to_ascii_lowercase();
    made(status, "text/plain", body.as_bytes(), extra)
}

fn made(status: Status, content_type: &str, body: &[u8], extra: &str) -> Response {
    let mut bytes = Vec::with_capacity(128 + body.len());
    write_head(&mut bytes, status, content_type, body.len() as u64, extra);
    let head_len = bytes.len();
    bytes.extend_from_slice(body);
    Response {
        status,
        bytes,
        head_len,
        file: None,
    }
}

fn write_head(out: &mut Vec<u8>, status: Status, content_type: &str, len: u64, extra: &str) {
    // Writing to a Vec cannot fail.
    let _ = write!(
        out,
        "HTTP/1.1 {} {}\r\nContent-Type: {content_type}\r\nContent-Length: {len}\r\n{}{extra}Connection: close\r\n\r\n",
        status.code(),
        status.reason(),
        status.extra_headers(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_assignments_404_verbatim() {
        let expected = b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 13\r\nConnection: close\r\n\r\n404 not found";
        assert_eq!(error(Status::NotFound).bytes(), expected);
        assert_eq!(expected.len(), 104);
    }

    #[test]
    fn every_error_body_matches_its_content_length() {
        for status in [
            Status::BadRequest,
            Status::MethodNotAllowed,
            Status::RequestTimeout,
            Status::UriTooLong,
            Status::HeaderFieldsTooLarge,
            Status::NotImplemented,
            Status::ServiceUnavailable,
            Status::VersionNotSupported,
            Status::MovedPermanently,
        ] {
            let response = error(status);
            let text = String::from_utf8(response.bytes().to_vec()).expect("heads are ASCII");
            let (head, body) = text.split_once("\r\n\r\n").expect("a blank line");
            assert!(head.contains(&format!("\r\nContent-Length: {}\r\n", body.len())));
            assert_eq!(
                body,
                format!("{} {}", status.code(), status.reason()).to_lowercase()
            );
        }
    }

    #[test]
    fn a_redirect_names_its_location_before_connection_close() {
        let response = redirect("/docs/");
        let expected = b"HTTP/1.1 301 Moved Permanently\r\nContent-Type: text/plain\r\nContent-Length: 21\r\nLocation: /docs/\r\nConnection: close\r\n\r\n301 moved permanently";
        assert_eq!(response.bytes(), expected);
        assert_eq!(response.head(), &expected[..expected.len() - 21]);
        assert_eq!(error(Status::NotFound).head().len(), 104 - 13);
    }
}
