//! Containment of a submission: every process it starts runs inside a
//! bubblewrap sandbox of its own, one per server run.
//!
//! Why bubblewrap: it is the kept, audited tool that Flatpak and many CI
//! systems use to start a program in fresh Linux namespaces with a
//! hand-picked set of read-only mounts, and it dies with its parent. A
//! home-made jail of `unshare(2)` and `mount(2)` calls would be code to get
//! wrong; util-linux `unshare` cannot bind a chosen set of paths in one step.
//!
//! What the submission gets, and why:
//! - **Its own mount namespace** with the system's `/usr` (and `/bin`,
//!   `/lib*` as the host has them), the few files of `/etc` a program reads,
//!   a fresh `/proc`, `/dev` and `/tmp`, the resolved interpreter's prefix and
//!   the submission's code, all read-only; the case folder (the canary
//!   `secret.txt`, readable) read-only, with its served folder `www/`
//!   writable. The repository, `spec/`, `target/` and the grader are not
//!   there at all: there is nothing to find through a path or the
//!   environment, which is scrubbed to [`ENVIRONMENT`].
//! - **Its own network namespace**, loopback only: the grader's side of each
//!   case connects with sockets made inside it ([`crate::netns`]); nothing
//!   else reaches it and it reaches nothing else. A fixed port therefore
//!   never collides with another case.
//! - **Its own PID namespace**: it sees no other process, and killing the
//!   namespace's first process (bubblewrap's init) kills every descendant,
//!   double-forked daemons included. Processes re-parented to that init are
//!   the ones that tried to outlive their server, and are counted.
//! - **A uid that signals no one else's processes**, with no capabilities
//!   and `no_new_privs` (see [`Mode`]).
//! - **Caps as rlimits** (see the constants): processes, address space, file
//!   size, open files and CPU time. Hitting one is named in the report
//!   ([`cap_hit`]). cgroups would bound the memory of all its processes
//!   together, but the machines we run on (and Gradescope's containers) do
//!   not delegate a writable cgroup (this one has cgroup v1, and v2 only as
//!   a hybrid mount with no memory or pids controller); rlimits work
//!   everywhere.
//!
//! Where bubblewrap is missing, or the kernel refuses it namespaces (Docker's
//! default seccomp profile), the submission runs uncontained, as before, and
//! the scorecard's first line says so ([`Containment::Open`]); with `CI` set,
//! the containment tests fail instead of skipping.

use std::collections::{BTreeSet, HashMap};
use std::fs::{self, File};
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use crate::netns::Sockets;

/// Processes and threads one sandbox's uid may have: a threaded server
/// serving the robustness sequence needs a few dozen; a fork bomb stops here.
pub const MAX_PROCESSES: u32 = 256;
/// Address space of each process: Python with a few hundred threads' stacks
/// fits; a server that reads a whole big file per request, many times over,
/// does not.
pub const MAX_ADDRESS_SPACE: u64 = 2 << 30;
/// The largest file it may write: far above any fixture it serves.
pub const MAX_FILE_SIZE: u64 = 64 << 20;
/// Open descriptors per process.
pub const MAX_OPEN_FILES: u32 = 1024;
/// CPU seconds per process: a server run lasts less than a minute, so only a
/// spin hits this.
pub const MAX_CPU_SECONDS: u32 = 120;

/// The first of the uids handed to sandboxes, above any distribution's range
/// of human and system users.
pub const FIRST_UID: u32 = 61_000;
/// How many sandboxes may be in flight at once.
const UIDS: u32 = 256;

/// The whole environment a submission sees, besides `PATH` and `HOME`.
pub const ENVIRONMENT: [(&str, &str); 2] = [("LANG", "C.UTF-8"), ("PYTHONDONTWRITEBYTECODE", "1")];

/// The system's read-only paths, bound when the host has them.
const SYSTEM: [&str; 6] = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32"];
/// The parts of `/etc` a program reads: the loader, users (for `getpwuid`),
/// names, time zone, and the MIME table Python's `mimetypes` consults.
const ETC: [&str; 12] = [
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/alternatives",
    "/etc/passwd",
    "/etc/group",
    "/etc/nsswitch.conf",
    "/etc/hosts",
    "/etc/localtime",
    "/etc/mime.types",
    "/etc/protocols",
    "/etc/services",
];

