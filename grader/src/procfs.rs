//! What `/proc` says about a server's process group: its CPU time and the
//! ports it listens on. The grader runs on Linux (as the isolation it needs
//! does); elsewhere these report nothing.

use std::collections::HashSet;
use std::fs;
use std::time::Duration;

/// `(pid, the fields after the command name)` of every process in `group`.
fn members(group: u32) -> Vec<(String, Vec<String>)> {
    let Ok(entries) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.bytes().all(|b| b.is_ascii_digit()))
        .filter_map(|pid| {
            let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // After the command name in parentheses: state, ppid, pgrp, ...
            let fields: Vec<String> = stat
                .rsplit_once(')')?
                .1
                .split_whitespace()
                .map(str::to_string)
                .collect();
            (fields.get(2)?.parse::<u32>().ok()? == group).then_some((pid, fields))
        })
        .collect()
}

/// User and system time of every process in process group `group`.
pub fn group_cpu(group: u32) -> Duration {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let total: u64 = members(group)
        .iter()
        .filter_map(|(_, fields)| {
            // utime and stime are the 12th and 13th fields after the name.
            let utime: u64 = fields.get(11)?.parse().ok()?;
            let stime: u64 = fields.get(12)?.parse().ok()?;
            Some(utime + stime)
        })
        .sum();
    Duration::from_secs_f64(total as f64 / ticks)
}

/// The TCP ports the processes of `group` listen on, sorted.
pub fn listening_ports(group: u32) -> Vec<u16> {
    let sockets: HashSet<String> = members(group)
        .iter()
        .filter_map(|(pid, _)| fs::read_dir(format!("/proc/{pid}/fd")).ok())
        .flat_map(|fds| fds.flatten())
        .filter_map(|fd| fs::read_link(fd.path()).ok())
        .filter_map(|link| {
            let link = link.to_string_lossy().into_owned();
            Some(
                link.strip_prefix("socket:[")?
                    .strip_suffix(']')?
                    .to_string(),
            )
        })
        .collect();
    let mut ports: Vec<u16> = ["/proc/net/tcp", "/proc/net/tcp6"]
        .iter()
        .filter_map(|table| fs::read_to_string(table).ok())
        .flat_map(|text| text.lines().skip(1).map(str::to_string).collect::<Vec<_>>())
        .filter_map(|line| {
            // sl local_address rem_address st ... uid timeout inode
            let fields: Vec<&str> = line.split_whitespace().collect();
            let listening = fields.get(3) == Some(&"0A");
            let inode = fields.get(9)?;
            let port = u16::from_str_radix(fields.get(1)?.rsplit_once(':')?.1, 16).ok()?;
            (listening && sockets.contains(*inode)).then_some(port)
        })
        .collect();
    ports.sort_unstable();
    ports.dedup();
    ports
}
