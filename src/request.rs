//! The request head, parsed in place from the bytes received so far.
//!
//! Like httparse: nothing is allocated, [`head_len`] answers "partial" until the
//! blank line has arrived, and every way a head can be wrong is its own [`Error`].
//! Framing ([`head_len`]) and parsing ([`parse`]) are apart so that the read loop
//! in `conn` frames each time bytes arrive and parses once.
//! The request line is ISO-8859-1: every byte is one character, so nothing here
//! decodes text; the target stays bytes until `resolve` decodes its escapes.
//!
//! Decisions (pinned by `spec/robustness/`):
//! - Line endings are CRLF only. A bare LF, or a CR not followed by LF, is a 400
//!   as soon as it arrives ([`Error::LineEnding`]). RFC 9112 §2.2 lets a server
//!   accept a bare LF, but a head that never sees `\r\n\r\n` would otherwise
//!   wait for the deadline, and servers that disagree on where a line ends are
//!   how request smuggling starts. A client gets an answer at once, not a hang.
//! - Host (RFC 9112 §3.2, RFC 9110 §7.2): an HTTP/1.1 request with no Host
//!   header, or any request with more than one, is a 400 ([`Error::Host`]). HTTP/1.0
//!   may omit it. Its value must be `uri-host [ ":" port ]`: userinfo, a path, a
//!   comma list, or an empty value on HTTP/1.1 is a 400.
//! - Framing (RFC 9112 §6.1, §6.3) is checked before the method, for every
//!   method, since a body we misjudge is where smuggling starts: Content-Length
//!   is `1*DIGIT` that fits a u64, once (a repeat is a 400 even with the same
//!   value, as for Host); Transfer-Encoding is refused on HTTP/1.0, beside a
//!   Content-Length, or when its last coding is not `chunked` (400), and a coding
//!   this server does not know is a 501, which wins over the rest. A body is
//!   never decoded: `conn` drains it after the answer.
//! - A field value with a control byte other than tab is a 400. `*` as a target
//!   is only OPTIONS's (then 405); for any other method, a 400.
//! - A first byte that cannot start a method (a TLS ClientHello's 0x16, a CR)
//!   is a 400 at once, and a first word longer than any method this server
//!   knows is a 501 at once: neither can become a request worth waiting for.
//! - A raw byte of 0x80 or above in the target is looked up like any other, in
//!   every mode: RFC 9112's grammar is ASCII, but nginx and Apache serve such
//!   targets, and `extensions/target-utf8-raw` pins that a UTF-8 name is found.
//! - An empty line before the request line is not skipped: it is a request line
//!   that is not three parts, a 400. Every request here is a connection's first.
//! - The limits are checked while the head is still arriving, so a client can
//!   never make us hold more than `max_head` bytes.

use crate::limits::{Limits, LONGEST_METHOD};

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
    /// A control byte in the target, or `*` for a method other than OPTIONS.
    Target,
    /// A version that is not `HTTP/digit.digit`.
    Version,
    /// `HTTP/x.y` other than 1.0 and 1.1.
    UnsupportedVersion,
    /// A header line without a colon, with a bad name, or with a control byte in its value.
    Header,
    /// A bare LF, or a CR not followed by LF, before the head's end.
    LineEnding,
    /// A first byte that cannot start a method: nothing after it can help.
    NotHttp,
    /// A first word longer than any method this server knows.
    MethodTooLong,
    /// A Content-Length or Transfer-Encoding that does not frame a body
    /// unambiguously (RFC 9112 §6.3).
    Framing,
    /// A transfer coding this server does not know (RFC 9112 §6.1: 501).
    UnknownCoding,
    /// No Host header on HTTP/1.1, more than one on any version, or a value that
    /// is not `uri-host [ ":" port ]`.
    Host,
    /// The request line is longer than [`Limits::max_request_line`].
    LineTooLong,
    /// The head is larger than [`Limits::max_head`].
    HeadTooLarge,
}

