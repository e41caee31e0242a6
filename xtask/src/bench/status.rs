//! `bench status`: status changes per second through `MentorStatusRepository` (r2d2 pool,
//! domain rules, compare-and-set), against `pgbench -M prepared` running the same SQL, and
//! through the RPCs as PostgREST calls them, in the same run on the same database.
//!
//! Each client owns one mentor and toggles it: pause (reason `vacation`) then resume. The
//! repository and its pgbench twin run per change the same two statements, each its own
//! transaction: one query that reads the mentor, its reason, its active chapters and the
//! actor's; the compare-and-set `UPDATE … RETURNING` that also sets the actor for the audit
//! trigger. The audit, reason and outbox triggers fire on every path. Each measurement runs
//! `--runs` times, interleaved (each run starts with another path), from the same database
//! state, and the median counts; the repository's clients warm up (a first change each, not
//! counted) before the clock starts, as pgbench's rate excludes its connection set-up.
//!
//! Beside the rates: the client's CPU per change (user + system) of the repository's
//! threads and of pgbench. Where clients and server share the cores (`--cpus shared`, 16
//! clients on 2 cores), what one client spends more is taken from the server, and this is
//! where the two paths differ; by default (`--cpus split`, [`super::cpus`]) the server has
//! CPUs of its own, as it has in production. The rest of a gap is run-to-run noise. The
//! verdict is on the ratio of the medians; each run's own ratio (its repository rate over its
//! pgbench rate) is shown beside it, so the spread is in plain sight.

use std::path::Path;
use std::process::Command as Process;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use diesel::connection::SimpleConnection;
use mentor_status_domain::{Actor, Command, PauseReason, ReasonCode};
use mentor_status_localdb::{admin, url};
use mentor_status_storage::actor_setting::set_actor_sql;
use mentor_status_storage::{MentorId, MentorStatusRepository, PoolConfig};

use super::CpuTimes;
use super::chart::{Series, line_chart};
use super::cpus::{self, Layout};
use super::table::Cell::{Count, Rate, Ratio, Text, Us};
use super::table::Column::{Both, Csv, Shown};
use super::table::{Column, Table};

#[derive(clap::Args)]
pub struct Args {
    /// Client counts (threads with pool connections / pgbench clients), comma-separated
    #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
    clients: Vec<u32>,
    /// Seconds per measurement
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Measurements per path and client count; the median counts
    #[arg(long, default_value_t = 3)]
    runs: u32,
    /// Where clients and server run: CPUs of their own (the local cluster only) or all shared
    #[arg(long, value_enum, default_value_t = Layout::Split)]
    cpus: Layout,
}

/// The repository must reach this share of `pgbench -M prepared` running the same SQL.
const TARGET_RATIO: f64 = 0.95;

const DATABASE: &str = "bench_status";

/// Mentor n (0-based, pgbench's `:client_id`) has id `00000000-0000-4000-8000-<n, 12 digits>`.
fn mentor_uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

const MENTOR_ID_SQL: &str = "('00000000-0000-4000-8000-' || lpad(:client_id::text, 12, '0'))::uuid";

fn pgbench_script() -> String {
    // The repository's two statements, each its own transaction: the read, then the
    // compare-and-set that says who acts in a materialized CTE.
    let actor = format!(
        "WITH actor AS MATERIALIZED ({}) ",
        set_actor_sql(&Actor::ServiceRole)
    );
    format!(
        "SELECT (m.status = 'active')::int AS is_active, coalesce((extract(epoch from m.pause_at) * 1000000)::bigint, -1) AS pa, r.reason, array(SELECT cm.chapter_id FROM public.chapter_memberships AS cm WHERE cm.mentor_id = m.id AND cm.active ORDER BY cm.chapter_id) AS mentor_chapters, array(SELECT cc.chapter_id FROM public.chapter_coordinators AS cc WHERE cc.user_id = NULL AND cc.active ORDER BY cc.chapter_id) AS actor_chapters FROM public.peer_mentors AS m LEFT JOIN private.mentor_pause_reasons AS r ON r.mentor_id = m.id WHERE m.id = {MENTOR_ID_SQL} \\gset
\\if :is_active
{actor}UPDATE public.peer_mentors AS m SET status = 'paused', pause_at = now(), pause_reason = 'vacation' FROM actor WHERE m.id = {MENTOR_ID_SQL} AND m.status = 'active' AND m.pause_at IS NULL AND (SELECT r.reason FROM private.mentor_pause_reasons AS r WHERE r.mentor_id = m.id) IS NULL RETURNING m.id;
\\else
{actor}UPDATE public.peer_mentors AS m SET status = 'active', pause_at = NULL, pause_reason = NULL FROM actor WHERE m.id = {MENTOR_ID_SQL} AND m.status = 'paused' AND (extract(epoch from m.pause_at) * 1000000)::bigint = :pa AND (SELECT r.reason FROM private.mentor_pause_reasons AS r WHERE r.mentor_id = m.id) = 'vacation' RETURNING m.id;
\\endif
"
    )
}

