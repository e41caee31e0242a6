//! [`migration_crash`]: the server crashes (immediate stop) while the status migration's
//! `VALIDATE CONSTRAINT` file scans a large `peer_mentors`; after the restart the history
//! must be truthful, `up` must complete, the constraints be validated and the rows
//! unchanged.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use mentor_status_domain::{Actor, Command, PauseReason, ReasonCode};
use mentor_status_localdb::admin;
use mentor_status_storage::migrations::{Migrations, Migrator};
use mentor_status_storage::{Context as _, MentorId, MentorStatusRepository, PoolConfig};

use crate::report::Check;
use crate::writers::text;
use crate::{ChaosCluster, ChaosError};
use mentor_status_storage::fixtures::legacy_mentors_sql;

/// What the migration crash test found.
#[derive(Debug, Clone)]
pub struct MigrationCrashReport {
    /// Legacy mentors in the table.
    pub rows: u64,
    /// The statement seen running when the server was crashed.
    pub crashed_during: String,
    /// What the interrupted `up` reported.
    pub interrupted_with: String,
    /// How long the restart took.
    pub downtime: Duration,
    /// The checks.
    pub checks: Vec<Check>,
    /// Setup to last check.
    pub elapsed: Duration,
    /// Runs needed for the crash to hit the VALIDATE (see [`migration_crash`]).
    pub attempts: u32,
}

impl MigrationCrashReport {
    /// Whether every check passed.
    #[must_use]
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.passed)
    }

    /// A few lines for the console.
    #[must_use]
    pub fn render(&self) -> String {
        // The statement on one line, its start only.
        let statement: String = self
            .crashed_during
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(90)
            .collect();
        let mut s = String::new();
        let _ = writeln!(
            s,
            "migration crash: {} rows (attempt {}), crashed during `{statement}`, restart {:.2} s, took {:.1} s",
            self.rows,
            self.attempts,
            self.downtime.as_secs_f64(),
            self.elapsed.as_secs_f64()
        );
        let _ = writeln!(
            s,
            "  the interrupted migrate up said: {}",
            self.interrupted_with.lines().next().unwrap_or("")
        );
        for c in &self.checks {
            let _ = writeln!(s, "{c}");
        }
        let failed = self.checks.iter().filter(|c| !c.passed).count();
        let _ = writeln!(
            s,
            "migration crash: {} passed, {failed} failed",
            self.checks.len() - failed
        );
        s
    }
}

fn check(checks: &mut Vec<Check>, name: &str, passed: bool, detail: String) {
    checks.push(Check::new(name, passed, detail));
}

const ROWS_FINGERPRINT: &str = "select count(*)::text || ' rows, hash ' || coalesce(sum(hashtext(id::text || user_id::text || status::text || coalesce(pause_at::text, '')))::text, '0') as v from public.peer_mentors";
const NOT_VALID: &str = "select count(*)::text as v from pg_catalog.pg_constraint where conrelid = 'public.peer_mentors'::regclass and not convalidated";
const VALIDATE_RUNNING: &str = "select coalesce((select query from pg_stat_activity
   where datname = current_database() and state = 'active' and pid <> pg_backend_pid()
     and query ilike '%validate constraint%' limit 1), '') as v";

fn q(conn: &mut PgConnection, what: &'static str, sql: &str) -> Result<String, ChaosError> {
    Ok(text(conn, sql).context(what)?)
}

/// Runs the test on a database `chaos_migration` of `cluster` with `rows` legacy mentors.
///
/// When the VALIDATE finished before the crash could hit it (a busy machine, few rows),
/// the test starts over on a fresh database with twice the rows, at most three times;
/// [`MigrationCrashReport::attempts`] says how often.
///
/// # Errors
///
/// When setting up fails (the checks' verdicts are in the report).
pub fn migration_crash(
    cluster: &ChaosCluster,
    rows: u64,
) -> Result<MigrationCrashReport, ChaosError> {
    let began = Instant::now();
    let mut rows = rows.max(1);
    let mut attempts = 0;
    loop {
        attempts += 1;
        let mut report = attempt(cluster, rows)?;
        // Hit: interrupted, and while the VALIDATE file was still open (its history row
        // absent). A crash that lands on a later file missed the VALIDATE: more rows.
        let hit = report.checks.len() >= 3 && report.checks.iter().take(3).all(|c| c.passed);
        if hit || attempts == 3 {
            report.attempts = attempts;
            report.elapsed = began.elapsed();
            return Ok(report);
        }
        rows *= 2;
    }
}

