//! What a grader checks once, before any case: does the submission start,
//! where does it listen, and does it serve the files at all. Each answer is a
//! note at the top of the scorecard, said once instead of in every case.
//!
//! A server that ignores the port it is given and listens on the assignment's
//! default (28333) is graded there (one case at a time when uncontained); a
//! server that answers every file with 404 most likely serves a subdirectory,
//! which `WEBSERVER_DOCROOT` names.

use std::time::{Duration, Instant};

use crate::exchange::{exchange_on, get, Schedule};
use crate::grade::Target;
use crate::launch::{self, Submission, DEFAULT_PORT};
use crate::process::{Server, START_TIMEOUT};
use crate::procfs;
use crate::root::Root;
use crate::suite::Layout;

/// How many of the server's last lines a failed start shows.
const LAST_LINES: usize = 6;
/// How long the guide's requests wait for an answer: a liveness check.
const LIVENESS_WAIT: Duration = Duration::from_secs(3);
/// How often the preflight looks whether the server listens yet.
const POLL: Duration = Duration::from_millis(20);

/// The target as it is to be graded, and what the scorecard should say first.
#[derive(Debug, Clone)]
pub struct Preflight {
    pub target: Target,
    pub notes: Vec<String>,
    /// Whether the server started, and whether any byte came back.
    pub started: bool,
    pub answered: bool,
}

pub fn check(target: Target, layout: &Layout) -> Preflight {
    let Target::Command(submission) = target else {
        return Preflight {
            target,
            notes: Vec::new(),
            started: true,
            answered: true,
        };
    };
    let mut notes = Vec::new();
    let (submission, started, answered) = match probe(submission.clone(), layout, &mut notes) {
        Ok((found, answered)) => (found, true, answered),
        Err(problem) => {
            notes.push(problem);
            (submission, false, false)
        }
    };
    Preflight {
        target: Target::Command(submission),
        notes,
        started,
        answered,
    }
}

/// Starts the server once and asks for the guide's two files (the second
/// only when the first got an answer); whether any byte came back.
fn probe(
    mut submission: Submission,
    layout: &Layout,
    notes: &mut Vec<String>,
) -> Result<(Submission, bool), String> {
    let root = Root::seeded_in(&layout.fixtures, submission.docroot.as_deref())?;
    let mut server = launch::command(&submission, &root, &layout.protected())?;
    let asked = server.addr.port();
    let stream = match listener(&mut server, asked) {
        Listening::Asked(stream) => stream,
        Listening::Elsewhere(ports)
            if ports.contains(&DEFAULT_PORT) && submission.port.is_none() =>
        {
            notes.push(format!(
                "it listens on port {DEFAULT_PORT} (the assignment's default), not on the port it \
                 was given ({asked}): graded there"
            ));
            submission.port = Some(DEFAULT_PORT);
            server.addr.set_port(DEFAULT_PORT);
            server.connect().map_err(|e| cannot_start(&e))?
        }
        Listening::Elsewhere(ports) => {
            notes.push(format!(
                "it listens on port {ports:?}, not on the port it was given ({asked}): does it \
                 read its port from the command line? ({{port}} in the command, or \
                 WEBSERVER_PORT=N for a server that always uses port N)"
            ));
            return Err(cannot_start(
                "the server accepted no connection on the port it was given",
            ));
        }
        Listening::Not(problem) => return Err(cannot_start(&problem)),
    };
    let request = b"GET /file1.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let first = exchange_on(stream, request, &Schedule::All, LIVENESS_WAIT);
    let answered = first.as_ref().is_ok_and(|r| !r.bytes.is_empty());
    if !answered {
        return Ok((submission, false));
    }
    let second = get(server.endpoint(), "/file2.html", LIVENESS_WAIT);
    let not_found = |reply: &std::io::Result<crate::exchange::Reply>| {
        reply.as_ref().is_ok_and(|r| {
            r.bytes.starts_with(b"HTTP/1.1 404") || r.bytes.starts_with(b"HTTP/1.0 404")
        })
    };
    if not_found(&first) && not_found(&second) && submission.docroot.is_none() {
        notes.push(
            "every existing file came back 404 (file1.txt, file2.html): if it serves a \
             subdirectory of the directory it runs in, name it with WEBSERVER_DOCROOT=SUBDIR \
             (grade --docroot SUBDIR)"
                .to_string(),
        );
    }
    Ok((submission, true))
}

enum Listening {
    /// On the port it was given: the connection that found it.
    Asked(std::net::TcpStream),
    /// Only on these other ports (its own, as `/proc` shows).
    Elsewhere(Vec<u16>),
    /// Not at all: why.
    Not(String),
}

/// Where the server listens: a connection to the port it was given, or else
/// the ports `/proc` shows its own processes holding (so another program's
/// listener, on 28333 say, is never taken for this server's).
fn listener(server: &mut Server, asked: u16) -> Listening {
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        // A connection that succeeds is kept and used: an empty one would
        // trip a server that mishandles it before any case has run.
        if let Ok(stream) = server.endpoint().connect(POLL) {
            return Listening::Asked(stream);
        }
        let ports = procfs::listening_ports(&server.members());
        if ports.contains(&asked) {
            // On the port, but not on 127.0.0.1 (::1, say): connect() tries both.
            return match server.connect() {
                Ok(stream) => Listening::Asked(stream),
                Err(problem) => Listening::Not(problem),
            };
        }
        if !ports.is_empty() {
            return Listening::Elsewhere(ports);
        }
        if server.exit_status().is_some() {
            // Its own words on why: the exit status and the last lines.
            return match server.connect() {
                Ok(stream) => Listening::Asked(stream),
                Err(problem) => Listening::Not(problem),
            };
        }
        if Instant::now() >= deadline {
            return Listening::Not(format!(
                "the server accepted no connection on port {asked} within {START_TIMEOUT:?} \
                 (its working directory is a temp dir: are the paths in the command absolute?)\n{}",
                server.report()
            ));
        }
        // Polling a condition (is it listening yet?) with a bound.
        std::thread::sleep(POLL);
    }
}

/// A start that failed, said once: the reason and the server's last lines.
fn cannot_start(problem: &str) -> String {
    let mut lines = problem.lines();
    let first = lines.next().unwrap_or_default();
    let rest: Vec<&str> = lines.collect();
    let tail = &rest[rest.len().saturating_sub(LAST_LINES)..];
    format!("THE SERVER DID NOT START: {first}\n{}", tail.join("\n"))
}
