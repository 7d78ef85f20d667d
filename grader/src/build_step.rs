//! A submission's `build` command, run once before it is graded, inside the
//! same isolation as its server (no network, its own uid, capped), in a copy
//! of its folder: the copy, with what the build left in it, is the code the
//! server then runs from, read-only. The submission's own folder is never
//! written.

use std::fs::{self, File};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use crate::sandbox::{self, Containment, Plan};

/// How long a build may run: a compile of a small server, with room.
pub const BUILD_TIMEOUT: Duration = Duration::from_secs(120);

/// How much of the build's output the report shows, from its end.
const OUTPUT_TAIL: usize = 2 << 10;

/// Words a tool prints when it cannot reach the network.
const NO_NETWORK: [&str; 7] = [
    "Network is unreachable",
    "Temporary failure in name resolution",
    "Could not resolve",
    "Name or service not known",
    "getaddrinfo",
    "No route to host",
    "Failed to establish a new connection",
];

/// A finished build: the folder holding the built code (dropped with it).
pub struct Built {
    dir: tempfile::TempDir,
}

impl Built {
    /// The built copy of the submission folder.
    pub fn code(&self) -> PathBuf {
        self.dir.path().join("code")
    }
}

/// Runs `line` in a copy of `source`; the built copy, or why the build failed.
pub fn run(source: &Path, line: &str, protected: &[PathBuf]) -> Result<Built, String> {
    let dir = tempfile::Builder::new()
        .prefix("grade-build-")
        .tempdir()
        .map_err(|e| format!("cannot make a build folder: {e}"))?;
    let code = dir.path().join("code");
    crate::files::copy_tree(source, &code)?;
    let log = dir.path().join("build.log");
    let output = File::create(&log).map_err(|e| format!("cannot make the build log: {e}"))?;
    let errors = output
        .try_clone()
        .map_err(|e| format!("cannot share the build log: {e}"))?;
    let (mut command, _lease) = match sandbox::containment() {
        Containment::Contained { bwrap, mode } => {
            let plan = Plan {
                case_dir: dir.path(),
                workdir: &code,
                line,
                protected,
            };
            let (command, lease) = sandbox::command(bwrap, *mode, &plan)
                .map_err(|e| format!("cannot prepare the sandbox: {e}"))?;
            (command, Some(lease))
        }
        Containment::Open(_) => {
            let mut command = Command::new("sh");
            command.args(["-c", line]).current_dir(&code);
            (command, None)
        }
    };
    command.stdin(Stdio::null()).stdout(output).stderr(errors);
    let mut child = command
        .spawn()
        .map_err(|e| format!("build failed: cannot start it: {e}"))?;
    let deadline = Instant::now() + BUILD_TIMEOUT;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => {
                // Polling a condition (has the build ended?) with a bound.
                thread::sleep(Duration::from_millis(50));
            }
            Ok(None) | Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "build failed (it ran past {BUILD_TIMEOUT:?})\n{}",
                    tail(&log)
                ));
            }
        }
    };
    if status.success() {
        return Ok(Built { dir });
    }
    let said = tail(&log);
    let why = if NO_NETWORK.iter().any(|words| said.contains(words)) {
        "no network".to_string()
    } else {
        status.to_string()
    };
    Err(format!("build failed ({why})\n{said}"))
}

/// The end of the build's output, bounded.
fn tail(log: &Path) -> String {
    let mut bytes = Vec::new();
    if let Ok(mut file) = File::open(log) {
        let size = fs::metadata(log).map_or(0, |m| m.len());
        let skip = size.saturating_sub(OUTPUT_TAIL as u64);
        let _ = file.seek(SeekFrom::Start(skip));
        let _ = file.take(OUTPUT_TAIL as u64).read_to_end(&mut bytes);
    }
    String::from_utf8_lossy(&bytes).trim_end().to_string()
}
