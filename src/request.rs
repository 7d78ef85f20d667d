//! The request head, parsed in place from the bytes received so far.
//!
//! Like httparse: nothing is allocated, [`head_len`] answers "partial" until the
//! blank line has arrived, and every way a head can be wrong is its own [`Error`].
//! Framing ([`head_len`]) and parsing ([`parse`]) are apart so that the read loop
//! in `conn` frames each time bytes arrive and parses once.
//! The request line is ISO-8859-1: every byte is one character, so nothing here
//! decodes text; the target stays bytes until `resolve` decodes its escapes.

use crate::limits::{MAX_HEAD, MAX_REQUEST_LINE};

/// What the server does with a request, by its method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    /// A method HTTP defines that this server does not serve (405).
    Unserved,
    /// A method this server does not know (501).
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request<'a> {
    pub method: Method,
    /// The request target exactly as sent, e.g. `/docs/a%20b.txt?x=1`.
    pub target: &'a [u8],
    pub version: Version,
    /// Header lines, each ending in CRLF, without the request line or the blank line.
    pub headers: &'a [u8],
}

/// Every way a head can be refused, each mapped to one status by `response`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Error {
    /// Not `METHOD SP TARGET SP VERSION`, or a method that is not a token.
    RequestLine,
    /// A control byte in the target.
    Target,
    /// A version that is not `HTTP/digit.digit`.
    Version,
    /// `HTTP/x.y` other than 1.0 and 1.1.
    UnsupportedVersion,
    /// A header line without a colon, with a bad name, or with a stray CR or LF.
    Header,
    /// The request line is longer than [`MAX_REQUEST_LINE`].
    LineTooLong,
    /// The head is larger than [`MAX_HEAD`].
    HeadTooLarge,
}

/// Where the head at the start of `buf` ends: `Ok(None)` while it is partial (no
/// blank line yet: read more), `Ok(Some(len))` once the first `len` bytes are a
/// whole head. The limits are checked here, before the head is whole, so a client
/// cannot make us wait for more than [`MAX_HEAD`] bytes.
pub fn head_len(buf: &[u8]) -> Result<Option<usize>, Error> {
    match find(buf, b"\r\n") {
        Some(end) if end > MAX_REQUEST_LINE => return Err(Error::LineTooLong),
        None if buf.len() > MAX_REQUEST_LINE + 1 => return Err(Error::LineTooLong),
        _ => {}
    }
    match find(buf, b"\r\n\r\n") {
        Some(end) if end + 4 <= MAX_HEAD => Ok(Some(end + 4)),
        Some(_) => Err(Error::HeadTooLarge),
        None if buf.len() >= MAX_HEAD => Err(Error::HeadTooLarge),
        None => Ok(None),
    }
}

/// Parses a whole head, as [`head_len`] delimits it: the request line, then each
/// header line checked for form.
pub fn parse(head: &[u8]) -> Result<Request<'_>, Error> {
    let block = head.strip_suffix(b"\r\n").ok_or(Error::Header)?;
    let (line, headers) = match find(block, b"\r\n") {
        Some(end) => (&block[..end], &block[end + 2..]),
        None => (block, &[][..]),
    };
    let mut request = request_line(line)?;
    request.headers = headers;
    for line in lines(headers) {
        header_line(line)?;
    }
    Ok(request)
}

impl<'a> Request<'a> {
    /// `(name, value)` of each header, value trimmed of surrounding blanks.
    pub fn headers(&self) -> impl Iterator<Item = (&'a [u8], &'a [u8])> {
        lines(self.headers).filter_map(|line| {
            let colon = line.iter().position(|&b| b == b':')?;
            Some((&line[..colon], line[colon + 1..].trim_ascii()))
        })
    }
}

fn request_line(line: &[u8]) -> Result<Request<'_>, Error> {
    let mut parts = line.split(|&b| b == b' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Error::RequestLine);
    };
    if method.is_empty() || !method.iter().all(|&b| is_tchar(b)) || target.is_empty() {
        return Err(Error::RequestLine);
    }
    if target.iter().any(|&b| b < 0x20 || b == 0x7f) {
        return Err(Error::Target);
    }
    Ok(Request {
        method: method_of(method),
        target,
        version: version_of(version)?,
        headers: &[],
    })
}

fn method_of(token: &[u8]) -> Method {
    match token {
        b"GET" => Method::Get,
        b"HEAD" => Method::Head,
        b"POST" | b"PUT" | b"DELETE" | b"CONNECT" | b"OPTIONS" | b"TRACE" | b"PATCH" => {
            Method::Unserved
        }
        _ => Method::Unknown,
    }
}

fn version_of(text: &[u8]) -> Result<Version, Error> {
    match text {
        b"HTTP/1.1" => Ok(Version::Http11),
        b"HTTP/1.0" => Ok(Version::Http10),
        [b'H', b'T', b'T', b'P', b'/', major, b'.', minor]
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            Err(Error::UnsupportedVersion)
        }
        _ => Err(Error::Version),
    }
}

