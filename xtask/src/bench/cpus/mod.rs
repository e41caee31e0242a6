//! Where a benchmark's clients and the server run: on CPUs of their own (`--cpus split`, the
//! default) or sharing all of them (`--cpus shared`).
//!
//! In production the application and the database run on different machines, and pgbench's
//! documentation advises running it on another machine than the server (the client can
//! itself become the bottleneck). On one small machine (2 cores), every µs a client spends
//! per request is taken from the server, so a client/server comparison at many clients then
//! measures mostly how the two clients share the cores, and moves with whatever else the
//! machine runs. Split, the
//! server's processes (the postmaster and every process it has forked; backends forked later
//! inherit its mask) get most CPUs and this process (the Rust clients' threads and the pgbench
//! it starts) the rest, for both paths alike; both are given back their masks afterwards.
//! A split in force is recorded in the cluster's folder, so that one a `kill -9` ended is
//! undone by the next benchmark, and two benchmarks never pin the same cluster at once.

use std::fmt;
use std::path::PathBuf;
use std::sync::{Mutex, Once};

use anyhow::{Context, Result};
use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::unistd::Pid;

mod record;

pub use record::LocalServer;
use record::{record_line, settle_record};

/// `--cpus`: the layout a benchmark runs with.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// The server on CPUs of its own, the clients on the others (as where the application
    /// and the database run on separate machines)
    Split,
    /// Clients and server share every CPU
    Shared,
}

/// The CPUs of a split: the clients get a quarter (at least one), the server the rest.
/// `None` with fewer than two CPUs, where nothing can be split.
fn split(cpus: &[usize]) -> Option<(Vec<usize>, Vec<usize>)> {
    if cpus.len() < 2 {
        return None;
    }
    let clients = (cpus.len() / 4).max(1);
    let (server, ours) = cpus.split_at(cpus.len() - clients);
    Some((server.to_vec(), ours.to_vec()))
}

fn members(set: &CpuSet) -> Vec<usize> {
    (0..CpuSet::count())
        .filter(|&cpu| set.is_set(cpu).unwrap_or(false))
        .collect()
}

fn set_of(cpus: &[usize]) -> Result<CpuSet> {
    let mut set = CpuSet::new();
    for &cpu in cpus {
        set.set(cpu)
            .with_context(|| format!("CPU {cpu} is beyond the CPU set"))?;
    }
    Ok(set)
}

/// `0-3`, `0,2,5`: CPU numbers, runs joined.
fn list(cpus: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < cpus.len() {
        let mut j = i;
        while j + 1 < cpus.len() && cpus[j + 1] == cpus[j] + 1 {
            j += 1;
        }
        out.push(if j == i {
            cpus[i].to_string()
        } else {
            format!("{}-{}", cpus[i], cpus[j])
        });
        i = j + 1;
    }
    out.join(",")
}

/// `server 0-2 / clients 3`: no commas, as it is a CSV field.
fn split_label(server: &[usize], clients: &[usize]) -> String {
    format!(
        "server {} / clients {}",
        list(server).replace(',', " "),
        list(clients).replace(',', " ")
    )
}

/// The postmaster and every process below it, from `/proc` (ppid is field 4 of `stat`).
fn process_tree(root: u32) -> Vec<u32> {
    let mut parents = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|n| n.parse::<u32>().ok())
            else {
                continue;
            };
            let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
            let ppid = super::stat_fields(&stat)
                .and_then(|mut fields| fields.nth(1))
                .and_then(|p| p.parse::<u32>().ok());
            if let Some(ppid) = ppid {
                parents.push((pid, ppid));
            }
        }
    }
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(c, _)| *c),
        );
        i += 1;
    }
    tree
}

fn pid(raw: u32) -> Pid {
    Pid::from_raw(i32::try_from(raw).unwrap_or(i32::MAX))
}

/// A split in force, while it is: who pinned the server, and the mask to give back.
struct InForce {
    postmaster: u32,
    mask: CpuSet,
    record: PathBuf,
}

/// Read by the Ctrl-C handler, so that an interrupted benchmark does not leave the cluster on
/// one CPU.
static IN_FORCE: Mutex<Option<InForce>> = Mutex::new(None);
static CTRL_C: Once = Once::new();

fn give_back_server(postmaster: u32, mask: &CpuSet) {
    // Processes that ended meanwhile fail with ESRCH: nothing to give back there.
    for process in process_tree(postmaster) {
        let _ = sched_setaffinity(pid(process), mask);
    }
}

