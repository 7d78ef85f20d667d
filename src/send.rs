//! Bytes out: a head, then a file's bytes, zero-copy where the OS allows.
//!
//! Every response written here is the last thing sent on its connection: the
//! caller closes it, or shuts down its sending side, right after. So each one
//! corks the socket first (Linux's TCP_CORK): no partial segment leaves until the
//! close, and then the response's last bytes and the FIN share one segment. For
//! `file1.txt` that is one packet instead of two (head and body, then the FIN),
//! which `bench/run.sh` measured at about a fifth of our CPU per request (~24 to
//! ~19.5 µs; nginx's `tcp_nopush` is the same idea). A caller that ever keeps a
//! connection open after a response must uncork it (TCP_CORK off), or the last
//! segment waits for the kernel's cork ceiling, 200 ms.

use std::fs::File;
use std::io::{self, Write as _};
use std::net::TcpStream;

/// Writes all of `head` (the file follows with [`file`]).
pub fn head_before_body(stream: &TcpStream, head: &[u8]) -> io::Result<()> {
    all(stream, head)
}

/// Writes all of `bytes`: a head alone, a whole error response, or a head before
/// the body.
pub fn all(mut stream: &TcpStream, bytes: &[u8]) -> io::Result<()> {
    cork(stream);
    stream.write_all(bytes)
}

/// Best effort: uncorked, the bytes are the same, only in more segments.
fn cork(stream: &TcpStream) {
    #[cfg(target_os = "linux")]
    {
        let _ = socket2::SockRef::from(stream).set_tcp_cork(true);
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = stream;
    }
}

/// Sends the first `len` bytes of `file`. If the file ends sooner (it shrank while
/// we sent it), stops with an error: the caller closes the connection, so the
/// client sees a short body instead of bytes we never had.
pub fn file(stream: &TcpStream, file: &File, len: u64) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::os::fd::AsRawFd;
        // The kernel moves at most about 2 GiB per call.
        const MAX_CHUNK: u64 = 1 << 30;
        let mut left = len;
        while left > 0 {
            let chunk = left.min(MAX_CHUNK) as usize;
            // SAFETY: both descriptors are open for the duration of the call, and a
            // null offset tells the kernel to use and advance the file's own position.
            let sent = unsafe {
                libc::sendfile(
                    stream.as_raw_fd(),
                    file.as_raw_fd(),
                    std::ptr::null_mut(),
                    chunk,
                )
            };
            match sent {
                0 => return Err(io::ErrorKind::UnexpectedEof.into()),
                n if n > 0 => left -= n as u64,
                _ => {
                    let e = io::Error::last_os_error();
                    if e.kind() != io::ErrorKind::Interrupted {
                        return Err(e);
                    }
                }
            }
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        use std::io::Read;
        let copied = io::copy(&mut file.take(len), &mut &*stream)?;
        if copied < len {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        Ok(())
    }
}
