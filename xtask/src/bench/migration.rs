//! `bench migration`: how long does each way of adding the status columns block the table?
//!
//! For each size N: a pre-migration database with N mentors (users, chapters, memberships) is
//! built once, then cloned per strategy. While a strategy runs, a probe on another connection
//! (`mentor_status_localdb::probe`) loops `SELECT` + `UPDATE` of mentors by primary key and
//! timestamps every iteration; the longest iteration is how long the application was blocked.
//!
//! - `ours`: the project's migrations (v1: type + columns + NOT VALID checks; v2: VALIDATE).
//! - `one-alter`: one ALTER adding the columns with validated CHECKs (scans under ACCESS EXCLUSIVE).
//! - `backfill`: nullable column, UPDATE backfill, SET NOT NULL, validated CHECKs (textbook-bad).
//! - `protect`: the pause-reason protection of issue 10 (`protect_pause_reasons` and
//!   `move_pause_reasons`), measured on a copy first migrated (unmeasured) to just before it,
//!   with 1% of the mentors paused with a reason, so the move has rows to move.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_localdb::probe::{self, Probe, ProbeSample};
use mentor_status_localdb::{admin, platform, url};
use mentor_status_storage::fixtures::legacy_mentors_sql;
use mentor_status_storage::migrations::{Migrations, Migrator};
use mentor_status_tests::naive;

use super::Progress;
use super::chart::{Series, Target, line_chart};
use super::table::Cell::{Bytes, Count, Flag, Ms, Text};
use super::table::Column::{Both, Csv};
use super::table::{Column, Table};

#[derive(clap::Args)]
pub struct Args {
    /// Table sizes (mentor rows), comma-separated
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10000,100000,1000000,5000000"
    )]
    rows: Vec<u64>,
}

const CHAPTERS: u64 = 50;

/// The epic's targets are for a large table: from this size on, ours must block the probe at
/// most [`TARGET_BLOCK_MS`] and [`TARGET_RATIO`]× less than one ALTER. Below it the scans are
/// too short to tell strategies apart from the machine's noise, so no verdict is given.
const TARGET_MIN_ROWS: u64 = 1_000_000;
const TARGET_BLOCK_MS: f64 = 10.0;
const TARGET_RATIO: f64 = 50.0;
const IDLE_WINDOW: Duration = Duration::from_millis(300);
const BATCH: u64 = 250_000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Strategy {
    Ours,
    OneAlter,
    Backfill,
    Protect,
}

impl Strategy {
    const ALL: [Self; 4] = [Self::Ours, Self::OneAlter, Self::Backfill, Self::Protect];

    fn name(self) -> &'static str {
        match self {
            Self::Ours => "ours (v1 + v2)",
            Self::OneAlter => "one ALTER, validated CHECKs",
            Self::Backfill => "nullable + UPDATE backfill + SET NOT NULL",
            Self::Protect => "protect pause reasons (issue 10)",
        }
    }

    fn key(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::OneAlter => "one_alter",
            Self::Backfill => "backfill",
            Self::Protect => "protect",
        }
    }
}

struct Measurement {
    rows: u64,
    strategy: Strategy,
    total: Duration,
    max_stall: Duration,
    idle_max: Duration,
    probe_iterations: usize,
    probe_errors: Vec<String>,
    rewritten: bool,
    table_bytes: i64,
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    if args.rows.is_empty() || args.rows.contains(&0) {
        bail!("--rows takes positive sizes, e.g. --rows 10000,100000");
    }
    let server = crate::db::database_url(root)?;
    println!("server: {}", url::redact(&server));
    let migrations = Migrations::embedded();
    let (before_v1, v2) = versions(&migrations)?;
    let protect = protect_versions(&migrations)?;
    let mut results = Vec::new();
    for &rows in &args.rows {
        let base = format!("bench_base_{rows}");
        crate::step(
            &format!("build a pre-migration database with {rows} mentors"),
            || build_base(&server, &base, rows, &before_v1),
        )?;
        for strategy in Strategy::ALL {
            let m = crate::step(&format!("{rows} rows: {}", strategy.name()), || {
                measure(&server, &base, rows, strategy, &v2, &protect)
            })?;
            println!(
                "    probe blocked at most {:.1} ms over {} iterations; total {:.1} ms",
                ms(m.max_stall),
                m.probe_iterations,
                ms(m.total)
            );
            results.push(m);
        }
        let mut admin_conn = admin::connect(&admin::maintenance_url(&server))?;
        admin::drop_database(&mut admin_conn, &base)?;
    }
    report(root, &results)?;
    for line in protection_verdicts(&results) {
        println!("{line}");
    }
    Ok(())
}

