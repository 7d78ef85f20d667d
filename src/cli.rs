//! Command-line flags to a [`Config`], or to one line saying what is wrong.
//!
//! Hand-rolled on `lexopt` rather than a framework: the whole interface fits on
//! one screen, and every message the user can see is written here.

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use crate::limits::{self, Limits};

/// What the server was asked to do.
#[derive(Debug, Clone)]
pub struct Config {
    pub port: u16,
    /// `None`: every interface, IPv6 and IPv4 where the OS has both.
    pub bind: Option<IpAddr>,
    /// The directory files are served from, made absolute and symlink-free at start.
    pub root: PathBuf,
    /// What each connection may cost: head size and deadlines.
    pub limits: Limits,
    /// `--tree`: serve subdirectories of the root instead of stripping the path.
    pub tree: bool,
    /// `--listing`: list a directory that has no `index.html`.
    pub listing: bool,
    /// `--hidden`: serve and list names that start with `.`.
    pub hidden: bool,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    Serve(Config),
    Help,
    Version,
}

pub const HELP: &str = "\
webserver: serves the files of one directory over HTTP/1.1, one request per connection.

Usage: webserver [OPTIONS] [PORT]

Arguments:
  [PORT]          TCP port to listen on, 0 for any free port [default: 28333]

Options:
      --root DIR  Directory to serve [default: the current directory]
      --bind ADDR Address to listen on, such as 127.0.0.1 or ::1
                  [default: every interface, IPv6 and IPv4]
      --tree      Serve subdirectories: GET /a/b.txt serves ROOT/a/b.txt
                  (without it, the assignment's rule: ROOT/b.txt)
      --listing   List a directory that has no index.html as an HTML page
                  (without --tree, only / is a directory); a directory asked
                  for without its final / is redirected (301) to it
      --hidden    Serve and list names starting with '.' (.git/, .env),
                  which are otherwise 404 and left out of listings
  -h, --help      Print this help
  -V, --version   Print the version

Limits (what one client may cost; defaults are in src/limits.rs):
      --head-timeout-ms MS  Time a client has to send its whole request head,
                  from connect; then 408 (or a silent close if it sent
                  nothing) [default: 10000]
      --send-timeout-ms MS  Time a response may take before it must keep up
                  16 KiB/s: past it, each second must have been paid
                  for by 16 KiB sent, or the connection is cut
                  [default: 30000]
      --max-line-bytes N    Longest request line, else 414 [default: 8192]
      --max-head-bytes N    Largest request head, request line included,
                  else 431; a connection's buffer grows to it at most
                  [default: 16384, from 64 to 1048576]

Without --tree, a request names a file by the last part of its path:
GET /a/b/file1.txt serves ROOT/file1.txt. Nothing outside ROOT is ever served,
not even through a symlink; what cannot be served gets the assignment's 404.
Once listening, the server prints one line to stdout:
  listening on http://HOST:PORT/ serving ROOT
SIGINT (Ctrl-C) and SIGTERM stop it: no new connections, those in flight
get up to 5 s to finish, then it exits 0. SIGQUIT exits 0 at once, without
waiting; SIGHUP is ignored (there is nothing to reload).
";

/// Reads the command line (without the program name).
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    use lexopt::prelude::*;

    let mut parser = lexopt::Parser::from_args(args);
    let mut port = None;
    let mut bind = None;
    let mut root = None;
    let mut limits = Limits::default();
    let (mut tree, mut listing, mut hidden) = (false, false, false);
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Long("tree") => tree = true,
            Long("listing") => listing = true,
            Long("hidden") => hidden = true,
            Long("root") => root = Some(PathBuf::from(value(&mut parser, "--root")?)),
            Long("bind") => {
                let text = utf8(value(&mut parser, "--bind")?, "--bind")?;
                let addr = text.parse().map_err(|_| {
                    format!("invalid address '{text}' for --bind: expected an IP address such as 127.0.0.1 or ::1")
                })?;
                bind = Some(addr);
            }
            Long("head-timeout-ms") => {
                limits.head_timeout = millis(&mut parser, "--head-timeout-ms")?;
            }
            Long("send-timeout-ms") => {
                limits.send_timeout = millis(&mut parser, "--send-timeout-ms")?;
            }
            Long("max-line-bytes") => {
                limits.max_request_line = count(&mut parser, "--max-line-bytes")?;
            }
            Long("max-head-bytes") => limits.max_head = count(&mut parser, "--max-head-bytes")?,
            Value(text) if port.is_none() => port = Some(parse_port(&utf8(text, "PORT")?)?),
            Value(text) => {
                return Err(format!(
                    "unexpected argument '{}': only one PORT may be given",
                    text.to_string_lossy()
                ))
            }
            _ => return Err(arg.unexpected().to_string()),
        }
    }
    if !(limits::MIN_HEAD..=limits::MAX_HEAD_CEILING).contains(&limits.max_head) {
        return Err(format!(
            "invalid --max-head-bytes {}: expected {} to {}",
            limits.max_head,
            limits::MIN_HEAD,
            limits::MAX_HEAD_CEILING
        ));
    }
    Ok(Command::Serve(Config {
        port: port.unwrap_or(limits::DEFAULT_PORT),
        bind,
        root: root.unwrap_or_else(|| PathBuf::from(".")),
        limits,
        tree,
        listing,
        hidden,
    }))
}

