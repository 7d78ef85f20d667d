//! The server under test as a process: started, its output kept (capped) for
//! the report, asked whether it still runs, and killed when dropped, even when
//! a test panics. How it is started (our binary, or a submission's command)
//! is [`crate::launch`]'s job; how it is contained, [`crate::sandbox`]'s.

use std::fs::File;
use std::io::Read;
use std::net::{Ipv6Addr, SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crate::netns::Sockets;
use crate::procfs::{self, Members};
use crate::sandbox::{Endpoint, Lease};

/// How long a server may take to listen (print its line, or accept).
pub const START_TIMEOUT: Duration = Duration::from_secs(10);

/// Keep at most this much of what a server prints: enough to explain a crash.
const OUTPUT_CAP: usize = 64 * 1024;

/// How long the report waits for a crashed server's last words (its traceback)
/// to come through the pipe. Bounded, not joined: a process the server left
/// behind may hold the pipe open.
const LAST_WORDS: Duration = Duration::from_secs(1);

/// How long a killed sandbox may take to reap its processes.
const SANDBOX_END: Duration = Duration::from_secs(5);

/// A running server, killed on drop.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    /// The first line the server printed (ours), or the command it runs.
    pub banner: String,
    stderr: Output,
    stdout: Output,
    first_line: Option<Receiver<String>>,
    /// Started in its own process group and killed as a group: a `sh -c`
    /// command may leave its server as a grandchild.
    group: bool,
    /// The sandbox it runs in, when contained.
    jail: Option<Jail>,
    /// How many processes it left behind, once stopped.
    strays: Option<usize>,
}

/// A running sandbox, as the grader sees it from outside.
struct Jail {
    /// A pidfd on the init: signalled through it, a reused pid is never hit.
    init_fd: Option<OwnedFd>,
    /// The server's own command, the init's first child.
    main: u32,
    /// The grader's way into its network.
    sockets: Arc<Sockets>,
    members: Members,
    /// Returned when the jail is gone.
    _lease: Lease,
}

impl Jail {
    /// Finds the sandbox that the bubblewrap process `bwrap` is building:
    /// its init and the command the init started.
    fn find(bwrap: u32, lease: Lease) -> Result<Jail, String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let child = |pid: u32| loop {
            if let Some(found) = procfs::first_child(pid) {
                return Ok(found);
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "the sandbox did not start within {START_TIMEOUT:?}"
                ));
            }
            // Polling a condition (has bubblewrap forked yet?) with a bound.
            thread::sleep(Duration::from_millis(2));
        };
        let init = child(bwrap)?;
        // SAFETY: pidfd_open takes a pid and flags and returns a new
        // descriptor (or -1), which OwnedFd then owns alone.
        let init_fd = unsafe {
            let fd = libc::syscall(libc::SYS_pidfd_open, init as libc::pid_t, 0);
            (fd >= 0).then(|| OwnedFd::from_raw_fd(fd as i32))
        };
        let main = child(init)?;
        let netns = File::open(format!("/proc/{init}/ns/net"))
            .map_err(|e| format!("cannot open the sandbox's network namespace: {e}"))?;
        let sockets = Sockets::enter(&netns)
            .map_err(|e| format!("cannot reach into the sandbox's network: {e}"))?;
        let ns = std::fs::read_link(format!("/proc/{init}/ns/pid"))
            .map_err(|e| format!("cannot read the sandbox's PID namespace: {e}"))?;
        Ok(Jail {
            init_fd,
            main,
            sockets: Arc::new(sockets),
            members: Members::Namespace {
                init,
                ns: ns.to_string_lossy().into_owned(),
            },
            _lease: lease,
        })
    }
}

/// One of the server's output pipes, read to its end by a thread so that the
/// server never blocks on a full pipe; the first [`OUTPUT_CAP`] bytes are kept.
struct Output {
    kept: Arc<Mutex<Vec<u8>>>,
    reader: Option<JoinHandle<()>>,
}

