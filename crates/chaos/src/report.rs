//! What a chaos run found: [`Report`] (its figures, [`Check`]s and messages) and how it
//! reads on the console.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use crate::check::{Deliveries, Recipients, Replay};
use crate::faults::{FaultCounts, FaultKind};
use crate::outcome::Tally;
use crate::writers::Path;

/// One check and its verdict.
#[derive(Debug, Clone)]
pub struct Check {
    /// What was checked.
    pub name: String,
    /// Whether it held.
    pub passed: bool,
    /// Numbers, or what went wrong.
    pub detail: String,
}

impl Check {
    /// A check called `name`, with its verdict and detail.
    #[must_use]
    pub fn new(name: &str, passed: bool, detail: String) -> Check {
        Check {
            name: name.to_owned(),
            passed,
            detail,
        }
    }
}

/// `ok   name: detail`, or `FAIL name: detail`.
impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verdict = if self.passed { "ok  " } else { "FAIL" };
        write!(f, "{verdict} {}: {}", self.name, self.detail)
    }
}

/// The outcome of a run.
#[derive(Debug, Clone)]
pub struct Report {
    /// The seed (to reproduce).
    pub seed: u64,
    /// The configuration's duration and mentors.
    pub duration: Duration,
    /// Mentors.
    pub mentors: usize,
    /// Per path: the merged tally of its threads.
    pub paths: BTreeMap<Path, Tally>,
    /// Audit rows per path where the trail tells (by `changed_by`), and per actor role.
    pub audit_by_path: BTreeMap<String, u64>,
    /// The injector's counts.
    pub faults: FaultCounts,
    /// Audit rows: committed changes.
    pub changes: u64,
    /// The replay.
    pub replay: Replay,
    /// The recipient check.
    pub recipients: Recipients,
    /// The delivery check.
    pub deliveries: Deliveries,
    /// Deliveries the notifier failed on purpose.
    pub failed_on_purpose: u64,
    /// Changes the clients saw commit that the audit trail lacks.
    pub acked_missing: u64,
    /// Every check.
    pub checks: Vec<Check>,
    /// Messages of failed checks (each names the mentor or notification).
    pub messages: Vec<String>,
    /// How long the run took, setup to checks.
    pub elapsed: Duration,
}

impl Report {
    /// K: audit rows the replay cannot account for + mismatching mentors + notifications
    /// never delivered + changes the clients saw commit that the trail lacks.
    #[must_use]
    pub fn lost(&self) -> u64 {
        self.replay.unaccounted
            + self.replay.mismatching_mentors
            + self.deliveries.never_delivered
            + self.acked_missing
    }

    /// Whether nothing was lost and every check passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.lost() == 0 && self.checks.iter().all(|c| c.passed)
    }

    /// The check called `name`, if there is one.
    #[must_use]
    pub fn check(&self, name: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The table, the checks and the last line `N changes, M faults, K lost`.
    #[must_use]
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "chaos run: seed {}, {:.0} s, {} mentors, took {:.1} s",
            self.seed,
            self.duration.as_secs_f64(),
            self.mentors,
            self.elapsed.as_secs_f64()
        );
        let _ = writeln!(s);
        let _ = writeln!(
            s,
            "{:<22} {:>8} {:>9} {:>8} {:>8} {:>9} {:>9} {:>8}",
            "path",
            "attempts",
            "committed",
            "refused",
            "no-op",
            "conflict",
            "retryable",
            "failures"
        );
        for (path, t) in &self.paths {
            let _ = writeln!(
                s,
                "{:<22} {:>8} {:>9} {:>8} {:>8} {:>9} {:>9} {:>8}",
                path.to_string(),
                t.attempts,
                t.committed,
                t.refused_total(),
                t.no_change,
                t.conflicts,
                t.retryable_total(),
                t.failures
            );
        }
        let _ = writeln!(
            s,
            "(committed: as the client saw it; for workers: notifications sent, conflict = lease lost)"
        );
        let mut refused: BTreeMap<&str, u64> = BTreeMap::new();
        let mut retryable: BTreeMap<&str, u64> = BTreeMap::new();
        for t in self.paths.values() {
            for (k, v) in &t.refused {
                *refused.entry(k.as_str()).or_default() += v;
            }
            for (k, v) in &t.retryable {
                *retryable.entry(k).or_default() += v;
            }
        }
        let join = |m: &BTreeMap<&str, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(s, "refused by rule: {}", join(&refused));
        let _ = writeln!(s, "retryable errors: {}", join(&retryable));
        let _ = writeln!(s);
        let _ = writeln!(s, "audit trail (committed changes): {}", self.changes);
        for (k, v) in &self.audit_by_path {
            let _ = writeln!(s, "  {k:<42} {v:>8}");
        }
        let _ = writeln!(s);
        let _ = writeln!(s, "{:<32} {:>8} {:>8}", "fault", "injected", "no target");
        for kind in FaultKind::ALL {
            let _ = writeln!(
                s,
                "{:<32} {:>8} {:>8}",
                kind.to_string(),
                self.faults.of(kind),
                self.faults.missed.get(&kind).copied().unwrap_or(0)
            );
        }
        if !self.faults.downtimes.is_empty() {
            let ms: Vec<String> = self
                .faults
                .downtimes
                .iter()
                .map(|d| format!("{:.2} s", d.as_secs_f64()))
                .collect();
            let _ = writeln!(s, "crash downtimes (stop to accepting): {}", ms.join(", "));
        }
        let _ = writeln!(s);
        let d = &self.deliveries;
        let _ = writeln!(
            s,
            "notifications {}, deliveries {}, distinct delivered {}, duplicates absorbed {}, failed on purpose {}, dead letters {}, stuck {}",
            d.notifications,
            d.deliveries,
            d.distinct,
            d.duplicates_absorbed(),
            self.failed_on_purpose,
            d.dead,
            d.stuck
        );
        let _ = writeln!(s);
        for c in &self.checks {
            let _ = writeln!(s, "{c}");
        }
        for m in &self.messages {
            let _ = writeln!(s, "  {m}");
        }
        let _ = writeln!(
            s,
            "{} changes, {} faults, {} lost",
            self.changes,
            self.faults.total(),
            self.lost()
        );
        s
    }
}