/// The variable that turns containment off, for measuring what it costs.
pub const OFF: &str = "GRADE_UNCONTAINED";

/// Whether submissions run contained here, and if not, why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Containment {
    Contained { bwrap: PathBuf, mode: Mode },
    Open(String),
}

/// Who the grader is decides how a sandbox is made; what the submission
/// can reach is the same in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The grader is root: each sandbox runs as a uid of its own
    /// ([`FIRST_UID`] upwards, one per sandbox in flight), so that the
    /// process cap counts only its own processes, and the case folder is
    /// root's, which it cannot change.
    Root,
    /// The grader is not root, and the kernel lets it make user namespaces:
    /// each sandbox has one of its own, in which the submission runs as the
    /// grader's uid without any capability, and counts its processes apart
    /// from the grader's (Linux counts `RLIMIT_NPROC` per user namespace).
    /// Without a capability it cannot remount its read-only mounts writable.
    UserNamespace {
        /// Whether it is kept from making user namespaces of its own (in
        /// which it would hold capabilities, over nothing of ours):
        /// `--disable-userns`, from bubblewrap 0.8 on; an older one (Ubuntu
        /// 22.04 has 0.6) contains it all the same, without that.
        no_nested: bool,
    },
}

impl Containment {
    /// The words the progress line and the README use for it.
    pub fn describe(&self) -> String {
        match self {
            Containment::Contained {
                mode: Mode::Root, ..
            } => "contained (bubblewrap, a uid of its own per sandbox)".to_string(),
            Containment::Contained {
                mode: Mode::UserNamespace { .. },
                ..
            } => "contained (bubblewrap, a user namespace of its own per sandbox)".to_string(),
            Containment::Open(why) => format!("not contained: {why}"),
        }
    }
}

/// Decided once per process: bubblewrap is there, and a sandbox with its
/// own network and PID namespaces starts (as root, or in a user namespace).
pub fn containment() -> &'static Containment {
    static DECIDED: OnceLock<Containment> = OnceLock::new();
    DECIDED.get_or_init(decide)
}

fn decide() -> Containment {
    if std::env::var_os(OFF).is_some_and(|v| !v.is_empty()) {
        return Containment::Open(format!("{OFF} is set"));
    }
    let Some(bwrap) = ["/usr/bin/bwrap", "/bin/bwrap", "/usr/local/bin/bwrap"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.is_file())
    else {
        return Containment::Open("bubblewrap (bwrap) is not installed".to_string());
    };
    // SAFETY: geteuid only reads the calling process's credentials.
    let root = unsafe { libc::geteuid() } == 0;
    let modes = if root {
        vec![Mode::Root]
    } else {
        vec![
            Mode::UserNamespace { no_nested: true },
            Mode::UserNamespace { no_nested: false },
        ]
    };
    let mut refused = String::new();
    for mode in modes {
        let trial = Command::new(&bwrap)
            .args(mode_args(mode))
            .args(["--ro-bind", "/", "/", "--unshare-net", "--unshare-pid"])
            .args(["--die-with-parent", "--", "/bin/true"])
            .output();
        match trial {
            Ok(out) if out.status.success() => return Containment::Contained { bwrap, mode },
            Ok(out) => refused = String::from_utf8_lossy(&out.stderr).trim().to_string(),
            Err(e) => return Containment::Open(format!("bubblewrap does not run: {e}")),
        }
    }
    let who = if root {
        ""
    } else {
        " (not root, and no user namespaces)"
    };
    Containment::Open(format!(
        "bubblewrap cannot create namespaces here{who}: {refused}"
    ))
}

/// The bubblewrap flags that make a sandbox of `mode`, before the rest.
fn mode_args(mode: Mode) -> &'static [&'static str] {
    match mode {
        Mode::Root => &[],
        Mode::UserNamespace { no_nested: true } => &["--unshare-user", "--disable-userns"],
        Mode::UserNamespace { no_nested: false } => &["--unshare-user"],
    }
}

/// The uid one sandbox runs as, held while it runs. As root, a uid of its
/// own: an exclusive `flock` on a file named for it, so that grader
/// processes running side by side (a class run, two terminals) never hand
/// out the same uid, and a crashed grader's locks go with it. In a user
/// namespace, the grader's own uid, and nothing is held.
#[derive(Debug)]
pub struct Lease {
    held: Option<(u32, File)>,
}

