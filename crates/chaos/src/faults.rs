//! The fault injector: a seeded [`schedule`] of faults (times and kinds), and [`inject`],
//! which carries it out while the writers and workers run.

use std::collections::BTreeMap;
use std::fmt;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;

use crate::writers::text;
use crate::{ChaosCluster, SplitMix64};

/// A kind of fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FaultKind {
    /// `pg_terminate_backend` of a random client backend of the chaos database.
    Terminate,
    /// `pg_cancel_backend` of a random (preferably active) client backend.
    Cancel,
    /// A transaction holding `ACCESS EXCLUSIVE` on `peer_mentors` past the writers'
    /// `lock_timeout`.
    LockHolder,
    /// `pg_ctl stop -m immediate`, then start (same port).
    Crash,
}

impl FaultKind {
    /// Every kind, in report order.
    pub const ALL: [FaultKind; 4] = [
        FaultKind::Terminate,
        FaultKind::Cancel,
        FaultKind::LockHolder,
        FaultKind::Crash,
    ];
}

impl fmt::Display for FaultKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FaultKind::Terminate => "pg_terminate_backend",
            FaultKind::Cancel => "pg_cancel_backend",
            FaultKind::LockHolder => "lock holder (lock_timeout)",
            FaultKind::Crash => "server crash (immediate stop)",
        })
    }
}

/// One scheduled fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fault {
    /// When, from the start of the writers.
    pub at: Duration,
    /// What.
    pub kind: FaultKind,
    /// Which backend (an index into the list of candidates, modulo its length), or how
    /// long a lock is held (milliseconds).
    pub pick: u64,
}

/// How many crashes a run of `run` gets: one per 15 s, at least one.
#[must_use]
pub fn crashes_for(run: Duration) -> u64 {
    (run.as_secs() / 15).max(1)
}

/// The faults for a run of `run`, from `rng` alone: the same seed gives the same schedule.
///
/// Crashes are spread evenly (each in the middle of its share of the run, ±10 %); the
/// other faults come every 250–650 ms from 300 ms on, the first three one of each kind.
#[must_use]
pub fn schedule(rng: &mut SplitMix64, run: Duration) -> Vec<Fault> {
    let total = run.as_millis() as u64;
    let crashes = crashes_for(run);
    let share = total / crashes;
    let mut faults: Vec<Fault> = (0..crashes)
        .map(|i| {
            let jitter = rng.below(share / 5 + 1);
            Fault {
                at: Duration::from_millis(i * share + share / 2 - share / 10 + jitter),
                kind: FaultKind::Crash,
                pick: 0,
            }
        })
        .collect();
    let mut first = [
        FaultKind::Terminate,
        FaultKind::Cancel,
        FaultKind::LockHolder,
    ];
    // A seeded shuffle of the first three.
    for i in (1..first.len()).rev() {
        first.swap(i, rng.index(i + 1));
    }
    let mut at = 300;
    let mut n = 0;
    while at + 300 < total {
        let kind = first
            .get(n)
            .copied()
            .unwrap_or_else(|| match rng.below(100) {
                0..=39 => FaultKind::Terminate,
                40..=74 => FaultKind::Cancel,
                _ => FaultKind::LockHolder,
            });
        let pick = match kind {
            FaultKind::LockHolder => 500 + rng.below(500),
            _ => rng.next_u64(),
        };
        faults.push(Fault {
            at: Duration::from_millis(at),
            kind,
            pick,
        });
        at += 250 + rng.below(400);
        n += 1;
    }
    faults.sort_by_key(|f| f.at);
    faults
}

/// What the injector did.
#[derive(Debug, Clone, Default)]
pub struct FaultCounts {
    /// Faults that hit (a backend signalled, a lock held, a crash made).
    pub injected: BTreeMap<FaultKind, u64>,
    /// Faults that found no target (no client backend at that moment).
    pub missed: BTreeMap<FaultKind, u64>,
    /// How long each crash kept the server down (stop to accepting connections).
    pub downtimes: Vec<Duration>,
    /// Errors of the injector itself (a crash or restart that failed is fatal to the run).
    pub errors: Vec<String>,
    /// Whether a crash or restart failed.
    pub fatal: bool,
}

impl FaultCounts {
    /// Faults of `kind` that hit.
    #[must_use]
    pub fn of(&self, kind: FaultKind) -> u64 {
        self.injected.get(&kind).copied().unwrap_or(0)
    }

    /// Faults that hit, in all.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.injected.values().sum()
    }
}

const CANDIDATES_SQL: &str = "
select coalesce(string_agg(pid::text, ',' order by (state = 'active') desc, pid), '') as v
  from pg_stat_activity
 where datname = current_database()
   and backend_type = 'client backend'
   and pid <> pg_backend_pid()
   and coalesce(application_name, '') not like 'chaos-injector%'";

