//! What `/proc` says about the server process: peak memory, open descriptors,
//! threads. Linux only, like the figures the robustness tests check.

use std::fs;
use std::time::{Duration, Instant};

/// A `kB` field of `/proc/PID/status` (`VmHWM`, `VmRSS`), in bytes.
pub fn status_bytes(pid: u32, field: &str) -> u64 {
    status_field(pid, field)
        .trim_end_matches("kB")
        .trim()
        .parse::<u64>()
        .unwrap_or_else(|e| panic!("{field} of {pid}: {e}"))
        * 1024
}

/// Peak resident memory of `pid` so far.
pub fn peak_rss(pid: u32) -> u64 {
    status_bytes(pid, "VmHWM")
}

/// The number of threads of `pid`.
pub fn threads(pid: u32) -> usize {
    status_field(pid, "Threads")
        .parse()
        .unwrap_or_else(|e| panic!("Threads of {pid}: {e}"))
}

fn status_field(pid: u32, field: &str) -> String {
    let text = fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/status: {e}"));
    text.lines()
        .find_map(|line| line.strip_prefix(field)?.strip_prefix(':'))
        .unwrap_or_else(|| panic!("no {field} in /proc/{pid}/status"))
        .trim()
        .to_string()
}

/// Open descriptors of `pid`.
pub fn fd_count(pid: u32) -> usize {
    fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap_or_else(|e| panic!("/proc/{pid}/fd: {e}"))
        .count()
}

/// Polls `probe` every 20 ms until it returns true or `limit` passes; returns
/// whether it did. A bounded wait for a condition the server reaches by itself
/// (threads finishing their linger), not a sleep standing in for one.
pub fn eventually(limit: Duration, mut probe: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if probe() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}
