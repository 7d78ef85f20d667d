//! Judging one reply against a case: which rubric items it shows defects in.
//!
//! Two modes. *Exact* (the bundled server): the bytes must equal the golden file.
//! *Conformant* (any other server): the status line is exact; header names match
//! case-insensitively, in any order, and extra headers (Date, Server, ...) are
//! fine; a `charset` parameter is allowed on text types; Content-Length must be
//! there and equal the body's length; the body is exact. Byte-level defects a
//! human grader would still mark (LF-only lines, a wrong Content-Length, a head
//! that is not ISO-8859-1 text) fail in both modes.
//!
//! Every defect is a [`Finding`] charged to ONE rubric item, so a server that
//! breaks one thing loses one item (spec/README.md, "Scoring"):
//! - the outcome (which status, or answering / closing / waiting at all) costs
//!   the item the case is tagged with: a case is about that item;
//! - how the head is written (CRLF, ISO-8859-1, status line text, header syntax,
//!   `Connection: close`, closing after) costs `header`, whatever the case;
//! - Content-Type costs `content-type`, Content-Length `content-length`;
//! - the body costs `payload`, except a 200 whose body is another file, or only
//!   the start of the right one: that is data not read from the named file (`read`);
//! - the canary from outside the root in any reply costs `sandbox`.
//!
//! The resource-dependent checks (Content-Type value, body) only run when the
//! status code is the expected one: a 404 where a 200 is due is one defect (the
//! outcome), not three.

use super::case::{Case, Expect};
use super::{diff, visible, End, Reply, CANARY};

/// Which way a reply is compared with the golden response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Exact,
    Conformant,
}

/// What an outcome finding is charged to when the case is outside the rubric.
pub const OUTCOME: &str = "outcome";

/// One defect in a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The rubric item it costs (a key of `case::RUBRIC`), or [`OUTCOME`].
    pub item: &'static str,
    /// The defect in general words, the same for every case that shows it.
    pub what: String,
    /// This case's particulars.
    pub detail: String,
}

fn finding(item: &'static str, what: impl Into<String>, detail: impl Into<String>) -> Finding {
    Finding {
        item,
        what: what.into(),
        detail: detail.into(),
    }
}

/// A response cut into its head's lines and its body. Lenient on purpose: a
/// head whose lines end in `\n` alone is still read (and marked as a `header`
/// defect), so its Content-Length and body are still judged on their own.
#[derive(Debug)]
pub struct Parsed<'a> {
    pub head: &'a [u8],
    /// Without their line ending; the first is the status line.
    pub lines: Vec<&'a [u8]>,
    pub body: &'a [u8],
}

impl<'a> Parsed<'a> {
    /// `None` when no blank line ends a head.
    pub fn new(bytes: &'a [u8]) -> Option<Parsed<'a>> {
        let mut lines = Vec::new();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if b != b'\n' {
                continue;
            }
            let line = &bytes[start..i];
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            if line.is_empty() {
                return Some(Parsed {
                    head: &bytes[..=i],
                    lines,
                    body: &bytes[i + 1..],
                });
            }
            lines.push(line);
            start = i + 1;
        }
        None
    }

    /// The values of every header called `name` (case-insensitive), trimmed.
    pub fn headers(&self, name: &str) -> Vec<String> {
        self.lines
            .iter()
            .skip(1)
            .filter_map(|line| {
                let colon = line.iter().position(|&b| b == b':')?;
                let (key, value) = (&line[..colon], &line[colon + 1..]);
                key.eq_ignore_ascii_case(name.as_bytes())
                    .then(|| latin1(value).trim().to_string())
            })
            .collect()
    }

    pub fn status_line(&self) -> String {
        self.lines
            .first()
            .map(|line| latin1(line))
            .unwrap_or_default()
    }
}

/// ISO-8859-1 decoding: every byte is the code point of the same number.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| b as char).collect()
}

