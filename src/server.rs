//! The accept loop and the concurrency model.
//!
//! Model: two places a connection can be, each with the cost it is worth.
//!
//! 1. **The pool**, for the usual connection, whose head is all there when it is
//!    accepted (TCP_DEFER_ACCEPT holds it in the kernel until its first bytes
//!    come). An elastic pool of threads, each of which accepts one connection,
//!    reads its head without waiting (`head::Incoming::pull`), answers it
//!    (`conn::answer`: plain blocking code with its own send deadline), then goes
//!    back to `accept()`. The rule that keeps it responsive: a thread that leaves
//!    `accept()` as the last one waiting there starts another before it serves,
//!    so there is always a thread accepting.
//! 2. **The parking** (`parking`), for a head that did not arrive whole: a slow
//!    client, a stalled one, an attacker holding connections. One thread waits on
//!    `epoll` for all of them and hands each, once its head is whole, wrong or
//!    late, to a thread that answers it. So a stalled client costs a socket and
//!    the bytes it sent, never a thread: 10,000 of them are one thread.
//!
//! The pool holds at most [`MAX_CONNECTIONS`] threads, which bounds the answers
//! being sent at once; when all are busy, new clients queue in the kernel's
//! backlog instead of costing us memory. It shrinks by itself: a thread that
//! comes back while [`MAX_IDLE_THREADS`] others already wait in `accept()` ends at
//! once, and one that waits there [`IDLE_TIMEOUT`] without a client ends unless it
//! is the last one waiting, so a burst leaves no lasting cost. The calling thread
//! of [`Server::run`] is a member that never ends. Threads start with a small stack
//! ([`CONNECTION_STACK`]), most of which is never touched.
//!
//! Why a pool and not a thread per connection (the first model): making and
//! ending a thread is about 17 system calls (mmap, mprotect, clone3, sigaltstack,
//! rt_sigprocmask, munmap...) on top of the dozen a request needs; under wrk (50
//! connections, `Connection: close`) it was 88 µs of server CPU per request
//! against 31 with the pool, nginx 35 in the same run.
//!
//! Why not an epoll loop for everything (nginx's model): answering would become a
//! state machine too (a file sent in pieces as the client reads), and the fast
//! path would pay an epoll registration per connection. Waiting for a head is the
//! only wait a client controls for free, so only that wait is an explicit state;
//! a slow reader of an answer is bounded by the send deadline instead.

use std::io;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::conn;
use crate::head::{Incoming, Progress};
use crate::limits::{Limits, ACCEPT_BACKOFF, CONNECTION_STACK, MAX_CONNECTIONS};
use crate::parking::Parking;
use crate::resolve::Site;

/// Threads that may wait in `accept()` at once. More only costs stacks; fewer
/// would end and make threads again under a load that comes and goes.
pub const MAX_IDLE_THREADS: usize = 64;

/// How long a spare thread waits in `accept()` for a client before it ends.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// A server ready to accept: the listener, and the parking already open, so that
/// whoever announces the port announces a server with all of its descriptors.
pub struct Server {
    pool: Arc<Pool>,
}

impl Server {
    /// Opens the parking. Fails only if it cannot be opened (no descriptor for its
    /// epoll, or no thread for it).
    pub fn open(listener: TcpListener, site: Arc<Site>, limits: Limits) -> io::Result<Server> {
        let parking = Parking::start(Arc::clone(&site), limits)?;
        // accept() gives up after IDLE_TIMEOUT, so spare threads can end. Accepted
        // sockets inherit this receive timeout; `conn` sets its own before it reads.
        // If it cannot be set, spare threads only end through MAX_IDLE_THREADS.
        let _ = socket2::SockRef::from(&listener).set_read_timeout(Some(IDLE_TIMEOUT));
        let pool = Arc::new(Pool {
            listener,
            site,
            limits,
            parking,
            idle: AtomicUsize::new(1),
            threads: AtomicUsize::new(1),
        });
        Ok(Server { pool })
    }

    /// Accepts and serves connections until the process ends, each within its limits.
    pub fn run(self) -> ! {
        loop {
            // This thread never ends: a quiet spell only brings it back here.
            if let Accepted::Served = self.pool.serve_one() {
                self.pool.idle.fetch_add(1, Ordering::AcqRel);
            }
        }
    }
}

struct Pool {
    listener: TcpListener,
    site: Arc<Site>,
    limits: Limits,
    /// Where heads that did not arrive whole wait, costing no thread.
    parking: Arc<Parking>,
    /// Threads in `accept()`, or on their way there.
    idle: AtomicUsize,
    /// Threads in the pool, idle or serving.
    threads: AtomicUsize,
}

/// How a wait in `accept()` ended.
enum Accepted {
    /// A client came and was served; the thread is no longer counted idle.
    Served,
    /// [`IDLE_TIMEOUT`] passed without one; the thread is still counted idle.
    Nobody,
}

impl Pool {
    /// Waits for one connection and serves it. The caller is counted idle on entry.
    fn serve_one(self: &Arc<Pool>) -> Accepted {
        let mut incoming = loop {
            match self.listener.accept() {
                // Counted open at once: a stop that begins now must wait for it.
                Ok((stream, _peer)) => break Incoming::accepted(stream, &self.limits),
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                    ) =>
                {
                    return Accepted::Nobody
                }
                // Out of descriptors, a connection reset before we took it, an
                // interrupted call: none is fatal, and a pause keeps a lasting
                // one (EMFILE) from spinning the CPU.
                Err(_) => thread::sleep(ACCEPT_BACKOFF),
            }
        };
        if self.idle.fetch_sub(1, Ordering::AcqRel) == 1 {
            // We were the last thread accepting: someone must take our place
            // before this client can keep us.
            self.add_thread();
        }
        // The head is usually all there (TCP_DEFER_ACCEPT waited for it); when it
        // is not, the connection waits in the parking and this thread moves on.
        match incoming.pull(&self.limits) {
            Progress::Done(read) => conn::answer(incoming, read, &self.site, &self.limits),
            Progress::Waiting => self.parking.park(incoming),
        }
        Accepted::Served
    }

    /// Starts one more accepting thread, unless the pool is full (then nobody
    /// accepts until a thread is done serving) or the OS refuses one (then the
    /// same, as for a failed accept).
    fn add_thread(self: &Arc<Pool>) {
        let counted = self
            .threads
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < MAX_CONNECTIONS).then_some(n + 1)
            });
        if counted.is_err() {
            return;
        }
        self.idle.fetch_add(1, Ordering::AcqRel);
        let pool = Arc::clone(self);
        let spawned = thread::Builder::new()
            .stack_size(CONNECTION_STACK)
            .spawn(move || pool.work());
        if spawned.is_err() {
            self.idle.fetch_sub(1, Ordering::AcqRel);
            self.threads.fetch_sub(1, Ordering::AcqRel);
        }
    }

    /// A spare thread's life: serve, come back, until it is not needed.
    fn work(self: Arc<Pool>) {
        loop {
            let leaves = match self.serve_one() {
                // Back to accept(), unless enough others wait there.
                Accepted::Served => self
                    .idle
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                        (n < MAX_IDLE_THREADS).then_some(n + 1)
                    })
                    .is_err(),
                // A quiet spell: leave, unless we are the last one accepting.
                Accepted::Nobody => self
                    .idle
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                        (n > 1).then_some(n - 1)
                    })
                    .is_ok(),
            };
            if leaves {
                self.threads.fetch_sub(1, Ordering::AcqRel);
                return;
            }
        }
    }
}
