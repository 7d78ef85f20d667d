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
//! Every defect is a [`Finding`] of one [`Defect`] kind, and each kind is charged
//! to ONE rubric item in one table ([`Defect::cost`]), so a server that breaks
//! one thing loses one item (spec/README.md, "Scoring"):
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

use crate::case::{Case, Expect};
use crate::exchange::{End, Reply};
use crate::root::CANARY;
use crate::rubric::Item;
use crate::show::{diff, visible};

/// Which way a reply is compared with the golden response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Exact,
    Conformant,
}

/// What a defect costs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// The item the case is about (its `rubric` tag): a wrong outcome.
    Outcome,
    /// This item, whatever the case.
    Item(Item),
}

/// Every kind of defect a reply (or a run) can show, each in general words,
/// the same for every case that shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Defect {
    // The case could not be run, or not to its end.
    BudgetSpent,
    NeverStarted,
    /// Not run: the server has answered nothing at all, so far.
    NeverAnswered,
    SetupFailed,
    DidNotStart,
    ConnectionFailed,
    GoldenMissing,
    BlessRefused,
    // The outcome.
    NoResponse,
    WrongStatus,
    AnsweredWhereCloseDue,
    AnsweredPartialHead,
    ClosedPartialHead,
    // Outside the root.
    Canary,
    // The head.
    NoHeadEnd,
    BareLf,
    StrayCr,
    NotLatin1,
    NoStatusLine,
    StatusLineDiffers,
    BadHeaderLine,
    NoConnectionClose,
    NotClosed,
    NotByteIdentical,
    // Content-Length.
    NoContentLength,
    ManyContentLengths,
    ContentLengthNotGets,
    ContentLengthNotBody,
    // Content-Type.
    NoContentType,
    ManyContentTypes,
    WrongContentType,
    ContentTypeParameter,
    // The body.
    StartOfFileOnly,
    OtherFile,
    BodyDiffers,
    BodyOnHead,
    /// The assignment's 404 is one verbatim answer: its status line, its
    /// Content-Type and its body are one defect, of the payload.
    Not404Verbatim,
    /// Outside the root, or against the path rule the rest of the answers follow.
    OtherPathRule,
    /// The reply went on past the longest right answer and a margin, and
    /// was cut there: nothing after the cut can be judged.
    WentOnPast,
}

impl Defect {
    /// The one table of which item each defect costs.
    pub const fn cost(self) -> Cost {
        use Defect::*;
        match self {
            BudgetSpent
            | NeverStarted
            | NeverAnswered
            | SetupFailed
            | DidNotStart
            | ConnectionFailed
            | GoldenMissing
            | BlessRefused
            | NoResponse
            | WrongStatus
            | AnsweredWhereCloseDue
            | AnsweredPartialHead
            | ClosedPartialHead
            | WentOnPast => Cost::Outcome,
            Canary => Cost::Item(Item::Sandbox),
            NoHeadEnd | BareLf | StrayCr | NotLatin1 | NoStatusLine | StatusLineDiffers
            | BadHeaderLine | NoConnectionClose | NotClosed | NotByteIdentical => {
                Cost::Item(Item::Header)
            }
            NoContentLength | ManyContentLengths | ContentLengthNotGets | ContentLengthNotBody => {
                Cost::Item(Item::ContentLength)
            }
            NoContentType | ManyContentTypes | WrongContentType | ContentTypeParameter => {
                Cost::Item(Item::ContentType)
            }
            StartOfFileOnly | OtherFile => Cost::Item(Item::Read),
            BodyDiffers | BodyOnHead | Not404Verbatim => Cost::Item(Item::Payload),
            OtherPathRule => Cost::Item(Item::Sandbox),
        }
    }

    /// The case got no reply at all: not run, no server to ask, or silence.
    pub const fn no_reply(self) -> bool {
        use Defect::*;
        matches!(
            self,
            BudgetSpent
                | NeverStarted
                | NeverAnswered
                | SetupFailed
                | DidNotStart
                | ConnectionFailed
                | NoResponse
        )
    }

