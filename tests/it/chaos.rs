//! The chaos run at a small size (`cargo xtask chaos` is the full one): every write path at
//! once with killed backends, lock holders and a server crash, then nothing lost; a broken
//! audit trigger is caught by the replay; a crash during the status migration's VALIDATE
//! leaves a truthful history.
//!
//! Each test runs on a cluster of its own in a temporary folder (the injector crashes the
//! server, which must never hit the shared project-local cluster), removed when the
//! `ChaosCluster` is dropped, also when the test fails. The tests take turns (a lock), so
//! they do not compete with each other for the machine.

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use mentor_status_chaos::faults::FaultKind;
use mentor_status_chaos::{ChaosCluster, Config, Sabotage, migration_crash, run, snapshot};
use mentor_status_localdb::PgBinaries;
use mentor_status_tests::TestDb;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// This test's turn: held until the test ends (a failed test's turn passes on as well).
fn my_turn() -> MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A fixed seed (the schedule and fixture are reproducible), or `CHAOS_SEED`.
fn seed() -> u64 {
    std::env::var("CHAOS_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16)
}

fn cluster(name: &str) -> ChaosCluster {
    let folder = std::env::temp_dir().join(format!(
        "mentor-status-chaos-{name}-{}",
        uuid::Uuid::new_v4().simple()
    ));
    ChaosCluster::create(&folder, PgBinaries::locate().unwrap()).unwrap()
}

#[test]
fn a_small_chaos_run_with_every_kind_of_fault_loses_nothing() {
    let _turn = my_turn();
    let started = std::time::Instant::now();
    let cluster = cluster("run");
    let config = Config::new(Duration::from_secs(6), 50, seed());
    let report = run(&cluster, &config).unwrap();
    drop(cluster);
    let text = report.render();
    eprintln!(
        "{text}(whole test: {:.1} s)",
        started.elapsed().as_secs_f64()
    );
    assert!(report.passed(), "seed {}:\n{text}", report.seed);
    assert_eq!(report.lost(), 0, "{text}");
    assert!(
        report.changes > 100,
        "the writers changed statuses:\n{text}"
    );
    assert!(report.deliveries.notifications > 0, "{text}");
    for kind in FaultKind::ALL {
        assert!(
            report.faults.of(kind) > 0,
            "no {kind} was injected:\n{text}"
        );
    }
    // The faults reached the clients, who retried.
    let retryable: u64 = report.paths.values().map(|t| t.retryable_total()).sum();
    assert!(retryable > 0, "{text}");
}

#[test]
fn an_audit_trigger_that_skips_service_role_updates_fails_the_replay_naming_the_mentor() {
    let _turn = my_turn();
    let cluster = cluster("broken");
    let mut config = Config::new(Duration::from_secs(4), 30, seed());
    config.sabotage = Some(Sabotage::SkipServiceRoleAudit);
    let report = run(&cluster, &config).unwrap();
    drop(cluster);
    let text = report.render();
    assert!(
        !report.passed(),
        "the broken trigger went unnoticed:\n{text}"
    );
    assert!(report.lost() > 0, "{text}");
    assert!(report.replay.mismatching_mentors > 0, "{text}");
    let replay = report
        .check("replay reproduces every mentor's status, pause_at and reason")
        .unwrap();
    assert!(!replay.passed, "{text}");
    let named = report.messages.iter().any(|m| {
        m.starts_with("replay mismatch: mentor ")
            && m.split_whitespace()
                .nth(3)
                .is_some_and(|id| uuid::Uuid::parse_str(id.trim_end_matches(':')).is_ok())
    });
    assert!(named, "a replay mismatch names the mentor:\n{text}");
    assert!(text.trim_end().ends_with("lost"), "{text}");
}

#[test]
fn a_crash_during_the_status_migrations_validate_leaves_a_truthful_history_and_up_completes() {
    let _turn = my_turn();
    let cluster = cluster("migration");
    let report = migration_crash(&cluster, 150_000).unwrap();
    drop(cluster);
    let text = report.render();
    eprintln!("{text}");
    assert!(report.passed(), "{text}");
    assert!(
        report
            .crashed_during
            .to_lowercase()
            .contains("validate constraint"),
        "{text}"
    );
}

/// The rule check reads every CHECK constraint from the catalog (so it never restates a
/// predicate, and one a later migration adds is covered) and evaluates it on every row,
/// also on rows PostgreSQL never checked because the constraint is NOT VALID. (No cluster
/// of its own: nothing is crashed, a database on the shared cluster is enough.)
#[test]
fn the_rule_check_evaluates_every_check_constraint_of_the_catalog_on_every_row() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    assert_eq!(snapshot::rule_violations(&mut conn).unwrap(), []);

    // An active mentor with a pause_at, written while the constraint was away (and the
    // triggers off) and re-added NOT VALID from its own definition; and a table and a constraint the checker has never
    // heard of, broken by two rows.
    conn.batch_execute(
        "do $break$
         declare
           definition text := pg_get_constraintdef(
             (select oid from pg_constraint where conname = 'chk_pause_at_only_when_paused'));
         begin
           alter table public.peer_mentors drop constraint chk_pause_at_only_when_paused;
           -- The triggers check the rule again: off for this one write.
           alter table public.peer_mentors disable trigger user;
           update public.peer_mentors set pause_at = now()
            where id = (select id from public.peer_mentors where status = 'active' order by id limit 1);
           alter table public.peer_mentors enable trigger user;
           execute format('alter table public.peer_mentors add constraint chk_pause_at_only_when_paused %s not valid', definition);
         end
         $break$;
         create table private.chaos_probe (n int);
         insert into private.chaos_probe values (-1), (-2), (3), (null);
         alter table private.chaos_probe add constraint chaos_probe_positive check (n > 0) not valid;",
    )
    .unwrap();

    let found = snapshot::rule_violations(&mut conn).unwrap();
    let found: Vec<(&str, i64)> = found.iter().map(|v| (v.rule.as_str(), v.count)).collect();
    assert_eq!(
        found,
        [
            ("private.chaos_probe chaos_probe_positive", 2),
            ("public.peer_mentors chk_pause_at_only_when_paused", 1),
            ("constraints left NOT VALID", 2),
        ]
    );
}