/// Where the head at the start of `buf` ends: `Ok(None)` while it is partial (no
/// blank line yet: read more), `Ok(Some(len))` once the first `len` bytes are a
/// whole head. Line endings and the limits are checked here, before the head is
/// whole, so a defect is answered as soon as it arrives and a client cannot make
/// us wait for more than `max_head` bytes.
pub fn head_len(buf: &[u8], limits: &Limits) -> Result<Option<usize>, Error> {
    Framer::default().advance(buf, limits)
}

/// [`head_len`] for a buffer that grows as bytes arrive: it remembers how far it
/// has checked, so a head delivered a byte at a time is scanned once in all, not
/// once per byte (with `--max-head-bytes` at 1 MiB, that would be 10^12 steps).
#[derive(Debug, Default, Clone, Copy)]
pub struct Framer {
    /// Bytes already judged; a final CR waits for the byte after it.
    scanned: usize,
    /// Where the line being read starts.
    line_start: usize,
}

impl Framer {
    /// Frames `buf`, which must extend the buffer of the previous call.
    pub fn advance(&mut self, buf: &[u8], limits: &Limits) -> Result<Option<usize>, Error> {
        if self.scanned == 0 {
            method_so_far(buf)?;
        }
        for (i, &byte) in buf.iter().enumerate().skip(self.scanned) {
            match byte {
                b'\r' if buf.get(i + 1).is_some_and(|&next| next != b'\n') => {
                    return Err(Error::LineEnding)
                }
                b'\n' if i == 0 || buf[i - 1] != b'\r' => return Err(Error::LineEnding),
                b'\n' => {
                    let line_len = i - 1 - self.line_start;
                    if self.line_start == 0 && line_len > limits.max_request_line {
                        return Err(Error::LineTooLong);
                    }
                    if line_len == 0 {
                        return match i + 1 {
                            len if len <= limits.max_head => Ok(Some(len)),
                            _ => Err(Error::HeadTooLarge),
                        };
                    }
                    self.line_start = i + 1;
                }
                _ => {}
            }
        }
        // A final CR is judged again with the byte that follows it.
        let pending = buf.len() - buf.ends_with(b"\r") as usize;
        self.scanned = pending;
        // Partial: a request line already too long (a final CR may still become
        // its CRLF), or a buffer full without a blank line, will never be a head.
        if self.line_start == 0 && pending > limits.max_request_line {
            return Err(Error::LineTooLong);
        }
        if buf.len() >= limits.max_head {
            return Err(Error::HeadTooLarge);
        }
        Ok(None)
    }
}

/// Judges the first word while it arrives: a method is a token, and none this
/// server knows is longer than [`LONGEST_METHOD`].
fn method_so_far(buf: &[u8]) -> Result<(), Error> {
    if buf.first().is_some_and(|&b| !is_tchar(b)) {
        return Err(Error::NotHttp);
    }
    let word = buf.iter().take_while(|&&b| is_tchar(b)).count();
    if word > LONGEST_METHOD {
        return Err(Error::MethodTooLong);
    }
    Ok(())
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
    framing(&request)?;
    let mut hosts = request
        .headers()
        .filter(|(name, _)| name.eq_ignore_ascii_case(b"host"))
        .map(|(_, value)| value);
    match (request.version, hosts.next(), hosts.next()) {
        (_, _, Some(_)) | (Version::Http11, None, _) => return Err(Error::Host),
        (_, Some(host), None) if !valid_host(host, request.version) => return Err(Error::Host),
        _ => {}
    }
    Ok(request)
}

/// The transfer codings RFC 9112 §7 and the IANA registry name; any other is 501.
const KNOWN_CODINGS: [&[u8]; 6] = [
    b"chunked",
    b"compress",
    b"deflate",
    b"gzip",
    b"x-compress",
    b"x-gzip",
];

