//! `bench notify`: coordinator notifications delivered per second through
//! `CoordinatorNotificationService` (claim with `FOR UPDATE SKIP LOCKED` and a lease, hand to
//! the notifier, mark sent) by W worker threads with a no-op notifier, against `pgbench`
//! running the same claim and marking as a script, in the same run on the same outbox.
//!
//! The outbox is filled the way production fills it: status changes of mentors (pause, then
//! resume), whose audit rows' trigger writes one notification per chapter coordinator. The
//! service side delivers until the outbox is empty and checks that the notifier received every
//! notification exactly once; pgbench empties a refilled outbox the same way, marking each
//! batch in one statement where the service marks each delivery as it happens.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use chrono::Utc;
use diesel::connection::SimpleConnection;
use mentor_status_localdb::{admin, url};
use mentor_status_storage::PoolConfig;
use mentor_status_storage::notifications::{
    CoordinatorNotificationService, Notification, Notifier, NotifyError, WorkerId, run_once,
};

use super::chart::{Series, line_chart};
use super::cpus::{self, Layout};
use super::table::Cell::{Count, Rate, Ratio, Text};
use super::table::Column::{Both, Csv};
use super::table::{Column, Table};

#[derive(clap::Args)]
pub struct Args {
    /// Worker counts (threads, each with a pool connection / pgbench clients), comma-separated
    #[arg(long, value_delimiter = ',', default_value = "1,4")]
    workers: Vec<u32>,
    /// Mentors whose pause and resume fill the outbox (two notifications each)
    #[arg(long, default_value_t = 10_000)]
    mentors: u32,
    /// Notifications claimed per round
    #[arg(long, default_value_t = 50)]
    batch: u32,
    /// Where workers and server run: CPUs of their own (the local cluster only) or all shared
    #[arg(long, value_enum, default_value_t = Layout::Split)]
    cpus: Layout,
}

const DATABASE: &str = "bench_notify";

/// Counts deliveries per notification id: the exactly-once check.
#[derive(Default)]
struct CountingNotifier {
    seen: Mutex<HashMap<i64, u32>>,
}

impl Notifier for CountingNotifier {
    fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let mut seen = self
            .seen
            .lock()
            .map_err(|_| NotifyError::new("the counting notifier's lock is poisoned"))?;
        *seen.entry(notification.id.get()).or_default() += 1;
        Ok(())
    }
}

struct Row {
    workers: u32,
    notifications: u64,
    service: f64,
    pgbench: f64,
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    if args.workers.is_empty() || args.workers.contains(&0) || args.mentors == 0 || args.batch == 0
    {
        bail!(
            "--workers takes positive counts, --mentors and --batch positive numbers, e.g. --workers 1,4 --mentors 1000"
        );
    }
    let pgbench = super::status::pgbench_binary(root)?;
    let server = crate::db::database_url(root)?;
    let db_url = url::with_database(&server, DATABASE);
    crate::step(
        &format!(
            "prepare {DATABASE}: {} mentor{} in one chapter with one coordinator",
            args.mentors,
            if args.mentors == 1 { "" } else { "s" }
        ),
        || super::prepare_one_chapter(&server, DATABASE, args.mentors),
    )?;
    let script = crate::db::target_dir(root)
        .join("bench")
        .join("notify.pgbench");
    std::fs::create_dir_all(script.parent().context("script has a folder")?)?;
    std::fs::write(&script, pgbench_script(args.batch))?;

    let pinned = cpus::apply(args.cpus, crate::db::local_server(root)?.as_ref())?;
    println!("cpus: {pinned}");
    let mut rows = Vec::new();
    for &workers in &args.workers {
        let notifications = crate::step("fill the outbox (pause and resume every mentor)", || {
            fill(&db_url)
        })?;
        let (delivered, took) = crate::step(
            &format!(
                "{workers} worker(s): CoordinatorNotificationService, until the outbox is empty"
            ),
            || deliver(&db_url, workers, args.batch, notifications),
        )?;
        let service = delivered as f64 / took.as_secs_f64();
        let refilled = crate::step("fill the outbox again", || fill(&db_url))?;
        let pgbench_rate = crate::step(
            &format!("{workers} worker(s): pgbench, until the outbox is empty"),
            || {
                pgbench_rate(
                    &pgbench,
                    &script,
                    &db_url,
                    workers,
                    refilled.div_ceil(u64::from(args.batch * workers)),
                )
            },
        )?;
        println!(
            "    service {service:.0}/s, pgbench {pgbench_rate:.0}/s, ratio {:.3}",
            service / pgbench_rate
        );
        rows.push(Row {
            workers,
            notifications,
            service,
            pgbench: pgbench_rate,
        });
    }
    let layout = pinned.label().to_owned();
    drop(pinned);
    let mut admin_conn = admin::connect(&admin::maintenance_url(&server))?;
    admin::drop_database(&mut admin_conn, DATABASE)?;
    report(root, &rows, &layout)
}

/// Empties the outbox and refills it: every mentor paused and resumed (as maintenance), two
/// audit rows each, one notification per audit row for the chapter's coordinator.
fn fill(db_url: &str) -> Result<u64> {
    let mut conn = admin::connect(db_url)?;
    conn.batch_execute(
        "truncate public.status_notifications;
         update public.peer_mentors set status = 'paused', pause_at = now();
         update public.peer_mentors set status = 'active', pause_at = null;",
    )?;
    conn.batch_execute("vacuum analyze public.status_notifications")?;
    let due = crate::sql::int(
        &mut conn,
        "select count(*) as v from public.status_notifications where sent_at is null",
    )?;
    u64::try_from(due).context("a negative count")
}

