//! `webserver [PORT]`: serve a directory until SIGINT, SIGTERM or SIGQUIT.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::os::fd::{AsRawFd, RawFd};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
use signal_hook::iterator::Signals;
use webserver::cli::{self, Command, Config};
use webserver::resolve::Site;
use webserver::{head, listener, server};

fn main() -> ExitCode {
    let result = match cli::parse(std::env::args_os().skip(1)) {
        Ok(Command::Help) => {
            print!("{}", cli::HELP);
            return ExitCode::SUCCESS;
        }
        Ok(Command::Version) => {
            println!("webserver {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Ok(Command::Serve(config)) => serve(config),
        Err(usage) => {
            eprintln!("webserver: {usage} (see --help)");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(never) => match never {},
        Err(problem) => {
            eprintln!("webserver: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn serve(config: Config) -> Result<std::convert::Infallible, String> {
    let root = config
        .root
        .canonicalize()
        .map_err(|e| format!("cannot serve '{}': {e}", config.root.display()))?;
    if !root.is_dir() {
        return Err(format!(
            "cannot serve '{}': not a directory",
            config.root.display()
        ));
    }
    let listener = listener::open(config.bind, config.port).map_err(|e| {
        let shown = config
            .bind
            .map_or_else(|| "every interface".to_string(), |ip| ip.to_string());
        format!("cannot listen on port {} of {shown}: {e}", config.port)
    })?;
    let local = listener
        .local_addr()
        .map_err(|e| format!("cannot read the listening address: {e}"))?;
    raise_open_file_limit();
    stop_on_signals(listener.as_raw_fd())?;

    let site = Site {
        root: root.clone(),
        tree: config.tree,
        listing: config.listing,
        hidden: config.hidden,
    };
    let server = server::Server::open(listener, Arc::new(site), config.limits)
        .map_err(|e| format!("cannot wait for clients: {e}"))?;

    let mut stdout = std::io::stdout();
    // The one line a harness waits for: the real port, even when 0 was asked for.
    let _ = writeln!(
        stdout,
        "listening on {} serving {}",
        url(local),
        root.display()
    );
    let _ = stdout.flush();
    server.run()
}

/// The URL a person on this machine would open.
fn url(addr: SocketAddr) -> String {
    match addr.ip() {
        ip if ip.is_unspecified() => format!("http://localhost:{}/", addr.port()),
        IpAddr::V4(ip) => format!("http://{ip}:{}/", addr.port()),
        IpAddr::V6(ip) => format!("http://[{ip}]:{}/", addr.port()),
    }
}

/// Each connection holds a descriptor (two while it sends a file), and the usual
/// soft limit of 1024 is far below what the machine allows.
fn raise_open_file_limit() {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit read and write the struct we own, nothing else.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) == 0 && limit.rlim_cur < limit.rlim_max
        {
            limit.rlim_cur = limit.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &limit);
        }
    }
}

/// How long SIGINT or SIGTERM lets the connections in flight finish.
const DRAIN_LIMIT: Duration = Duration::from_secs(5);

/// How often a draining stop looks whether the last connection is done.
const DRAIN_POLL: Duration = Duration::from_millis(10);

/// SIGINT and SIGTERM stop accepting, let the connections in flight finish for
/// up to [`DRAIN_LIMIT`], then exit 0; SIGQUIT exits 0 at once, without
/// draining; SIGHUP is ignored (there is no configuration to reload). Each
/// stop says so in one line on stderr. Nothing needs flushing: responses are
/// written straight to sockets.
fn stop_on_signals(listener: RawFd) -> Result<(), String> {
    let mut signals = Signals::new([SIGINT, SIGTERM, SIGQUIT, SIGHUP])
        .map_err(|e| format!("cannot handle signals: {e}"))?;
    thread::spawn(move || {
        for signal in signals.forever() {
            let name = match signal {
                SIGINT => "SIGINT",
                SIGTERM => "SIGTERM",
                SIGQUIT => "SIGQUIT",
                _ => continue,
            };
            eprintln!("webserver: stopping on {name}");
            if signal != SIGQUIT {
                drain(listener);
            }
            std::process::exit(0);
        }
    });
    Ok(())
}

/// Stops new connections, then waits for the ones in flight, within [`DRAIN_LIMIT`].
fn drain(listener: RawFd) {
    // SAFETY: shutdown() on the listening socket we own; it wakes every thread
    // blocked in accept() with an error, and the socket stays open until exit.
    unsafe {
        libc::shutdown(listener, libc::SHUT_RDWR);
    }
    let deadline = Instant::now() + DRAIN_LIMIT;
    while head::open_connections() > 0 && Instant::now() < deadline {
        thread::sleep(DRAIN_POLL);
    }
}
