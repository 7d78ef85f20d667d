//! What a staff member tries by hand before reading any code: one server run
//! through a sequence of odd but ordinary clients, with a liveness check (the
//! guide's own request) after each step. A server that exited has
//! **crashed**; one that is alive but does not answer has **stopped
//! answering**, and a **busy loop** when it burns a CPU while silent. These
//! are findings outside the 100 points (spec/README.md, "Robustness").
//!
//! The waits here are the stimulus, how a client behaves (silent for 2 s, a
//! byte at a time), not synchronisation: each is a named constant.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::thread;
use std::time::{Duration, Instant};

use crate::exchange::{exchange_on, get, Schedule};
use crate::launch::{self, Submission};
use crate::process::Server;
use crate::procfs::{self, Members};
use crate::root::Root;
use crate::sandbox::Endpoint;
use crate::suite::Layout;

/// How long a silent client stays before it closes.
const SILENT_FOR: Duration = Duration::from_secs(2);
/// How long the liveness check waits for the guide's answer.
const LIVENESS_WAIT: Duration = Duration::from_secs(3);
/// How long a step's own request waits for its answer (any, or none).
const STEP_WAIT: Duration = Duration::from_secs(1);
/// The window over which CPU use is measured while the server is silent.
const BUSY_WINDOW: Duration = Duration::from_secs(1);
/// More than this share of one core while silent is a busy loop.
const BUSY_SHARE: f64 = 0.5;
/// The file the reset step asks for: big enough that the answer is still
/// being sent when the client resets.
const BIG_FILE: (&str, usize) = ("robustness-big.bin", 8 << 20);
/// How much of it the resetting client reads first.
const READ_BEFORE_RESET: usize = 16 << 10;

const GUIDE_FILE1: &[u8] =
    b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

/// What went wrong after one step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// The process exited: its status and the last line it printed.
    Crashed,
    /// Alive, but the guide's request got no answer.
    StoppedAnswering,
    /// Stopped answering, and used more than `BUSY_SHARE` of a core meanwhile.
    BusyLoop,
    /// Processes had left a server of the sequence to live on when it was
    /// stopped (a daemon); `detail` counts them.
    LeftRunning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The step after which it showed.
    pub step: &'static str,
    pub kind: Kind,
    pub detail: String,
}

impl Finding {
    /// The finding in the words of the scorecard.
    pub fn words(&self) -> String {
        let what = match self.kind {
            Kind::LeftRunning => {
                return format!(
                    "left {} running after its server was stopped ({}); they were killed",
                    self.detail, self.step
                )
            }
            Kind::Crashed => "crashed",
            Kind::StoppedAnswering => "stopped answering",
            Kind::BusyLoop => "stopped answering, busy loop",
        };
        format!("{what} after {}: {}", self.step, self.detail)
    }
}

/// A step: what the client does. It may return a connection it keeps open
/// while the liveness check runs (a client still waiting for its answer).
struct Step {
    name: &'static str,
    act: fn(&Endpoint) -> Option<TcpStream>,
}

const STEPS: [Step; 9] = [
    Step {
        name: "the guide's requests",
        act: guide_requests,
    },
    Step {
        name: "an empty connection (connect, close)",
        act: empty_connection,
    },
    Step {
        name: "a connection silent for 2 s",
        act: silent_connection,
    },
    Step {
        name: "HELLO\\r\\n\\r\\n",
        act: hello,
    },
    Step {
        name: "a request line with no version",
        act: no_version,
    },
    Step {
        name: "HEAD /file1.txt",
        act: head,
    },
    Step {
        name: "a POST with a body (the client waits)",
        act: post_with_body,
    },
    Step {
        name: "the guide's request one byte at a time",
        act: byte_at_a_time,
    },
    Step {
        name: "a client that resets mid-download",
        act: reset_mid_download,
    },
];