    /// The defect in words, for the scorecard's grouping.
    pub const fn what(self) -> &'static str {
        use Defect::*;
        match self {
            BudgetSpent => "not run: the run's time budget was spent",
            NeverStarted => "not run: the server never started",
            NeverAnswered => "not run: the server had answered nothing at all",
            SetupFailed => "the case's setup failed",
            DidNotStart => "the server did not start",
            ConnectionFailed => "the connection failed",
            GoldenMissing => "the case's golden response is missing or has no head",
            BlessRefused => "not blessed: a generated case's bytes come from its generator",
            NoResponse => "no response at all",
            WrongStatus => "answered another status code than the one due",
            AnsweredWhereCloseDue => {
                "answered, or kept the connection open, where a silent close is due"
            }
            AnsweredPartialHead => "answered before the request's head was complete",
            ClosedPartialHead => "closed the connection before the request's head was complete",
            Canary => "THE REPLY CONTAINS secret.txt, WHICH LIES OUTSIDE THE SERVED DIRECTORY",
            NoHeadEnd => "no blank line ends the response's head",
            BareLf => "head lines end in \\n alone, not \\r\\n",
            StrayCr => "a \\r that does not end a line",
            NotLatin1 => "the head is not ISO-8859-1 text",
            NoStatusLine => "the first line is not a status line (HTTP/1.1 NNN Reason)",
            StatusLineDiffers => "the status line is not the expected one",
            BadHeaderLine => "a header line is not `Name: value`",
            NoConnectionClose => "no `Connection: close` header",
            NotClosed => {
                "the connection stayed open after the response (Connection: close promises a close)"
            }
            NotByteIdentical => "not byte-identical to the golden response",
            NoContentLength => "no Content-Length header",
            ManyContentLengths => "more than one Content-Length header",
            ContentLengthNotGets => "Content-Length is not the length of what GET would send",
            ContentLengthNotBody => "Content-Length does not match the body",
            NoContentType => "no Content-Type header",
            ManyContentTypes => "more than one Content-Type header",
            WrongContentType => "Content-Type is not the file's type",
            ContentTypeParameter => {
                "a Content-Type parameter other than one charset on a text type"
            }
            StartOfFileOnly => "the body is only the start of the file",
            OtherFile => "the body is another file than the one the URL names",
            BodyDiffers => "the body differs from the expected bytes",
            BodyOnHead => "a body was sent in answer to HEAD",
            Not404Verbatim => "the 404 is not the assignment's verbatim 104 bytes",
            OtherPathRule => {
                "the path is handled by the other rule than the server's other answers"
            }
            WentOnPast => "the reply went on past the longest right answer",
        }
    }
}

/// One defect in a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub defect: Defect,
    /// The rubric item it costs; `None` for the outcome of a case outside
    /// the rubric.
    pub item: Option<Item>,
    /// This case's particulars.
    pub detail: String,
}

impl Finding {
    /// `defect` in a case about `case_item`, charged by [`Defect::cost`].
    pub fn new(defect: Defect, case_item: Option<Item>, detail: impl Into<String>) -> Finding {
        let item = match defect.cost() {
            Cost::Outcome => case_item,
            Cost::Item(item) => Some(item),
        };
        Finding {
            defect,
            item,
            detail: detail.into(),
        }
    }

    pub fn what(&self) -> &'static str {
        self.defect.what()
    }
}

/// The findings of one reply, each charged as the case it answers says.
struct Findings {
    case_item: Option<Item>,
    /// The answer due is the assignment's 404, verbatim.
    verbatim_404: bool,
    found: Vec<Finding>,
}

impl Findings {
    fn new(case: &Case) -> Findings {
        Findings {
            case_item: case.item(),
            verbatim_404: false,
            found: Vec::new(),
        }
    }