/// W threads run `run_once` until the outbox is empty; every notification must reach the
/// notifier exactly once. Returns how many were delivered and how long it took.
fn deliver(db_url: &str, workers: u32, batch: u32, expected: u64) -> Result<(u64, Duration)> {
    let pool = PoolConfig {
        max_size: workers,
        ..PoolConfig::default()
    }
    .build(db_url)?;
    let service = CoordinatorNotificationService::new(pool);
    let notifier = CountingNotifier::default();
    let started = Instant::now();
    std::thread::scope(|scope| -> Result<()> {
        let handles: Vec<_> = (0..workers)
            .map(|w| {
                let (service, notifier) = (&service, &notifier);
                scope.spawn(move || -> Result<()> {
                    let worker = WorkerId::new(format!("bench-{w}"))?;
                    loop {
                        let summary = run_once(service, notifier, &worker, batch, Utc::now())?;
                        if summary.lost > 0 || summary.failed > 0 || summary.dead > 0 {
                            bail!("worker {w}: {summary:?} (a no-op notifier must never fail)");
                        }
                        if summary.claimed == 0 {
                            return Ok(());
                        }
                    }
                })
            })
            .collect();
        for handle in handles {
            handle
                .join()
                .map_err(|_| anyhow::anyhow!("a worker thread panicked"))??;
        }
        Ok(())
    })?;
    let took = started.elapsed();
    let seen = notifier
        .seen
        .into_inner()
        .map_err(|_| anyhow::anyhow!("the counting notifier's lock is poisoned"))?;
    let delivered: u64 = seen.values().map(|&n| u64::from(n)).sum();
    let repeated = seen.values().filter(|&&n| n != 1).count();
    if repeated > 0 || delivered != expected || seen.len() as u64 != expected {
        bail!(
            "exactly once violated: {expected} notifications, {} distinct delivered, {delivered} deliveries, {repeated} repeated",
            seen.len()
        );
    }
    println!("    exactly once: {expected} notifications, each delivered once");
    Ok((delivered, took))
}

/// The claim of `claim_batch` (without the dead-letter branch: nothing here dies) and the
/// marking of what was claimed, as one transaction per batch; each client is one worker.
fn pgbench_script(batch: u32) -> String {
    format!(
        "BEGIN;
WITH picked AS (
  SELECT s.id FROM public.status_notifications AS s
   WHERE s.sent_at IS NULL AND s.dead_at IS NULL AND s.next_attempt_at <= now()
   ORDER BY s.next_attempt_at, s.id LIMIT {batch} FOR UPDATE SKIP LOCKED)
UPDATE public.status_notifications AS s
   SET attempts = s.attempts + 1, claimed_at = now(), claimed_by = 'pgbench-' || :client_id,
       next_attempt_at = now() + interval '5 minutes'
  FROM picked WHERE s.id = picked.id;
UPDATE public.status_notifications AS s SET sent_at = now()
 WHERE s.claimed_by = 'pgbench-' || :client_id AND s.sent_at IS NULL AND s.dead_at IS NULL;
END;
"
    )
}

/// Notifications pgbench marked sent per second: each client runs `transactions` batches
/// (together enough to empty the outbox); the rate is the rows marked over pgbench's own
/// measured time (its `tps` line, without connection set-up).
fn pgbench_rate(
    pgbench: &Path,
    script: &Path,
    db_url: &str,
    clients: u32,
    transactions: u64,
) -> Result<f64> {
    let tps = super::pgbench_tps(
        pgbench,
        script,
        db_url,
        clients,
        &super::PgbenchRun::Transactions(transactions),
    )?;
    let seconds = (transactions * u64::from(clients)) as f64 / tps;
    let mut conn = admin::connect(db_url)?;
    let sent = crate::sql::int(
        &mut conn,
        "select count(*) as v from public.status_notifications where sent_at is not null",
    )?;
    Ok(sent as f64 / seconds)
}

#[rustfmt::skip]
const COLUMNS: &[Column] = &[
    Both("workers", "workers"), Both("notifications", "notifications"),
    Both("service /s", "service_per_s"), Both("pgbench /s", "pgbench_per_s"), Both("ratio", "ratio"),
    Csv("cpus"),
];

fn report(root: &Path, rows: &[Row], layout: &str) -> Result<()> {
    let mut table = Table::new(COLUMNS);
    for r in rows {
        #[rustfmt::skip]
        let cells = vec![
            Count(r.workers.into()), Count(r.notifications), Rate(r.service), Rate(r.pgbench),
            Ratio(r.service / r.pgbench), Text { csv: layout.to_owned(), shown: String::new() },
        ];
        table.row(cells);
    }
    println!("\n{}", table.text());
    let series = vec![
        Series {
            name: "CoordinatorNotificationService (run_once, no-op notifier)".into(),
            points: rows
                .iter()
                .map(|r| (f64::from(r.workers), r.service))
                .collect(),
        },
        Series {
            name: "pgbench -M prepared: the same claim, then mark sent".into(),
            points: rows
                .iter()
                .map(|r| (f64::from(r.workers), r.pgbench))
                .collect(),
        },
    ];
    let svg = line_chart(
        &format!("Notifications delivered per second (CPUs: {layout})"),
        "workers",
        "notifications / s",
        &series,
        &[],
    );
    super::write_outputs(root, "notify", &table.csv(), &svg)
}
