//! Sockets made inside a sandbox's network namespace: the grader's side of
//! every case connects from there.
//!
//! A socket belongs to the network namespace it was made in, wherever it is
//! used afterwards, so a socket made inside the sandbox's namespace reaches
//! the submission's loopback. Making one there takes a process inside, and
//! Linux lets a process in only so far:
//! - joining a network namespace takes `CAP_SYS_ADMIN` in the caller's own
//!   user namespace (root has it, an unprivileged grader does not) and in the
//!   user namespace that owns the network;
//! - an unprivileged grader gains the second by joining the user namespace
//!   that owns the sandbox's network (it created it, so it owns it), and
//!   Linux refuses that to a process with more than one thread: the grader
//!   has many.
//!
//! So each sandbox gets a helper: a child forked from the grader, a single
//! thread by construction, that joins the owning user namespace (when it is
//! not the grader's own: unprivileged), then the network, and then makes a
//! socket on each request and hands it back over a Unix socket pair
//! (`SCM_RIGHTS`). Root and an unprivileged grader take the same path. This
//! is util-linux's `nsenter -U -n`, kept in-process because `nsenter` cannot
//! hand a socket back.
//!
//! The helper lives outside the sandbox's PID namespace and mounts: the
//! submission can neither see, signal nor trace it. It ends when dropped,
//! when the thread that made it ends (the parent-death signal, as
//! bubblewrap's `--die-with-parent` for the sandbox itself), or with the
//! grader. Between `fork` and its end it makes system calls only (no
//! allocation, no lock, no panic), as the child of a multi-threaded process
//! must.

use std::fs::File;
use std::io;
use std::mem;
use std::net::SocketAddr;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::fs::MetadataExt;
use std::sync::Mutex;

use socket2::Socket;

/// The descriptor the helper keeps its end of the pair on; it closes every
/// other one, so that it holds none of the grader's pipes or sockets open.
const HELPER_CHANNEL: RawFd = 3;

/// The helper's word for "made": the reply's data is an errno otherwise.
const MADE: i32 = 0;

/// One descriptor in a control message, laid out as `CMSG_SPACE` of an
/// `int`: the header, then the descriptor, aligned.
#[repr(C)]
struct OneFd {
    header: libc::cmsghdr,
    fd: libc::c_int,
}

/// A helper inside one sandbox's network namespace.
#[derive(Debug)]
pub struct Sockets {
    /// The grader's end of the pair; requests and replies go one at a time.
    channel: Mutex<OwnedFd>,
    helper: libc::pid_t,
}

