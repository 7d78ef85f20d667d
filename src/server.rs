//! The accept loop and the concurrency model.
//!
//! Model: one thread per connection, at most [`MAX_CONNECTIONS`] at once. Each
//! connection is then plain blocking code (`conn::serve`) with its own deadlines,
//! so a client that connects and sends nothing holds one small thread and nobody
//! else waits for it. Threads start with a small stack ([`CONNECTION_STACK`]),
//! most of which is never touched. When every place is taken, `accept()` waits and
//! new clients queue in the kernel's backlog instead of costing us memory.
//! (Alternatives such as a fixed pool or an epoll loop are to be measured against
//! this one; see the README's design notes.)

use std::net::TcpListener;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;

use crate::conn;
use crate::limits::{Limits, ACCEPT_BACKOFF, CONNECTION_STACK, MAX_CONNECTIONS};
use crate::resolve::Site;

/// Accepts and serves connections until the process ends, each within `limits`.
pub fn run(listener: TcpListener, site: Arc<Site>, limits: Limits) -> ! {
    let places = Arc::new(Places::new(MAX_CONNECTIONS));
    loop {
        places.wait_for_one();
        let stream = match listener.accept() {
            Ok((stream, _peer)) => stream,
            // Out of descriptors, a connection reset before we took it, an
            // interrupted call: none is fatal, and a pause keeps a lasting one
            // (EMFILE) from spinning the CPU.
            Err(_) => {
                thread::sleep(ACCEPT_BACKOFF);
                continue;
            }
        };
        let place = Place::take(&places);
        let site = Arc::clone(&site);
        let spawned = thread::Builder::new()
            .stack_size(CONNECTION_STACK)
            .spawn(move || {
                conn::serve(stream, &site, &limits);
                drop(place);
            });
        if spawned.is_err() {
            // No thread for it (a memory or thread limit): the connection is
            // dropped with the closure, and we pause as for a failed accept().
            thread::sleep(ACCEPT_BACKOFF);
        }
    }
}

/// A counting semaphore: how many more connections we may serve at once.
struct Places {
    free: Mutex<usize>,
    freed: Condvar,
}

impl Places {
    fn new(count: usize) -> Places {
        Places {
            free: Mutex::new(count),
            freed: Condvar::new(),
        }
    }

    fn wait_for_one(&self) {
        let mut free = lock(&self.free);
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|e| e.into_inner());
        }
    }
}

/// One connection's place; giving it back (on drop) wakes the accept loop.
struct Place(Arc<Places>);

impl Place {
    fn take(places: &Arc<Places>) -> Place {
        *lock(&places.free) -= 1;
        Place(Arc::clone(places))
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        *lock(&self.0.free) += 1;
        self.0.freed.notify_one();
    }
}

/// A poisoned lock only means a connection thread panicked; the count is still right.
fn lock(free: &Mutex<usize>) -> std::sync::MutexGuard<'_, usize> {
    free.lock().unwrap_or_else(|e| e.into_inner())
}