/// Where the uid lock files live: the same place for every grader process.
const LOCKS: &str = "/run/lock/grade-sandbox-uids";

static LEASED: Mutex<BTreeSet<u32>> = Mutex::new(BTreeSet::new());

impl Lease {
    fn take() -> io::Result<Lease> {
        fs::create_dir_all(LOCKS)?;
        let mut leased = LEASED.lock().unwrap_or_else(|e| e.into_inner());
        for uid in FIRST_UID..FIRST_UID + UIDS {
            // flock is per open file: this process's own holds are kept
            // apart by LEASED, other processes' by the lock.
            if leased.contains(&uid) {
                continue;
            }
            let lock = File::create(format!("{LOCKS}/{uid}"))?;
            // SAFETY: flock only takes a lock on a descriptor we own.
            if unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0 {
                leased.insert(uid);
                return Ok(Lease {
                    held: Some((uid, lock)),
                });
            }
        }
        Err(io::Error::other("every sandbox uid is in use"))
    }

    /// The grader's own uid, in a user namespace of the sandbox's own.
    fn grader_own() -> Lease {
        Lease { held: None }
    }

    /// The uid of its own, when it has one.
    pub fn uid(&self) -> Option<u32> {
        self.held.as_ref().map(|(uid, _)| *uid)
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(uid) = self.uid() {
            LEASED
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&uid);
        }
    }
}

/// What one sandbox is made of.
pub struct Plan<'a> {
    /// The case folder: bound read-only (the canary lives here).
    pub case_dir: &'a Path,
    /// Its served folder, the server's working directory: writable.
    pub workdir: &'a Path,
    /// The shell command line, `{port}` already replaced.
    pub line: &'a str,
    /// Paths the submission must never see, nor any folder that holds them.
    pub protected: &'a [PathBuf],
}