/// RFC 9112 §6.1 and §6.3: at most one way to find where a body ends.
fn framing(request: &Request) -> Result<(), Error> {
    let named = |wanted: &'static [u8]| {
        request
            .headers()
            .filter(move |(name, _)| name.eq_ignore_ascii_case(wanted))
            .map(|(_, value)| value)
    };
    let mut lengths = named(b"content-length");
    let length = lengths.next();
    if lengths.next().is_some() || length.is_some_and(|value| !valid_length(value)) {
        return Err(Error::Framing);
    }
    // Every coding of every Transfer-Encoding field, in order, without its
    // parameters; walked again for each question, so nothing is allocated.
    let codings = || {
        named(b"transfer-encoding")
            .flat_map(|value| value.split(|&b| b == b','))
            .map(|element| {
                element
                    .split(|&b| b == b';')
                    .next()
                    .unwrap_or_default()
                    .trim_ascii()
            })
            .filter(|coding| !coding.is_empty())
    };
    let chunked = |c: &[u8]| c.eq_ignore_ascii_case(b"chunked");
    let known = |c: &[u8]| KNOWN_CODINGS.iter().any(|k| c.eq_ignore_ascii_case(k));
    if named(b"transfer-encoding").next().is_none() {
        return Ok(());
    }
    if !codings().all(known) {
        return Err(Error::UnknownCoding);
    }
    if request.version == Version::Http10
        || length.is_some()
        || !codings().last().is_some_and(chunked)
        || codings().filter(|c| chunked(c)).count() > 1
    {
        return Err(Error::Framing);
    }
    Ok(())
}

/// `1*DIGIT` that fits a u64: no sign, space, list, or hex.
fn valid_length(value: &[u8]) -> bool {
    !value.is_empty()
        && value.iter().all(u8::is_ascii_digit)
        && std::str::from_utf8(value).is_ok_and(|text| text.parse::<u64>().is_ok())
}

/// `uri-host [ ":" port ]` (RFC 3986 §3.2.2), empty only on HTTP/1.0. A comma is
/// a sub-delim to RFC 3986 but a list here, so it is refused.
fn valid_host(value: &[u8], version: Version) -> bool {
    if value.is_empty() {
        return version == Version::Http10;
    }
    let (host, port) = match value.strip_prefix(b"[") {
        Some(rest) => match rest.iter().position(|&b| b == b']') {
            Some(end) => {
                let literal = &rest[..end];
                if literal.is_empty()
                    || !literal
                        .iter()
                        .all(|&b| b.is_ascii_hexdigit() || b":.vV".contains(&b))
                {
                    return false;
                }
                (&b"x"[..], &rest[end + 1..])
            }
            None => return false,
        },
        None => match value.iter().rposition(|&b| b == b':') {
            Some(colon) => (&value[..colon], &value[colon..]),
            None => (value, &b""[..]),
        },
    };
    let port_ok = match port.strip_prefix(b":") {
        Some(digits) => digits.iter().all(u8::is_ascii_digit),
        None => port.is_empty(),
    };
    let reg_name = |b: &u8| b.is_ascii_alphanumeric() || b"-._~%!$&'()*+;=".contains(b);
    port_ok && !host.is_empty() && host.iter().all(reg_name)
}

