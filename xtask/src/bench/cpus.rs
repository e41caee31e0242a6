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
//! it starts) the rest, for both paths alike; both are given back their masks afterwards
//! (the server: this process's CPUs, which also undoes what a benchmark killed with `kill -9`
//! left).

use std::fmt;
use std::sync::{Mutex, Once};

use anyhow::{Context, Result};
use nix::sched::{CpuSet, sched_getaffinity, sched_setaffinity};
use nix::unistd::Pid;

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

/// The server's postmaster and the mask to give back while a split is in force: read by the
/// Ctrl-C handler, so that an interrupted benchmark does not leave the cluster on one CPU.
static IN_FORCE: Mutex<Option<(u32, CpuSet)>> = Mutex::new(None);
static CTRL_C: Once = Once::new();

fn give_back_server(postmaster: u32, mask: &CpuSet) {
    // Processes that ended meanwhile fail with ESRCH: nothing to give back there.
    for process in process_tree(postmaster) {
        let _ = sched_setaffinity(pid(process), mask);
    }
}

fn remember(in_force: Option<(u32, CpuSet)>) -> Option<(u32, CpuSet)> {
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
                && let Some((postmaster, mask)) = slot.as_ref()
            {
                give_back_server(*postmaster, mask);
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
            if let Some((postmaster, mask)) = remember(None) {
                give_back_server(postmaster, &mask);
            }
            let _ = sched_setaffinity(Pid::from_raw(0), own_mask);
        }
    }
}

/// Gives the server's processes `mask` when the postmaster has another one, and says what
/// it had: a split that ended without its guard or Ctrl-C handler (`kill -9`) leaves them
/// pinned until the cluster restarts.
fn undo_leftover(postmaster: u32, mask: &CpuSet) -> Result<Option<Vec<usize>>> {
    let current =
        sched_getaffinity(pid(postmaster)).context("reading the server's CPUs (its postmaster)")?;
    if members(&current) == members(mask) {
        return Ok(None);
    }
    give_back_server(postmaster, mask);
    Ok(Some(members(&current)))
}