/// The RPC path as PostgREST runs a request for a signed-in coordinator: BEGIN; one statement
/// with the role and the JWT claims; the client's read of the mentor it shows (through
/// row-level security); `pause_mentor` or `resume_mentor`; COMMIT.
fn rpc_script() -> String {
    format!(
        "BEGIN;
SELECT set_config('role', 'authenticated', true), set_config('request.jwt.claims', '{{\"sub\": \"{COORDINATOR}\", \"role\": \"authenticated\"}}', true), set_config('request.method', 'POST', true);
SELECT (m.status = 'active')::int AS is_active FROM public.peer_mentors AS m WHERE m.id = {MENTOR_ID_SQL} \\gset
\\if :is_active
SELECT * FROM public.pause_mentor({MENTOR_ID_SQL}, 'vacation');
\\else
SELECT * FROM public.resume_mentor({MENTOR_ID_SQL});
\\endif
END;
"
    )
}

/// The bench chapter's coordinator, who calls the RPCs.
const COORDINATOR: &str = "a0000000-0000-4000-8000-000000000001";

struct Row {
    clients: u32,
    /// Medians of `--runs` measurements, changes per second.
    repository: f64,
    pgbench_prepared: f64,
    rpc: f64,
    /// Medians of the client's CPU per change, µs (`None` without procfs).
    repository_client_us: Option<f64>,
    pgbench_client_us: Option<f64>,
    /// Each run's repository rate over the same run's pgbench rate, in run order: the
    /// spread behind the ratio of the medians.
    run_ratios: Vec<f64>,
}

/// One measurement of one path.
struct Measured {
    /// Changes per second.
    rate: f64,
    /// The client's CPU per change, µs.
    client_us: Option<f64>,
}

/// CPU per change in µs, from two readings (seconds) of one of `CpuTimes`' fields.
fn per_change_us(before: Option<f64>, after: Option<f64>, changes: f64) -> Option<f64> {
    let spent = after? - before?;
    (changes > 0.0).then(|| spent / changes * 1e6)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    if args.clients.is_empty() || args.clients.contains(&0) || args.seconds == 0 || args.runs == 0 {
        bail!(
            "--clients takes positive counts, --seconds and --runs positive numbers, e.g. --clients 1,4 --seconds 5 --runs 3"
        );
    }
    let pgbench = pgbench_binary(root)?;
    let server = crate::db::database_url(root)?;
    let db_url = url::with_database(&server, DATABASE);
    let max_clients = args.clients.iter().copied().max().unwrap_or(1);
    crate::step(
        &format!(
            "prepare {DATABASE} with {max_clients} mentor{}",
            if max_clients == 1 { "" } else { "s" }
        ),
        || super::prepare_one_chapter(&server, DATABASE, max_clients),
    )?;
    let dir = crate::db::target_dir(root).join("bench");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let script = dir.join("status.pgbench");
    std::fs::write(&script, pgbench_script())?;
    let rpc = dir.join("status-rpc.pgbench");
    std::fs::write(&rpc, rpc_script())?;

    let pinned = cpus::apply(args.cpus, crate::db::local_server(root)?.as_ref())?;
    println!("cpus: {pinned}");
    let mut rows = Vec::new();
    for &clients in &args.clients {
        // Medians per path: repository, pgbench prepared, RPC.
        let mut measured: [Vec<Measured>; 3] = [Vec::new(), Vec::new(), Vec::new()];
        for run in 1..=args.runs {
            let of = format!("run {run}/{}, {} s", args.runs, args.seconds);
            // Each run starts with another path (the order rotates), so a drift of the
            // machine over the runs does not always favour the same one.
            for path in (0..3).map(|p| (p + run as usize - 1) % 3) {
                let m = crate::step(
                    &format!("{clients} client(s): {}, {of}", PATHS[path]),
                    || {
                        fresh_start(&db_url)?;
                        match path {
                            0 => {
                                repository_rate(&db_url, clients, Duration::from_secs(args.seconds))
                            }
                            1 => pgbench_rate(&pgbench, &script, &db_url, clients, args.seconds),
                            _ => pgbench_rate(&pgbench, &rpc, &db_url, clients, args.seconds),
                        }
                    },
                )?;
                match m.client_us {
                    Some(us) => {
                        println!("    {:.0} changes/s, client CPU {us:.0} µs/change", m.rate)
                    }
                    None => println!("    {:.0} changes/s", m.rate),
                }
                measured[path].push(m);
            }
        }
        let rates = |path: usize| median(measured[path].iter().map(|m| m.rate).collect());
        let client = |path: usize| {
            let us: Vec<f64> = measured[path].iter().filter_map(|m| m.client_us).collect();
            (!us.is_empty()).then(|| median(us))
        };
        let row = Row {
            clients,
            repository: rates(0),
            pgbench_prepared: rates(1),
            rpc: rates(2),
            repository_client_us: client(0),
            pgbench_client_us: client(1),
            run_ratios: measured[0]
                .iter()
                .zip(&measured[1])
                .map(|(ours, theirs)| ours.rate / theirs.rate)
                .collect(),
        };
        println!(
            "    medians: repository {:.0}/s, pgbench prepared {:.0}/s (ratio {:.3}), RPC {:.0}/s",
            row.repository,
            row.pgbench_prepared,
            row.repository / row.pgbench_prepared,
            row.rpc
        );
        rows.push(row);
    }
    let layout = pinned.label().to_owned();
    drop(pinned);
    let mut admin_conn = admin::connect(&admin::maintenance_url(&server))?;
    admin::drop_database(&mut admin_conn, DATABASE)?;
    report(root, &rows, &layout)
}