impl InForce {
    fn give_back(&self) {
        give_back_server(self.postmaster, &self.mask);
        let _ = std::fs::remove_file(&self.record);
    }
}

fn remember(in_force: Option<InForce>) -> Option<InForce> {
    IN_FORCE
        .lock()
        .map_or(None, |mut slot| std::mem::replace(&mut *slot, in_force))
}

/// On Ctrl-C: the server's CPUs back, then the exit an interrupt has (130).
fn give_back_on_ctrl_c() {
    CTRL_C.call_once(|| {
        // Another handler of this process (none today) would keep its own; then a Ctrl-C
        // leaves the pinning until the cluster restarts, as a `kill -9` does.
        let _ = ctrlc::set_handler(|| {
            if let Ok(slot) = IN_FORCE.lock()
                && let Some(in_force) = slot.as_ref()
            {
                in_force.give_back();
                eprintln!("\ninterrupted: the server's processes have their CPUs back");
            }
            std::process::exit(130);
        });
    });
}

/// A layout in force; dropping it gives the server's processes (from [`IN_FORCE`]) and this
/// thread back the masks they had.
pub struct Pinned {
    what: String,
    /// `server 0 / clients 1` or `shared`: the layout in a CSV field and a chart title.
    label: String,
    /// This thread's mask before the split (`None`: nothing was pinned).
    own_mask: Option<CpuSet>,
}

impl Pinned {
    /// The layout in a few words, for a CSV field and a chart title.
    pub fn label(&self) -> &str {
        &self.label
    }
}

impl fmt::Display for Pinned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)
    }
}

impl Drop for Pinned {
    fn drop(&mut self) {
        if let Some(own_mask) = &self.own_mask {
            if let Some(in_force) = remember(None) {
                in_force.give_back();
            }
            let _ = sched_setaffinity(Pid::from_raw(0), own_mask);
        }
    }
}

/// Puts `layout` in force for `server` (`None`: a server this command did not start, e.g.
/// `DATABASE_URL`, whose processes it leaves alone) and for this thread, which must be the
/// one that then starts the clients (threads and processes inherit its mask).
///
/// # Errors
///
/// Another benchmark has the cluster split; a mask cannot be read or set.
pub fn apply(layout: Layout, server: Option<&LocalServer>) -> Result<Pinned> {
    let shared = |why: &str, note: &str| Pinned {
        what: format!("clients and server share every CPU ({why}){note}"),
        label: "shared".to_owned(),
        own_mask: None,
    };
    let Some(server) = server else {
        return Ok(shared(
            match layout {
                Layout::Shared => "--cpus shared",
                Layout::Split => {
                    "the server is not the project-local cluster, so its processes are not ours to pin"
                }
            },
            "",
        ));
    };
    let note = settle_record(server)?;
    let postmaster = server.postmaster;
    let own_mask = sched_getaffinity(Pid::from_raw(0)).context("reading this process's CPUs")?;
    let server_mask =
        sched_getaffinity(pid(postmaster)).context("reading the server's CPUs (its postmaster)")?;
    let cpus = match layout {
        Layout::Shared => return Ok(shared("--cpus shared", &note)),
        Layout::Split => split(&members(&own_mask)),
    };
    let Some((server_cpus, clients)) = cpus else {
        return Ok(shared("this machine has one CPU", &note));
    };
    let server_set = set_of(&server_cpus)?;
    let pinned = Pinned {
        what: format!(
            "server on CPU {}, clients on CPU {} (`--cpus shared` shares them){note}",
            list(&server_cpus),
            list(&clients)
        ),
        label: split_label(&server_cpus, &clients),
        own_mask: Some(own_mask),
    };
    std::fs::write(
        &server.record,
        record_line(std::process::id(), postmaster, &server_mask),
    )
    .with_context(|| format!("recording the split in {}", server.record.display()))?;
    remember(Some(InForce {
        postmaster,
        mask: server_mask,
        record: server.record.clone(),
    }));
    give_back_on_ctrl_c();
    for process in process_tree(postmaster) {
        // A process may end between the listing and here; the postmaster itself may not.
        if let Err(e) = sched_setaffinity(pid(process), &server_set)
            && process == postmaster
        {
            return Err(e).context(
                "pinning the server's postmaster to its CPUs (`--cpus shared` leaves them alone)",
            );
        }
    }
    sched_setaffinity(Pid::from_raw(0), &set_of(&clients)?)
        .context("pinning the benchmark's clients to their CPUs")?;
    Ok(pinned)
}

#[cfg(test)]
mod tests;
