//! Our own binary as the server under test, for every test binary of this
//! package: a seeded root, the binary started in it. The harness itself (root,
//! process, exchange, diff) is the grader's library.

use std::path::Path;

use grader::launch;
pub use grader::process::Server;
pub use grader::root::Root;

/// The repository's `fixtures/`, copied into every [`Root`].
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");

/// The binary under test.
pub const WEBSERVER: &str = env!("CARGO_BIN_EXE_webserver");

/// A fresh temp dir with `www/` seeded from `fixtures/` and the canary above it.
pub fn seeded() -> Root {
    Root::seeded(Path::new(FIXTURES)).unwrap_or_else(|e| panic!("cannot seed a root: {e}"))
}

/// Our binary in `root.www()` on a free loopback port, `args` before the port.
pub fn start(root: &Root, args: &[String]) -> Result<Server, String> {
    launch::bundled(Path::new(WEBSERVER), &root.www(), args)
}