/// The `bwrap` command that runs `plan.line` contained, and the uid it holds.
pub fn command(bwrap: &Path, mode: Mode, plan: &Plan) -> io::Result<(Command, Lease)> {
    let lease = match mode {
        Mode::Root => Lease::take()?,
        Mode::UserNamespace { .. } => Lease::grader_own(),
    };
    hand_over(plan, lease.uid())?;
    let interpreter = interpreter(plan.line, plan.workdir);
    let mut args: Vec<String> = Vec::new();
    let mut arg = |words: &[&str]| args.extend(words.iter().map(|w| w.to_string()));
    arg(mode_args(mode));
    arg(&[
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
    ]);
    arg(&["--unshare-cgroup-try", "--die-with-parent", "--new-session"]);
    for path in SYSTEM {
        match fs::read_link(path) {
            Ok(target) => arg(&["--symlink", &target.to_string_lossy(), path]),
            Err(_) if Path::new(path).is_dir() => arg(&["--ro-bind", path, path]),
            Err(_) => {}
        }
    }
    for path in ETC {
        arg(&["--ro-bind-try", path, path]);
    }
    arg(&["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]);
    let mut bound: Vec<PathBuf> = interpreter.prefixes.clone();
    bound.extend(code(plan.line, plan.protected));
    bound.push(plan.case_dir.to_path_buf());
    // Bubblewrap makes the folders above a mount point 0700, root's: made
    // first, 0755, so that the sandbox's uid can walk down to what is bound.
    let mut made: BTreeSet<PathBuf> = BTreeSet::new();
    for path in &bound {
        for above in path
            .ancestors()
            .skip(1)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            if above != Path::new("/") && made.insert(above.to_path_buf()) {
                arg(&["--perms", "0755", "--dir", &above.to_string_lossy()]);
            }
        }
    }
    for path in &bound {
        let path = path.to_string_lossy();
        arg(&["--ro-bind", &path, &path]);
    }
    let workdir = plan.workdir.to_string_lossy();
    arg(&["--bind", &workdir, &workdir]);
    arg(&["--chdir", &workdir, "--"]);
    let caps = [
        format!("--nproc={MAX_PROCESSES}"),
        format!("--as={MAX_ADDRESS_SPACE}"),
        format!("--fsize={MAX_FILE_SIZE}"),
        format!("--nofile={MAX_OPEN_FILES}"),
        format!("--cpu={MAX_CPU_SECONDS}"),
    ];
    arg(&["/usr/bin/prlimit"]);
    arg(&caps.iter().map(String::as_str).collect::<Vec<_>>());
    arg(&["--"]);
    // In a user namespace bubblewrap has already dropped every capability
    // and set no_new_privs, and there is no other uid to become.
    if let Some(uid) = lease.uid() {
        let uid = uid.to_string();
        arg(&["/usr/bin/setpriv", "--reuid", &uid, "--regid", &uid]);
        arg(&["--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]);
        arg(&["--no-new-privs", "--"]);
    }
    arg(&["/bin/sh", "-c", plan.line]);
    let mut command = Command::new(bwrap);
    command.args(args).env_clear();
    let mut path = interpreter
        .bin
        .map(|b| format!("{}:", b.display()))
        .unwrap_or_default();
    path += "/usr/local/bin:/usr/bin:/bin";
    command.env("PATH", path).env("HOME", plan.workdir);
    command.envs(ENVIRONMENT);
    Ok((command, lease))
}

/// The served folder becomes the sandbox uid's; the case folder stays
/// root's, readable, so the canary in it cannot be changed (its read-only
/// mount alone guards it in a user namespace, where both are the grader's).
fn hand_over(plan: &Plan, uid: Option<u32>) -> io::Result<()> {
    fs::set_permissions(plan.case_dir, fs::Permissions::from_mode(0o755))?;
    let Some(uid) = uid else {
        return Ok(());
    };
    for entry in crate::files::walk(plan.workdir).map_err(io::Error::other)? {
        std::os::unix::fs::lchown(&entry.path, Some(uid), Some(uid))?;
    }
    std::os::unix::fs::lchown(plan.workdir, Some(uid), Some(uid))
}

/// The interpreter a command names, resolved outside the sandbox: the real
/// binary's folder goes first on `PATH` and its prefixes are bound, so that
/// no shim (pyenv's reads `.python-version` and takes 160 ms) runs inside.
#[derive(Debug, Clone, Default)]
struct Interpreter {
    bin: Option<PathBuf>,
    prefixes: Vec<PathBuf>,
}

fn interpreter(line: &str, workdir: &Path) -> Interpreter {
    static SEEN: Mutex<Option<HashMap<String, Interpreter>>> = Mutex::new(None);
    let Some(program) = line.split_whitespace().find(|w| !w.contains('=')) else {
        return Interpreter::default();
    };
    let name = program.rsplit('/').next().unwrap_or(program);
    if !name.starts_with("python") {
        return Interpreter::default();
    }
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let seen = seen.get_or_insert_with(HashMap::new);
    if let Some(found) = seen.get(program) {
        return found.clone();
    }
    let asked = Command::new(program)
        .args([
            "-c",
            "import sys; print(sys.executable); print(sys.base_prefix); print(sys.prefix)",
        ])
        .current_dir(workdir)
        .output();
    let found = match asked {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout).into_owned();
            let lines: Vec<PathBuf> = text.lines().map(PathBuf::from).collect();
            let outside_usr = |p: &&PathBuf| !p.starts_with("/usr") && p.is_dir();
            let mut prefixes: Vec<PathBuf> =
                lines.iter().skip(1).filter(outside_usr).cloned().collect();
            prefixes.dedup();
            Interpreter {
                bin: lines
                    .first()
                    .and_then(|exe| exe.parent())
                    .map(Path::to_path_buf),
                prefixes,
            }
        }
        _ => Interpreter::default(),
    };
    seen.insert(program.to_string(), found.clone());
    found
}

/// The submission's own code: the folder of each absolute path the command
/// names, or only the file when that folder holds something protected.
fn code(line: &str, protected: &[PathBuf]) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = Vec::new();
    for path in crate::files::named_in(line) {
        let path = path.as_path();
        if path.starts_with("/usr") {
            continue;
        }
        let folder = if path.is_dir() {
            Some(path)
        } else {
            path.parent()
        };
        let exposes = |dir: &Path| protected.iter().any(|p| p.starts_with(dir));
        let chosen = match folder {
            Some(dir) if dir != Path::new("/") && !exposes(dir) => dir,
            _ if !exposes(path) => path,
            _ => continue,
        };
        if !found.iter().any(|f| chosen.starts_with(f)) {
            found.push(chosen.to_path_buf());
        }
    }
    found
}

/// Where to connect to a server: its address, and the helper inside its
/// sandbox's network when contained.
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub addr: SocketAddr,
    inside: Option<Arc<Sockets>>,
}