impl<'a> Request<'a> {
    /// Whether a body follows the head: a Content-Length above 0, or a
    /// Transfer-Encoding (framing already checked both).
    pub fn declares_body(&self) -> bool {
        self.headers().any(|(name, value)| {
            name.eq_ignore_ascii_case(b"transfer-encoding")
                || (name.eq_ignore_ascii_case(b"content-length")
                    && value.iter().any(|&b| b != b'0'))
        })
    }

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
    if target.iter().any(|&b| b < 0x20 || b == 0x7f) || (target == b"*" && method != b"OPTIONS") {
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
    // RFC 9110 §5.5: field-vchar, obs-text, space and tab; no other control byte.
    if value.iter().any(|&b| (b < 0x20 && b != b'\t') || b == 0x7f) {
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
    use crate::limits::{MAX_HEAD, MAX_REQUEST_LINE};

    fn head_len(buf: &[u8]) -> Result<Option<usize>, Error> {
        super::head_len(buf, &Limits::default())
    }

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
            (b"GET /a b HTTP/1.1\r\n\r\n", Error::RequestLine),
            (b"GET / HTTP/1.1 x\r\n\r\n", Error::RequestLine),
            (b"G(T / HTTP/1.1\r\n\r\n", Error::RequestLine),
            (b"GET /a\x01 HTTP/1.1\r\n\r\n", Error::Target),
            (b"GET / HTTP/1\r\n\r\n", Error::Version),
            (b"GET / http/1.1\r\n\r\n", Error::Version),
            (b"GET / HTTP/2.0\r\n\r\n", Error::UnsupportedVersion),
            (b"GET / HTTP/1.1\r\nHost\r\n\r\n", Error::Header),
            (b"GET / HTTP/1.1\r\nHost : x\r\n\r\n", Error::Header),
            (b"GET / HTTP/1.1\r\n folded\r\n\r\n", Error::Header),
            (
                b"GET / HTTP/1.1\r\nHost: x\r\nA: b\x00\r\n\r\n",
                Error::Header,
            ),
            (b"GET / HTTP/1.1\r\nA: b\r\n\r\n", Error::Host),
            (b"GET / HTTP/1.1\r\nHost: a\r\nhost: b\r\n\r\n", Error::Host),
            (b"GET / HTTP/1.0\r\nHost: a\r\nHOST: a\r\n\r\n", Error::Host),
            (b" GET / HTTP/1.1\r\nHost: x\r\n\r\n", Error::NotHttp),
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
            let buf = format!("{method} / HTTP/1.1\r\nHost: x\r\n\r\n");
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

    #[test]
    fn a_bare_lf_or_cr_is_refused_as_soon_as_it_arrives() {
        for buf in [
            &b"GET / HTTP/1.1\n"[..],
            b"GET / HTTP/1.1\r\nHost: x\n",
            b"GET / HTTP/1.1\rHost: x",
            b"GET / HTTP/1.1\r\nHost: x\r\n\n",
            b"GET / HTTP/1.1\r\r\n",
        ] {
            assert_eq!(
                head_len(buf),
                Err(Error::LineEnding),
                "{:?}",
                String::from_utf8_lossy(buf)
            );
        }
        // A CR at the end of what has arrived may still be followed by its LF.
        assert_eq!(head_len(b"GET / HTTP/1.1\r"), Ok(None));
        // What follows the head is not the head's business.
        assert_eq!(
            head_len(b"GET / HTTP/1.0\r\n\r\nbody\nwith\rbare ends"),
            Ok(Some(18))
        );
    }

    #[test]
    fn http10_may_omit_host_and_its_value_must_be_a_host() {
        assert!(parse_all(b"GET / HTTP/1.0\r\n\r\n").is_ok());
        assert!(parse_all(b"GET / HTTP/1.0\r\nHost:\r\n\r\n").is_ok());
        for good in [
            "localhost",
            "hOsT: x",
            "127.0.0.1:8080",
            "[::1]:80",
            "a-b.example",
            "x:",
        ] {
            let (name, value) = good.split_once(": ").unwrap_or(("Host", good));
            let buf = format!("GET / HTTP/1.1\r\n{name}: {value}\r\n\r\n");
            assert!(parse_all(buf.as_bytes()).is_ok(), "{good}");
        }
        for bad in [
            "",
            "user@host",
            "host/path",
            "a, b",
            "anything at all",
            "[::1",
            "h:8a",
        ] {
            let buf = format!("GET / HTTP/1.1\r\nHost: {bad}\r\n\r\n");
            assert_eq!(parse_all(buf.as_bytes()), Err(Error::Host), "{bad:?}");
        }
    }

    #[test]
    fn framing_is_judged_before_the_method() {
        let with = |version: &str, headers: &str| {
            format!("POST / HTTP/{version}\r\nHost: x\r\n{headers}\r\n")
        };
        for (version, headers, expected) in [
            ("1.1", "Content-Length: 5\r\n", Ok(Method::Unserved)),
            ("1.1", "Content-Length: 0\r\n", Ok(Method::Unserved)),
            (
                "1.1",
                "Transfer-Encoding: chunked\r\n",
                Ok(Method::Unserved),
            ),
            (
                "1.1",
                "Transfer-Encoding: gzip, chunked\r\n",
                Ok(Method::Unserved),
            ),
            ("1.1", "Content-Length: abc\r\n", Err(Error::Framing)),
            ("1.1", "Content-Length: +5\r\n", Err(Error::Framing)),
            ("1.1", "Content-Length: 0x5\r\n", Err(Error::Framing)),
            ("1.1", "Content-Length: 1_0\r\n", Err(Error::Framing)),
            ("1.1", "Content-Length: 5 5\r\n", Err(Error::Framing)),
            ("1.1", "Content-Length: 5, 5\r\n", Err(Error::Framing)),
            ("1.1", "Content-Length: \r\n", Err(Error::Framing)),
            (
                "1.1",
                "Content-Length: 99999999999999999999\r\n",
                Err(Error::Framing),
            ),
            (
                "1.1",
                "Content-Length: 5\r\nContent-Length: 5\r\n",
                Err(Error::Framing),
            ),
            (
                "1.1",
                "Content-Length: 5\r\nContent-Length: 6\r\n",
                Err(Error::Framing),
            ),
            ("1.0", "Transfer-Encoding: chunked\r\n", Err(Error::Framing)),
            (
                "1.1",
                "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                Err(Error::Framing),
            ),
            ("1.1", "Transfer-Encoding: gzip\r\n", Err(Error::Framing)),
            (
                "1.1",
                "Transfer-Encoding: chunked, chunked\r\n",
                Err(Error::Framing),
            ),
            ("1.1", "Transfer-Encoding:\r\n", Err(Error::Framing)),
            (
                "1.1",
                "Transfer-Encoding: br, chunked\r\n",
                Err(Error::UnknownCoding),
            ),
            (
                "1.0",
                "Transfer-Encoding: identity\r\nContent-Length: 1\r\n",
                Err(Error::UnknownCoding),
            ),
        ] {
            let buf = with(version, headers);
            assert_eq!(
                parse_all(buf.as_bytes()).map(|r| r.method),
                expected,
                "{buf:?}"
            );
        }
    }

    #[test]
    fn field_values_hold_no_control_bytes_but_tab() {
        assert!(parse_all(b"GET / HTTP/1.1\r\nHost: x\r\nA: b\tc\x80\r\n\r\n").is_ok());
        for byte in (0u8..0x20)
            .filter(|&b| !b"\t\r\n".contains(&b))
            .chain([0x7f])
        {
            let mut buf = b"GET / HTTP/1.1\r\nHost: x\r\nA: b".to_vec();
            buf.extend_from_slice(&[byte, b'\r', b'\n', b'\r', b'\n']);
            assert_eq!(parse_all(&buf), Err(Error::Header), "{byte:#x}");
        }
    }

    #[test]
    fn what_cannot_be_a_request_is_refused_at_once() {
        assert_eq!(head_len(b"\x16\x03\x01"), Err(Error::NotHttp));
        assert_eq!(head_len(b"\r\n"), Err(Error::NotHttp));
        assert_eq!(head_len(b"OPTIONS"), Ok(None));
        assert_eq!(head_len(b"PROPFIND"), Err(Error::MethodTooLong));
        assert_eq!(
            parse_all(b"GET * HTTP/1.1\r\nHost: x\r\n\r\n"),
            Err(Error::Target)
        );
        let options = parse_all(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n");
        assert_eq!(options.map(|r| r.method), Ok(Method::Unserved));
    }

    #[test]
    fn limits_come_from_the_settings() {
        let tight = Limits {
            max_request_line: 20,
            max_head: 40,
            ..Limits::default()
        };
        let buf = b"GET /file1.txt HTTP/1.1\r\n";
        assert_eq!(super::head_len(buf, &tight), Err(Error::LineTooLong));
        let buf = b"GET / HTTP/1.0\r\nA: 012345678901234567\r\n\r\n";
        assert_eq!(buf.len(), 41);
        assert_eq!(super::head_len(buf, &tight), Err(Error::HeadTooLarge));
        assert_eq!(
            super::head_len(&buf[..40], &tight),
            Err(Error::HeadTooLarge)
        );
        let buf = b"GET / HTTP/1.0\r\nA: 01234567890123456\r\n\r\n";
        assert_eq!(super::head_len(buf, &tight), Ok(Some(40)));
    }
}