impl Output {
    fn drain(
        pipe: Option<impl Read + Send + 'static>,
        first_line: Option<Sender<String>>,
    ) -> Output {
        let kept = Arc::new(Mutex::new(Vec::new()));
        let reader = pipe.map(|mut pipe| {
            let kept = Arc::clone(&kept);
            thread::spawn(move || {
                let mut first_line = first_line;
                let mut chunk = [0u8; 4096];
                while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                    let mut bytes = lock(&kept);
                    let room = OUTPUT_CAP.saturating_sub(bytes.len());
                    bytes.extend_from_slice(&chunk[..n.min(room)]);
                    if let Some(end) = bytes.iter().position(|&b| b == b'\n') {
                        if let Some(sender) = first_line.take() {
                            let line = String::from_utf8_lossy(&bytes[..end]).into_owned();
                            let _ = sender.send(line);
                        }
                    }
                }
            })
        });
        Output { kept, reader }
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&lock(&self.kept)).into_owned()
    }

    fn finished(&self) -> bool {
        self.reader.as_ref().map_or(true, JoinHandle::is_finished)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Server {
    /// Spawns `command` with its output piped and kept; `addr` is where it is
    /// expected to listen (the port may be learnt later from its first line).
    /// With a `lease`, `command` is a bubblewrap sandbox holding that uid.
    pub fn spawn(
        mut command: Command,
        addr: SocketAddr,
        group: bool,
        lease: Option<Lease>,
    ) -> Result<Server, String> {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start {command:?}: {e}"))?;
        let (line_tx, line_rx) = mpsc::channel();
        let stderr = Output::drain(child.stderr.take(), None);
        let stdout = Output::drain(child.stdout.take(), Some(line_tx));
        let mut server = Server {
            child,
            addr,
            banner: String::new(),
            stderr,
            stdout,
            first_line: Some(line_rx),
            group,
            jail: None,
            strays: None,
        };
        if let Some(lease) = lease {
            server.jail = Some(Jail::find(server.child.id(), lease)?);
        }
        Ok(server)
    }

    /// Where to connect to it.
    pub fn endpoint(&self) -> Endpoint {
        match &self.jail {
            Some(jail) => Endpoint::inside(self.addr, Arc::clone(&jail.sockets)),
            None => Endpoint::host(self.addr),
        }
    }

    /// Its processes, for `/proc`'s questions.
    pub fn members(&self) -> Members {
        match &self.jail {
            Some(jail) => jail.members.clone(),
            None => Members::Group(self.child.id()),
        }
    }

    pub fn contained(&self) -> bool {
        self.jail.is_some()
    }

    /// Kills the server and everything it started; returns how many
    /// processes had left it to live on (a daemon), counted before the kill.
    pub fn stop(&mut self) -> usize {
        if let Some(strays) = self.strays {
            return strays;
        }
        let strays = match &self.jail {
            Some(jail) => {
                let strays = procfs::strays(&jail.members, jail.main);
                if let Some(fd) = &jail.init_fd {
                    // SAFETY: pidfd_send_signal only sends a signal, to the
                    // process the descriptor was opened on (or fails).
                    unsafe {
                        libc::syscall(
                            libc::SYS_pidfd_send_signal,
                            fd.as_raw_fd(),
                            libc::SIGKILL,
                            std::ptr::null::<libc::siginfo_t>(),
                            0,
                        );
                    }
                    // The init ends only once every process in its namespace
                    // is reaped; until then they still count against the
                    // uid's process cap, and the uid is not handed out again.
                    let mut poll = libc::pollfd {
                        fd: fd.as_raw_fd(),
                        events: libc::POLLIN,
                        revents: 0,
                    };
                    // SAFETY: poll reads and writes the one struct we own.
                    unsafe {
                        libc::poll(&mut poll, 1, SANDBOX_END.as_millis() as libc::c_int);
                    }
                }
                strays
            }
            None if self.group => {
                // SAFETY: killpg only sends a signal, to the group this child
                // leads (not reaped yet, so its id cannot have been reused).
                unsafe {
                    libc::killpg(self.child.id() as libc::pid_t, libc::SIGKILL);
                }
                0
            }
            None => 0,
        };
        let _ = self.child.kill();
        let _ = self.child.wait();
        self.strays = Some(strays);
        strays
    }

    /// Waits up to [`START_TIMEOUT`] for the first line the server prints.
    pub fn first_line(&mut self) -> Result<String, String> {
        let line = self
            .first_line
            .take()
            .and_then(|rx| rx.recv_timeout(START_TIMEOUT).ok());
        line.ok_or_else(|| {
            format!(
                "the server printed no line within {START_TIMEOUT:?}\n{}",
                self.report()
            )
        })
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.text()
    }

    /// Stderr, and stdout beyond the listening line if there is any, ready to
    /// append to a failure message.
    pub fn report(&self) -> String {
        let mut out = match self.stderr() {
            text if text.is_empty() => "(the server wrote nothing to stderr)".to_string(),
            text => format!("server stderr:\n{text}"),
        };
        let stdout = self.stdout.text();
        if self.group && !stdout.is_empty() {
            out += &format!("\nserver stdout:\n{stdout}");
        }
        out
    }

    /// The last line the server wrote to stderr (a traceback's verdict).
    pub fn last_words(&self) -> Option<String> {
        let text = self.stderr();
        text.lines()
            .rev()
            .find(|line| !line.trim().is_empty())
            .map(str::to_string)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The cap of its sandbox that it hit, if its end shows one.
    pub fn cap_hit(&mut self) -> Option<String> {
        let status = self.exit_status();
        crate::sandbox::cap_hit(status, self.last_words().as_deref())
    }

    /// How the server ended, if it has.
    pub fn exit_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits up to `limit` for the server to exit by itself, then for its last
    /// words to be copied.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.exit_status() {
                self.await_last_words();
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            // Polling a condition (has it exited?) with a bound.
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// After an exit, gives the output readers up to [`LAST_WORDS`] to copy
    /// what the server printed last.
    fn await_last_words(&mut self) {
        let deadline = Instant::now() + LAST_WORDS;
        while !(self.stderr.finished() && self.stdout.finished()) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// The case's connection, made as soon as the server listens: connect() is
    /// retried while it is refused (on the expected address, then on ::1 for a
    /// command that bound `localhost`), until the server exits or
    /// [`START_TIMEOUT`] passes. That connection is the case's own, so a server
    /// that serves one request at a time never sees a probe.
    pub fn connect(&mut self) -> Result<TcpStream, String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let mut tries = vec![self.addr];
        if self.group {
            tries.push(SocketAddr::from((Ipv6Addr::LOCALHOST, self.addr.port())));
        }
        loop {
            for &addr in &tries {
                let left = deadline.saturating_duration_since(Instant::now());
                let endpoint = self.endpoint().at(addr);
                if let Ok(stream) = endpoint.connect(left.max(Duration::from_millis(1))) {
                    self.addr = addr;
                    return Ok(stream);
                }
            }
            if let Some(status) = self.exit_status() {
                self.await_last_words();
                return Err(format!(
                    "the server exited ({status}) before it accepted a connection on port {}\n\
                     command: {}\n{}",
                    self.addr.port(),
                    self.banner,
                    self.report()
                ));
            }
            if Instant::now() >= deadline {
                return Err(format!(
                    "the server accepted no connection on port {} within {START_TIMEOUT:?} \
                     (its working directory is a temp dir: are the paths in the command absolute?)\n\
                     command: {}\n{}",
                    self.addr.port(),
                    self.banner,
                    self.report()
                ));
            }
            // Polling a condition (is it listening yet?) with a bound, not a
            // sleep that stands in for one.
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}
