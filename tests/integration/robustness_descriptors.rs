//! Out of descriptors: when `accept()` fails with EMFILE the server backs off
//! instead of spinning, never exits, and serves again once descriptors free up;
//! meanwhile a file that exists is never answered 404.
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

/// How long the server may take to serve again once the stalled clients left.
const RECOVERY: Duration = Duration::from_secs(60);

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
fn out_of_descriptors_it_backs_off_and_recovers() {
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

    // Still alive: once the stalled clients leave, a request is served. Until
    // then an existing file may be a 503 (no descriptor to open it with), but
    // never a 404. One try a second: the recovery is the server's to make.
    drop(stalled);
    let deadline = Instant::now() + RECOVERY;
    let mut replies = Vec::new();
    loop {
        let reply = get_file1(server.addr);
        let served = reply.starts_with(b"HTTP/1.1 200 OK\r\n");
        assert!(
            served || reply.starts_with(b"HTTP/1.1 503 ") || reply.is_empty(),
            "an existing file, out of descriptors:\n{}\n{}",
            crate::util::visible(&reply),
            server.report()
        );
        replies.push(
            reply
                .get(..12)
                .map(|s| String::from_utf8_lossy(s).into_owned()),
        );
        if served {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not served again within {RECOVERY:?}: {replies:?}\n{}",
            server.report()
        );
        std::thread::sleep(Duration::from_secs(1));
    }
    eprintln!("recovered after {} tries", replies.len());
}
