//! What `/proc` says about a server's processes (its process group, or its
//! sandbox's PID namespace): their CPU time, the ports they listen on, and
//! which of them outlived the server. The grader runs on Linux (as the
//! isolation it needs does); elsewhere these report nothing.

use std::collections::HashSet;
use std::fs;
use std::time::Duration;

/// Which processes are the server's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Members {
    /// Those of this process group (an uncontained command).
    Group(u32),
    /// Those of the PID namespace whose first process (bubblewrap's init,
    /// as the grader numbers it) is `init`, and whose `ns/pid` link is `ns`.
    Namespace { init: u32, ns: String },
}

impl Members {
    fn includes(&self, pid: &str, fields: &[String]) -> bool {
        match self {
            Members::Group(group) => {
                fields.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(*group)
            }
            Members::Namespace { ns, .. } => fs::read_link(format!("/proc/{pid}/ns/pid"))
                .is_ok_and(|link| link.to_string_lossy() == ns.as_str()),
        }
    }

    /// The `/proc/PID/net` whose tables are the server's network's.
    fn net(&self) -> String {
        match self {
            Members::Group(_) => "/proc/net".to_string(),
            Members::Namespace { init, .. } => format!("/proc/{init}/net"),
        }
    }
}

/// `(pid, the fields after the command name)` of every process of `who`.
fn members(who: &Members) -> Vec<(String, Vec<String>)> {
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
            who.includes(&pid, &fields).then_some((pid, fields))
        })
        .collect()
}

/// The pids of every process of `who`.
pub fn pids(who: &Members) -> Vec<u32> {
    members(who)
        .iter()
        .filter_map(|(pid, _)| pid.parse().ok())
        .collect()
}

/// User and system time of every process of `who`.
pub fn cpu(who: &Members) -> Duration {
    // SAFETY: sysconf only reads a configuration value.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as f64;
    let total: u64 = members(who)
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

/// The TCP ports the processes of `who` listen on, sorted.
pub fn listening_ports(who: &Members) -> Vec<u16> {
    let sockets: HashSet<String> = members(who)
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
    let net = who.net();
    let mut ports: Vec<u16> = ["tcp", "tcp6"]
        .iter()
        .filter_map(|table| fs::read_to_string(format!("{net}/{table}")).ok())
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

/// The processes that left the server to live on their own: in a sandbox,
/// those re-parented to its init, besides `main` (the server's own command,
/// the init's first child).
pub fn strays(who: &Members, main: u32) -> usize {
    let Members::Namespace { init, .. } = who else {
        return 0;
    };
    let (init, main) = (init.to_string(), main.to_string());
    members(who)
        .iter()
        .filter(|(pid, fields)| fields.get(1) == Some(&init) && *pid != main)
        .count()
}

/// The first child of `pid`, once it has one.
pub fn first_child(pid: u32) -> Option<u32> {
    let text = fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")).ok()?;
    text.split_whitespace().next()?.parse().ok()
}