/// Carries out `faults` (times from `start`) until `deadline`, on the chaos database at
/// `owner_url` and its `cluster`.
pub fn inject(
    cluster: &ChaosCluster,
    owner_url: &str,
    faults: &[Fault],
    start: Instant,
    deadline: Instant,
) -> FaultCounts {
    let mut counts = FaultCounts::default();
    let mut conn: Option<PgConnection> = None;
    for fault in faults {
        let due = start + fault.at;
        if due >= deadline {
            break;
        }
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let hit = match fault.kind {
            FaultKind::Crash => match cluster.crash_and_restart() {
                Ok(down) => {
                    counts.downtimes.push(down);
                    conn = None;
                    Ok(true)
                }
                Err(e) => {
                    counts.fatal = true;
                    // Try to bring the server back for the checks.
                    let _ = cluster.restart();
                    Err(format!("crash/restart: {e}"))
                }
            },
            FaultKind::LockHolder => hold_lock(owner_url, Duration::from_millis(fault.pick)),
            FaultKind::Terminate | FaultKind::Cancel => signal(&mut conn, owner_url, fault),
        };
        match hit {
            Ok(true) => *counts.injected.entry(fault.kind).or_default() += 1,
            Ok(false) => *counts.missed.entry(fault.kind).or_default() += 1,
            Err(e) => {
                conn = None;
                *counts.missed.entry(fault.kind).or_default() += 1;
                if counts.errors.len() < 10 {
                    counts.errors.push(e);
                }
            }
        }
    }
    counts
}

fn connect(owner_url: &str, application: &str) -> Result<PgConnection, String> {
    let mut conn = PgConnection::establish(owner_url).map_err(|e| e.to_string())?;
    conn.batch_execute(&format!("set application_name = '{application}'"))
        .map_err(|e| e.to_string())?;
    Ok(conn)
}

fn signal(conn: &mut Option<PgConnection>, owner_url: &str, fault: &Fault) -> Result<bool, String> {
    if conn.is_none() {
        *conn = Some(connect(owner_url, "chaos-injector")?);
    }
    let Some(c) = conn.as_mut() else {
        return Ok(false);
    };
    let candidates = text(c, CANDIDATES_SQL).map_err(|e| e.to_string())?;
    let pids: Vec<&str> = candidates.split(',').filter(|p| !p.is_empty()).collect();
    if pids.is_empty() {
        return Ok(false);
    }
    let pid = match fault.kind {
        // Cancel prefers an active backend (an idle one has nothing to cancel): the list
        // is ordered active first.
        FaultKind::Cancel => pids[(fault.pick % pids.len().min(3) as u64) as usize],
        _ => pids[(fault.pick % pids.len() as u64) as usize],
    };
    let function = if fault.kind == FaultKind::Cancel {
        "pg_cancel_backend"
    } else {
        "pg_terminate_backend"
    };
    let done =
        text(c, &format!("select {function}({pid})::text as v")).map_err(|e| e.to_string())?;
    Ok(done == "true")
}

fn hold_lock(owner_url: &str, hold: Duration) -> Result<bool, String> {
    let mut conn = connect(owner_url, "chaos-injector-lock")?;
    conn.batch_execute(
        "set lock_timeout = '3s'; begin; lock table public.peer_mentors in access exclusive mode;",
    )
    .map_err(|e| e.to_string())?;
    std::thread::sleep(hold);
    conn.batch_execute("rollback").map_err(|e| e.to_string())?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_schedule_with_every_kind_and_spread_crashes() {
        let a = schedule(&mut SplitMix64::new(42), Duration::from_secs(60));
        let b = schedule(&mut SplitMix64::new(42), Duration::from_secs(60));
        assert_eq!(a, b);
        assert_ne!(
            a,
            schedule(&mut SplitMix64::new(43), Duration::from_secs(60))
        );
        let crashes: Vec<_> = a.iter().filter(|f| f.kind == FaultKind::Crash).collect();
        assert_eq!(crashes.len(), 4);
        for (i, c) in crashes.iter().enumerate() {
            let share = 15_000u128;
            let ms = c.at.as_millis();
            assert!(
                ms >= i as u128 * share && ms < (i as u128 + 1) * share,
                "{ms}"
            );
        }
        assert!(a.len() > 40, "dozens of faults: {}", a.len());
        let small = schedule(&mut SplitMix64::new(1), Duration::from_secs(6));
        for kind in FaultKind::ALL {
            assert!(small.iter().any(|f| f.kind == kind), "{kind}");
        }
    }
}