fn attempt(cluster: &ChaosCluster, rows: u64) -> Result<MigrationCrashReport, ChaosError> {
    let began = Instant::now();
    let url = cluster.create_database("chaos_migration")?;
    let migrations = Migrations::embedded();
    let status = migrations.status_migration()?;
    let (before, add, validate) = (
        status.before.version().to_owned(),
        status.add.version().to_owned(),
        status.validate.version().to_owned(),
    );
    let mut conn = admin::connect(&url)?;
    Migrator::new(&mut conn).up(Some(&before))?;
    let batch = 100_000;
    let mut done = 0;
    while done < rows {
        let hi = (done + batch).min(rows);
        conn.batch_execute(&legacy_mentors_sql(done + 1, hi))
            .context("inserting legacy mentors")?;
        done = hi;
    }
    Migrator::new(&mut conn).up(Some(&add))?;
    let fingerprint = q(&mut conn, "fingerprinting the rows", ROWS_FINGERPRINT)?;
    drop(conn);

    let mut observer = admin::connect(&url)?;
    let migrating_url = url.clone();
    let migrating = std::thread::spawn(move || {
        admin::connect(&migrating_url)
            .map_err(|e| e.to_string())
            .and_then(|mut c| {
                Migrator::new(&mut c)
                    .up(None)
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            })
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut seen = String::new();
    while seen.is_empty() && Instant::now() < deadline && !migrating.is_finished() {
        seen = q(&mut observer, "watching pg_stat_activity", VALIDATE_RUNNING)?;
    }
    let crashed_at = Instant::now();
    let mut checks = Vec::new();
    if seen.is_empty() {
        check(
            &mut checks,
            "the server crashed during the VALIDATE",
            false,
            "the VALIDATE was never seen running (it finished first: use more rows)".to_owned(),
        );
    }
    cluster.crash()?;
    drop(observer);
    let interrupted = migrating
        .join()
        .unwrap_or_else(|_| Err("the migrating thread panicked".to_owned()));
    cluster.restart()?;
    let downtime = crashed_at.elapsed();
    if !seen.is_empty() {
        check(
            &mut checks,
            "the server crashed during the VALIDATE",
            interrupted.is_err(),
            format!("migrate up was interrupted: {}", interrupted.is_err()),
        );
    }

    let mut conn = admin::connect(&url)?;
    let statuses = Migrator::new(&mut conn).status()?;
    let wrong: Vec<String> = statuses
        .iter()
        .filter(|s| s.applied != (s.version.as_str() <= add.as_str()))
        .map(|s| format!("{} applied={}", s.version, s.applied))
        .collect();
    check(
        &mut checks,
        "migrate status is truthful after the crash (everything up to add_mentor_status applied, the VALIDATE file and later not)",
        wrong.is_empty(),
        if wrong.is_empty() {
            format!("{validate} not applied, no history row")
        } else {
            wrong.join(", ")
        },
    );
    let history = Migrator::new(&mut conn).history()?;
    check(
        &mut checks,
        "no history row for the VALIDATE file",
        !history.iter().any(|h| h.version == validate),
        format!("{} history rows", history.len()),
    );
    let not_valid = q(&mut conn, "counting NOT VALID constraints", NOT_VALID)?;
    check(
        &mut checks,
        "the constraints are still NOT VALID (the VALIDATE did not half-apply)",
        not_valid == "4",
        format!("{not_valid} NOT VALID constraints on peer_mentors"),
    );
    let applied = Migrator::new(&mut conn).up(None);
    check(
        &mut checks,
        "migrate up completes after the restart",
        applied.is_ok(),
        match &applied {
            Ok(v) => format!("{} files applied", v.len()),
            Err(e) => e.to_string(),
        },
    );
    let all_applied = Migrator::new(&mut conn).status()?.iter().all(|s| s.applied);
    let not_valid = q(&mut conn, "counting NOT VALID constraints", NOT_VALID)?;
    check(
        &mut checks,
        "every migration applied and every constraint validated",
        all_applied && not_valid == "0",
        format!("all applied: {all_applied}, {not_valid} NOT VALID"),
    );
    let after = q(&mut conn, "fingerprinting the rows", ROWS_FINGERPRINT)?;
    check(
        &mut checks,
        "rows unchanged",
        after == fingerprint,
        format!("{fingerprint} -> {after}"),
    );
    // The contract: a status change works and is audited once.
    let mentor = q(
        &mut conn,
        "picking a mentor",
        "select id::text as v from public.peer_mentors order by id limit 1",
    )?;
    let contract = (|| -> Result<String, String> {
        let id = uuid::Uuid::parse_str(&mentor).map_err(|e| e.to_string())?;
        let pool = PoolConfig {
            max_size: 1,
            ..PoolConfig::default()
        }
        .build(&url)
        .map_err(|e| e.to_string())?;
        MentorStatusRepository::new(pool)
            .change_status(
                &Actor::ServiceRole,
                MentorId::new(id),
                Command::Pause {
                    reason: Some(PauseReason::Code(ReasonCode::Training)),
                },
                Utc::now(),
            )
            .map_err(|e| e.to_string())?;
        let mut c = admin::connect(&url).map_err(|e| e.to_string())?;
        text(
            &mut c,
            &format!(
                "select (select count(*) from public.mentor_status_changes where mentor_id = '{id}' and to_status = 'paused')::text
                        || ' ' || (select reason from private.mentor_pause_reasons where mentor_id = '{id}') as v"
            ),
        )
        .map_err(|e| e.to_string())
    })();
    check(
        &mut checks,
        "the contract holds: a pause through the repository is stored and audited once",
        contract.as_deref() == Ok("1 training"),
        format!("{contract:?}"),
    );
    Ok(MigrationCrashReport {
        rows,
        crashed_during: seen,
        interrupted_with: interrupted
            .err()
            .unwrap_or_else(|| "(it completed)".to_owned()),
        downtime,
        checks,
        elapsed: began.elapsed(),
        attempts: 1,
    })
}
