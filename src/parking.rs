//! Where connections wait for the rest of their head: one thread for all of them.
//!
//! A head that did not arrive whole with its first segment (a slow client, a
//! stalled one, an attacker holding connections open) is parked here instead of
//! holding a thread. The parking thread waits on `epoll` for every parked socket
//! at once; when one becomes readable it takes what arrived ([`Incoming::pull`],
//! which never blocks). A head that is whole, wrong, or late leaves the parking
//! and goes to a thread that answers it (`Answering`), since sending an answer
//! may block on a slow reader. So 10,000 half-sent heads cost 10,000 sockets and
//! a few bytes each, and one thread.
//!
//! The steps, as `epoll(7)` names them:
//! - `park` (any thread) appends the connection to `arrivals` and writes the
//!   `eventfd`, which wakes the parking thread; only that thread touches the
//!   parked connections, so they need no lock.
//! - The parking thread registers each arrival (`EPOLL_CTL_ADD`, level-triggered
//!   readability, under a token of its own) and notes its deadline.
//! - `epoll_wait` sleeps until a socket has bytes or the oldest deadline passes.
//!   All heads get the same timeout from `accept()`, so deadlines come in the
//!   order connections are parked: a queue, oldest first, is all the timer needed.
//! - A connection that leaves is unregistered (`EPOLL_CTL_DEL`) before it is
//!   handed on; a late one leaves with a 408, a silent one is closed.
//!
//! The descriptor limit bounds how many connections can be parked: each holds
//! one, and `accept()` fails when they run out (see `server`).

// The epoll loop's table of parked connections; elsewhere each waits on a thread.
#[cfg(target_os = "linux")]
use std::collections::HashMap;
use std::collections::VecDeque;
use std::io;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::Instant;

use crate::conn;
use crate::head::{Incoming, Progress, Unread};
use crate::limits::{Limits, CONNECTION_STACK, MAX_CONNECTIONS};
use crate::resolve::Site;

/// Readiness events taken from the kernel per `epoll_wait`.
#[cfg(target_os = "linux")]
const EVENTS_PER_WAIT: usize = 256;

/// The token of the eventfd that says "arrivals are waiting".
#[cfg(target_os = "linux")]
const WAKE: u64 = u64::MAX;

/// The parking: connections waiting for their head, and the threads that answer
/// them once it is there.
pub struct Parking {
    #[cfg(target_os = "linux")]
    epoll: std::os::fd::OwnedFd,
    #[cfg(target_os = "linux")]
    wake: std::os::fd::OwnedFd,
    arrivals: Mutex<Vec<Incoming>>,
    answering: Arc<Answering>,
}

impl Parking {
    /// Opens the parking and starts its thread.
    pub fn start(site: Arc<Site>, limits: Limits) -> io::Result<Arc<Parking>> {
        let answering = Arc::new(Answering {
            site,
            limits,
            queue: Mutex::new(Queue::default()),
        });
        let parking = Arc::new(Parking::open(answering)?);
        let waiter = Arc::clone(&parking);
        thread::Builder::new()
            .name("parking".into())
            .spawn(move || waiter.wait())?;
        Ok(parking)
    }

    /// Leaves `incoming`, whose head is not whole yet, to wait here.
    pub fn park(&self, incoming: Incoming) {
        lock(&self.arrivals).push(incoming);
        self.wake_up();
    }
}

