//! `webserver [PORT]`: serve a directory until SIGINT or SIGTERM.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::thread;

use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use webserver::cli::{self, Command, Config};
use webserver::resolve::Site;
use webserver::{listener, server};

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
    stop_on_signals()?;

    let mut stdout = std::io::stdout();
    // The one line a harness waits for: the real port, even when 0 was asked for.
    let _ = writeln!(
        stdout,
        "listening on {} serving {}",
        url(local),
        root.display()
    );
    let _ = stdout.flush();
    let site = Site {
        root,
        tree: config.tree,
        listing: config.listing,
        hidden: config.hidden,
    };
    server::run(listener, Arc::new(site), config.limits)
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

/// SIGINT and SIGTERM end the process with status 0 and a line on stderr. Nothing
/// needs flushing: responses are written straight to sockets.
fn stop_on_signals() -> Result<(), String> {
    let mut signals =
        Signals::new([SIGINT, SIGTERM]).map_err(|e| format!("cannot handle signals: {e}"))?;
    thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let name = if signal == SIGINT {
                "SIGINT"
            } else {
                "SIGTERM"
            };
            eprintln!("webserver: stopping on {name}");
            std::process::exit(0);
        }
    });
    Ok(())
}