/// Per size: how long the pause-reason protection blocked the probe beside the status
/// migration in the same run (issue 10: no longer), with both noise floors.
fn protection_verdicts(results: &[Measurement]) -> Vec<String> {
    let mut sizes: Vec<u64> = results.iter().map(|m| m.rows).collect();
    sizes.sort_unstable();
    sizes.dedup();
    sizes
        .into_iter()
        .filter_map(|rows| {
            let at = |s: Strategy| results.iter().find(|m| m.rows == rows && m.strategy == s);
            let (ours, protect) = (at(Strategy::Ours)?, at(Strategy::Protect)?);
            Some(format!(
                "at {rows} rows: the pause-reason protection blocked the probe {:.1} ms (idle floor {:.1} ms), the status migration {:.1} ms (idle floor {:.1} ms): {}",
                ms(protect.max_stall),
                ms(protect.idle_max),
                ms(ours.max_stall),
                ms(ours.idle_max),
                if protect.max_stall <= ours.max_stall {
                    "no longer"
                } else {
                    "longer"
                }
            ))
        })
        .collect()
}

/// (the version before `add_mentor_status`, the version of its `validate_…` file).
fn versions(migrations: &Migrations) -> Result<(String, String)> {
    let status = migrations.status_migration()?;
    Ok((
        status.before.version().to_owned(),
        status.validate.version().to_owned(),
    ))
}

/// (the version before `protect_pause_reasons`, the version of `move_pause_reasons`).
fn protect_versions(migrations: &Migrations) -> Result<(String, String)> {
    let [before, _, moved] =
        migrations.around("protect_pause_reasons", "move_pause_reasons", |name| {
            name == "move_pause_reasons"
        })?;
    Ok((before.version().to_owned(), moved.version().to_owned()))
}

fn build_base(server: &str, base: &str, rows: u64, before_v1: &str) -> Result<()> {
    let mut admin_conn = admin::connect(&admin::maintenance_url(server))?;
    admin::drop_database(&mut admin_conn, base)?;
    admin::create_database(&mut admin_conn, base, None)?;
    platform::apply_to(&url::with_database(server, base))?;
    let mut conn = admin::connect(&url::with_database(server, base))?;
    Migrator::new(&mut conn).up(Some(before_v1))?;
    conn.batch_execute(&format!(
        "insert into public.chapters (name) select 'Chapter ' || lpad(i::text, 3, '0') from generate_series(1, {CHAPTERS}) i"
    ))?;
    let progress = Progress::new("mentors", rows);
    let mut done = 0;
    while done < rows {
        let hi = (done + BATCH).min(rows);
        conn.batch_execute(&legacy_mentors_sql(done + 1, hi))?;
        done = hi;
        progress.show(done);
    }
    progress.finish();
    crate::step(
        "memberships (30% of mentors in two chapters) and VACUUM ANALYZE",
        || {
            conn.batch_execute(&format!(
            "with c as (select array_agg(id order by name) as ids from public.chapters)
             insert into public.chapter_memberships (mentor_id, chapter_id)
             select m.id, c.ids[1 + abs(hashtext(m.email)) % {CHAPTERS}] from public.peer_mentors m, c;
             with c as (select array_agg(id order by name) as ids from public.chapters)
             insert into public.chapter_memberships (mentor_id, chapter_id, active)
             select m.id, c.ids[1 + (abs(hashtext(m.email)) + 1) % {CHAPTERS}], abs(hashtext(m.full_name)) % 5 <> 0
               from public.peer_mentors m, c where abs(hashtext(m.email)) % 10 < 3;"
        ))?;
            // Its own statement: VACUUM refuses to run inside the implicit transaction of a batch.
            conn.batch_execute(
                "vacuum (analyze) public.peer_mentors, public.chapter_memberships, auth.users",
            )?;
            Ok(())
        },
    )
}

