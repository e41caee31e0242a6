//! [`run`]: one chaos run on a [`ChaosCluster`], from setup to [`Report`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use mentor_status_localdb::admin;
use mentor_status_storage::migrations::Migrator;
use mentor_status_storage::notifications::{CoordinatorNotificationService, RetryPolicy};
use mentor_status_storage::{Context as _, MentorStatusRepository, PoolConfig};

use crate::check;
use crate::faults::{self, FaultCounts};
use crate::fixture::Fixture;
use crate::outcome::Tally;
use crate::report::{Check, Report};
use crate::snapshot;
use crate::workers::{self, CountingNotifier};
use crate::writers::{self, Context, Path, WriterResult};
use crate::{ChaosCluster, ChaosError, SplitMix64};

/// A deliberate defect, to show that the checks catch one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sabotage {
    /// The audit trigger's function (`private.store_pause_reason`) replaced, as the table
    /// owner, by a copy that skips the audit insert when the SQL role is `service_role`.
    SkipServiceRoleAudit,
}

/// How many threads each path gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Threads {
    /// RPC callers as coordinators.
    pub rpc_coordinators: usize,
    /// RPC callers as mentors.
    pub rpc_mentors: usize,
    /// Repository threads (one shared repository and pool).
    pub repository: usize,
    /// Service-role writers.
    pub service_role: usize,
    /// Notification workers.
    pub workers: usize,
}

impl Default for Threads {
    fn default() -> Self {
        Threads {
            rpc_coordinators: 2,
            rpc_mentors: 1,
            repository: 2,
            service_role: 1,
            workers: 3,
        }
    }
}

/// What to run.
#[derive(Debug, Clone)]
pub struct Config {
    /// How long the writers and the injector run.
    pub duration: Duration,
    /// How many mentors the fixture has.
    pub mentors: usize,
    /// The seed of the fixture, the writers' choices and the fault schedule.
    pub seed: u64,
    /// Threads per path.
    pub threads: Threads,
    /// The writers' `lock_timeout` (the lock holder trips it).
    pub lock_timeout: Duration,
    /// A deliberate defect, if any.
    pub sabotage: Option<Sabotage>,
}

impl Config {
    /// `duration` on `mentors` mentors from `seed`, default threads, 250 ms lock timeout.
    #[must_use]
    pub fn new(duration: Duration, mentors: usize, seed: u64) -> Config {
        Config {
            duration,
            mentors,
            seed,
            threads: Threads::default(),
            lock_timeout: Duration::from_millis(250),
            sabotage: None,
        }
    }
}

const DATABASE: &str = "chaos";

/// Breaks the audit trigger as [`Sabotage::SkipServiceRoleAudit`] says.
fn sabotage(conn: &mut diesel::pg::PgConnection) -> Result<(), ChaosError> {
    let definition = writers::text(
        conn,
        "select pg_get_functiondef('private.store_pause_reason()'::regprocedure) as v",
    )
    .context("reading the audit trigger's function")?;
    let needle = "and (old.status is distinct from new.status";
    if !definition.contains(needle) {
        return Err(ChaosError::Run(
            "the audit trigger's function has changed: the sabotage cannot find its audit condition".to_owned(),
        ));
    }
    let broken = definition.replacen(
        needle,
        &format!("and pg_catalog.current_setting('role') <> 'service_role'\n     {needle}"),
        1,
    );
    Ok(conn
        .batch_execute(&broken)
        .context("replacing the audit trigger's function")?)
}

/// The result of a writer thread that panicked: one failure on its path.
fn panicked(path: Path) -> WriterResult {
    let mut tally = Tally::default();
    tally.record(crate::outcome::Outcome::Failure(
        "a writer thread panicked".to_owned(),
    ));
    WriterResult {
        path,
        tally,
        acks: Vec::new(),
    }
}

