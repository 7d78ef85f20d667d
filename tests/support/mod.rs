//! The harness every integration test shares (ripgrep's `tests/util.rs` idea):
//!
//! - [`Root`]: a fresh temp dir seeded from `fixtures/`, with a canary file one
//!   level above the served directory that no response may ever contain;
//! - [`Server`]: the server under test, started in that dir on a free port,
//!   killed when dropped, even when the test panics;
//! - [`exchange`]: one raw client connection that sends on a [`Schedule`] and
//!   reads until the server closes, bounded in time;
//! - [`diff`]: the one printer that shows two byte strings with `\r` and `\n`
//!   made visible and the first offset where they differ.
//!
//! The grading side (issue 5) lives in submodules: [`case`] (the case files and
//! the rubric), [`command`] (a server that is not ours, from `WEBSERVER_CMD`),
//! [`compare`] (exact or conformant judging, per rubric item), [`grade`] (one
//! case against a target) and [`score`] (the scorecard and its JSON/JUnit forms).
//!
//! Each test file uses a subset, hence the `dead_code` allowance.
#![allow(dead_code)]

pub mod case;
pub mod command;
pub mod compare;
pub mod grade;
pub mod score;

use std::fs;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// The repository's `fixtures/`, copied into every [`Root`].
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

/// The contents of `secret.txt`, which sits beside (not inside) the served dir.
pub const CANARY: &str = "CANARY 7d3f: this file lies outside the served root\n";

/// How long a server may take to print its listening line.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a response may take, start to close, before the case fails.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// A temp dir laid out as `secret.txt` (the canary) and `www/` (the fixtures),
/// removed on drop.
pub struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    pub fn seeded() -> Root {
        let dir = tempfile::Builder::new()
            .prefix("webserver-test-")
            .tempdir()
            .expect("cannot create a temp dir");
        fs::write(dir.path().join("secret.txt"), CANARY).expect("cannot write the canary");
        copy_tree(Path::new(FIXTURES), &dir.path().join("www"));
        Root { dir }
    }

    /// The served directory: the server's working directory.
    pub fn www(&self) -> PathBuf {
        self.dir.path().join("www")
    }

    /// The directory that holds `www/` and the canary.
    pub fn outside(&self) -> &Path {
        self.dir.path()
    }
}

fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap_or_else(|e| panic!("cannot create {}: {e}", to.display()));
    let entries =
        fs::read_dir(from).unwrap_or_else(|e| panic!("cannot list {}: {e}", from.display()));
    for entry in entries {
        let entry = entry.expect("cannot read a fixtures entry");
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if source.is_dir() {
            copy_tree(&source, &target);
        } else {
            fs::copy(&source, &target)
                .unwrap_or_else(|e| panic!("cannot copy {}: {e}", source.display()));
        }
    }
}

/// A running server, killed on drop.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// The first line the server printed (for a `WEBSERVER_CMD`: the command).
    pub banner: String,
    stderr: Arc<Mutex<Vec<u8>>>,
    /// The thread copying stderr; it ends at EOF, once the server has exited.
    stderr_reader: Option<thread::JoinHandle<()>>,
    /// What a `WEBSERVER_CMD` server prints to stdout (ours prints one line).
    stdout: Arc<Mutex<Vec<u8>>>,
    /// Started in its own process group, killed as a group: a `sh -c` command
    /// may leave its server as a grandchild.
    group: bool,
}

impl Server {
    /// Starts the bundled binary in `root.www()` on a free loopback port, with
    /// `args` before the port, and waits for its listening line.
    pub fn start(root: &Root, args: &[String]) -> Result<Server, String> {
        let mut command = Command::new(env!("CARGO_BIN_EXE_webserver"));
        command
            .args(args)
            .args(["--bind", "127.0.0.1", "0"])
            .current_dir(root.www());
        Server::spawn(command)
    }

