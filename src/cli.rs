//! Command-line flags to a [`Config`], or to one line saying what is wrong.
//!
//! Hand-rolled on `lexopt` rather than a framework: the whole interface fits on
//! one screen, and every message the user can see is written here.

use std::ffi::OsString;
use std::net::IpAddr;
use std::path::PathBuf;

use crate::limits;

/// What the server was asked to do.
#[derive(Debug, Clone)]
pub struct Config {
    pub port: u16,
    /// `None`: every interface, IPv6 and IPv4 where the OS has both.
    pub bind: Option<IpAddr>,
    /// The directory files are served from, made absolute and symlink-free at start.
    pub root: PathBuf,
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
  -h, --help      Print this help
  -V, --version   Print the version

A request names a file by the last part of its path: GET /a/b/file1.txt serves
ROOT/file1.txt. Nothing outside ROOT is ever served; what cannot be served gets
the assignment's 404. Once listening, the server prints one line to stdout:
  listening on http://HOST:PORT/ serving ROOT
SIGINT (Ctrl-C) and SIGTERM stop it.
";

/// Reads the command line (without the program name).
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    use lexopt::prelude::*;

    let mut parser = lexopt::Parser::from_args(args);
    let mut port = None;
    let mut bind = None;
    let mut root = None;
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            Long("root") => root = Some(PathBuf::from(value(&mut parser, "--root")?)),
            Long("bind") => {
                let text = utf8(value(&mut parser, "--bind")?, "--bind")?;
                let addr = text.parse().map_err(|_| {
                    format!("invalid address '{text}' for --bind: expected an IP address such as 127.0.0.1 or ::1")
                })?;
                bind = Some(addr);
            }
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
    Ok(Command::Serve(Config {
        port: port.unwrap_or(limits::DEFAULT_PORT),
        bind,
        root: root.unwrap_or_else(|| PathBuf::from(".")),
    }))
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
        ] {
            let message = parse_strs(args).expect_err("bad arguments accepted");
            assert!(message.contains(needle), "{args:?}: {message}");
        }
    }
}
