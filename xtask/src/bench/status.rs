//! `bench status`: status changes per second through `MentorStatusRepository` (r2d2 pool,
//! domain rules, compare-and-set), against `pgbench` running the same SQL, in the same run on
//! the same database.
//!
//! Each client owns one mentor and toggles it: pause (reason `vacation`) then resume. Both
//! sides do per change what the repository does: one transaction that sets the actor for the
//! audit trigger, reads the mentor with its protected reason, its active chapters and the
//! actor's coordinated chapters in one query, and writes with a compare-and-set
//! `UPDATE … RETURNING`. The reason, audit and outbox triggers fire on both sides.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command as Process;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use diesel::connection::SimpleConnection;
use mentor_status_domain::{Actor, Command, PauseReason, ReasonCode};
use mentor_status_localdb::{admin, platform, url};
use mentor_status_storage::migrations::Migrator;
use mentor_status_storage::{MentorId, MentorStatusRepository, PoolConfig};

use super::chart::{Series, line_chart};

#[derive(clap::Args)]
pub struct Args {
    /// Client counts (threads with pool connections / pgbench clients), comma-separated
    #[arg(long, value_delimiter = ',', default_value = "1,4,16")]
    clients: Vec<u32>,
    /// Seconds per measurement
    #[arg(long, default_value_t = 10)]
    seconds: u64,
}

const DATABASE: &str = "bench_status";

/// Mentor n (0-based, pgbench's `:client_id`) has id `00000000-0000-4000-8000-<n, 12 digits>`.
fn mentor_uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

const MENTOR_ID_SQL: &str = "('00000000-0000-4000-8000-' || lpad(:client_id::text, 12, '0'))::uuid";

fn pgbench_script() -> String {
    format!(
        "BEGIN;
SELECT set_config('mentor_status.actor_id', '', true), set_config('mentor_status.actor_role', 'service_role', true);
SELECT (m.status = 'active')::int AS is_active, coalesce((extract(epoch from m.pause_at) * 1000000)::bigint, -1) AS pa, r.reason, array(SELECT cm.chapter_id FROM public.chapter_memberships AS cm WHERE cm.mentor_id = m.id AND cm.active ORDER BY cm.chapter_id) AS mentor_chapters, array(SELECT cc.chapter_id FROM public.chapter_coordinators AS cc WHERE cc.user_id = NULL AND cc.active ORDER BY cc.chapter_id) AS actor_chapters FROM public.peer_mentors AS m LEFT JOIN private.mentor_pause_reasons AS r ON r.mentor_id = m.id WHERE m.id = {MENTOR_ID_SQL} \\gset
\\if :is_active
UPDATE public.peer_mentors AS m SET status = 'paused', pause_at = now(), pause_reason = 'vacation' WHERE m.id = {MENTOR_ID_SQL} AND m.status = 'active' AND m.pause_at IS NULL AND (SELECT r.reason FROM private.mentor_pause_reasons AS r WHERE r.mentor_id = m.id) IS NULL RETURNING m.id;
\\else
UPDATE public.peer_mentors AS m SET status = 'active', pause_at = NULL, pause_reason = NULL WHERE m.id = {MENTOR_ID_SQL} AND m.status = 'paused' AND (extract(epoch from m.pause_at) * 1000000)::bigint = :pa AND (SELECT r.reason FROM private.mentor_pause_reasons AS r WHERE r.mentor_id = m.id) = 'vacation' RETURNING m.id;
\\endif
END;
"
    )
}