/// A positive count of bytes.
fn count(parser: &mut lexopt::Parser, flag: &str) -> Result<usize, String> {
    let text = utf8(value(parser, flag)?, flag)?;
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "invalid value '{text}' for {flag}: expected a positive whole number"
        )),
    }
}

/// A positive number of milliseconds, at most a day (a longer deadline is a typo).
fn millis(parser: &mut lexopt::Parser, flag: &str) -> Result<Duration, String> {
    let text = utf8(value(parser, flag)?, flag)?;
    match text.parse::<u64>() {
        Ok(ms @ 1..=86_400_000) => Ok(Duration::from_millis(ms)),
        _ => Err(format!(
            "invalid value '{text}' for {flag}: expected milliseconds from 1 to 86400000"
        )),
    }
}

fn value(parser: &mut lexopt::Parser, flag: &str) -> Result<OsString, String> {
    parser
        .value()
        .map_err(|_| format!("missing value for {flag}"))
}

fn utf8(text: OsString, what: &str) -> Result<String, String> {
    text.into_string()
        .map_err(|raw| format!("invalid {what} '{}': not UTF-8", raw.to_string_lossy()))
}

fn parse_port(text: &str) -> Result<u16, String> {
    text.parse()
        .map_err(|_| format!("invalid port '{text}': expected a number from 0 to 65535"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_strs(args: &[&str]) -> Result<Command, String> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn defaults_are_the_assignments() {
        let Ok(Command::Serve(config)) = parse_strs(&[]) else {
            panic!("no arguments must mean serve");
        };
        assert_eq!(config.port, 28333);
        assert_eq!(config.root, PathBuf::from("."));
        assert_eq!(config.bind, None);
        assert_eq!(config.limits, Limits::default());
        assert!(!config.tree && !config.listing && !config.hidden);
    }

    #[test]
    fn limits_are_flags() {
        let Ok(Command::Serve(config)) = parse_strs(&[
            "--head-timeout-ms",
            "300",
            "--send-timeout-ms=2000",
            "--max-line-bytes",
            "100",
            "--max-head-bytes",
            "1024",
        ]) else {
            panic!("valid limits refused");
        };
        let expected = Limits {
            max_request_line: 100,
            max_head: 1024,
            head_timeout: Duration::from_millis(300),
            send_timeout: Duration::from_secs(2),
        };
        assert_eq!(config.limits, expected);
    }

    #[test]
    fn the_extension_switches() {
        let Ok(Command::Serve(config)) = parse_strs(&["--tree", "--listing", "--hidden", "8080"])
        else {
            panic!("valid flags refused");
        };
        assert!(config.tree && config.listing && config.hidden);
        assert_eq!(config.port, 8080);
        assert!(
            parse_strs(&["--tree=yes"]).is_err(),
            "a switch takes no value"
        );
    }

    #[test]
    fn flags_take_values_both_ways() {
        let Ok(Command::Serve(config)) =
            parse_strs(&["--root=fixtures", "--bind", "127.0.0.1", "0"])
        else {
            panic!("valid flags refused");
        };
        assert_eq!(config.port, 0);
        assert_eq!(config.root, PathBuf::from("fixtures"));
        assert_eq!(config.bind, Some("127.0.0.1".parse().unwrap()));
    }

    #[test]
    fn bad_values_name_the_problem() {
        for (args, needle) in [
            (&["65536"][..], "invalid port '65536'"),
            (&["-1"][..], "-1"),
            (&["http"][..], "invalid port 'http'"),
            (&["1", "2"][..], "only one PORT"),
            (&["--bind", "localhost"][..], "invalid address 'localhost'"),
            (&["--root"][..], "missing value for --root"),
            (&["--frobnicate"][..], "--frobnicate"),
            (
                &["--head-timeout-ms", "0"][..],
                "invalid value '0' for --head-timeout-ms",
            ),
            (&["--head-timeout-ms", "1s"][..], "invalid value '1s'"),
            (
                &["--max-head-bytes", "10"][..],
                "invalid --max-head-bytes 10",
            ),
            (&["--max-head-bytes", "-5"][..], "-5"),
        ] {
            let message = parse_strs(args).expect_err("bad arguments accepted");
            assert!(message.contains(needle), "{args:?}: {message}");
        }
    }
}