pub(super) fn pgbench_binary(root: &Path) -> Result<std::path::PathBuf> {
    // pgbench ships with the client tools; prefer the one next to the server binaries.
    if let Ok(binaries) = crate::db::local_cluster(root).map(|c| c.binaries().tool("pgbench"))
        && binaries.is_file()
    {
        return Ok(binaries);
    }
    let found = Process::new("pgbench").arg("--version").output();
    match found {
        Ok(out) if out.status.success() => Ok("pgbench".into()),
        _ => bail!(
            "pgbench is not installed: it comes with PostgreSQL's client tools (Debian: postgresql-client-15)"
        ),
    }
}

/// The three paths a run measures, in the order of the rates it collects.
const PATHS: [&str; 3] = [
    "MentorStatusRepository",
    "pgbench -M prepared",
    "RPCs as PostgREST calls them (pgbench)",
];

/// Every measurement starts from the same database: every mentor active, an empty audit
/// trail and outbox (they grow by one row per change and per recipient, so a later run
/// would otherwise write into larger indexes than an earlier one), an empty reasons table
/// (each pause inserts a row and each resume deletes it: its heap grew from 49 to 404 pages
/// during one 16-client series, until autovacuum came by, so later runs read a larger table
/// than earlier ones). TRUNCATE leaves them unanalysed, so the planner keeps its index
/// plans; an ANALYZE of the empty tables would make the foreign-key checks scan them
/// sequentially while they grow during the run.
fn fresh_start(db_url: &str) -> Result<()> {
    let mut conn = admin::connect(db_url)?;
    // Two transactions: the audit rows the UPDATE writes have deferred trigger events,
    // which TRUNCATE refuses in the same transaction.
    conn.batch_execute(
        "update public.peer_mentors set status = 'active', pause_at = null, pause_reason = null where status <> 'active'",
    )?;
    conn.batch_execute(
        "truncate public.status_notifications, private.mentor_status_change_reasons, public.mentor_status_changes, private.mentor_pause_reasons",
    )?;
    Ok(())
}