    /// Spawns `command`, which must print `... http://HOST:PORT/ ...` as its
    /// first line on stdout once it accepts connections.
    pub fn spawn(mut command: Command) -> Result<Server, String> {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        // SAFETY: prctl is async-signal-safe. If the test process dies without
        // running destructors (SIGKILL), the kernel kills the server too.
        unsafe {
            command.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
                Ok(())
            });
        }
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start {command:?}: {e}"))?;
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let stderr_reader = child.stderr.take().map(|mut pipe| {
            let sink = Arc::clone(&stderr);
            thread::spawn(move || {
                let mut chunk = [0u8; 4096];
                while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                    sink.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .extend_from_slice(&chunk[..n]);
                }
            })
        });
        let (first_line, line_rx) = mpsc::channel();
        if let Some(pipe) = child.stdout.take() {
            thread::spawn(move || {
                let mut lines = BufReader::new(pipe).lines();
                if let Some(Ok(line)) = lines.next() {
                    let _ = first_line.send(line);
                }
                // Keep draining so the server never blocks on a full pipe.
                for _ in lines {}
            });
        }
        let mut server = Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            banner: String::new(),
            stderr,
            stderr_reader,
            stdout: Arc::default(),
            group: false,
        };
        let line = line_rx.recv_timeout(START_TIMEOUT).map_err(|_| {
            format!(
                "the server printed no listening line within {START_TIMEOUT:?}\n{}",
                server.report()
            )
        })?;
        let port = port_in(&line).ok_or_else(|| {
            format!(
                "no http://HOST:PORT/ in the listening line {line:?}\n{}",
                server.report()
            )
        })?;
        server.addr.set_port(port);
        server.banner = line;
        Ok(server)
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap_or_else(|e| e.into_inner())).into_owned()
    }

    /// Stderr (and stdout, if a `WEBSERVER_CMD` wrote any), ready to append
    /// to a failure message.
    pub fn report(&self) -> String {
        let mut out = match self.stderr() {
            text if text.is_empty() => "(the server wrote nothing to stderr)".to_string(),
            text => format!("server stderr:\n{text}"),
        };
        let stdout = self.stdout.lock().unwrap_or_else(|e| e.into_inner());
        if !stdout.is_empty() {
            out += &format!("\nserver stdout:\n{}", String::from_utf8_lossy(&stdout));
        }
        out
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits up to `limit` for the server to exit by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => {
                    // Its last words may still be in the pipe: read them before
                    // anyone asks `stderr()` (the exit does not wait for our reader).
                    if let Some(reader) = self.stderr_reader.take() {
                        let _ = reader.join();
                    }
                    return Some(status);
                }
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                _ => return None,
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.group {
            // SAFETY: killpg only sends a signal, to the group this child leads
            // (not reaped yet, so its id cannot have been reused).
            unsafe {
                libc::killpg(self.child.id() as libc::pid_t, libc::SIGKILL);
            }
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port of the last `:PORT/` in a line such as
/// `listening on http://127.0.0.1:41234/ serving /abs/root`.
fn port_in(line: &str) -> Option<u16> {
    let url = &line[line.find("http://")? + "http://".len()..];
    let authority = url.split('/').next()?;
    authority.rsplit(':').next()?.parse().ok()
}

/// How a request's bytes are handed to the socket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// One write.
    All,
    /// Writes of `size` bytes with `pause` between them.
    Pieces { size: usize, pause: Duration },
    /// Writes split at these byte offsets, with `pause` between them.
    Split { at: Vec<usize>, pause: Duration },
}

impl Schedule {
    /// The request cut into the writes this schedule makes.
    pub fn pieces<'a>(&self, request: &'a [u8]) -> Vec<&'a [u8]> {
        match self {
            Schedule::All => vec![request],
            Schedule::Pieces { size, .. } => request.chunks((*size).max(1)).collect(),
            Schedule::Split { at, .. } => {
                let mut pieces = Vec::new();
                let mut start = 0;
                for &cut in at.iter().chain([request.len()].iter()) {
                    let cut = cut.clamp(start, request.len());
                    pieces.push(&request[start..cut]);
                    start = cut;
                }
                pieces.retain(|piece| !piece.is_empty());
                pieces
            }
        }
    }

    fn pause(&self) -> Duration {
        match self {
            Schedule::All => Duration::ZERO,
            Schedule::Pieces { pause, .. } | Schedule::Split { pause, .. } => *pause,
        }
    }
}

/// How a connection ended, from the client's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// The server closed it (EOF).
    Closed,
    /// The server reset it.
    Reset,
    /// It was still open when we stopped waiting.
    Open,
}