/// Runs the chaos on a database `chaos` of `cluster` (created afresh) and checks the
/// result.
///
/// # Errors
///
/// When the run cannot be set up or a check's query fails; a run whose checks fail is an
/// `Ok` [`Report`] that did not [pass](Report::passed).
pub fn run(cluster: &ChaosCluster, config: &Config) -> Result<Report, ChaosError> {
    let began = Instant::now();
    let owner_url = cluster.create_database(DATABASE)?;
    let api_url = cluster.url_as("authenticator", DATABASE);
    let root = SplitMix64::new(config.seed);
    let fixture = Fixture::generate(config.mentors, &mut root.fork(1));
    let mut conn = admin::connect(&owner_url)?;
    Migrator::new(&mut conn).up(None)?;
    fixture.insert(&mut conn, &mut root.fork(2))?;
    conn.batch_execute(&format!(
        "alter database {DATABASE} set lock_timeout = '{}ms'",
        config.lock_timeout.as_millis()
    ))
    .context("setting the chaos database's lock_timeout")?;
    if config.sabotage == Some(Sabotage::SkipServiceRoleAudit) {
        sabotage(&mut conn)?;
    }
    let initial = snapshot::mentors(&mut conn)?;
    let initial_graph = snapshot::graph(&mut conn)?;
    let audit_before = snapshot::audit(&mut conn)?.len();
    drop(conn);

    let threads = config.threads;
    let pool = |size: usize| {
        PoolConfig {
            max_size: u32::try_from(size).unwrap_or(8) + 1,
            connection_timeout: Duration::from_secs(2),
            statement_timeout: Duration::from_secs(5),
        }
        .build(&owner_url)
    };
    let repository = MentorStatusRepository::new(pool(threads.repository)?);
    let service =
        CoordinatorNotificationService::new(pool(threads.workers)?).with_policy(RetryPolicy {
            base: Duration::from_millis(200),
            cap: Duration::from_secs(2),
            max_attempts: 1000,
            lease: Duration::from_secs(2),
        });
    let notifier = CountingNotifier::new(root.fork(4), 3);
    let schedule = faults::schedule(&mut root.fork(3), config.duration);

    let start = Instant::now();
    let deadline = start + config.duration;
    let ctx = Arc::new(Context::new(
        fixture.clone(),
        owner_url.clone(),
        api_url,
        deadline,
        config.lock_timeout,
    ));
    let stop = AtomicBool::new(false);
    let drained = AtomicBool::new(false);
    let mut results: Vec<WriterResult> = Vec::new();
    let mut fault_counts = FaultCounts::default();
    let mut drain_ok = false;
    let mut churn_answered = Vec::new();
    std::thread::scope(|scope| {
        let mut writers_handles = Vec::new();
        let mut stream = 100;
        let mut next = || {
            stream += 1;
            root.fork(stream)
        };
        // Writer kinds in a fixed order (each thread takes the next random stream, so a
        // seed gives every thread the same choices run after run).
        type Writer = fn(&Arc<Context>, &MentorStatusRepository, SplitMix64, usize) -> WriterResult;
        let writers: [(Path, usize, Writer); 4] = [
            (
                Path::RpcCoordinator,
                threads.rpc_coordinators,
                |ctx, _, rng, n| writers::rpc_coordinator(ctx, rng, n),
            ),
            (Path::RpcMentor, threads.rpc_mentors, |ctx, _, rng, n| {
                writers::rpc_mentor(ctx, rng, n)
            }),
            (
                Path::Repository,
                threads.repository,
                |ctx, repository, rng, _| writers::repository(ctx, repository, rng),
            ),
            (Path::ServiceRole, threads.service_role, |ctx, _, rng, n| {
                writers::service_role(ctx, rng, n)
            }),
        ];
        for (path, count, writer) in writers {
            for n in 0..count {
                let (ctx, rng, repository) = (Arc::clone(&ctx), next(), &repository);
                let handle = scope.spawn(move || writer(&ctx, repository, rng, n));
                writers_handles.push((path, handle));
            }
        }
        let churner = {
            let (ctx, rng) = (Arc::clone(&ctx), next());
            scope.spawn(move || writers::churner(&ctx, rng))
        };
        let worker_handles: Vec<_> = (0..threads.workers)
            .map(|n| {
                let (service, notifier, stop, drained) = (&service, &notifier, &stop, &drained);
                scope.spawn(move || workers::worker(service, notifier, n, stop, drained))
            })
            .collect();
        let injector =
            scope.spawn(|| faults::inject(cluster, &owner_url, &schedule, start, deadline));
        for (path, h) in writers_handles {
            results.push(h.join().unwrap_or_else(|_| panicked(path)));
        }
        match churner.join() {
            Ok(r) => {
                results.push(r.writer);
                churn_answered = r.answered;
            }
            Err(_) => results.push(panicked(Path::Churner)),
        }
        match injector.join() {
            Ok(c) => fault_counts = c,
            Err(_) => fault_counts.errors.push("the injector panicked".to_owned()),
        }
        stop.store(true, Ordering::Release);
        // If the last fault was a crash that failed to restart, try once more.
        if fault_counts.fatal {
            let _ = cluster.restart();
        }
        drain_ok = workers::wait_for_drain(&owner_url, Duration::from_secs(30));
        drained.store(true, Ordering::Release);
        for h in worker_handles {
            if let Ok(r) = h.join() {
                results.push(r);
            }
        }
    });

    let mut conn = admin::connect(&owner_url)?;
    let current = snapshot::mentors(&mut conn)?;
    let audit = snapshot::audit(&mut conn)?;
    let outbox = snapshot::outbox(&mut conn)?;
    let churn = snapshot::churn(&mut conn)?;
    let broken_rules: Vec<String> = snapshot::rule_violations(&mut conn)?
        .iter()
        .map(ToString::to_string)
        .collect();
    drop(conn);

    let mut paths: BTreeMap<Path, Tally> = BTreeMap::new();
    let mut acks = Vec::new();
    for r in &results {
        paths.entry(r.path).or_default().merge(&r.tally);
        acks.extend(r.acks.iter().cloned());
    }
    let mut ack_messages = Vec::new();
    let replay = check::replay(&initial, &audit, &current);
    let recipients = check::recipients(
        &fixture,
        &initial_graph,
        &churn,
        &churn_answered,
        &audit,
        &outbox,
    );
    let delivered = notifier.deliveries();
    let deliveries = check::deliveries(&outbox, &delivered);
    let acked_missing = check::acked_missing(&acks, &audit, &mut ack_messages);

    let mut audit_by_path: BTreeMap<String, u64> = BTreeMap::new();
    let users = |list: &[crate::fixture::Coordinator]| {
        list.iter()
            .map(|c| c.user_id)
            .collect::<std::collections::HashSet<_>>()
    };
    let rpc_coordinators = users(&fixture.rpc_coordinators);
    let repository_coordinators = users(&fixture.repository_coordinators);
    let mentor_users: std::collections::HashSet<_> =
        fixture.mentors.iter().map(|m| m.user_id).collect();
    for row in &audit {
        let key = match (row.actor_role.as_str(), row.changed_by) {
            ("authenticated", Some(u)) if rpc_coordinators.contains(&u) => "rpc as coordinator",
            ("authenticated", Some(u)) if mentor_users.contains(&u) => "rpc as mentor",
            ("authenticated", Some(u)) if repository_coordinators.contains(&u) => {
                "repository as coordinator"
            }
            ("service_role", None) => "service_role (repository + direct UPDATE)",
            _ => "other (unexpected)",
        };
        *audit_by_path.entry(key.to_owned()).or_default() += 1;
    }

    let writer_paths = [
        Path::RpcCoordinator,
        Path::RpcMentor,
        Path::Repository,
        Path::ServiceRole,
    ];
    let acked: u64 = writer_paths
        .iter()
        .filter_map(|p| paths.get(p))
        .map(|t| t.committed)
        .sum();
    let maybe: u64 = writer_paths
        .iter()
        .filter_map(|p| paths.get(p))
        .map(Tally::retryable_total)
        .sum();
    let changes = audit.len() as u64;
    let failures: u64 = paths.values().map(|t| t.failures).sum();
    let failure_examples: Vec<String> = paths
        .iter()
        .flat_map(|(p, t)| t.failure_examples.iter().map(move |m| format!("{p}: {m}")))
        .take(8)
        .collect();

    let checks = vec![
        Check::new(
            "replay reproduces every mentor's status, pause_at and reason",
            replay.unaccounted == 0 && replay.mismatching_mentors == 0,
            format!(
                "{} audit rows over {} mentors, {} unaccounted, {} mentors mismatching",
                replay.rows,
                initial.len(),
                replay.unaccounted,
                replay.mismatching_mentors
            ),
        ),
        Check::new(
            "every change the clients saw commit is in the audit trail",
            acked_missing == 0,
            format!("{acked} seen committed, {acked_missing} missing"),
        ),
        Check::new(
            "no audit row without a writer that may have committed it",
            changes <= acked + maybe,
            format!(
                "{changes} rows <= {acked} seen committed + {maybe} ambiguous (retryable errors)"
            ),
        ),
        Check::new(
            "no row breaks a status rule (every CHECK, reasons only while paused, all validated)",
            broken_rules.is_empty(),
            if broken_rules.is_empty() {
                "none".to_owned()
            } else {
                broken_rules.join("; ")
            },
        ),
        Check::new(
            "each change notifies exactly resolve_recipients of the graph at the time",
            recipients.wrong == 0 && recipients.unexpected == 0,
            format!(
                "{} status changes, {} with churn in their window, {} wrong, {} unexpected notifications; churn changes answered up to {:.1} ms after their commit timestamp",
                recipients.changes,
                recipients.ambiguous_windows,
                recipients.wrong,
                recipients.unexpected,
                recipients.longest_in_flight_us as f64 / 1000.0
            ),
        ),
        Check::new(
            "every notification delivered at least once, accepted once by id",
            deliveries.never_delivered == 0
                && deliveries.phantom == 0
                && deliveries.unsent == 0
                && drain_ok,
            format!(
                "{} notifications, {} never delivered, {} unsent, {} deliveries of unknown ids, drained: {drain_ok}",
                deliveries.notifications,
                deliveries.never_delivered,
                deliveries.unsent,
                deliveries.phantom
            ),
        ),
        Check::new(
            "no outbox row stuck past its lease, no dead letters",
            deliveries.stuck == 0 && deliveries.dead == 0,
            format!("{} stuck, {} dead", deliveries.stuck, deliveries.dead),
        ),
        Check::new(
            "every client-visible error was documented or retryable",
            failures == 0,
            if failures == 0 {
                "0 others".to_owned()
            } else {
                format!("{failures} others: {}", failure_examples.join(" | "))
            },
        ),
        Check::new(
            "the fault injector carried out its schedule",
            !fault_counts.fatal && fault_counts.errors.is_empty(),
            if fault_counts.errors.is_empty() {
                format!("{} faults", fault_counts.total())
            } else {
                fault_counts.errors.join(" | ")
            },
        ),
        Check::new(
            "the audit trail was empty before the writers started",
            audit_before == 0,
            format!("{audit_before} rows"),
        ),
    ];
    // The replay's messages first: they name the mentor whose history does not add up.
    let mut messages = Vec::new();
    if checks.iter().any(|c| !c.passed) {
        messages.extend(replay.messages.iter().cloned());
        messages.extend(ack_messages.into_iter().take(4));
        messages.extend(recipients.messages.iter().take(4).cloned());
        messages.extend(deliveries.messages.iter().take(4).cloned());
    }
    Ok(Report {
        seed: config.seed,
        duration: config.duration,
        mentors: fixture.mentors.len(),
        paths,
        audit_by_path,
        faults: fault_counts,
        changes,
        replay,
        recipients,
        deliveries,
        failed_on_purpose: notifier.failed_on_purpose(),
        acked_missing,
        checks,
        messages,
        elapsed: began.elapsed(),
    })
}
