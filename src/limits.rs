//! Every limit the server enforces, named once (darkhttpd's habit).
//!
//! A client controls how many bytes and how much time it spends; these bound what
//! that costs us. The constants are defaults: the ones an operator may want to
//! change are gathered in [`Limits`], which `cli` fills from flags
//! (`--head-timeout-ms`, `--send-timeout-ms`, `--max-line-bytes`,
//! `--max-head-bytes`) and `server` hands to every connection. The tests use the
//! same flags to shorten the head deadline, so timeout cases run in a fraction of
//! a second instead of [`HEAD_TIMEOUT`].

use std::time::Duration;

/// The TCP port of the assignment's newest revision.
pub const DEFAULT_PORT: u16 = 28333;

/// `listen()` backlog: how many finished handshakes may wait for `accept()`.
/// The kernel caps it at `net.core.somaxconn`.
pub const LISTEN_BACKLOG: i32 = 1024;

/// Longest request line (`GET /path HTTP/1.1`), CRLF excluded; longer is 414.
/// RFC 9112 §3 recommends supporting at least 8,000 bytes.
pub const MAX_REQUEST_LINE: usize = 8192;

/// Largest request head, request line and headers and the blank line; larger is 431.
/// Room for a request line at [`MAX_REQUEST_LINE`] and headers beside it.
pub const MAX_HEAD: usize = 16 * 1024;

/// The head buffer's first size. It grows with the bytes that arrive, up to the
/// head limit, so a thousand stalled clients that sent a few bytes hold a few
/// bytes each, never `--max-head-bytes` each.
pub const FIRST_HEAD_BUFFER: usize = 1024;

/// The longest method this server knows (`CONNECT`, `OPTIONS`): a longer first
/// word can only be a 501, and is answered as soon as it is that long.
pub const LONGEST_METHOD: usize = 7;

/// How long a client may take to deliver its whole head, from `accept()`.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a response may take before its bytes start to earn it more time.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// The slowest a response may go: each second it takes past the send timeout
/// must have been paid for by this many bytes sent. A client that reads a few
/// bytes now and then (8 KiB every 1.5 s) can no longer hold a connection for
/// as long as it likes; any real client is far faster.
pub const MIN_SEND_RATE: u64 = 16 * 1024;

/// Connections served at once; `accept()` waits for a free place beyond this.
pub const MAX_CONNECTIONS: usize = 4096;

/// Stack of a connection thread (the head buffer is on the heap); most threads
/// never touch more than a few pages of it.
pub const CONNECTION_STACK: usize = 64 * 1024;

/// After an error answer, how long we keep reading (and dropping) what the client
/// still sends, so that closing does not reset the connection before it reads us.
pub const LINGER: Duration = Duration::from_millis(500);

/// ... and how many bytes at most we drop in that time: more than a body a
/// client would send unasked to a GET-only server, so its reply survives.
pub const LINGER_BYTES: usize = 4 * 1024 * 1024;

/// Pause after `accept()` fails (out of descriptors, say) before trying again,
/// so a persistent failure costs no CPU.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Smallest head a `--max-head-bytes` may ask for: room for a short request line
/// and a Host header, so no setting can make every request a 431.
pub const MIN_HEAD: usize = 64;

/// Largest head a `--max-head-bytes` may ask for: each connection holds a buffer
/// of that size for as long as it reads its head.
pub const MAX_HEAD_CEILING: usize = 1024 * 1024;

/// The limits a connection enforces, settable from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest request line, CRLF excluded; longer is 414.
    pub max_request_line: usize,
    /// Largest head, blank line included; larger is 431. The read buffer grows to it at most.
    pub max_head: usize,
    /// How long the whole head may take to arrive, from `accept()`.
    pub head_timeout: Duration,
    /// How long a response may take before [`MIN_SEND_RATE`] applies.
    pub send_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_request_line: MAX_REQUEST_LINE,
            max_head: MAX_HEAD,
            head_timeout: HEAD_TIMEOUT,
            send_timeout: SEND_TIMEOUT,
        }
    }
}
