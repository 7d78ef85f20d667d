//! Extension behaviour the golden cases cannot set up: files and directories the
//! server may not read. Root reads everything whatever the mode bits say, so when
//! the suite runs as root (CI containers do) the server runs as `nobody` instead.

use std::fs::{self, Permissions};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Command;

use crate::util::{error_response, get, seeded, spawn, Root, Server};

/// `nobody` on Debian and most Linux systems.
const NOBODY: u32 = 65534;

/// Starts `--tree --listing` on `root` as a user the mode bits apply to.
fn start_unprivileged(root: &Root) -> Server {
    let mut binary = PathBuf::from(env!("CARGO_BIN_EXE_webserver"));
    // SAFETY: geteuid has no preconditions.
    let as_root = unsafe { libc::geteuid() } == 0;
    if as_root {
        // The temp dir is 0700: nobody must be able to reach www/ in it. The
        // canary beside www/ becomes reachable too; keeping it out is the server's job.
        fs::set_permissions(root.outside(), Permissions::from_mode(0o711))
            .expect("chmod the temp dir");
        // The build's binary may sit under a directory nobody cannot enter (a
        // clone in a 0700 `mktemp -d`), so nobody runs a copy beside www/. The
        // copy is written by another process: a file this process held open for
        // writing would leak into a child forked meanwhile by a parallel test,
        // and exec() of the copy would then fail with ETXTBSY.
        let copy = root.outside().join("webserver");
        let installed = Command::new("install")
            .args(["-m", "755"])
            .arg(&binary)
            .arg(&copy)
            .status()
            .expect("run install(1)");
        assert!(installed.success(), "install(1) failed: {installed}");
        binary = copy;
    }
    let mut command = Command::new(binary);
    command
        .args(["--tree", "--listing", "--bind", "127.0.0.1", "0"])
        .current_dir(root.www());
    if as_root {
        command.uid(NOBODY).gid(NOBODY);
    }
    spawn(command).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn an_unreadable_file_is_404_and_its_neighbours_still_serve() {
    let root = seeded();
    let file = root.www().join("tree/a.txt");
    fs::set_permissions(&file, Permissions::from_mode(0o000)).expect("chmod a.txt");
    let server = start_unprivileged(&root);

    let reply = get(server.addr, "/tree/a.txt");
    assert_eq!(
        reply.bytes,
        error_response(404, "Not Found"),
        "{}\n{}",
        crate::util::visible(&reply.bytes),
        server.report()
    );
    let neighbour = get(server.addr, "/tree/sub/b.txt");
    let expected = fs::read(root.www().join("tree/sub/b.txt")).expect("b.txt");
    assert!(
        neighbour.bytes.starts_with(b"HTTP/1.1 200 OK\r\n") && neighbour.bytes.ends_with(&expected),
        "{}",
        crate::util::visible(&neighbour.bytes)
    );
}

#[test]
fn an_unreadable_directory_is_404_not_a_listing() {
    let root = seeded();
    let dir = root.www().join("tree/sub");
    fs::set_permissions(&dir, Permissions::from_mode(0o000)).expect("chmod sub/");
    let server = start_unprivileged(&root);

    for target in ["/tree/sub/", "/tree/sub/b.txt"] {
        let reply = get(server.addr, target);
        assert_eq!(
            reply.bytes,
            error_response(404, "Not Found"),
            "{target}: {}\n{}",
            crate::util::visible(&reply.bytes),
            server.report()
        );
    }
    // Its parent still lists and serves.
    let parent = get(server.addr, "/tree/");
    assert!(
        parent.bytes.starts_with(b"HTTP/1.1 200 OK\r\n"),
        "{}",
        crate::util::visible(&parent.bytes)
    );
    // Restore the bits so the temp dir can be removed.
    fs::set_permissions(&dir, Permissions::from_mode(0o755)).expect("chmod sub/ back");
}