impl Sockets {
    /// Starts a helper inside the network namespace `netns` (an open
    /// `/proc/PID/ns/net`), and waits for its word that it is inside.
    pub fn enter(netns: &File) -> io::Result<Sockets> {
        let owner = owning_user_namespace(netns)?;
        let mut pair = [0 as RawFd; 2];
        // SAFETY: socketpair writes two descriptors into the array we own.
        if unsafe {
            libc::socketpair(
                libc::AF_UNIX,
                libc::SOCK_SEQPACKET | libc::SOCK_CLOEXEC,
                0,
                pair.as_mut_ptr(),
            )
        } != 0
        {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: both descriptors were just made and are owned here alone.
        let (ours, theirs) =
            unsafe { (OwnedFd::from_raw_fd(pair[0]), OwnedFd::from_raw_fd(pair[1])) };
        let owner_fd = owner.as_ref().map_or(-1, AsRawFd::as_raw_fd);
        // SAFETY: getpid only reads our own id.
        let parent = unsafe { libc::getpid() };
        // SAFETY: the child runs `helper`, which makes system calls only and
        // never returns; the parent goes on as before.
        let helper = unsafe { libc::fork() };
        if helper < 0 {
            return Err(io::Error::last_os_error());
        }
        if helper == 0 {
            helper_main(parent, theirs.as_raw_fd(), owner_fd, netns.as_raw_fd());
        }
        drop(theirs);
        let sockets = Sockets {
            channel: Mutex::new(ours),
            helper,
        };
        match sockets.exchange(None)? {
            (MADE, _) => Ok(sockets),
            (errno, _) => Err(io::Error::other(format!(
                "the helper could not enter the sandbox's network: {}",
                io::Error::from_raw_os_error(errno)
            ))),
        }
    }

    /// A new TCP socket of `addr`'s family, made inside the namespace.
    pub fn socket_for(&self, addr: &SocketAddr) -> io::Result<Socket> {
        let family = if addr.is_ipv6() { 6 } else { 4 };
        match self.exchange(Some(family))? {
            (MADE, Some(fd)) => Ok(Socket::from(fd)),
            (MADE, None) => Err(io::Error::other("the helper sent no socket")),
            (errno, _) => Err(io::Error::from_raw_os_error(errno)),
        }
    }

    /// Sends one request byte (none: waits for the helper's first word),
    /// returns the reply and the descriptor it carried.
    fn exchange(&self, request: Option<u8>) -> io::Result<(i32, Option<OwnedFd>)> {
        let channel = self.channel.lock().unwrap_or_else(|e| e.into_inner());
        let fd = channel.as_raw_fd();
        if let Some(request) = request {
            // SAFETY: send reads one byte of ours.
            let sent =
                unsafe { libc::send(fd, (&request as *const u8).cast(), 1, libc::MSG_NOSIGNAL) };
            if sent != 1 {
                return Err(io::Error::other(format!(
                    "the helper in the sandbox's network is gone: {}",
                    io::Error::last_os_error()
                )));
            }
        }
        let mut word = [0u8; 4];
        // SAFETY: zeroed is a valid value of this plain C struct.
        let mut control: OneFd = unsafe { mem::zeroed() };
        let mut iov = libc::iovec {
            iov_base: word.as_mut_ptr().cast(),
            iov_len: word.len(),
        };
        // SAFETY: as above.
        let mut message: libc::msghdr = unsafe { mem::zeroed() };
        message.msg_iov = &mut iov;
        message.msg_iovlen = 1;
        message.msg_control = (&mut control as *mut OneFd).cast();
        message.msg_controllen = mem::size_of::<OneFd>() as _;
        let got = loop {
            // SAFETY: recvmsg writes into the buffers the message points at,
            // all of which live to the end of this function.
            let got = unsafe { libc::recvmsg(fd, &mut message, libc::MSG_CMSG_CLOEXEC) };
            if got >= 0 || io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
                break got;
            }
        };
        if got != word.len() as isize {
            return Err(io::Error::other(format!(
                "the helper in the sandbox's network is gone ({})",
                if got < 0 {
                    io::Error::last_os_error().to_string()
                } else {
                    format!("{got} bytes")
                }
            )));
        }
        // SAFETY: CMSG_LEN only computes a length.
        let one_fd_len = unsafe { libc::CMSG_LEN(mem::size_of::<libc::c_int>() as u32) } as usize;
        let carried = (message.msg_controllen as usize >= one_fd_len
            && control.header.cmsg_level == libc::SOL_SOCKET
            && control.header.cmsg_type == libc::SCM_RIGHTS
            && control.header.cmsg_len as usize == one_fd_len)
            // SAFETY: the kernel put a descriptor there, now ours alone.
            .then(|| unsafe { OwnedFd::from_raw_fd(control.fd) });
        Ok((i32::from_ne_bytes(word), carried))
    }
}

impl Drop for Sockets {
    fn drop(&mut self) {
        // SAFETY: the helper is our child and not reaped yet, so its pid is
        // still its own; waitpid then reaps it.
        unsafe {
            libc::kill(self.helper, libc::SIGKILL);
            libc::waitpid(self.helper, std::ptr::null_mut(), 0);
        }
    }
}

/// The user namespace that owns the network `netns`, when it is not ours
/// (an unprivileged grader's sandbox): the helper joins it first.
fn owning_user_namespace(netns: &File) -> io::Result<Option<File>> {
    // SAFETY: NS_GET_USERNS returns a new descriptor (or -1) for the owner.
    let fd = unsafe { libc::ioctl(netns.as_raw_fd(), libc::NS_GET_USERNS) };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: the descriptor was just made and is ours alone.
    let owner = unsafe { File::from_raw_fd(fd) };
    let ours = std::fs::metadata("/proc/self/ns/user")?;
    let theirs = owner.metadata()?;
    let same = (ours.dev(), ours.ino()) == (theirs.dev(), theirs.ino());
    Ok((!same).then_some(owner))
}