fn repository_rate(db_url: &str, clients: u32, duration: Duration) -> Result<Measured> {
    let pool = PoolConfig {
        max_size: clients,
        ..PoolConfig::default()
    }
    .build(db_url)?;
    let repository = Arc::new(MentorStatusRepository::new(pool));
    // Every client makes one change first (its pool connection opened, its statements
    // prepared), then all start together; the clock runs from there.
    let ready = Arc::new(std::sync::Barrier::new(clients as usize + 1));
    let start = Arc::new(std::sync::OnceLock::<Instant>::new());
    let workers: Vec<_> = (0..clients)
        .map(|n| {
            let repository = Arc::clone(&repository);
            let (ready, start) = (Arc::clone(&ready), Arc::clone(&start));
            std::thread::spawn(move || -> Result<u64> {
                let mentor = MentorId::new(mentor_uuid(n).parse()?);
                let warm_up = repository.change_status(
                    &Actor::ServiceRole,
                    mentor,
                    Command::Pause {
                        reason: Some(PauseReason::Code(ReasonCode::Vacation)),
                    },
                    chrono::Utc::now(),
                );
                ready.wait();
                warm_up?;
                let deadline = *start.get_or_init(Instant::now) + duration;
                let mut paused = true;
                let mut changes = 0;
                while Instant::now() < deadline {
                    let command = if paused {
                        Command::Resume
                    } else {
                        Command::Pause {
                            reason: Some(PauseReason::Code(ReasonCode::Vacation)),
                        }
                    };
                    repository.change_status(
                        &Actor::ServiceRole,
                        mentor,
                        command,
                        chrono::Utc::now(),
                    )?;
                    paused = !paused;
                    changes += 1;
                }
                Ok(changes)
            })
        })
        .collect();
    ready.wait();
    let started = *start.get_or_init(Instant::now);
    // From here on this process does nothing but the clients' changes (this thread waits).
    let cpu_before = CpuTimes::now().map(|t| t.own);
    let mut total = 0;
    for worker in workers {
        total += worker
            .join()
            .map_err(|_| anyhow::anyhow!("a benchmark client panicked"))??;
    }
    let elapsed = started.elapsed().as_secs_f64();
    Ok(Measured {
        rate: total as f64 / elapsed,
        client_us: per_change_us(cpu_before, CpuTimes::now().map(|t| t.own), total as f64),
    })
}

fn pgbench_rate(
    pgbench: &Path,
    script: &Path,
    db_url: &str,
    clients: u32,
    seconds: u64,
) -> Result<Measured> {
    // pgbench's CPU includes its connection set-up, which its rate leaves out: a few ms.
    let cpu_before = CpuTimes::now().map(|t| t.children);
    let run = super::PgbenchRun::Seconds(seconds);
    let rate = super::pgbench_tps(pgbench, script, db_url, clients, &run)?;
    let changes = rate * seconds as f64;
    Ok(Measured {
        rate,
        client_us: per_change_us(cpu_before, CpuTimes::now().map(|t| t.children), changes),
    })
}

#[rustfmt::skip]
const COLUMNS: &[Column] = &[
    Both("clients", "clients"), Both("repository /s", "repository_per_s"),
    Both("pgbench prepared /s", "pgbench_prepared_per_s"), Both("ratio", "ratio"),
    Both("RPC (pgbench)", "rpc_per_s"),
    Both("repository client CPU", "repository_client_us_per_change"),
    Both("pgbench client CPU", "pgbench_client_us_per_change"),
    Both("ratio per run", "run_ratios"), Shown(""), Csv("cpus"),
];

fn report(root: &Path, rows: &[Row], layout: &str) -> Result<()> {
    let mut table = Table::new(COLUMNS);
    for r in rows {
        let ratio = r.repository / r.pgbench_prepared;
        let met = if ratio >= TARGET_RATIO {
            "met"
        } else {
            "MISSED"
        };
        let verdict = format!("target ≥ {TARGET_RATIO} of prepared: {met}");
        let runs = |separator: &str| {
            let each: Vec<String> = r.run_ratios.iter().map(|v| format!("{v:.3}")).collect();
            each.join(separator)
        };
        #[rustfmt::skip]
        let cells = vec![
            Count(r.clients.into()), Rate(r.repository), Rate(r.pgbench_prepared), Ratio(ratio),
            Rate(r.rpc), Us(r.repository_client_us), Us(r.pgbench_client_us),
            Text { csv: runs(";"), shown: runs(" ") },
            Text { csv: verdict.clone(), shown: verdict },
            Text { csv: layout.to_owned(), shown: String::new() },
        ];
        table.row(cells);
    }
    println!("\n{}", table.text());
    let series = |name: &str, value: fn(&Row) -> f64| Series {
        name: name.to_owned(),
        points: rows
            .iter()
            .map(|r| (f64::from(r.clients), value(r)))
            .collect(),
    };
    let svg = line_chart(
        &format!("Status changes per second (medians; CPUs: {layout})"),
        "clients",
        "changes / s",
        &[
            series("MentorStatusRepository", |r| r.repository),
            series("pgbench -M prepared, the same SQL", |r| r.pgbench_prepared),
            series("RPCs as PostgREST calls them (pgbench -M prepared)", |r| {
                r.rpc
            }),
        ],
        &[],
    );
    super::write_outputs(root, "status", &table.csv(), &svg)
}