    fn add(&mut self, defect: Defect, detail: impl Into<String>) {
        use Defect::*;
        let defect = match defect {
            StatusLineDiffers | NoContentType | ManyContentTypes | WrongContentType
            | ContentTypeParameter | BodyDiffers
                if self.verbatim_404 =>
            {
                Not404Verbatim
            }
            other => other,
        };
        let detail = detail.into();
        // The 404 is one answer: its defects are one finding, in words each.
        if let Some(same) = self
            .found
            .iter_mut()
            .find(|f| f.defect == defect && defect == Not404Verbatim)
        {
            same.detail = format!("{}; {detail}", same.detail);
            return;
        }
        self.found
            .push(Finding::new(defect, self.case_item, detail));
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
    let mut found = Findings::new(case);
    canary(reply, &mut found);
    if cut(reply, &mut found) {
        return found.found;
    }
    match case.file.expect {
        Expect::Exact => exact(
            mode,
            golden.unwrap_or_default(),
            reply,
            fixtures,
            &mut found,
        ),
        Expect::Status => status(
            case.file.status.as_deref().unwrap_or_default(),
            reply,
            &mut found,
        ),
        Expect::Closed => silent_close(reply, &mut found),
        Expect::Waits => waits(reply, &mut found),
    }
    found.found
}

/// A reply cut at the limit: one finding, instead of every check tripping
/// over its truncated end.
fn cut(reply: &Reply, found: &mut Findings) -> bool {
    if reply.end == End::Cut {
        found.add(
            Defect::WentOnPast,
            format!("the reply went on past {} bytes", reply.bytes.len()),
        );
    }
    reply.end == End::Cut
}

/// Any answer that holds the canary from outside the root.
fn canary(reply: &Reply, found: &mut Findings) {
    if contains(&reply.bytes, CANARY.as_bytes()) {
        found.add(Defect::Canary, "the canary line came back");
    }
}

/// An `[[accept]] status = ...` answer to `case`: that status (and media
/// type, if given), a well-formed head, a Content-Length that is the body's,
/// `Connection: close`, then a close. The body is the server's own (a listing).
pub fn judge_loose(
    case: &Case,
    status: &str,
    content_type: Option<&str>,
    reply: &Reply,
) -> Vec<Finding> {
    let mut found = Findings::new(case);
    canary(reply, &mut found);
    if cut(reply, &mut found) {
        return found.found;
    }
    if reply.bytes.is_empty() {
        found.add(
            Defect::NoResponse,
            format!("the connection ended {:?} without a byte", reply.end),
        );
        return found.found;
    }
    let Some(got) = Parsed::new(&reply.bytes) else {
        found.add(Defect::NoHeadEnd, format!("{} bytes", reply.bytes.len()));
        return found.found;
    };
    head_format(got.head, &mut found);
    let line = got.status_line();
    if status_code(&line) != Some(status) {
        found.add(
            Defect::WrongStatus,
            format!("{line:?}, where {status} is due"),
        );
    }
    header_lines(&got, &mut found);
    connection_close(&got, &mut found);
    if !closed(reply) {
        found.add(Defect::NotClosed, "no close within the reply timeout");
    }
    let lengths = got.headers("content-length");
    if let Some(value) = single(
        &lengths,
        Defect::NoContentLength,
        Defect::ManyContentLengths,
        || format!("the body has {} bytes", got.body.len()),
        &mut found,
    ) {
        if value.parse::<usize>().ok() != Some(got.body.len()) {
            found.add(
                Defect::ContentLengthNotBody,
                format!(
                    "Content-Length: {value}, but the body has {} bytes",
                    got.body.len()
                ),
            );
        }
    }
    let media = got.headers("content-type");
    let media = media
        .first()
        .map(|v| v.split(';').next().unwrap_or_default().trim());
    if let (Some(wanted), false) = (
        content_type,
        media.is_some_and(|m| Some(m.to_ascii_lowercase()) == content_type.map(str::to_string)),
    ) {
        found.add(
            Defect::WrongContentType,
            format!(
                "Content-Type: {}, expected {wanted}",
                media.unwrap_or("(none)")
            ),
        );
    }
    found.found
}

fn closed(reply: &Reply) -> bool {
    matches!(reply.end, End::Closed | End::Reset)
}

/// An `exact` case: the golden bytes for the bundled server, a conformant
/// answer for any other.
fn exact(
    mode: Mode,
    golden: &[u8],
    reply: &Reply,
    fixtures: &[(String, Vec<u8>)],
    found: &mut Findings,
) {
    let identical = golden == reply.bytes.as_slice();
    if mode == Mode::Exact && identical && closed(reply) {
        return;
    }
    conformant(golden, reply, fixtures, found);
    if mode == Mode::Exact && found.found.is_empty() && !identical {
        found.add(
            Defect::NotByteIdentical,
            "the bundled server is held to the exact bytes",
        );
    }
}

/// A `status` case: the code matches the pattern (`x` is any digit), then close.
fn status(wanted: &str, reply: &Reply, found: &mut Findings) {
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
        found.add(
            Defect::WrongStatus,
            format!("status line {line:?}, where {wanted} is due"),
        );
    }
    if !closed(reply) {
        found.add(Defect::NotClosed, "no close within the reply timeout");
    }
}

/// A `closed` case: not a byte, then a close or a reset.
fn silent_close(reply: &Reply, found: &mut Findings) {
    if !reply.bytes.is_empty() || !closed(reply) {
        found.add(
            Defect::AnsweredWhereCloseDue,
            format!(
                "{} bytes, then the connection was {:?}",
                reply.bytes.len(),
                reply.end
            ),
        );
    }
}

