//! The accept loop and the concurrency model.
//!
//! Model: an elastic pool of threads, each of which accepts one connection, serves
//! it to the end itself (`conn::serve`: plain blocking code with its own
//! deadlines), then goes back to `accept()`. The rule that keeps it responsive:
//! a thread that leaves `accept()` as the last one waiting there starts another
//! before it serves. So however many clients stall (1,000 half-sent heads hold
//! 1,000 threads), there is always a thread accepting, and nobody waits for a
//! stalled client. The pool holds at most [`MAX_CONNECTIONS`] threads; when all
//! are serving, nobody accepts and new clients queue in the kernel's backlog
//! instead of costing us memory.
//!
//! The pool shrinks by itself: a thread that comes back while
//! [`MAX_IDLE_THREADS`] others already wait in `accept()` ends at once, and one
//! that waits there [`IDLE_TIMEOUT`] without a client ends unless it is the last
//! one waiting, so a burst leaves no lasting cost. The calling thread of [`run`]
//! is a member that never ends. Threads start with a small stack
//! ([`CONNECTION_STACK`]), most of which is never touched.
//!
//! Why not a new thread per connection (the first model, same properties): making
//! and ending a thread is about 17 system calls (mmap, mprotect, clone3,
//! sigaltstack, rt_sigprocmask, munmap...) on top of the dozen a request needs;
//! under wrk (50 connections, `Connection: close`) it was 88 µs of server CPU
//! per request against 31 with the pool, nginx 35 in the same run. Here a
//! thread is only made when every thread is busy, which under steady load is
//! almost never.
//!
//! Why not an epoll loop (nginx's model): it would turn `conn` into a state
//! machine so that one thread can wait for many clients. The pool gets the
//! per-request work down to about the system calls nginx makes, while `conn`
//! stays a straight read of the protocol. Its price is a mostly idle stack per
//! connection being served, which `bench/run.sh` shows as peak RSS.

use std::io;
use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use crate::conn;
use crate::limits::{Limits, ACCEPT_BACKOFF, CONNECTION_STACK, MAX_CONNECTIONS};
use crate::resolve::Site;

/// Threads that may wait in `accept()` at once. More only costs stacks; fewer
/// would end and make threads again under a load that comes and goes.
pub const MAX_IDLE_THREADS: usize = 64;

/// How long a spare thread waits in `accept()` for a client before it ends.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections accepted and not yet closed, in the whole process: what a
/// graceful stop waits for (`main`).
static IN_FLIGHT: AtomicUsize = AtomicUsize::new(0);

/// How many connections are being served right now.
pub fn in_flight() -> usize {
    IN_FLIGHT.load(Ordering::Acquire)
}

/// Accepts and serves connections until the process ends, each within `limits`.
pub fn run(listener: TcpListener, site: Arc<Site>, limits: Limits) -> ! {
    // accept() gives up after IDLE_TIMEOUT, so spare threads can end. Accepted
    // sockets inherit this receive timeout; `conn` sets its own before it reads.
    // If it cannot be set, spare threads only end through MAX_IDLE_THREADS.
    let _ = socket2::SockRef::from(&listener).set_read_timeout(Some(IDLE_TIMEOUT));
    let pool = Arc::new(Pool {
        listener,
        site,
        limits,
        idle: AtomicUsize::new(1),
        threads: AtomicUsize::new(1),
    });
    loop {
        // This thread never ends: a quiet spell only brings it back here.
        if let Accepted::Served = pool.serve_one() {
            pool.idle.fetch_add(1, Ordering::AcqRel);
        }
    }
}

struct Pool {
    listener: TcpListener,
    site: Arc<Site>,
    limits: Limits,
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
        let stream = loop {
            match self.listener.accept() {
                Ok((stream, _peer)) => {
                    // Counted at once: a stop that begins now must wait for it.
                    IN_FLIGHT.fetch_add(1, Ordering::AcqRel);
                    break stream;
                }
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
        conn::serve(stream, &self.site, &self.limits);
        IN_FLIGHT.fetch_sub(1, Ordering::AcqRel);
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
