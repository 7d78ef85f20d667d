//! Every limit the server enforces, named once (darkhttpd's habit).
//!
//! A client controls how many bytes and how much time it spends; these bound what
//! that costs us. The values are defaults: `cli` lets an operator change the ones
//! worth changing, and the tests set short timeouts through those flags.

use std::time::Duration;

/// The TCP port of the assignment's newest revision.
pub const DEFAULT_PORT: u16 = 28333;

/// `listen()` backlog: how many finished handshakes may wait for `accept()`.
/// The kernel caps it at `net.core.somaxconn`.
pub const LISTEN_BACKLOG: i32 = 1024;

/// Longest request line (`GET /path HTTP/1.1`), CRLF excluded; longer is 414.
pub const MAX_REQUEST_LINE: usize = 4096;

/// Largest request head, request line and headers and the blank line; larger is 431.
/// It is also the size of the one buffer a connection reads into.
pub const MAX_HEAD: usize = 8192;

/// How long a client may take to deliver its whole head, from `accept()`.
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a response may wait for the client to take more bytes.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

/// Connections served at once; `accept()` waits for a free place beyond this.
pub const MAX_CONNECTIONS: usize = 4096;

/// Stack of a connection thread: the head buffer plus a little; most threads never
/// touch more than a few pages of it.
pub const CONNECTION_STACK: usize = 64 * 1024 + MAX_HEAD;

/// After an error answer, how long we keep reading (and dropping) what the client
/// still sends, so that closing does not reset the connection before it reads us.
pub const LINGER: Duration = Duration::from_millis(500);

/// ... and how many bytes at most we drop in that time.
pub const LINGER_BYTES: usize = 64 * 1024;

/// Pause after `accept()` fails (out of descriptors, say) before trying again,
/// so a persistent failure costs no CPU.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);