/// A `waits` case: not a byte, and the connection still open.
fn waits(reply: &Reply, found: &mut Findings) {
    if !reply.bytes.is_empty() {
        found.add(
            Defect::AnsweredPartialHead,
            format!("{} bytes came back", reply.bytes.len()),
        );
    } else if reply.end != End::Open {
        found.add(
            Defect::ClosedPartialHead,
            format!("the connection was {:?}", reply.end),
        );
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The checks of an `exact` case in conformant terms; see the module comment.
fn conformant(golden: &[u8], reply: &Reply, fixtures: &[(String, Vec<u8>)], found: &mut Findings) {
    let Some(want) = Parsed::new(golden) else {
        found.add(
            Defect::GoldenMissing,
            "the golden response has no head: fix the case",
        );
        return;
    };
    found.verbatim_404 = status_code(&want.status_line()) == Some("404");
    if reply.bytes.is_empty() {
        found.add(
            Defect::NoResponse,
            format!("the connection ended {:?} without a byte", reply.end),
        );
        return;
    }
    let Some(got) = Parsed::new(&reply.bytes) else {
        found.add(
            Defect::NoHeadEnd,
            format!("{} bytes, none of them an empty line", reply.bytes.len()),
        );
        return;
    };
    head_format(got.head, found);
    let status_ok = status_line(&want, &got, found);
    header_lines(&got, found);
    connection_close(&got, found);
    if reply.end == End::Open {
        found.add(Defect::NotClosed, "no close within the reply timeout");
    }
    content_length(&want, &got, status_ok, found);
    if status_ok {
        content_type(&want, &got, found);
        body(&want, &got, fixtures, found);
    }
}

/// Whether the status code is the golden one (a different reason phrase or
/// version is a `header` defect, not a wrong outcome).
fn status_line(want: &Parsed, got: &Parsed, found: &mut Findings) -> bool {
    let (want_line, got_line) = (want.status_line(), got.status_line());
    let due = status_code(&want_line).unwrap_or("?");
    match status_code(&got_line) {
        None => {
            found.add(Defect::NoStatusLine, format!("{got_line:?}"));
            false
        }
        Some(code) if code != due => {
            found.add(
                Defect::WrongStatus,
                format!("{code} where {due} is due: {got_line:?}, expected {want_line:?}"),
            );
            false
        }
        Some(_) => {
            if got_line != want_line {
                let words = if got_line.trim_end() == want_line {
                    "the status line ends in a space the assignment's has not"
                } else {
                    "the status line differs"
                };
                found.add(
                    Defect::StatusLineDiffers,
                    format!("{words}: {got_line:?}, expected {want_line:?}"),
                );
            }
            true
        }
    }
}

/// `Connection: close` among the headers (a token list may hold it).
fn connection_close(got: &Parsed, found: &mut Findings) {
    let promised = got.headers("connection").iter().any(|value| {
        value
            .split(',')
            .any(|t| t.trim().eq_ignore_ascii_case("close"))
    });
    if !promised {
        let names: Vec<String> = got
            .lines
            .iter()
            .skip(1)
            .map(|line| latin1(line.split(|&b| b == b':').next().unwrap_or_default()))
            .collect();
        found.add(
            Defect::NoConnectionClose,
            format!("the headers sent: {}", names.join(", ")),
        );
    }
}

/// CRLF line endings and ISO-8859-1 text, byte by byte.
fn head_format(head: &[u8], found: &mut Findings) {
    let bare_lf = head
        .iter()
        .enumerate()
        .filter(|&(i, &b)| b == b'\n' && (i == 0 || head[i - 1] != b'\r'))
        .count();
    if bare_lf > 0 {
        found.add(
            Defect::BareLf,
            format!("{bare_lf} of the head's line endings lack the \\r"),
        );
    }
    if let Some(i) = (0..head.len()).find(|&i| head[i] == b'\r' && head.get(i + 1) != Some(&b'\n'))
    {
        found.add(Defect::StrayCr, format!("at byte {i} of the head"));
    }
    // Control characters, C1 included, are not text in ISO-8859-1: a head with
    // them was encoded some other way (UTF-16's NULs, UTF-8's 0x80-0x9F bytes).
    if let Some((i, b)) = head
        .iter()
        .enumerate()
        .find(|&(_, &b)| matches!(b, 0x00..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f | 0x7f..=0x9f))
    {
        found.add(Defect::NotLatin1, format!("byte 0x{b:02x} at offset {i}"));
    }
}

/// Each header line is `Name: value`, the name an HTTP token.
fn header_lines(got: &Parsed, found: &mut Findings) {
    let is_token = |b: u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b);
    for line in got.lines.iter().skip(1) {
        let good = line
            .iter()
            .position(|&b| b == b':')
            .is_some_and(|colon| colon > 0 && line[..colon].iter().all(|&b| is_token(b)));
        if !good {
            found.add(Defect::BadHeaderLine, format!("{:?}", latin1(line)));
        }
    }
}

/// The one value of header `name`, or the defect of having none or several.
fn single<'v>(
    values: &'v [String],
    none: Defect,
    many: Defect,
    none_detail: impl FnOnce() -> String,
    found: &mut Findings,
) -> Option<&'v String> {
    match values {
        [] => {
            found.add(none, none_detail());
            None
        }
        [one] => Some(one),
        many_values => {
            found.add(many, format!("{many_values:?}"));
            None
        }
    }
}

