//! How a server under test is started: our own binary (it prints its
//! listening line), or a submission's command, `WEBSERVER_CMD='python3
//! /abs/webserver.py {port}'`.
//!
//! A command runs under `sh -c` with `{port}` replaced, its working directory
//! the served dir (the assignment serves the directory it runs in). Where it
//! can, it runs contained ([`crate::sandbox`]): dropping the [`Server`] kills
//! its sandbox and everything in it. Uncontained, it runs in a process group
//! of its own, killed as a group, that also dies with the thread that started
//! it (via `setpriv --pdeathsig`, when util-linux has it); bubblewrap's
//! `--die-with-parent` does the same for a sandbox: keep a [`Server`] on the
//! thread that made it. Nothing is asked of its output: readiness is the
//! first connection that the kernel accepts ([`Server::connect`]).

use std::collections::hash_map::RandomState;
use std::collections::HashSet;
use std::hash::BuildHasher;
use std::net::{Ipv6Addr, SocketAddr, TcpListener};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use crate::process::Server;
use crate::root::Root;
use crate::sandbox::{self, Containment, Plan};

/// util-linux's `setpriv`, which sets the parent-death signal before it execs.
fn setpriv() -> Option<&'static str> {
    ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|path| Path::new(path).is_file())
}

/// The placeholder for the port, in a command that takes one.
pub const PORT: &str = "{port}";

/// The port the assignment's server listens on when it is given none: a
/// server that ignores the port it is given is looked for there.
pub const DEFAULT_PORT: u16 = 28333;

/// A submission's server: its command and how it must be run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    /// A template run under `sh -c`, with `{port}` where the port goes.
    pub cmd: String,
    /// The port it always listens on (a command without `{port}`, or one
    /// found listening on [`DEFAULT_PORT`]): its cases run one at a time.
    pub port: Option<u16>,
    /// The subdirectory of its working directory that it serves.
    pub docroot: Option<String>,
}

impl Submission {
    pub fn new(cmd: impl Into<String>) -> Submission {
        Submission {
            cmd: cmd.into(),
            port: None,
            docroot: None,
        }
    }

    pub fn describe(&self) -> String {
        let mut out = self.cmd.clone();
        if let Some(port) = self.port {
            out += &format!(" (on port {port})");
        }
        if let Some(docroot) = &self.docroot {
            out += &format!(" (serving {docroot}/)");
        }
        out
    }
}

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

/// Starts our own binary in `dir` on a free loopback port, with `args`
/// before the port, and waits for its listening line.
pub fn bundled(binary: &Path, dir: &Path, args: &[String]) -> Result<Server, String> {
    let mut command = Command::new(binary);
    command
        .args(args)
        .args(["--bind", "127.0.0.1", "0"])
        .current_dir(dir);
    listening(command)
}

/// Spawns `command`, which must print `... http://HOST:PORT/ ...` as its first
/// line on stdout once it accepts connections, and waits for that line.
pub fn listening(mut command: Command) -> Result<Server, String> {
    // SAFETY: prctl is async-signal-safe. If the test process dies without
    // running destructors (SIGKILL), the kernel kills the server too.
    unsafe {
        command.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    let mut server = Server::spawn(command, SocketAddr::from(([127, 0, 0, 1], 0)), false, None)?;
    let line = server.first_line()?;
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

/// The port of the last `:PORT/` in a line such as
/// `listening on http://127.0.0.1:41234/ serving /abs/root`.
fn port_in(line: &str) -> Option<u16> {
    let url = &line[line.find("http://")? + "http://".len()..];
    let authority = url.split('/').next()?;
    authority.rsplit(':').next()?.parse().ok()
}

/// Starts the submission's command (with `{port}` replaced) in the served
/// folder of `root`, contained where the machine allows, never giving it a
/// view of `protected`. Returns at once: [`Server::connect`] waits for it to
/// listen.
pub fn command(
    submission: &Submission,
    root: &Root,
    protected: &[PathBuf],
) -> Result<Server, String> {
    let template = &submission.cmd;
    let port = match (submission.port, template.contains(PORT)) {
        (Some(port), _) => port,
        (None, true) => free_port()?,
        (None, false) => {
            return Err(format!(
                "the command has no {PORT} for the port to listen on: {template:?}; \
                 name the port it always uses (WEBSERVER_PORT=N, grade --port N)"
            ))
        }
    };
    let line = template.replace(PORT, &port.to_string());
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut server = match sandbox::containment() {
        Containment::Contained { bwrap, mode } => {
            let plan = Plan {
                case_dir: root.outside(),
                workdir: &root.www(),
                line: &line,
                protected,
            };
            let (command, lease) = sandbox::command(bwrap, *mode, &plan)
                .map_err(|e| format!("cannot prepare the sandbox: {e}"))?;
            Server::spawn(command, addr, true, Some(lease))?
        }
        Containment::Open(_) => Server::spawn(uncontained(&line, &root.www()), addr, true, None)?,
    };
    server.banner = line;
    Ok(server)
}

/// The command line under `sh`, in a process group of its own.
fn uncontained(line: &str, dir: &Path) -> Command {
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
        .args(["-c", script, "sh", line])
        .current_dir(dir)
        // No pre_exec: std can then posix_spawn() instead of fork()ing this
        // big, threaded process, which costs the self-test 3x its system time.
        .process_group(0);
    command
}