/// Runs the sequence against `submission`, serving a copy of `fixtures`;
/// after a crash or a wedge a fresh server takes the remaining steps.
/// Steps not begun by `deadline` are left out, and the `Err` says so.
pub fn sequence(
    submission: &Submission,
    layout: &Layout,
    deadline: Instant,
) -> Result<Vec<Finding>, String> {
    let root = Root::seeded_in(&layout.fixtures, submission.docroot.as_deref())?;
    let protected = layout.protected();
    let served = root.www().join(submission.docroot.as_deref().unwrap_or(""));
    fs::write(served.join(BIG_FILE.0), vec![b'x'; BIG_FILE.1])
        .map_err(|e| format!("cannot write {}: {e}", BIG_FILE.0))?;
    let mut findings = Vec::new();
    let mut server = start(submission, &root, &protected)?;
    // Processes that outlived a server of the sequence, in all: killed with it.
    let mut left = 0;
    for (done, step) in STEPS.iter().enumerate() {
        if Instant::now() >= deadline {
            return Err(format!(
                "it stopped after {done} of its {} steps: the run's time budget was spent{}",
                STEPS.len(),
                if findings.is_empty() {
                    String::new()
                } else {
                    format!(
                        "; found so far: {}",
                        findings
                            .iter()
                            .map(Finding::words)
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                }
            ));
        }
        let held = (step.act)(&server.endpoint());
        let finding = check(&mut server, step.name);
        drop(held);
        if let Some(finding) = finding {
            findings.push(finding);
            // Stopped first: a server on a fixed port must free it.
            left += server.stop();
            server = start(submission, &root, &protected)?;
        }
    }
    left += server.stop();
    if left > 0 {
        findings.push(Finding {
            step: "the robustness sequence",
            kind: Kind::LeftRunning,
            detail: format!("{left} process{}", if left == 1 { "" } else { "es" }),
        });
    }
    Ok(findings)
}

/// A fresh server, once it answers the guide's request. One that does not,
/// fresh, has nothing the sequence could take away: it stops there.
fn start(submission: &Submission, root: &Root, protected: &[PathBuf]) -> Result<Server, String> {
    let mut server = launch::command(submission, root, protected)?;
    let stream = server.connect()?;
    // The connection that found it listening asks the guide's request, so
    // that a server that mishandles an empty connection is not tripped here.
    let first = exchange_on(stream, GUIDE_FILE1, &Schedule::All, LIVENESS_WAIT);
    if first.is_ok_and(|reply| reply.bytes.starts_with(b"HTTP/")) {
        return Ok(server);
    }
    Err(format!(
        "a fresh server gave the guide's request no answer in {LIVENESS_WAIT:?}"
    ))
}

/// The liveness check: the guide's request, answered within [`LIVENESS_WAIT`].
fn check(server: &mut Server, step: &'static str) -> Option<Finding> {
    if let Some(finding) = crashed(server, step) {
        return Some(finding);
    }
    let answered = get(server.endpoint(), "/file1.txt", LIVENESS_WAIT)
        .is_ok_and(|reply| reply.bytes.starts_with(b"HTTP/"));
    if answered {
        return None;
    }
    if let Some(finding) = crashed(server, step) {
        return Some(finding);
    }
    let share = cpu_share(&server.members());
    let (kind, detail) = if share > BUSY_SHARE {
        (
            Kind::BusyLoop,
            format!(
                "the guide's request got no answer in {LIVENESS_WAIT:?}, and the server used {:.0}% of a core meanwhile",
                share * 100.0
            ),
        )
    } else {
        (
            Kind::StoppedAnswering,
            format!("the guide's request got no answer in {LIVENESS_WAIT:?}; the server is still running"),
        )
    };
    Some(Finding { step, kind, detail })
}

/// A finding if the server has exited: its status and last words.
fn crashed(server: &mut Server, step: &'static str) -> Option<Finding> {
    // A crashing server may still be on its way out: a short bounded wait.
    let status = server.wait_exit(Duration::from_millis(200))?;
    let last = server
        .last_words()
        .map(|line| format!("; it last printed: {line}"))
        .unwrap_or_default();
    let cap = server
        .cap_hit()
        .map(|cap| format!(" ({cap})"))
        .unwrap_or_default();
    Some(Finding {
        step,
        kind: Kind::Crashed,
        detail: format!("the process exited ({status}){cap}{last}"),
    })
}

/// The share of one core the server's processes used over [`BUSY_WINDOW`].
fn cpu_share(who: &Members) -> f64 {
    let before = procfs::cpu(who);
    let started = Instant::now();
    thread::sleep(BUSY_WINDOW);
    let used = procfs::cpu(who).saturating_sub(before);
    used.as_secs_f64() / started.elapsed().as_secs_f64()
}

fn send(to: &Endpoint, request: &[u8], schedule: &Schedule) {
    if let Ok(stream) = to.connect(STEP_WAIT) {
        let _ = exchange_on(stream, request, schedule, STEP_WAIT);
    }
}

fn guide_requests(to: &Endpoint) -> Option<TcpStream> {
    send(to, GUIDE_FILE1, &Schedule::All);
    send(
        to,
        b"GET /file2.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        &Schedule::All,
    );
    None
}

fn empty_connection(to: &Endpoint) -> Option<TcpStream> {
    drop(to.connect(STEP_WAIT));
    None
}

fn silent_connection(to: &Endpoint) -> Option<TcpStream> {
    let stream = to.connect(STEP_WAIT).ok();
    // The stimulus: a client that says nothing for a while.
    thread::sleep(SILENT_FOR);
    drop(stream);
    None
}

fn hello(to: &Endpoint) -> Option<TcpStream> {
    send(to, b"HELLO\r\n\r\n", &Schedule::All);
    None
}

fn no_version(to: &Endpoint) -> Option<TcpStream> {
    send(to, b"GET /file1.txt\r\n\r\n", &Schedule::All);
    None
}

fn head(to: &Endpoint) -> Option<TcpStream> {
    send(
        to,
        b"HEAD /file1.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        &Schedule::All,
    );
    None
}

fn post_with_body(to: &Endpoint) -> Option<TcpStream> {
    let mut stream = to.connect(STEP_WAIT).ok()?;
    let request = b"POST /file1.txt HTTP/1.1\r\nHost: localhost\r\nContent-Type: text/plain\r\n\
                    Content-Length: 5\r\n\r\nhello";
    stream.write_all(request).ok()?;
    let _ = stream.set_read_timeout(Some(STEP_WAIT));
    let mut answer = [0u8; 4096];
    let _ = stream.read(&mut answer);
    // Still open: a browser waits for its answer as long as it likes.
    Some(stream)
}

fn byte_at_a_time(to: &Endpoint) -> Option<TcpStream> {
    let schedule = Schedule::Pieces {
        size: 1,
        pause: Duration::from_millis(1),
    };
    send(to, GUIDE_FILE1, &schedule);
    None
}

fn reset_mid_download(to: &Endpoint) -> Option<TcpStream> {
    let mut stream = to.connect(STEP_WAIT).ok()?;
    let request = format!(
        "GET /{} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        BIG_FILE.0
    );
    stream.write_all(request.as_bytes()).ok()?;
    let _ = stream.set_read_timeout(Some(STEP_WAIT));
    let mut got = 0;
    let mut chunk = [0u8; 4096];
    while got < READ_BEFORE_RESET {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    // SO_LINGER 0: close() sends a reset instead of a FIN.
    let linger = libc::linger {
        l_onoff: 1,
        l_linger: 0,
    };
    // SAFETY: setsockopt reads the struct we own, on a socket we own.
    unsafe {
        libc::setsockopt(
            std::os::fd::AsRawFd::as_raw_fd(&stream),
            libc::SOL_SOCKET,
            libc::SO_LINGER,
            (&linger as *const libc::linger).cast(),
            std::mem::size_of::<libc::linger>() as libc::socklen_t,
        );
    }
    drop(stream);
    None
}
