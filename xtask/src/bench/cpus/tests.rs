//! The CPU layouts, on `sleep` children standing in for the postmaster.

use super::record::parse_record;
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

fn turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_LAYOUT_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A `sleep` child standing in for the postmaster, with a record path in a folder of its
/// own; killed when dropped.
struct FakeServer {
    child: std::process::Child,
    folder: PathBuf,
    server: LocalServer,
}

impl FakeServer {
    fn start(name: &str) -> Result<Self> {
        let child = std::process::Command::new("sleep").arg("30").spawn()?;
        let folder = std::env::temp_dir().join(format!(
            "xtask-cpus-{name}-{}-{}",
            std::process::id(),
            child.id()
        ));
        std::fs::create_dir_all(&folder)?;
        let server = LocalServer {
            postmaster: child.id(),
            record: folder.join("cpus-pinned"),
        };
        Ok(Self {
            child,
            folder,
            server,
        })
    }

    /// A fake server on the first of this thread's CPUs only, and all of them.
    fn on_first_cpu(name: &str) -> Result<(Self, Vec<usize>)> {
        let own = members(&sched_getaffinity(Pid::from_raw(0))?);
        let fake = Self::start(name)?;
        sched_setaffinity(pid(fake.server.postmaster), &set_of(&own[..1])?)?;
        Ok((fake, own))
    }

    fn cpus(&self) -> Result<Vec<usize>> {
        Ok(members(&sched_getaffinity(pid(self.child.id()))?))
    }
}

impl Drop for FakeServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.folder);
    }
}

/// A pid no process has: a child that has been waited for.
fn dead_pid() -> Result<u32> {
    let mut child = std::process::Command::new("true").spawn()?;
    child.wait()?;
    Ok(child.id())
}

#[test]
fn a_split_is_recorded_while_in_force_and_given_back_when_dropped() -> Result<()> {
    let _turn = turn();
    // This test's thread stands in for the clients.
    let fake = FakeServer::start("split")?;
    let before_own = members(&sched_getaffinity(Pid::from_raw(0))?);
    let before_server = fake.cpus()?;
    let pinned = apply(Layout::Split, Some(&fake.server))?;
    let during_own = members(&sched_getaffinity(Pid::from_raw(0))?);
    let during_server = fake.cpus()?;
    let during_record = std::fs::read_to_string(&fake.server.record).ok();
    let pinned_label = pinned.label().to_owned();
    drop(pinned);
    let after_own = members(&sched_getaffinity(Pid::from_raw(0))?);
    if let Some((server_cpus, client_cpus)) = split(&before_own) {
        assert_eq!(during_server, server_cpus);
        assert_eq!(during_own, client_cpus);
        assert_eq!(pinned_label, split_label(&server_cpus, &client_cpus));
        let record = during_record.as_deref().and_then(parse_record);
        assert_eq!(
            record,
            Some((
                std::process::id(),
                fake.server.postmaster,
                before_server.clone()
            ))
        );
    } else {
        assert_eq!((&during_own, &during_server), (&before_own, &before_server));
        assert_eq!(pinned_label, "shared");
    }
    assert_eq!(after_own, before_own);
    assert_eq!(fake.cpus()?, before_server);
    assert!(!fake.server.record.exists(), "the record is removed");
    Ok(())
}

#[test]
fn a_split_whose_benchmark_was_killed_is_undone_by_the_next_in_either_layout() -> Result<()> {
    let _turn = turn();
    for layout in [Layout::Shared, Layout::Split] {
        // What a benchmark killed with -9 leaves: the server on one CPU, and its record.
        let (fake, own) = FakeServer::on_first_cpu("killed")?;
        std::fs::write(
            &fake.server.record,
            record_line(dead_pid()?, fake.server.postmaster, &set_of(&own)?),
        )?;
        let pinned = apply(layout, Some(&fake.server))?;
        let said = pinned.to_string();
        drop(pinned);
        assert_eq!(fake.cpus()?, own, "{layout:?}: {said}");
        assert!(
            said.contains("pinned by a benchmark that was killed"),
            "{said}"
        );
        assert!(!fake.server.record.exists(), "{layout:?}");
    }
    Ok(())
}

#[test]
fn a_server_pinned_by_someone_else_is_left_as_it_is() -> Result<()> {
    let _turn = turn();
    // As `taskset` would: no record, so not a benchmark's doing.
    let (fake, own) = FakeServer::on_first_cpu("taskset")?;
    let pinned = apply(Layout::Shared, Some(&fake.server))?;
    assert!(!pinned.to_string().contains("killed"), "{pinned}");
    drop(pinned);
    assert_eq!(fake.cpus()?, own[..1]);
    Ok(())
}

#[test]
fn a_second_benchmark_is_refused_while_the_first_has_the_cluster_split() -> Result<()> {
    let _turn = turn();
    let fake = FakeServer::start("second")?;
    // A live process other than this one holds the record (the fake server will do).
    let other = fake.server.postmaster;
    let mask = sched_getaffinity(pid(other))?;
    std::fs::write(&fake.server.record, record_line(other, other, &mask))?;
    for layout in [Layout::Shared, Layout::Split] {
        let error = apply(layout, Some(&fake.server))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            error.contains(&format!("another benchmark (pid {other})")),
            "{layout:?}: {error}"
        );
        assert!(fake.server.record.exists(), "the other's record stays");
    }
    Ok(())
}
