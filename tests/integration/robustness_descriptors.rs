//! Out of descriptors: when `accept()` fails with EMFILE the server backs off
//! instead of spinning, never exits, and serves the first request after the
//! flood: stalled clients hold no thread, so none is left idling in `accept()`
//! with a descriptor reserved.
//!
//! The server is started with a hard open-file limit of a few dozen (it raises
//! its soft limit to the hard one, so this is its real ceiling), then twice as
//! many clients stall as it could hold. That it really ran out is read from
//! the kernel, not guessed: clients stay queued in the listener's backlog.
//! (`/proc/PID/fd` cannot tell: Linux reserves a descriptor for every thread
//! blocked in `accept()`, and those reservations are not listed.)

use std::fs;
use std::io::Write;
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::process::Command;
use std::time::{Duration, Instant};

use crate::util::{exchange, seeded, spawn, Schedule};

/// The server's whole descriptor budget: stdio, the listener, the signal pipe,
/// and room for a dozen connections.
const FD_CEILING: u64 = 24;

/// Stalled clients: twice what fits under the ceiling.
const STALLED: usize = 2 * FD_CEILING as usize;

/// The window over which the server's CPU time is read while it is out of
/// descriptors.
const WINDOW: Duration = Duration::from_secs(1);

/// CPU time the server may use in `WINDOW` while it cannot accept: a loop
/// retrying `accept()` without a pause uses most of it (400 ms on two busy
/// cores when tried); one that pauses 50 ms between tries, almost nothing.
const IDLE_CPU: Duration = Duration::from_millis(100);

/// How long the server may take to close the stalled clients' connections once
/// they left: generous, as the point is that it closes them at all.
const RECOVERY: Duration = Duration::from_secs(30);

/// user + system CPU time of `pid`, from /proc/PID/stat (fields 14 and 15).
fn cpu_time(pid: u32) -> Duration {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    // The command name (field 2) may hold spaces; the rest follows its ')'.
    let rest = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 =
        fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime");
    // SAFETY: sysconf only reads a configuration value.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as u64;
    Duration::from_millis(ticks * 1000 / hz)
}

fn stall(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).expect("the backlog takes it");
    stream
        .write_all(b"GET /file1.txt HTTP/1.1\r\nHo")
        .expect("send");
    stream
}

/// Connections waiting in the accept queue of the listener on `port`: the
/// `rx_queue` of its LISTEN line in /proc/net/tcp.
fn backlog(port: u16) -> usize {
    let table = fs::read_to_string("/proc/net/tcp").expect("/proc/net/tcp");
    let local = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let listening = fields.get(3) == Some(&"0A");
            let ours = fields.get(1).is_some_and(|addr| addr.ends_with(&local));
            let queues = fields.get(4)?;
            (listening && ours)
                .then(|| usize::from_str_radix(queues.split(':').nth(1)?, 16).ok())?
        })
        .sum()
}

/// GET /file1.txt; the status line's first bytes, or nothing.
fn get_file1(addr: SocketAddr) -> Vec<u8> {
    let request = b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\n\r\n";
    exchange(addr, request, &Schedule::All, Duration::from_secs(10))
        .map(|reply| reply.bytes)
        .unwrap_or_default()
}

#[test]
fn out_of_descriptors_it_backs_off_and_serves_the_first_request_after() {
    let root = seeded();
    let mut command = Command::new(env!("CARGO_BIN_EXE_webserver"));
    // The stalled clients must outlive the test: a long head deadline.
    command
        .args(["--head-timeout-ms", "120000", "--bind", "127.0.0.1", "0"])
        .current_dir(root.www());
    // SAFETY: setrlimit is async-signal-safe and touches only the child.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: FD_CEILING,
                rlim_max: FD_CEILING,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let server = spawn(command).expect("server starts");
    let pid = server.pid();
    let fds_at_start = crate::proc_stats::fd_count(pid);

    let stalled: Vec<TcpStream> = (0..STALLED).map(|_| stall(server.addr)).collect();
    // The server takes what it can; the rest stay queued in the kernel.
    let exhausted =
        crate::proc_stats::eventually(Duration::from_secs(10), || backlog(server.addr.port()) > 0);
    assert!(
        exhausted,
        "the server accepted all {STALLED} clients under a limit of {FD_CEILING}"
    );

    let (cpu_before, start) = (cpu_time(pid), Instant::now());
    // A window of wall time is the measurement itself here, not a wait for an
    // event: how much CPU does the server burn while it cannot accept?
    std::thread::sleep(WINDOW);
    let (cpu, wall) = (cpu_time(pid) - cpu_before, start.elapsed());
    let still_queued = backlog(server.addr.port());
    eprintln!("out of descriptors: {cpu:?} of CPU in {wall:?}, {still_queued} clients queued");
    assert!(
        still_queued > 0,
        "the backlog drained: the window measured nothing"
    );
    assert!(
        cpu < IDLE_CPU,
        "the server used {cpu:?} of CPU in {wall:?} while out of descriptors: it spins"
    );

    // Once the stalled clients have left and the server has closed their
    // connections, the very next request is served: nothing of the flood keeps
    // a descriptor (a thread idling in accept() reserves one, so threads left
    // over from the flood would make it a 503).
    drop(stalled);
    let closed = crate::proc_stats::eventually(RECOVERY, || {
        crate::proc_stats::fd_count(pid) <= fds_at_start
    });
    assert!(
        closed,
        "{} descriptors, {fds_at_start} at the start: the flood's connections stay open\n{}",
        crate::proc_stats::fd_count(pid),
        server.report()
    );
    let asked = Instant::now();
    let reply = get_file1(server.addr);
    assert!(
        reply.starts_with(b"HTTP/1.1 200 OK\r\n"),
        "the first request after the flood:\n{}\n{}",
        crate::util::visible(&reply),
        server.report()
    );
    eprintln!("served again {:?} after asking", asked.elapsed());
}
