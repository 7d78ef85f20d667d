//! A server that is not ours: `WEBSERVER_CMD='python3 /abs/webserver.py {port}'`.
//!
//! The command runs under `sh -c` with `{port}` replaced, its working directory
//! the served dir (the assignment serves the directory it runs in), in a process
//! group of its own so that dropping the [`Server`] kills whatever the shell
//! started. The group also dies with the thread that started it (via
//! `setpriv --pdeathsig`, when util-linux has it): keep a [`Server`] on the
//! thread that made it. Nothing is asked of its output: readiness is the first connection
//! that the kernel accepts ([`Server::connect`]), and that connection is the
//! case's own, so a server that serves one request at a time never sees a probe.

use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::BuildHasher;
use std::io::Read;
use std::net::{Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::{Server, START_TIMEOUT};

/// util-linux's `setpriv`, which sets the parent-death signal before it execs.
fn setpriv() -> Option<&'static str> {
    ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|path| Path::new(path).is_file())
}

/// The placeholder `WEBSERVER_CMD` must contain.
pub const PORT: &str = "{port}";

/// Keep at most this much of what a server prints: enough to explain a crash.
const OUTPUT_CAP: usize = 64 * 1024;

/// Ports handed out by this process, never handed out twice: a port that an
/// earlier case's server left in TIME_WAIT would fail a later server's bind.
static HANDED_OUT: Mutex<Option<HashSet<u16>>> = Mutex::new(None);

/// A port nobody listens on, below the kernel's ephemeral range, so that no
/// client socket and no `bind(0)` (ours included) can take it before the
/// server binds it.
pub fn free_port() -> Result<u16, String> {
    let ephemeral_low = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|text| text.split_whitespace().next()?.parse::<u16>().ok())
        .filter(|&low| low > 12_000)
        .unwrap_or(32_768);
    let (low, span) = (10_000u16, ephemeral_low - 10_000);
    let random = RandomState::new();
    let mut handed_out = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
    let handed_out = handed_out.get_or_insert_with(HashSet::new);
    for attempt in 0..500u64 {
        let port = low + (random.hash_one(attempt) % u64::from(span)) as u16;
        if handed_out.contains(&port) {
            continue;
        }
        // A dual-stack [::] bind is refused when either family's port is taken;
        // without IPv6 on the machine, the IPv4 bind alone decides.
        let free = match TcpListener::bind((Ipv6Addr::UNSPECIFIED, port)) {
            Ok(_) => true,
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => false,
            Err(_) => TcpListener::bind(("0.0.0.0", port)).is_ok(),
        };
        if free {
            handed_out.insert(port);
            return Ok(port);
        }
    }
    Err("found no free port below the ephemeral range in 500 tries".to_string())
}

impl Server {
    /// Starts `template` (with `{port}` replaced) in `dir`. Returns at once:
    /// [`Server::connect`] waits for it to listen.
    pub fn command(template: &str, dir: &Path) -> Result<Server, String> {
        if !template.contains(PORT) {
            return Err(format!(
                "WEBSERVER_CMD has no {PORT} for the port to listen on: {template:?}"
            ));
        }
        let port = free_port()?;
        let line = template.replace(PORT, &port.to_string());
        // `eval` in the background and `wait`: the shell stays the group's
        // leader and exits with the server's status. Under setpriv it is told
        // (SIGTERM) when the thread that started it dies, even by SIGKILL or
        // Ctrl-C, and then kills its whole group: no server outlives the suite.
        let script = r#"trap 'kill -KILL 0' TERM; eval "$1" & wait $!"#;
        let mut command = match setpriv() {
            Some(setpriv) => {
                let mut c = Command::new(setpriv);
                c.args(["--pdeathsig", "TERM", "--", "sh"]);
                c
            }
            None => Command::new("sh"),
        };
        command
            .args(["-c", script, "sh", &line])
            .current_dir(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // No pre_exec: std can then posix_spawn() instead of fork()ing this
            // big, threaded process, which costs the self-test 3x its system time.
            .process_group(0);
        let mut child = command
            .spawn()
            .map_err(|e| format!("cannot start sh -c {line:?}: {e}"))?;
        let (stderr, stderr_reader) = drain(&mut child, false);
        let (stdout, _) = drain(&mut child, true);
        Ok(Server {
            child,
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            banner: line,
            stderr,
            stderr_reader,
            stdout,
            group: true,
        })
    }

    /// The case's connection, made as soon as the server listens: connect() is
    /// retried while it is refused (on 127.0.0.1, then ::1, for a server that
    /// bound `localhost`), until the server exits or [`START_TIMEOUT`] passes.
    pub fn connect(&mut self) -> Result<TcpStream, String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let v6 = SocketAddr::from((Ipv6Addr::LOCALHOST, self.addr.port()));
        let mut tries = vec![self.addr];
        if self.group {
            tries.push(v6);
        }
        loop {
            for &addr in &tries {
                let left = deadline.saturating_duration_since(Instant::now());
                if let Ok(stream) =
                    TcpStream::connect_timeout(&addr, left.max(Duration::from_millis(1)))
                {
                    self.addr = addr;
                    return Ok(stream);
                }
            }
            if let Ok(Some(status)) = self.child.try_wait() {
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

    /// After an exit, gives the stderr reader up to a second to copy the
    /// server's last words (a crash's traceback). Bounded, not joined: a
    /// process the server left behind may hold the pipe open.
    fn await_last_words(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(1);
        while let Some(reader) = &self.stderr_reader {
            if reader.is_finished() || Instant::now() >= deadline {
                break;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Waits up to `limit` for the server to exit and its last words to be
    /// copied: after a connection closed with no answer, a crashing server is
    /// still printing its traceback. Bounded; it need not exit.
    pub fn settle(&mut self, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                self.await_last_words();
                return;
            }
            thread::sleep(Duration::from_millis(10));
        }
    }

    /// How the server ended, if it has.
    pub fn exit_status(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }
}

/// Reads a pipe of `child` to its end in a thread, keeping the first
/// [`OUTPUT_CAP`] bytes, so the server never blocks on a full pipe.
fn drain(child: &mut Child, stdout: bool) -> (Arc<Mutex<Vec<u8>>>, Option<JoinHandle<()>>) {
    let sink = Arc::new(Mutex::new(Vec::new()));
    let pipe: Option<Box<dyn Read + Send>> = if stdout {
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>)
    } else {
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>)
    };
    let reader = pipe.map(|mut pipe| {
        let sink = Arc::clone(&sink);
        thread::spawn(move || {
            let mut chunk = [0u8; 4096];
            while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                let mut kept = sink.lock().unwrap_or_else(|e| e.into_inner());
                let room = OUTPUT_CAP.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..n.min(room)]);
            }
        })
    });
    (sink, reader)
}