fn measure(
    server: &str,
    base: &str,
    rows: u64,
    strategy: Strategy,
    v2: &str,
    (before_protect, moved): &(String, String),
) -> Result<Measurement> {
    let copy = format!("bench_{}_{rows}", strategy.key());
    let mut admin_conn = admin::connect(&admin::maintenance_url(server))?;
    admin::drop_database(&mut admin_conn, &copy)?;
    // FILE_COPY: a plain file copy; the default WAL_LOG strategy logs every block of a big copy.
    admin_conn.batch_execute(&format!(
        "create database {} template {} strategy = file_copy",
        admin::quote_ident(&copy),
        admin::quote_ident(base)
    ))?;
    let copy_url = url::with_database(server, &copy);
    let mut conn = admin::connect(&copy_url)?;
    if strategy == Strategy::Protect {
        // Not measured: the schema just before the protection, 1% of mentors paused with a
        // reason (by the owner, as maintenance), statistics fresh.
        Migrator::new(&mut conn).up(Some(before_protect))?;
        conn.batch_execute(
            "update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'vacation'
              where abs(hashtext(email)) % 100 = 0",
        )?;
        conn.batch_execute("vacuum (analyze) public.peer_mentors")?;
    }
    let relfilenode_before = crate::sql::text(&mut conn, RELFILENODE)?;

    let targets: Vec<probe::ProbeTarget> = probe::targets(&mut conn, "public")?
        .into_iter()
        .filter(|t| t.table == "public.peer_mentors")
        .collect();
    if targets.is_empty() {
        bail!("the bench table is empty");
    }
    let running = Probe::start(&copy_url, targets)?;
    // Let the probe run alone first: its longest iteration then is the noise floor (other
    // processes on the machine), to read the stalls against.
    let idle_from = Instant::now();
    std::thread::sleep(IDLE_WINDOW);
    let started = Instant::now();
    let outcome = match strategy {
        Strategy::Ours => Migrator::new(&mut conn)
            .up(Some(v2))
            .map(|_| ())
            .map_err(anyhow::Error::from),
        Strategy::OneAlter => conn
            .transaction(|c| c.batch_execute(&naive::one_alter()))
            .map_err(anyhow::Error::from),
        Strategy::Backfill => conn
            .transaction(|c| c.batch_execute(&naive::backfill()))
            .map_err(anyhow::Error::from),
        Strategy::Protect => Migrator::new(&mut conn)
            .up(Some(moved))
            .map(|_| ())
            .map_err(anyhow::Error::from),
    };
    let finished = Instant::now();
    let samples = running.finish()?;
    outcome.with_context(|| format!("strategy {}", strategy.name()))?;

    // Every probe iteration that overlapped the migration counts, with its full duration.
    let during: Vec<&ProbeSample> = samples
        .iter()
        .filter(|s| s.overlaps(started, finished))
        .collect();
    let max_stall = during.iter().map(|s| s.took).max().unwrap_or_default();
    let idle_max = probe::longest_within(&samples, idle_from, started);
    let probe_errors = during.iter().filter_map(|s| s.error.clone()).collect();
    let rewritten = crate::sql::text(&mut conn, RELFILENODE)? != relfilenode_before;
    let table_bytes = crate::sql::int(
        &mut conn,
        "select pg_total_relation_size('public.peer_mentors') as v",
    )?;
    drop(conn);
    admin::drop_database(&mut admin_conn, &copy)?;
    Ok(Measurement {
        rows,
        strategy,
        total: finished - started,
        max_stall,
        idle_max,
        probe_iterations: during.len(),
        probe_errors,
        rewritten,
        table_bytes,
    })
}

const RELFILENODE: &str =
    "select relfilenode::text as v from pg_class where oid = 'public.peer_mentors'::regclass";

