//! The command line: help, bad arguments, a port already taken.

use crate::util::{seeded, start};
use assert_cmd::Command;
use predicates::prelude::*;
use rstest::rstest;

fn webserver() -> Command {
    Command::new(env!("CARGO_BIN_EXE_webserver"))
}

/// One line on stderr, nothing on stdout, the given exit code.
fn one_line_error(code: i32, needle: &str) -> impl Fn(&assert_cmd::assert::Assert) {
    let needle = needle.to_string();
    move |assert| {
        let output = assert.get_output();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(code), "stderr: {stderr}");
        assert!(output.stdout.is_empty(), "stdout: {:?}", output.stdout);
        assert_eq!(stderr.lines().count(), 1, "not one line: {stderr:?}");
        assert!(stderr.starts_with("webserver: "), "{stderr:?}");
        assert!(stderr.contains(&needle), "{stderr:?} lacks {needle:?}");
        assert!(!stderr.contains("panicked"), "{stderr:?}");
    }
}

#[test]
fn help_tells_usage_flags_and_defaults() {
    webserver()
        .arg("--help")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("Usage: webserver [OPTIONS] [PORT]")
                .and(predicate::str::contains("--root DIR"))
                .and(predicate::str::contains("--bind ADDR"))
                .and(predicate::str::contains("[default: 28333]")),
        )
        .stderr(predicate::str::is_empty());
}

#[test]
fn version_prints_the_package_version() {
    webserver()
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("webserver {}\n", env!("CARGO_PKG_VERSION")));
}

#[rstest]
#[case::too_big(&["65536"], "invalid port '65536'")]
#[case::negative(&["-5"], "-5")]
#[case::not_a_number(&["http"], "invalid port 'http'")]
#[case::two_ports(&["8080", "8081"], "only one PORT")]
#[case::unknown_flag(&["--verbose"], "--verbose")]
#[case::bind_needs_an_ip(&["--bind", "example.com", "0"], "invalid address 'example.com'")]
#[case::root_needs_a_value(&["--root"], "missing value for --root")]
fn bad_arguments_are_one_line_and_exit_2(#[case] args: &[&str], #[case] needle: &str) {
    let assert = webserver()
        .args(args)
        .timeout(std::time::Duration::from_secs(10))
        .assert();
    one_line_error(2, needle)(&assert);
}

#[test]
fn a_missing_root_is_named() {
    let root = seeded();
    let missing = root.www().join("no-such-dir");
    let assert = webserver()
        .args(["--bind", "127.0.0.1", "--root"])
        .arg(&missing)
        .arg("0")
        .timeout(std::time::Duration::from_secs(10))
        .assert();
    one_line_error(1, &format!("cannot serve '{}'", missing.display()))(&assert);
}

#[test]
fn a_root_that_is_a_file_is_refused() {
    let root = seeded();
    let assert = webserver()
        .args(["--bind", "127.0.0.1", "--root", "file1.txt", "0"])
        .current_dir(root.www())
        .timeout(std::time::Duration::from_secs(10))
        .assert();
    one_line_error(1, "not a directory")(&assert);
}

#[test]
fn a_port_in_use_is_named() {
    let root = seeded();
    let first = start(&root, &[]).expect("the first server starts");
    let port = first.addr.port().to_string();
    let assert = webserver()
        .args(["--bind", "127.0.0.1", &port])
        .current_dir(root.www())
        .timeout(std::time::Duration::from_secs(10))
        .assert();
    one_line_error(1, &format!("cannot listen on port {port}"))(&assert);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("in use"), "{stderr}");
}
