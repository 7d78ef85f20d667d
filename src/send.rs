//! Bytes out: a head, then a file's bytes, zero-copy where the OS allows.

use std::fs::File;
use std::io::{self, Write as _};
use std::net::TcpStream;

/// Writes all of `head`, hinting the kernel that a body follows so both leave in
/// the same segments instead of a tiny head packet first.
pub fn head_before_body(stream: &TcpStream, head: &[u8]) -> io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        let socket = socket2::SockRef::from(stream);
        let mut rest = head;
        while !rest.is_empty() {
            match socket.send_with_flags(rest, libc::MSG_MORE) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => rest = &rest[n..],
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
    #[cfg(not(target_os = "linux"))]
    {
        all(stream, head)
    }
}

/// Writes all of `bytes` (a head alone, or a whole error response).
pub fn all(mut stream: &TcpStream, bytes: &[u8]) -> io::Result<()> {
    stream.write_all(bytes)
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