/// One line per size: how ours compares with one ALTER, in the direction the numbers say, and
/// the targets' verdict where they apply.
fn verdicts(results: &[Measurement]) -> Vec<String> {
    let mut sizes: Vec<u64> = results.iter().map(|m| m.rows).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut lines = Vec::new();
    for rows in sizes {
        let at = |s: Strategy| results.iter().find(|m| m.rows == rows && m.strategy == s);
        let (Some(ours), Some(one_alter)) = (at(Strategy::Ours), at(Strategy::OneAlter)) else {
            continue;
        };
        let (ours_ms, one_ms) = (ms(ours.max_stall), ms(one_alter.max_stall));
        let comparison = if ours_ms < one_ms {
            format!(
                "{:.1}× less than one ALTER ({one_ms:.1} ms)",
                one_ms / ours_ms.max(0.001)
            )
        } else {
            format!(
                "{:.1}× more than one ALTER ({one_ms:.1} ms)",
                ours_ms / one_ms.max(0.001)
            )
        };
        let verdict = if rows >= TARGET_MIN_ROWS {
            let met = |ok: bool| if ok { "met" } else { "MISSED" };
            format!(
                "target ≤ {TARGET_BLOCK_MS} ms: {}; target ≥ {TARGET_RATIO}× less: {}",
                met(ours_ms <= TARGET_BLOCK_MS),
                met(ours_ms < one_ms && one_ms / ours_ms.max(0.001) >= TARGET_RATIO)
            )
        } else {
            format!("no verdict: the targets apply from {TARGET_MIN_ROWS} rows")
        };
        lines.push(format!(
            "at {rows} rows: ours blocked the probe {ours_ms:.1} ms (idle floor {:.1} ms), {comparison}; {verdict}",
            ms(ours.idle_max)
        ));
    }
    lines
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[rustfmt::skip]
const COLUMNS: &[Column] = &[
    Both("rows", "rows"), Both("strategy", "strategy"),
    Both("probe blocked", "probe_max_blocked_ms"), Both("probe idle", "probe_idle_max_ms"),
    Both("total", "total_ms"), Csv("probe_iterations"), Both("rewrite", "rewritten"),
    Both("table size", "table_bytes"), Both("errors", "probe_errors"),
];

fn report(root: &Path, results: &[Measurement]) -> Result<()> {
    let mut table = Table::new(COLUMNS);
    for m in results {
        let strategy = Text {
            shown: m.strategy.name().to_owned(),
            csv: m.strategy.key().to_owned(),
        };
        let bytes = u64::try_from(m.table_bytes).unwrap_or_default();
        #[rustfmt::skip]
        let cells = vec![
            Count(m.rows), strategy, Ms(ms(m.max_stall)), Ms(ms(m.idle_max)), Ms(ms(m.total)),
            Count(m.probe_iterations as u64), Flag(m.rewritten), Bytes(bytes),
            Count(m.probe_errors.len() as u64),
        ];
        table.row(cells);
    }
    println!("\n{}", table.text());
    for m in results.iter().filter(|m| !m.probe_errors.is_empty()) {
        println!(
            "probe errors during {} at {} rows: {}",
            m.strategy.name(),
            m.rows,
            m.probe_errors[0]
        );
    }
    for line in verdicts(results) {
        println!("{line}");
    }
    let series: Vec<Series> = Strategy::ALL
        .iter()
        .map(|&s| Series {
            name: s.name().to_owned(),
            points: results
                .iter()
                .filter(|m| m.strategy == s)
                .map(|m| (m.rows as f64, ms(m.max_stall).max(0.01)))
                .collect(),
        })
        .collect();
    let svg = line_chart(
        "Longest probe stall during the migration",
        "mentor rows",
        "probe blocked (ms)",
        &series,
        &[Target {
            value: TARGET_BLOCK_MS,
            label: format!(
                "target: ours blocks ≤ {TARGET_BLOCK_MS} ms (from {} rows)",
                TARGET_MIN_ROWS
            ),
        }],
    );
    super::write_outputs(root, "migration", &table.csv(), &svg)
}