/// Puts `layout` in force for the server whose postmaster is `postmaster` (`None`: a server
/// this command did not start, e.g. `DATABASE_URL`, whose processes it leaves alone) and for
/// this thread, which must be the one that then starts the clients (threads and processes
/// inherit its mask).
///
/// The project-local cluster runs on this process's CPUs: it is given them first, whatever
/// an earlier benchmark that was killed left, and given them back at the end of a split.
pub fn apply(layout: Layout, postmaster: Option<u32>) -> Result<Pinned> {
    let shared = |why: &str, note: &str| Pinned {
        what: format!("clients and server share every CPU ({why}){note}"),
        label: "shared".to_owned(),
        own_mask: None,
    };
    let Some(postmaster) = postmaster else {
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
    let own_mask = sched_getaffinity(Pid::from_raw(0)).context("reading this process's CPUs")?;
    let note = undo_leftover(postmaster, &own_mask)?
        .map(|was| {
            format!(
                "; the server's processes were still on CPU {} (a benchmark killed before it \
                 could give them back): given back CPU {}",
                list(&was),
                list(&members(&own_mask))
            )
        })
        .unwrap_or_default();
    let cpus = match layout {
        Layout::Shared => return Ok(shared("--cpus shared", &note)),
        Layout::Split => split(&members(&own_mask)),
    };
    let Some((server, clients)) = cpus else {
        return Ok(shared("this machine has one CPU", &note));
    };
    let server_set = set_of(&server)?;
    let pinned = Pinned {
        what: format!(
            "server on CPU {}, clients on CPU {} (`--cpus shared` shares them){note}",
            list(&server),
            list(&clients)
        ),
        label: split_label(&server, &clients),
        own_mask: Some(own_mask),
    };
    remember(Some((postmaster, own_mask)));
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
mod tests {
    use super::*;

    #[test]
    fn split_gives_the_clients_a_quarter_and_at_least_one_cpu() {
        assert_eq!(split(&[0]), None);
        assert_eq!(split(&[0, 1]), Some((vec![0], vec![1])));
        assert_eq!(split(&[0, 1, 2]), Some((vec![0, 1], vec![2])));
        assert_eq!(
            split(&[0, 1, 2, 3, 4, 5, 6, 7]),
            Some((vec![0, 1, 2, 3, 4, 5], vec![6, 7]))
        );
        // Allowed CPUs need not be contiguous (a cpuset); the split keeps their numbers.
        assert_eq!(split(&[2, 5, 7]), Some((vec![2, 5], vec![7])));
    }

    #[test]
    fn lists_join_runs() {
        assert_eq!(list(&[0]), "0");
        assert_eq!(list(&[0, 1, 2, 3]), "0-3");
        assert_eq!(list(&[0, 2, 3, 4, 7]), "0,2-4,7");
        assert_eq!(
            split_label(&[0, 2, 3], &[5, 7]),
            "server 0 2-3 / clients 5 7"
        );
    }

    #[test]
    fn the_tree_of_this_process_holds_the_child_it_starts() -> Result<()> {
        let mut child = std::process::Command::new("sleep").arg("30").spawn()?;
        let tree = process_tree(std::process::id());
        child.kill()?;
        child.wait()?;
        assert_eq!(tree.first(), Some(&std::process::id()));
        assert!(tree.contains(&child.id()), "{tree:?} lacks {}", child.id());
        Ok(())
    }

    /// The tests that put a layout in force take turns: [`IN_FORCE`] is one per process.
    static ONE_LAYOUT_AT_A_TIME: Mutex<()> = Mutex::new(());

    #[test]
    fn a_split_is_given_back_when_dropped() -> Result<()> {
        let _turn = ONE_LAYOUT_AT_A_TIME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // A child of this test stands in for the postmaster; this test's thread for the clients.
        let mut server = std::process::Command::new("sleep").arg("30").spawn()?;
        let before_own = members(&sched_getaffinity(Pid::from_raw(0))?);
        let before_server = members(&sched_getaffinity(pid(server.id()))?);
        let pinned = apply(Layout::Split, Some(server.id()))?;
        let during_own = members(&sched_getaffinity(Pid::from_raw(0))?);
        let during_server = members(&sched_getaffinity(pid(server.id()))?);
        let pinned_label = pinned.label().to_owned();
        drop(pinned);
        let after_own = members(&sched_getaffinity(Pid::from_raw(0))?);
        let after_server = members(&sched_getaffinity(pid(server.id()))?);
        server.kill()?;
        server.wait()?;
        if let Some((server_cpus, client_cpus)) = split(&before_own) {
            assert_eq!(during_server, server_cpus);
            assert_eq!(during_own, client_cpus);
            assert_eq!(pinned_label, split_label(&server_cpus, &client_cpus));
        } else {
            assert_eq!((&during_own, &during_server), (&before_own, &before_server));
            assert_eq!(pinned_label, "shared");
        }
        assert_eq!(after_own, before_own);
        assert_eq!(after_server, before_server);
        Ok(())
    }

    #[test]
    fn a_server_left_pinned_gets_this_process_cpus_back_in_either_layout() -> Result<()> {
        let _turn = ONE_LAYOUT_AT_A_TIME
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let own = members(&sched_getaffinity(Pid::from_raw(0))?);
        for layout in [Layout::Shared, Layout::Split] {
            let mut server = std::process::Command::new("sleep").arg("30").spawn()?;
            // What a benchmark killed with -9 leaves: the server on one CPU of the split.
            sched_setaffinity(pid(server.id()), &set_of(&own[..1])?)?;
            let pinned = apply(layout, Some(server.id()))?;
            let said = pinned.to_string();
            drop(pinned);
            let after = members(&sched_getaffinity(pid(server.id()))?);
            server.kill()?;
            server.wait()?;
            assert_eq!(after, own, "{layout:?}: {said}");
            assert_eq!(
                said.contains("were still on CPU"),
                own.len() > 1,
                "{layout:?}: {said}"
            );
        }
        Ok(())
    }
}
