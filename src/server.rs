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
//! instead of costing us memory. A thread that comes back while
//! [`MAX_IDLE_THREADS`] others already wait in `accept()` ends, so a burst leaves
//! no lasting cost. Threads start with a small stack ([`CONNECTION_STACK`]), most
//! of which is never touched.
//!
//! Why not a new thread per connection (the first model, same properties): making
//! and ending a thread is about 17 system calls (mmap, mprotect, clone3,
//! sigaltstack, rt_sigprocmask, munmap...) for the 8 or so a request needs, and
//! `bench/run.sh` measured it at about half of our CPU time per request. Here a
//! thread is only made when every thread is busy, which under steady load is
//! almost never.
//!
//! Why not an epoll loop (nginx's model): it would turn `conn` into a state
//! machine so that one thread can wait for many clients. The pool gets the
//! per-request cost down to the same system calls nginx makes, while `conn` stays
//! a straight read of the protocol. Its price is one mostly idle stack per
//! connection being served, which `bench/run.sh` shows as peak RSS.

use std::net::TcpListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use crate::conn;
use crate::limits::{Limits, ACCEPT_BACKOFF, CONNECTION_STACK, MAX_CONNECTIONS};
use crate::resolve::Site;

/// Threads kept waiting in `accept()` after a burst. More only costs stacks; fewer
/// would end and make threads again under a load that comes and goes.
pub const MAX_IDLE_THREADS: usize = 64;

/// Accepts and serves connections until the process ends, each within `limits`.
pub fn run(listener: TcpListener, site: Arc<Site>, limits: Limits) -> ! {
    let pool = Arc::new(Pool {
        listener,
        site,
        limits,
        // The calling thread is the first member, and never ends.
        idle: AtomicUsize::new(1),
        threads: AtomicUsize::new(1),
    });
    loop {
        pool.serve_one();
        pool.idle.fetch_add(1, Ordering::AcqRel);
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

impl Pool {
    /// Accepts one connection and serves it. The caller is counted idle on entry
    /// and no longer on return: it decides whether to come back.
    fn serve_one(self: &Arc<Pool>) {
        let stream = loop {
            match self.listener.accept() {
                Ok((stream, _peer)) => break stream,
                // Out of descriptors, a connection reset before we took it, an
                // interrupted call: none is fatal, and a pause keeps a lasting
                // one (EMFILE) from spinning the CPU. We stay counted idle.
                Err(_) => thread::sleep(ACCEPT_BACKOFF),
            }
        };
        if self.idle.fetch_sub(1, Ordering::AcqRel) == 1 {
            // We were the last thread accepting: someone must take our place
            // before this client can keep us.
            self.add_thread();
        }
        conn::serve(stream, &self.site, &self.limits);
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

    /// A pool thread's life: serve, come back, until enough others are idle.
    fn work(self: Arc<Pool>) {
        loop {
            self.serve_one();
            let back = self
                .idle
                .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                    (n < MAX_IDLE_THREADS).then_some(n + 1)
                });
            if back.is_err() {
                self.threads.fetch_sub(1, Ordering::AcqRel);
                return;
            }
        }
    }
}