/// Exactly one Content-Length, equal to the body's length. Two exceptions:
/// where the golden response's own length is not its body's (an answer to
/// HEAD), the value must be the golden one; and a right body with a right
/// length followed by more bytes (a second response) is a payload defect, not a
/// length one: the body check reports it. A golden response without the header
/// asks for none.
fn content_length(want: &Parsed, got: &Parsed, status_ok: bool, found: &mut Findings) {
    let Some(wanted) = want
        .headers("content-length")
        .first()
        .and_then(|v| v.parse::<usize>().ok())
    else {
        return;
    };
    let values = got.headers("content-length");
    let Some(value) = single(
        &values,
        Defect::NoContentLength,
        Defect::ManyContentLengths,
        || format!("the body has {} bytes", got.body.len()),
        found,
    ) else {
        return;
    };
    let length = value
        .bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| value.parse::<usize>().ok())
        .flatten();
    if wanted != want.body.len() {
        if status_ok && length != Some(wanted) {
            found.add(
                Defect::ContentLengthNotGets,
                format!("Content-Length: {value}, expected {wanted}"),
            );
        }
        return;
    }
    let extra_after_right_body = status_ok
        && length == Some(want.body.len())
        && got.body.len() > want.body.len()
        && got.body.starts_with(want.body);
    if length != Some(got.body.len()) && !extra_after_right_body {
        found.add(
            Defect::ContentLengthNotBody,
            format!(
                "Content-Length: {value}, but the body has {} bytes",
                got.body.len()
            ),
        );
    }
}

/// Exactly one Content-Type with the expected media type; on text types a
/// `charset` parameter is allowed, no other parameter is.
fn content_type(want: &Parsed, got: &Parsed, found: &mut Findings) {
    let Some(wanted) = want.headers("content-type").into_iter().next() else {
        return;
    };
    let values = got.headers("content-type");
    let Some(value) = single(
        &values,
        Defect::NoContentType,
        Defect::ManyContentTypes,
        || format!("expected Content-Type: {wanted}"),
        found,
    ) else {
        return;
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
        found.add(
            Defect::WrongContentType,
            format!("Content-Type: {value}, expected {wanted_media}"),
        );
    } else if !params_ok {
        found.add(
            Defect::ContentTypeParameter,
            format!("Content-Type: {value}, expected {wanted}"),
        );
    }
}

/// The body is exact. Which item a wrong body costs: see the module comment.
fn body(want: &Parsed, got: &Parsed, fixtures: &[(String, Vec<u8>)], found: &mut Findings) {
    if want.body == got.body {
        return;
    }
    let promised = want
        .headers("content-length")
        .first()
        .and_then(|v| v.parse::<usize>().ok());
    if want.body.is_empty() && promised.is_some_and(|length| length > 0) {
        // The golden answer promises a body it does not send: an answer to HEAD.
        found.add(
            Defect::BodyOnHead,
            format!("{} bytes after the head", got.body.len()),
        );
        return;
    }
    let ok = status_code(&want.status_line()) == Some("200");
    let other_file = fixtures
        .iter()
        .find(|(_, bytes)| bytes.as_slice() != want.body && bytes.as_slice() == got.body);
    if ok && got.body.len() < want.body.len() && want.body.starts_with(got.body) {
        found.add(
            Defect::StartOfFileOnly,
            format!("{} of the file's {} bytes", got.body.len(), want.body.len()),
        );
    } else if let (true, Some((name, _))) = (ok, other_file) {
        found.add(Defect::OtherFile, format!("the body is {name}"));
    } else {
        let report = diff(want.body, got.body).unwrap_or_default();
        let first = report.lines().next().unwrap_or_default().to_string();
        found.add(Defect::BodyDiffers, first);
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
    let length = want
        .headers("content-length")
        .first()
        .cloned()
        .unwrap_or_else(|| want.body.len().to_string());
    out += &format!(
        "; Content-Length: {length}; Connection: close; CRLF line endings; other headers allowed, \
         header names in any case and order; then exactly the {}-byte body, then close",
        want.body.len()
    );
    out
}