#[cfg(target_os = "linux")]
impl Parking {
    fn open(answering: Arc<Answering>) -> io::Result<Parking> {
        use std::os::fd::{FromRawFd, OwnedFd};
        // SAFETY: both calls only create descriptors, which we own at once.
        let epoll = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if epoll < 0 {
            return Err(io::Error::last_os_error());
        }
        let epoll = unsafe { OwnedFd::from_raw_fd(epoll) };
        let wake = unsafe { libc::eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK) };
        if wake < 0 {
            return Err(io::Error::last_os_error());
        }
        let wake = unsafe { OwnedFd::from_raw_fd(wake) };
        let parking = Parking {
            epoll,
            wake,
            arrivals: Mutex::new(Vec::new()),
            answering,
        };
        use std::os::fd::AsRawFd;
        parking.watch(parking.wake.as_raw_fd(), WAKE)?;
        Ok(parking)
    }

    fn wake_up(&self) {
        use std::os::fd::AsRawFd;
        let one: u64 = 1;
        // SAFETY: writes 8 bytes we own to the eventfd. It can only fail when
        // the counter is about to overflow, and then the thread is awake anyway.
        unsafe {
            libc::write(self.wake.as_raw_fd(), (&one as *const u64).cast(), 8);
        }
    }

    /// The parking thread: registers arrivals, reads what becomes readable,
    /// expires what is late, and hands on every head that is done.
    fn wait(&self) {
        use std::os::fd::AsRawFd;
        let mut parked: HashMap<u64, Incoming> = HashMap::new();
        let mut deadlines: VecDeque<(Instant, u64)> = VecDeque::new();
        let mut next_token: u64 = 0;
        let mut events = [libc::epoll_event { events: 0, u64: 0 }; EVENTS_PER_WAIT];
        loop {
            let timeout = match deadlines.front() {
                // Rounded up, so a wake never comes before the deadline it is for.
                Some(&(deadline, _)) => deadline
                    .saturating_duration_since(Instant::now())
                    .as_micros()
                    .div_ceil(1000)
                    .min(i32::MAX as u128) as i32,
                None => -1,
            };
            // SAFETY: the kernel writes at most EVENTS_PER_WAIT events into the
            // array we own.
            let ready = unsafe {
                libc::epoll_wait(
                    self.epoll.as_raw_fd(),
                    events.as_mut_ptr(),
                    EVENTS_PER_WAIT as i32,
                    timeout,
                )
            };
            for event in &events[..ready.max(0) as usize] {
                let token = event.u64;
                if token == WAKE {
                    self.drain_wake();
                    for incoming in std::mem::take(&mut *lock(&self.arrivals)) {
                        let token = next_token;
                        next_token += 1;
                        if self.watch(incoming.stream().as_raw_fd(), token).is_err() {
                            // The kernel cannot watch one more socket (its memory
                            // for epoll is spent): this client is closed unanswered.
                            continue;
                        }
                        deadlines.push_back((incoming.deadline(), token));
                        parked.insert(token, incoming);
                    }
                } else if let Some(incoming) = parked.get_mut(&token) {
                    if let Progress::Done(read) = incoming.pull(&self.answering.limits) {
                        if let Some(incoming) = parked.remove(&token) {
                            self.leave(incoming, read);
                        }
                    }
                }
            }
            // A connection that left early keeps its place in the queue until
            // its deadline: finding it in `parked` is what says it is still here.
            let now = Instant::now();
            while let Some(&(deadline, token)) = deadlines.front() {
                if deadline > now {
                    break;
                }
                deadlines.pop_front();
                if let Some(incoming) = parked.remove(&token) {
                    if let Progress::Done(read) = incoming.expire() {
                        self.leave(incoming, read);
                    }
                }
            }
        }
    }

    /// Registers `fd` for readability under `token`.
    fn watch(&self, fd: std::os::fd::RawFd, token: u64) -> io::Result<()> {
        use std::os::fd::AsRawFd;
        let mut event = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLRDHUP) as u32,
            u64: token,
        };
        // SAFETY: registers a descriptor we hold open, with an event we own.
        match unsafe {
            libc::epoll_ctl(self.epoll.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut event)
        } {
            0 => Ok(()),
            _ => Err(io::Error::last_os_error()),
        }
    }

    /// Unregisters `incoming`, then closes it or hands it on to be answered.
    fn leave(&self, incoming: Incoming, read: Result<usize, Unread>) {
        use std::os::fd::AsRawFd;
        let mut unused = libc::epoll_event { events: 0, u64: 0 };
        // SAFETY: unregisters a descriptor we still hold open.
        unsafe {
            libc::epoll_ctl(
                self.epoll.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                incoming.stream().as_raw_fd(),
                &mut unused,
            );
        }
        if conn::nobody_to_answer(&read) {
            return;
        }
        self.answering.hand(incoming, read);
    }

    fn drain_wake(&self) {
        use std::os::fd::AsRawFd;
        let mut count: u64 = 0;
        // SAFETY: reads the eventfd's 8-byte counter into one we own; nonblocking.
        unsafe {
            libc::read(self.wake.as_raw_fd(), (&mut count as *mut u64).cast(), 8);
        }
    }
}

/// Without epoll, a parked connection gets a thread of its own that waits for
/// its socket with `poll`: the same behaviour, at a thread per waiting client.
#[cfg(not(target_os = "linux"))]
impl Parking {
    fn open(answering: Arc<Answering>) -> io::Result<Parking> {
        Ok(Parking {
            arrivals: Mutex::new(Vec::new()),
            answering,
        })
    }

    fn wake_up(&self) {
        for mut incoming in std::mem::take(&mut *lock(&self.arrivals)) {
            let answering = Arc::clone(&self.answering);
            let _ = thread::Builder::new()
                .stack_size(CONNECTION_STACK)
                .spawn(move || {
                    let read = loop {
                        let progress = match readable_before_deadline(&incoming) {
                            true => incoming.pull(&answering.limits),
                            false => incoming.expire(),
                        };
                        if let Progress::Done(read) = progress {
                            break read;
                        }
                    };
                    conn::answer(incoming, read, &answering.site, &answering.limits);
                });
        }
    }

    fn wait(&self) {}
}

#[cfg(not(target_os = "linux"))]
fn readable_before_deadline(incoming: &Incoming) -> bool {
    use std::os::fd::AsRawFd;
    let left = incoming
        .deadline()
        .saturating_duration_since(Instant::now());
    let mut fd = libc::pollfd {
        fd: incoming.stream().as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = left.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: polls one descriptor we hold open, through a struct we own.
    unsafe { libc::poll(&mut fd, 1, ms) > 0 }
}

/// The threads that answer heads that came through the parking: as many as
/// there are heads to answer, up to [`MAX_CONNECTIONS`], each taking the next
/// from the queue until it is empty, then ending.
struct Answering {
    site: Arc<Site>,
    limits: Limits,
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    heads: VecDeque<(Incoming, Result<usize, Unread>)>,
    threads: usize,
}

impl Answering {
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    fn hand(self: &Arc<Answering>, incoming: Incoming, read: Result<usize, Unread>) {
        let mut queue = lock(&self.queue);
        queue.heads.push_back((incoming, read));
        if queue.threads >= MAX_CONNECTIONS {
            return;
        }
        let answering = Arc::clone(self);
        let spawned = thread::Builder::new()
            .stack_size(CONNECTION_STACK)
            .spawn(move || answering.work());
        // Should the OS refuse a thread, the head waits for the next one made.
        if spawned.is_ok() {
            queue.threads += 1;
        }
    }

    fn work(&self) {
        loop {
            let next = {
                let mut queue = lock(&self.queue);
                match queue.heads.pop_front() {
                    Some(next) => next,
                    None => {
                        queue.threads -= 1;
                        return;
                    }
                }
            };
            let (incoming, read) = next;
            conn::answer(incoming, read, &self.site, &self.limits);
        }
    }
}

/// A lock is only ever held to move a value in or out, so a thread that
/// panicked while holding one left nothing half-done.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