fn header_line(line: &[u8]) -> Result<(), Error> {
    let colon = line.iter().position(|&b| b == b':').ok_or(Error::Header)?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    // A name is a token: no whitespace before the colon, no folded continuation line.
    if name.is_empty() || !name.iter().all(|&b| is_tchar(b)) {
        return Err(Error::Header);
    }
    if value.iter().any(|&b| b == b'\r' || b == b'\n' || b == 0) {
        return Err(Error::Header);
    }
    Ok(())
}

/// The CRLF-terminated lines of a header block, terminators removed. A bare LF
/// stays inside its line, where `header_line` refuses it.
fn lines(block: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = block;
    std::iter::from_fn(move || {
        let end = find(rest, b"\r\n")?;
        let line = &rest[..end];
        rest = &rest[end + 2..];
        Some(line)
    })
}

/// RFC 9110 `tchar`: what a method or a header name is made of.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn complete(buf: &[u8]) -> (Request<'_>, usize) {
        let len = head_len(buf)
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("{:?}: no whole head", String::from_utf8_lossy(buf)));
        match parse(&buf[..len]) {
            Ok(request) => (request, len),
            Err(e) => panic!("{:?}: {e:?}", String::from_utf8_lossy(buf)),
        }
    }

    fn parse_all(buf: &[u8]) -> Result<Request<'_>, Error> {
        let len = head_len(buf)?.expect("a whole head");
        parse(&buf[..len])
    }

    #[test]
    fn the_guides_request() {
        let buf = b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
        let (request, len) = complete(buf);
        assert_eq!(len, buf.len());
        assert_eq!(request.method, Method::Get);
        assert_eq!(request.target, b"/file1.txt");
        assert_eq!(request.version, Version::Http11);
        let headers: Vec<_> = request.headers().collect();
        assert_eq!(
            headers,
            [
                (&b"Host"[..], &b"localhost"[..]),
                (&b"Connection"[..], &b"close"[..])
            ]
        );
    }

    #[test]
    fn every_prefix_is_partial() {
        let buf = b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\n\r\n";
        for end in 0..buf.len() {
            assert_eq!(head_len(&buf[..end]), Ok(None), "prefix of {end}");
        }
        assert_eq!(complete(buf).1, buf.len());
    }

    #[test]
    fn bytes_after_the_head_are_not_part_of_it() {
        let buf = b"GET /a HTTP/1.0\r\n\r\nGET /b HTTP/1.0\r\n\r\n";
        let (request, len) = complete(buf);
        assert_eq!((request.target, len), (&b"/a"[..], 19));
        assert!(request.headers.is_empty());
    }

    #[test]
    fn each_defect_has_its_error() {
        for (buf, error) in [
            (&b"GET /\r\n\r\n"[..], Error::RequestLine),
            (b"GET  / HTTP/1.1\r\n\r\n", Error::RequestLine),
            (b"GET / HTTP/1.1 x\r\n\r\n", Error::RequestLine),
            (b"G(T / HTTP/1.1\r\n\r\n", Error::RequestLine),
            (b"GET /a\x01 HTTP/1.1\r\n\r\n", Error::Target),
            (b"GET / HTTP/1\r\n\r\n", Error::Version),
            (b"GET / http/1.1\r\n\r\n", Error::Version),
            (b"GET / HTTP/2.0\r\n\r\n", Error::UnsupportedVersion),
            (b"GET / HTTP/1.1\r\nHost\r\n\r\n", Error::Header),
            (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", Error::Header),
            (b"GET / HTTP/1.1\r\n folded\r\n\r\n", Error::Header),
            (b"GET / HTTP/1.1\r\nA: b\nC: d\r\n\r\n", Error::Header),
        ] {
            assert_eq!(
                parse_all(buf),
                Err(error),
                "{:?}",
                String::from_utf8_lossy(buf)
            );
        }
    }

    #[test]
    fn methods_sort_into_served_unserved_unknown() {
        for (method, expected) in [
            ("GET", Method::Get),
            ("HEAD", Method::Head),
            ("POST", Method::Unserved),
            ("DELETE", Method::Unserved),
            ("BREW", Method::Unknown),
            ("get", Method::Unknown),
        ] {
            let buf = format!("{method} / HTTP/1.1\r\n\r\n");
            assert_eq!(complete(buf.as_bytes()).0.method, expected, "{method}");
        }
    }

    #[test]
    fn limits_are_enforced_before_the_head_ends() {
        let long_line = format!("GET /{} HTTP/1.1", "a".repeat(MAX_REQUEST_LINE));
        assert_eq!(head_len(long_line.as_bytes()), Err(Error::LineTooLong));
        let mut big_head = b"GET / HTTP/1.1\r\n".to_vec();
        while big_head.len() < MAX_HEAD {
            big_head.extend_from_slice(b"X-Filler: 0123456789abcdef\r\n");
        }
        assert_eq!(head_len(&big_head[..MAX_HEAD]), Err(Error::HeadTooLarge));
    }
}
