//! The record of a split in force, in the cluster's folder: who pinned the server and the
//! mask to give back. It lets the next benchmark undo a split that a `kill -9` ended, and
//! refuse to pin a cluster another running benchmark has split.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use nix::sched::{CpuSet, sched_getaffinity};

use super::{give_back_server, list, members, pid, set_of};

/// The project-local server a benchmark may pin: its postmaster, and the file in its cluster's
/// folder that records a split while it is in force.
pub struct LocalServer {
    /// The postmaster's pid.
    pub postmaster: u32,
    /// Where the split in force is recorded (`<cluster>/cpus-pinned`).
    pub record: PathBuf,
}

/// The record's line: `<benchmark pid> <postmaster pid> <CPU> <CPU> …` (the mask to give back).
pub(super) fn record_line(benchmark: u32, postmaster: u32, mask: &CpuSet) -> String {
    let cpus: Vec<String> = members(mask).iter().map(ToString::to_string).collect();
    format!("{benchmark} {postmaster} {}\n", cpus.join(" "))
}

/// `(benchmark, postmaster, mask)` from a record line; `None` when it is not one.
pub(super) fn parse_record(line: &str) -> Option<(u32, u32, Vec<usize>)> {
    let mut fields = line.split_whitespace();
    let benchmark = fields.next()?.parse().ok()?;
    let postmaster = fields.next()?.parse().ok()?;
    let cpus: Option<Vec<usize>> = fields.map(|f| f.parse().ok()).collect();
    Some((benchmark, postmaster, cpus.filter(|c| !c.is_empty())?))
}

/// Reads what an earlier split recorded and deals with it: another benchmark still running
/// is an error; a split whose benchmark is gone (a `kill -9`) is undone on this postmaster and
/// said in the returned note. A record of an earlier postmaster or an unreadable one is
/// dropped: the server restarted with a fresh mask.
pub(super) fn settle_record(server: &LocalServer) -> Result<String> {
    let Ok(line) = std::fs::read_to_string(&server.record) else {
        return Ok(String::new());
    };
    let mut note = String::new();
    if let Some((benchmark, postmaster, cpus)) = parse_record(&line) {
        if benchmark != std::process::id() && Path::new(&format!("/proc/{benchmark}")).exists() {
            bail!(
                "another benchmark (pid {benchmark}) has the project-local cluster on CPUs of its own \
                 (`--cpus split`); run one benchmark at a time (if none runs, remove {})",
                server.record.display()
            );
        }
        if postmaster == server.postmaster {
            let was = sched_getaffinity(pid(postmaster))
                .map(|m| list(&members(&m)))
                .unwrap_or_default();
            give_back_server(postmaster, &set_of(&cpus)?);
            note = format!(
                "; the server was still on CPU {was}, pinned by a benchmark that was killed (pid \
                 {benchmark}): given back CPU {}",
                list(&cpus)
            );
        }
    }
    std::fs::remove_file(&server.record)
        .with_context(|| format!("removing {}", server.record.display()))?;
    Ok(note)
}