impl Endpoint {
    pub fn host(addr: SocketAddr) -> Endpoint {
        Endpoint { addr, inside: None }
    }

    pub fn inside(addr: SocketAddr, sockets: Arc<Sockets>) -> Endpoint {
        Endpoint {
            addr,
            inside: Some(sockets),
        }
    }

    pub fn at(&self, addr: SocketAddr) -> Endpoint {
        Endpoint {
            addr,
            inside: self.inside.clone(),
        }
    }

    /// A connection to the server, from inside its sandbox's network when
    /// it has one.
    pub fn connect(&self, timeout: Duration) -> io::Result<TcpStream> {
        self.connect_anyhow(timeout).and_then(not_to_itself)
    }

    fn connect_anyhow(&self, timeout: Duration) -> io::Result<TcpStream> {
        let Some(sockets) = &self.inside else {
            return TcpStream::connect_timeout(&self.addr, timeout);
        };
        let socket = sockets.socket_for(&self.addr)?;
        socket.connect_timeout(&self.addr.into(), timeout)?;
        Ok(socket.into())
    }
}

/// A fixed port such as 33490 lies in the ephemeral range, so a connect to it
/// while nothing listens can be given that very port as its source and meet
/// itself (TCP simultaneous open): the "server" then echoes the request back.
/// Such a connection is no server's, so it counts as refused.
fn not_to_itself(stream: TcpStream) -> io::Result<TcpStream> {
    match (stream.local_addr(), stream.peer_addr()) {
        (Ok(local), Ok(peer)) if local == peer => Err(io::Error::new(
            io::ErrorKind::ConnectionRefused,
            "the connection met itself: nothing listens on the port",
        )),
        _ => Ok(stream),
    }
}

impl From<SocketAddr> for Endpoint {
    fn from(addr: SocketAddr) -> Endpoint {
        Endpoint::host(addr)
    }
}

/// A cap the sandbox's process hit, in words, from how it ended and the last
/// line it printed.
pub fn cap_hit(
    status: Option<std::process::ExitStatus>,
    last_words: Option<&str>,
) -> Option<String> {
    use std::os::unix::process::ExitStatusExt;
    // Killed by a signal, or a shell or bubblewrap reporting one as 128 + N.
    let signal = status.and_then(|s| {
        s.signal()
            .or(s.code().filter(|c| *c > 128).map(|c| c - 128))
    });
    match signal {
        Some(libc::SIGXCPU) => {
            return Some(format!("it used up its CPU time cap ({MAX_CPU_SECONDS} s)"))
        }
        Some(libc::SIGXFSZ) => {
            return Some(format!(
                "it wrote a file past the size cap ({} MiB)",
                MAX_FILE_SIZE >> 20
            ))
        }
        _ => {}
    }
    let words = last_words?;
    if words.contains("MemoryError") || words.contains("Cannot allocate memory") {
        Some(format!(
            "it hit the memory cap ({} GiB of address space)",
            MAX_ADDRESS_SPACE >> 30
        ))
    } else if words.contains("Resource temporarily unavailable") && words.contains("fork")
        || words.contains("can't start new thread")
    {
        Some(format!(
            "it hit the process cap ({MAX_PROCESSES} processes and threads)"
        ))
    } else if words.contains("Too many open files") {
        Some(format!("it hit the open-file cap ({MAX_OPEN_FILES})"))
    } else {
        None
    }
}

#[cfg(test)]
mod self_connect {
    use super::*;
    use socket2::{Domain, Socket, Type};

    #[test]
    fn a_connection_that_met_itself_counts_as_refused() -> io::Result<()> {
        // Bound to a port and connected to that same address, a socket meets
        // itself every time: the rare accident of a fixed port, made certain.
        let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
        socket.bind(&SocketAddr::from(([127, 0, 0, 1], 0)).into())?;
        let addr = socket.local_addr()?;
        socket.connect(&addr)?;
        let stream: TcpStream = socket.into();
        assert_eq!(stream.local_addr()?, stream.peer_addr()?);
        let refused = not_to_itself(stream).map(|_| ()).unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
        Ok(())
    }

    #[test]
    fn a_connection_to_a_listener_is_kept() -> io::Result<()> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let stream = TcpStream::connect(listener.local_addr()?)?;
        assert!(not_to_itself(stream).is_ok());
        Ok(())
    }
}