/// The three digits of `HTTP/x.y NNN ...`.
pub fn status_code(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("HTTP/")?;
    let code = rest.split(' ').nth(1)?;
    (code.len() == 3 && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// Every defect `reply` shows against `case`. `golden` is the expected response
/// of an `exact` case; `fixtures` are the files the server serves, by name.
pub fn judge(
    case: &Case,
    mode: Mode,
    golden: Option<&[u8]>,
    reply: &Reply,
    fixtures: &[(String, Vec<u8>)],
) -> Vec<Finding> {
    let outcome = case.item().map(|item| item.key).unwrap_or(OUTCOME);
    let mut found = Vec::new();
    if contains(&reply.bytes, CANARY.as_bytes()) {
        found.push(finding(
            "sandbox",
            "THE REPLY CONTAINS secret.txt, WHICH LIES OUTSIDE THE SERVED DIRECTORY",
            "the canary line came back",
        ));
    }
    let closed = matches!(reply.end, End::Closed | End::Reset);
    match case.file.expect {
        Expect::Exact => {
            let golden = golden.unwrap_or_default();
            if mode == Mode::Exact && golden == reply.bytes.as_slice() && closed {
                return found;
            }
            conformant(outcome, golden, reply, fixtures, &mut found);
            if mode == Mode::Exact && found.is_empty() && golden != reply.bytes.as_slice() {
                found.push(finding(
                    "header",
                    "not byte-identical to the golden response",
                    "the bundled server is held to the exact bytes",
                ));
            }
        }
        Expect::Status => {
            let wanted = case.file.status.as_deref().unwrap_or_default();
            let line = Parsed::new(&reply.bytes)
                .map(|parsed| parsed.status_line())
                .unwrap_or_else(|| latin1(&reply.bytes));
            let matches = status_code(&line).is_some_and(|got| {
                wanted.len() == 3
                    && wanted
                        .chars()
                        .zip(got.chars())
                        .all(|(w, g)| w == 'x' || w == g)
            });
            if !matches {
                found.push(finding(
                    outcome,
                    format!("the status is not {wanted}"),
                    format!("status line {line:?}"),
                ));
            }
            if !closed {
                found.push(not_closed());
            }
        }
        Expect::Closed => {
            if !reply.bytes.is_empty() || !closed {
                found.push(finding(
                    outcome,
                    "answered, or kept the connection open, where a silent close is due",
                    format!(
                        "{} bytes, then the connection was {:?}",
                        reply.bytes.len(),
                        reply.end
                    ),
                ));
            }
        }
        Expect::Waits => {
            if !reply.bytes.is_empty() {
                found.push(finding(
                    outcome,
                    "answered before the request's head was complete",
                    format!("{} bytes came back", reply.bytes.len()),
                ));
            } else if reply.end != End::Open {
                found.push(finding(
                    outcome,
                    "closed the connection before the request's head was complete",
                    format!("the connection was {:?}", reply.end),
                ));
            }
        }
    }
    found
}

fn not_closed() -> Finding {
    finding(
        "header",
        "the connection stayed open after the response (Connection: close promises a close)",
        "no close within the reply timeout",
    )
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The checks of an `exact` case in conformant terms; see the module comment.
fn conformant(
    outcome: &'static str,
    golden: &[u8],
    reply: &Reply,
    fixtures: &[(String, Vec<u8>)],
    found: &mut Vec<Finding>,
) {
    let Some(want) = Parsed::new(golden) else {
        found.push(finding(
            outcome,
            "the golden response has no head",
            "fix the case",
        ));
        return;
    };
    if reply.bytes.is_empty() {
        found.push(finding(
            outcome,
            "no response at all",
            format!("the connection ended {:?} without a byte", reply.end),
        ));
        return;
    }
    let Some(got) = Parsed::new(&reply.bytes) else {
        found.push(finding(
            "header",
            "no blank line ends the response's head",
            format!("{} bytes, none of them an empty line", reply.bytes.len()),
        ));
        return;
    };
    head_format(got.head, found);
    let (want_line, got_line) = (want.status_line(), got.status_line());
    let status_ok = match status_code(&got_line) {
        None => {
            found.push(finding(
                "header",
                "the first line is not a status line (HTTP/1.1 NNN Reason)",
                format!("{got_line:?}"),
            ));
            false
        }
        Some(code) if Some(code) != status_code(&want_line) => {
            found.push(finding(
                outcome,
                format!(
                    "answered {code} where {} is due",
                    status_code(&want_line).unwrap_or("?")
                ),
                format!("{got_line:?}, expected {want_line:?}"),
            ));
            false
        }
        Some(_) => {
            if got_line != want_line {
                found.push(finding(
                    "header",
                    "the status line is not the expected one",
                    format!("{got_line:?}, expected {want_line:?}"),
                ));
            }
            true
        }
    };
    header_lines(&got, found);
    if !got.headers("connection").iter().any(|value| {
        value
            .split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("close"))
    }) {
        let names: Vec<String> = got
            .lines
            .iter()
            .skip(1)
            .map(|line| latin1(line.split(|&b| b == b':').next().unwrap_or_default()))
            .collect();
        found.push(finding(
            "header",
            "no `Connection: close` header",
            format!("the headers sent: {}", names.join(", ")),
        ));
    }
    if reply.end == End::Open {
        found.push(not_closed());
    }
    content_length(&want, &got, status_ok, found);
    if status_ok {
        content_type(&want, &got, found);
        body(&want, &got, fixtures, found);
    }
}

/// CRLF line endings and ISO-8859-1 text, byte by byte.
fn head_format(head: &[u8], found: &mut Vec<Finding>) {
    let bare_lf = head
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' && (i == 0 || head[i - 1] != b'\r'))
        .count();
    if bare_lf > 0 {
        found.push(finding(
            "header",
            "head lines end in \\n alone, not \\r\\n",
            format!("{bare_lf} of the head's line endings lack the \\r"),
        ));
    }
    if let Some(i) = (0..head.len()).find(|&i| head[i] == b'\r' && head.get(i + 1) != Some(&b'\n'))
    {
        found.push(finding(
            "header",
            "a \\r that does not end a line",
            format!("at byte {i} of the head"),
        ));
    }
    // Control characters, C1 included, are not text in ISO-8859-1: a head with
    // them was encoded some other way (UTF-16's NULs, UTF-8's 0x80-0x9F bytes).
    if let Some((i, b)) = head
        .iter()
        .enumerate()
        .find(|&(_, &b)| matches!(b, 0x00..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f | 0x7f..=0x9f))
    {
        found.push(finding(
            "header",
            "the head is not ISO-8859-1 text",
            format!("byte 0x{b:02x} at offset {i}"),
        ));
    }
}

/// Each header line is `Name: value`, the name an HTTP token.
fn header_lines(got: &Parsed, found: &mut Vec<Finding>) {
    let is_token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    for line in got.lines.iter().skip(1) {
        let good = line
            .iter()
            .position(|&b| b == b':')
            .is_some_and(|colon| colon > 0 && line[..colon].iter().all(|&b| is_token(b)));
        if !good {
            found.push(finding(
                "header",
                "a header line is not `Name: value`",
                format!("{:?}", latin1(line)),
            ));
        }
    }
}

/// Exactly one Content-Length, equal to the body's length. Two exceptions:
/// where the golden response's own length is not its body's (an answer to
/// HEAD), the value must be the golden one; and a right body with a right
/// length followed by more bytes (a second response) is a payload defect, not a
/// length one: the body check reports it. A golden response without the header
/// asks for none.
fn content_length(want: &Parsed, got: &Parsed, status_ok: bool, found: &mut Vec<Finding>) {
    let Some(wanted) = want
        .headers("content-length")
        .first()
        .and_then(|v| v.parse::<usize>().ok())
    else {
        return;
    };
    let values = got.headers("content-length");
    let value = match values.as_slice() {
        [] => {
            found.push(finding(
                "content-length",
                "no Content-Length header",
                format!("the body has {} bytes", got.body.len()),
            ));
            return;
        }
        [one] => one,
        many => {
            found.push(finding(
                "content-length",
                "more than one Content-Length header",
                format!("{many:?}"),
            ));
            return;
        }
    };
    let length = value
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| value.parse::<usize>().ok())
        .flatten();
    if wanted != want.body.len() {
        if status_ok && length != Some(wanted) {
            found.push(finding(
                "content-length",
                "Content-Length is not the length of what GET would send",
                format!("Content-Length: {value}, expected {wanted}"),
            ));
        }
        return;
    }
    let extra_after_right_body = status_ok
        && length == Some(want.body.len())
        && got.body.len() > want.body.len()
        && got.body.starts_with(want.body);
    if length != Some(got.body.len()) && !extra_after_right_body {
        found.push(finding(
            "content-length",
            "Content-Length does not match the body",
            format!(
                "Content-Length: {value}, but the body has {} bytes",
                got.body.len()
            ),
        ));
    }
}

/// Exactly one Content-Type with the expected media type; on text types a
/// `charset` parameter is allowed, no other parameter is.
fn content_type(want: &Parsed, got: &Parsed, found: &mut Vec<Finding>) {
    let Some(wanted) = want.headers("content-type").into_iter().next() else {
        return;
    };
    let values = got.headers("content-type");
    let value = match values.as_slice() {
        [] => {
            found.push(finding(
                "content-type",
                "no Content-Type header",
                format!("expected Content-Type: {wanted}"),
            ));
            return;
        }
        [one] => one,
        many => {
            found.push(finding(
                "content-type",
                "more than one Content-Type header",
                format!("{many:?}"),
            ));
            return;
        }
    };
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or_default().trim();
    let params: Vec<&str> = parts.map(str::trim).collect();
    let wanted_media = wanted.split(';').next().unwrap_or_default().trim();
    let text = wanted_media.starts_with("text/");
    let params_ok = params.len() <= 1
        && params.iter().all(|param| {
            text && param.split_once('=').is_some_and(|(key, value)| {
                key.trim().eq_ignore_ascii_case("charset") && !value.trim().is_empty()
            })
        });
    if !media.eq_ignore_ascii_case(wanted_media) {
        found.push(finding(
            "content-type",
            format!("Content-Type is not {wanted_media}"),
            format!("Content-Type: {value}"),
        ));
    } else if !params_ok {
        found.push(finding(
            "content-type",
            "a Content-Type parameter other than one charset on a text type",
            format!("Content-Type: {value}, expected {wanted}"),
        ));
    }
}

/// The body is exact. Which item a wrong body costs: see the module comment.
fn body(want: &Parsed, got: &Parsed, fixtures: &[(String, Vec<u8>)], found: &mut Vec<Finding>) {
    if want.body == got.body {
        return;
    }
    let ok = status_code(&want.status_line()) == Some("200");
    let other_file = fixtures
        .iter()
        .find(|(_, bytes)| bytes.as_slice() != want.body && bytes.as_slice() == got.body);
    if ok && got.body.len() < want.body.len() && want.body.starts_with(got.body) {
        found.push(finding(
            "read",
            "the body is only the start of the file",
            format!("{} of the file's {} bytes", got.body.len(), want.body.len()),
        ));
    } else if let (true, Some((name, _))) = (ok, other_file) {
        found.push(finding(
            "read",
            "the body is another file than the one the URL names",
            format!("the body is {name}"),
        ));
    } else {
        let report = diff(want.body, got.body).unwrap_or_default();
        let first = report.lines().next().unwrap_or_default().to_string();
        found.push(finding(
            "payload",
            "the body differs from the expected bytes",
            first,
        ));
    }
}

/// What a conformant answer to an `exact` case is, in words, for reports.
pub fn conformant_answer(golden: &[u8]) -> String {
    let Some(want) = Parsed::new(golden) else {
        return format!("exactly:\n{}", visible(golden));
    };
    let mut out = format!("status line {:?}", want.status_line());
    if let Some(mime) = want.headers("content-type").first() {
        out += &format!("; Content-Type: {mime}");
        if mime.starts_with("text/") {
            out += " (a charset parameter allowed)";
        }
    }
    out += &format!(
        "; Content-Length: {}; Connection: close; CRLF line endings; other headers allowed, \
         header names in any case and order; then exactly the {}-byte body, then close",
        want.body.len(),
        want.body.len()
    );
    out
}