#[derive(Debug, Clone)]
pub struct Reply {
    pub bytes: Vec<u8>,
    pub end: End,
}

/// Connects, sends `request` on `schedule`, and reads until the server closes or
/// `patience` has passed since the last byte was sent.
pub fn exchange(
    addr: SocketAddr,
    request: &[u8],
    schedule: &Schedule,
    patience: Duration,
) -> io::Result<Reply> {
    let stream = TcpStream::connect_timeout(&addr, START_TIMEOUT)?;
    exchange_on(stream, request, schedule, patience)
}

/// [`exchange`] on a connection already made.
pub fn exchange_on(
    mut stream: TcpStream,
    request: &[u8],
    schedule: &Schedule,
    patience: Duration,
) -> io::Result<Reply> {
    // Each piece leaves as its own segment instead of being merged by Nagle.
    stream.set_nodelay(true)?;
    let pieces = schedule.pieces(request);
    for (i, piece) in pieces.iter().enumerate() {
        if i > 0 {
            // Part of the input under test (how the bytes arrive), not a wait
            // for anything to happen.
            thread::sleep(schedule.pause());
        }
        if stream.write_all(piece).is_err() {
            // The server answered and closed early (a 431, say): read what it sent.
            break;
        }
    }
    read_to_close(&mut stream, patience)
}

/// Reads until EOF, a reset, or `patience` with the connection still open.
pub fn read_to_close(stream: &mut TcpStream, patience: Duration) -> io::Result<Reply> {
    let deadline = Instant::now() + patience;
    let mut bytes = Vec::new();
    let mut chunk = [0u8; 64 * 1024];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(Reply {
                bytes,
                end: End::Open,
            });
        }
        stream.set_read_timeout(Some(left))?;
        match stream.read(&mut chunk) {
            Ok(0) => {
                return Ok(Reply {
                    bytes,
                    end: End::Closed,
                })
            }
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(Reply {
                    bytes,
                    end: End::Open,
                })
            }
            Err(e) if e.kind() == io::ErrorKind::ConnectionReset => {
                return Ok(Reply {
                    bytes,
                    end: End::Reset,
                })
            }
            Err(e) => return Err(e),
        }
    }
}

/// The 200 response for a file of `fixtures/`, built from the contract (not from
/// the server): the house head, then the file's bytes.
pub fn fixture_response(name: &str, content_type: &str) -> Vec<u8> {
    let body =
        fs::read(Path::new(FIXTURES).join(name)).unwrap_or_else(|e| panic!("fixtures/{name}: {e}"));
    let mut bytes = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    bytes.extend(body);
    bytes
}

/// An error response in the house style: `text/plain`, the status lowercased as
/// the body (`error_response(404, "Not Found")` is the assignment's 104 bytes).
pub fn error_response(code: u16, reason: &str) -> Vec<u8> {
    let body = format!("{code} {reason}").to_ascii_lowercase();
    format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A plain GET the way the guide's browser sends it.
pub fn get(addr: SocketAddr, target: &str) -> Reply {
    let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    exchange(addr, request.as_bytes(), &Schedule::All, REPLY_TIMEOUT)
        .unwrap_or_else(|e| panic!("GET {target}: {e}"))
}

/// Half-closes our side after sending: for clients that send and stop.
pub fn shutdown_write(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
}

/// Bytes as readable text: `\r` and `\n` shown, other control and non-ASCII bytes
/// as `\xNN`, and a line break after each `\n` so heads read line by line.
pub fn visible(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    for &b in bytes {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out
}

/// `None` when equal; otherwise a report with both lengths, the first differing
/// offset, and a line diff of the two made visible.
pub fn diff(expected: &[u8], actual: &[u8]) -> Option<String> {
    if expected == actual {
        return None;
    }
    let offset = expected
        .iter()
        .zip(actual)
        .position(|(a, b)| a != b)
        .unwrap_or(expected.len().min(actual.len()));
    let (left, right) = (visible(expected), visible(actual));
    let lines = similar::TextDiff::from_lines(&left, &right)
        .unified_diff()
        .context_radius(3)
        .header("expected", "actual")
        .to_string();
    Some(format!(
        "expected {} bytes, got {}; first difference at byte {offset}\n{lines}",
        expected.len(),
        actual.len()
    ))
}
