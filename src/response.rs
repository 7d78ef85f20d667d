//! Every response head this server writes, errors included, comes from here.
//!
//! One house style, the assignment's own: a status line, Content-Type,
//! Content-Length, `Connection: close`, a blank line. Error bodies are the status
//! in lowercase (`404 not found`, `400 bad request`), so the assignment's 404 is
//! not a special case but the first instance of the rule.

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

/// The head of a response whose body is `len` bytes of `content_type`.
pub fn head(status: Status, content_type: &str, len: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(128);
    write_head(&mut out, status, content_type, len, "");
    out
}

/// A whole error response, head and body.
pub fn error(status: Status) -> Vec<u8> {
    canned(status, "")
}

/// A whole `301 Moved Permanently` to `location`, which must already be a valid
/// URL reference (percent-encoded, no CR or LF): the body is in the house style.
pub fn redirect(location: &str) -> Vec<u8> {
    debug_assert!(!location.bytes().any(|b| b.is_ascii_control()));
    canned(
        Status::MovedPermanently,
        &format!("Location: {location}\r\n"),
    )
}

/// The head of a whole response made here (`error`, `redirect`): what a HEAD
/// request gets, since it must see exactly GET's head and no body.
pub fn without_body(response: &[u8]) -> &[u8] {
    let end = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(response.len(), |at| at + 4);
    &response[..end]
}

/// Head and body of a response whose body is its status in lowercase.
fn canned(status: Status, extra: &str) -> Vec<u8> {
    let body = format!("{} {}", status.code(), status.reason()).to_ascii_lowercase();
    let mut out = Vec::with_capacity(128);
    write_head(&mut out, status, "text/plain", body.len() as u64, extra);
    out.extend_from_slice(body.as_bytes());
    out
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
        assert_eq!(error(Status::NotFound), expected);
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
            let bytes = error(status);
            let text = String::from_utf8(bytes).expect("heads are ASCII");
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
        let bytes = redirect("/docs/");
        let expected = b"HTTP/1.1 301 Moved Permanently\r\nContent-Type: text/plain\r\nContent-Length: 21\r\nLocation: /docs/\r\nConnection: close\r\n\r\n301 moved permanently";
        assert_eq!(bytes, expected);
        assert_eq!(without_body(&bytes), &expected[..expected.len() - 21]);
        assert_eq!(without_body(&error(Status::NotFound)).len(), 104 - 13);
    }
}