struct Row {
    clients: u32,
    repository: f64,
    /// `pgbench -M extended`: like diesel, the extended protocol; every statement parsed
    /// each time (diesel caches its SELECTs but never UPDATEs or `sql_query`).
    pgbench: f64,
    /// `pgbench -M prepared`: every statement prepared once, a stricter reference.
    pgbench_prepared: f64,
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    if args.clients.is_empty() || args.clients.contains(&0) || args.seconds == 0 {
        bail!(
            "--clients takes positive counts and --seconds a positive number, e.g. --clients 1,4 --seconds 5"
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
        || prepare(&server, &db_url, max_clients),
    )?;
    let script = crate::db::target_dir(root)
        .join("bench")
        .join("status.pgbench");
    std::fs::create_dir_all(script.parent().context("script has a folder")?)?;
    std::fs::write(&script, pgbench_script())?;

    let mut rows = Vec::new();
    for &clients in &args.clients {
        let repository = crate::step(
            &format!(
                "{clients} client(s): MentorStatusRepository, {} s",
                args.seconds
            ),
            || {
                reset_statuses(&db_url)?;
                repository_rate(&db_url, clients, Duration::from_secs(args.seconds))
            },
        )?;
        let mut rates = Vec::new();
        for mode in ["extended", "prepared"] {
            rates.push(crate::step(
                &format!("{clients} client(s): pgbench -M {mode}, {} s", args.seconds),
                || {
                    reset_statuses(&db_url)?;
                    pgbench_rate(&pgbench, mode, &script, &db_url, clients, args.seconds)
                },
            )?);
        }
        let (pgbench_rate, pgbench_prepared) = (rates[0], rates[1]);
        println!(
            "    repository {repository:.0}/s, pgbench {pgbench_rate:.0}/s (prepared {pgbench_prepared:.0}/s), ratio {:.2}",
            repository / pgbench_rate
        );
        rows.push(Row {
            clients,
            repository,
            pgbench: pgbench_rate,
            pgbench_prepared,
        });
    }
    let mut admin_conn = admin::connect(&admin::maintenance_url(&server))?;
    admin::drop_database(&mut admin_conn, DATABASE)?;
    report(root, &rows)
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

fn prepare(server: &str, db_url: &str, mentors: u32) -> Result<()> {
    let mut admin_conn = admin::connect(&admin::maintenance_url(server))?;
    admin::drop_database(&mut admin_conn, DATABASE)?;
    admin::create_database(&mut admin_conn, DATABASE, None)?;
    platform::apply_to(db_url)?;
    let mut conn = admin::connect(db_url)?;
    Migrator::new(&mut conn).up(None)?;
    conn.batch_execute(&format!(
        "insert into public.chapters (id, name) values ('c0000000-0000-4000-8000-000000000001', 'Bench');
         insert into auth.users (id, email) values ('a0000000-0000-4000-8000-000000000001', 'coordinator@example.org');
         insert into public.chapter_coordinators (user_id, chapter_id) values ('a0000000-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000001');
         insert into auth.users (id, email)
           select ('00000000-0000-4000-9000-' || lpad(n::text, 12, '0'))::uuid, 'bench' || n || '@example.org' from generate_series(0, {last}) n;
         insert into public.peer_mentors (id, user_id, full_name, email)
           select ('00000000-0000-4000-8000-' || lpad(n::text, 12, '0'))::uuid, ('00000000-0000-4000-9000-' || lpad(n::text, 12, '0'))::uuid,
                  'Bench Mentor ' || n, 'bench' || n || '@example.org'
             from generate_series(0, {last}) n;
         insert into public.chapter_memberships (mentor_id, chapter_id)
           select id, 'c0000000-0000-4000-8000-000000000001' from public.peer_mentors;",
        last = mentors - 1
    ))?;
    Ok(())
}

fn reset_statuses(db_url: &str) -> Result<()> {
    let mut conn = admin::connect(db_url)?;
    conn.batch_execute("update public.peer_mentors set status = 'active', pause_at = null, pause_reason = null where status <> 'active'")?;
    Ok(())
}

fn repository_rate(db_url: &str, clients: u32, duration: Duration) -> Result<f64> {
    let pool = PoolConfig {
        max_size: clients,
        ..PoolConfig::default()
    }
    .build(db_url)?;
    let repository = Arc::new(MentorStatusRepository::new(pool));
    let started = Instant::now();
    let deadline = started + duration;
    let workers: Vec<_> = (0..clients)
        .map(|n| {
            let repository = Arc::clone(&repository);
            std::thread::spawn(move || -> Result<u64> {
                let mentor = MentorId::new(mentor_uuid(n).parse()?);
                let mut paused = false;
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
    let mut total = 0;
    for worker in workers {
        total += worker
            .join()
            .map_err(|_| anyhow::anyhow!("a benchmark client panicked"))??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

fn pgbench_rate(
    pgbench: &Path,
    mode: &str,
    script: &Path,
    db_url: &str,
    clients: u32,
    seconds: u64,
) -> Result<f64> {
    let out = Process::new(pgbench)
        .args([
            "-n",
            "-M",
            mode,
            "-c",
            &clients.to_string(),
            "-j",
            &clients.min(8).to_string(),
            "-T",
            &seconds.to_string(),
            "-f",
        ])
        .arg(script)
        .arg(db_url)
        .output()
        .context("running pgbench")?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "pgbench failed: {}{}",
            String::from_utf8_lossy(&out.stderr).trim(),
            stdout.trim()
        );
    }
    let failed = stdout
        .lines()
        .find(|l| l.starts_with("number of failed transactions"))
        .unwrap_or("");
    if !failed.is_empty() && !failed.contains(": 0 ") {
        bail!("pgbench reported failures: {failed}");
    }
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("tps = "))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no `tps = …` line in pgbench's output:\n{stdout}"))
}

fn report(root: &Path, rows: &[Row]) -> Result<()> {
    let mut table = format!(
        "{:>8} {:>15} {:>19} {:>7} {:>19} {:>7}\n",
        "clients", "repository /s", "pgbench extended /s", "ratio", "pgbench prepared /s", "ratio"
    );
    let mut csv = String::from(
        "clients,repository_per_s,pgbench_extended_per_s,ratio,pgbench_prepared_per_s,ratio_prepared\n",
    );
    for r in rows {
        let ratio = r.repository / r.pgbench;
        let ratio_prepared = r.repository / r.pgbench_prepared;
        let _ = writeln!(
            table,
            "{:>8} {:>15.0} {:>19.0} {:>7.2} {:>19.0} {:>7.2}   target ≥ 0.85 vs extended: {}",
            r.clients,
            r.repository,
            r.pgbench,
            ratio,
            r.pgbench_prepared,
            ratio_prepared,
            if ratio >= 0.85 { "met" } else { "MISSED" }
        );
        let _ = writeln!(
            csv,
            "{},{:.1},{:.1},{:.3},{:.1},{:.3}",
            r.clients, r.repository, r.pgbench, ratio, r.pgbench_prepared, ratio_prepared
        );
    }
    println!("\n{table}");
    let dir = crate::db::target_dir(root).join("bench");
    std::fs::write(dir.join("status.csv"), csv)?;
    let series = vec![
        Series {
            name: "MentorStatusRepository".into(),
            points: rows
                .iter()
                .map(|r| (f64::from(r.clients), r.repository))
                .collect(),
        },
        Series {
            name: "pgbench -M extended".into(),
            points: rows
                .iter()
                .map(|r| (f64::from(r.clients), r.pgbench))
                .collect(),
        },
        Series {
            name: "pgbench -M prepared".into(),
            points: rows
                .iter()
                .map(|r| (f64::from(r.clients), r.pgbench_prepared))
                .collect(),
        },
    ];
    std::fs::write(
        dir.join("status.svg"),
        line_chart(
            "Status changes per second",
            "clients",
            "changes / s",
            &series,
            &[],
        ),
    )?;
    println!(
        "wrote {} and {}",
        dir.join("status.csv").display(),
        dir.join("status.svg").display()
    );
    Ok(())
}