/// The helper, in the forked child: joins the namespaces, says so, then
/// makes a socket per request until the grader's end closes.
fn helper_main(parent: libc::pid_t, channel: RawFd, owner: RawFd, netns: RawFd) -> ! {
    // SAFETY: system calls only, on descriptors inherited from the parent;
    // the process ends in _exit without unwinding or running destructors.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
        if libc::getppid() != parent {
            libc::_exit(0);
        }
        let mut entered = MADE;
        if owner >= 0 && libc::setns(owner, libc::CLONE_NEWUSER) != 0 {
            entered = errno();
        }
        if entered == MADE && libc::setns(netns, libc::CLONE_NEWNET) != 0 {
            entered = errno();
        }
        if libc::dup2(channel, HELPER_CHANNEL) < 0 {
            libc::_exit(1);
        }
        close_all_but(HELPER_CHANNEL);
        reply(entered, -1);
        if entered != MADE {
            libc::_exit(1);
        }
        loop {
            let mut asked = 0u8;
            let got = libc::recv(HELPER_CHANNEL, (&mut asked as *mut u8).cast(), 1, 0);
            if got < 0 && errno() == libc::EINTR {
                continue;
            }
            if got != 1 {
                libc::_exit(0);
            }
            let family = if asked == 6 {
                libc::AF_INET6
            } else {
                libc::AF_INET
            };
            let socket = libc::socket(family, libc::SOCK_STREAM | libc::SOCK_CLOEXEC, 0);
            if socket < 0 {
                reply(errno(), -1);
            } else {
                reply(MADE, socket);
                libc::close(socket);
            }
        }
    }
}

/// In the helper: sends `word`, with `fd` attached unless it is -1.
unsafe fn reply(word: i32, fd: RawFd) {
    let mut bytes = word.to_ne_bytes();
    let mut iov = libc::iovec {
        iov_base: bytes.as_mut_ptr().cast(),
        iov_len: bytes.len(),
    };
    let mut control: OneFd = mem::zeroed();
    let mut message: libc::msghdr = mem::zeroed();
    message.msg_iov = &mut iov;
    message.msg_iovlen = 1;
    if fd >= 0 {
        control.header.cmsg_level = libc::SOL_SOCKET;
        control.header.cmsg_type = libc::SCM_RIGHTS;
        control.header.cmsg_len = libc::CMSG_LEN(mem::size_of::<libc::c_int>() as u32) as _;
        control.fd = fd;
        message.msg_control = (&mut control as *mut OneFd).cast();
        message.msg_controllen = mem::size_of::<OneFd>() as _;
    }
    libc::sendmsg(HELPER_CHANNEL, &message, libc::MSG_NOSIGNAL);
}

/// In the helper: closes every descriptor but `keep`.
unsafe fn close_all_but(keep: RawFd) {
    let all = libc::c_uint::MAX;
    let keep = keep as libc::c_uint;
    for (first, last) in [(0, keep.saturating_sub(1)), (keep + 1, all)] {
        if first > last {
            continue;
        }
        if libc::syscall(libc::SYS_close_range, first, last, 0) != 0 {
            // Before Linux 5.9: one by one, up to a descriptor limit's worth.
            for fd in first..=last.min(65_535) {
                libc::close(fd as RawFd);
            }
        }
    }
}

fn errno() -> i32 {
    // SAFETY: reads this thread's errno.
    unsafe { *libc::__errno_location() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{TcpListener, TcpStream};
    use std::time::Duration;

    #[test]
    fn a_helper_in_our_own_network_makes_sockets_that_connect() -> io::Result<()> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let sockets = Sockets::enter(&File::open("/proc/self/ns/net")?)?;
        for _ in 0..3 {
            let socket = sockets.socket_for(&addr)?;
            socket.connect_timeout(&addr.into(), Duration::from_secs(2))?;
            let stream = TcpStream::from(socket);
            let (accepted, _) = listener.accept()?;
            assert_eq!(accepted.peer_addr()?, stream.local_addr()?);
        }
        Ok(())
    }

    #[test]
    fn a_helper_is_reaped_when_dropped() -> io::Result<()> {
        let sockets = Sockets::enter(&File::open("/proc/self/ns/net")?)?;
        let pid = sockets.helper;
        // SAFETY: kill with signal 0 only asks whether the process exists.
        assert_eq!(unsafe { libc::kill(pid, 0) }, 0, "the helper runs");
        drop(sockets);
        // SAFETY: waitpid with WNOHANG only asks about our own child.
        let waited = unsafe { libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG) };
        assert_eq!(waited, -1, "the helper was already reaped");
        assert_eq!(errno(), libc::ECHILD);
        Ok(())
    }
}
