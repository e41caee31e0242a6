//! The rehearsal itself: copy, plan, apply under the probe and the sampler, roll back, compare,
//! apply again, clean up.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::locks::{self, Sampler};
use super::report::{Check, FileReport, Rehearsal};
use super::{Event, FileStatus, History, Options, RehearsalError, Runner, copy};
use crate::fingerprint::{diff, fingerprint};
use crate::probe::{self, Probe};
use crate::query::int;
use crate::{admin, url};
use mentor_status_storage::Context as _;

/// The scratch database; dropped (with its archive) when this goes out of scope, unless kept.
struct Scratch {
    maintenance_url: String,
    name: String,
    archive: std::path::PathBuf,
    keep: bool,
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.archive);
        if self.keep {
            return;
        }
        match admin::connect(&self.maintenance_url) {
            Ok(mut conn) => {
                if let Err(e) = admin::drop_database(&mut conn, &self.name) {
                    eprintln!(
                        "warning: could not drop the scratch copy {}: {e}",
                        self.name
                    );
                }
            }
            Err(e) => eprintln!(
                "warning: could not drop the scratch copy {}: {e}",
                self.name
            ),
        }
    }
}

/// Rehearses the pending migrations of `runner` on a copy of `options.source_url`.
/// `cancel` stops it at the next step (cancelling a running statement); the scratch copy is
/// dropped on every error and on cancellation.
pub fn rehearse(
    options: &Options,
    runner: &mut dyn Runner,
    cancel: &Arc<AtomicBool>,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<Rehearsal, RehearsalError> {
    on(Event::Step("read the source (read-only)"));
    let source = copy::inspect(&options.source_url)?;
    let source_bytes = u64::try_from(source.bytes).unwrap_or(0);

    let mut maintenance = admin::connect(&admin::maintenance_url(&options.scratch_url))?;
    let free_bytes = match copy::data_directory(&mut maintenance) {
        Some(dir) => copy::free_bytes(&dir).map(|free| (dir, free)),
        None => None,
    };
    if let Some((dir, free)) = &free_bytes {
        copy::check_room(source_bytes, *free, &dir.display().to_string())?;
    }
    std::fs::create_dir_all(&options.work_dir).map_err(|e| {
        RehearsalError::Config(format!("creating {}: {e}", options.work_dir.display()))
    })?;
    if let Some(free) = copy::free_bytes(&options.work_dir) {
        // The archive is compressed, but its size is not known in advance: the source's size
        // bounds it.
        copy::check_room(source_bytes, free, &options.work_dir.display().to_string())?;
    }
    cancelled(cancel)?;

    static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let name = format!(
        "{}_{}_{}_{}",
        options.scratch_prefix,
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    admin::create_database(&mut maintenance, &name, None)?;
    drop(maintenance);
    let mut scratch = Scratch {
        maintenance_url: admin::maintenance_url(&options.scratch_url),
        archive: options.work_dir.join(format!("{name}.dump")),
        name,
        keep: false,
    };
    let result = match rehearse_on(options, runner, cancel, on, &scratch, source_bytes, source) {
        // Whatever failed after Ctrl-C failed because of it (a cancelled statement).
        Err(_) if cancel.load(Ordering::Relaxed) => Err(RehearsalError::Cancelled),
        other => other,
    };
    scratch.keep = options.keep && result.is_ok();
    result.map(|mut r| {
        r.free_bytes = free_bytes.map(|(_, free)| free);
        r.kept = scratch.keep;
        r
    })
}

/// `Err(Cancelled)` once `cancel` is set.
fn cancelled(cancel: &AtomicBool) -> Result<(), RehearsalError> {
    if cancel.load(Ordering::Relaxed) {
        Err(RehearsalError::Cancelled)
    } else {
        Ok(())
    }
}

fn rehearse_on(
    options: &Options,
    runner: &mut dyn Runner,
    cancel: &Arc<AtomicBool>,
    on: &mut dyn FnMut(Event<'_>),
    scratch: &Scratch,
    source_bytes: u64,
    source: copy::Source,
) -> Result<Rehearsal, RehearsalError> {
    let copy_url = url::with_database(&options.scratch_url, &scratch.name);
    on(Event::Step(
        "copy the source (pg_dump -Fc | pg_restore --jobs 2)",
    ));
    let copy_started = Instant::now();
    copy::copy(
        &options.binaries,
        &options.source_url,
        &scratch.archive,
        &url::with_database(&options.restore_url, &scratch.name),
        source_bytes,
        cancel,
        on,
    )?;
    let copy_took = copy_started.elapsed();
    let mut conn = admin::connect(&copy_url)?;
    let copied_bytes = u64::try_from(int(
        &mut conn,
        "select pg_database_size(current_database()) as v",
    )?)
    .unwrap_or(0);
    {
        let mut source_conn = admin::connect(&copy::read_only(&options.source_url))?;
        let differences = diff(&fingerprint(&mut source_conn)?, &fingerprint(&mut conn)?);
        if !differences.is_empty() {
            return Err(RehearsalError::Copy(format!(
                "the copy's catalog differs from the source's:\n  {}",
                differences
                    .iter()
                    .take(20)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n  ")
            )));
        }
    }
    cancelled(cancel)?;

    on(Event::Step(
        "what is pending (the runner's status on the copy)",
    ));
    let status = runner.status(&mut conn).map_err(RehearsalError::Runner)?;
    let pending = plan(&status)?;
    let applied_before = status.iter().filter(|s| s.applied).count();

    let targets = probe::targets(&mut conn, "public")?;
    let probed_tables: Vec<String> = targets.iter().map(|t| t.table.clone()).collect();
    let before = fingerprint(&mut conn)?;
    let pid = i32::try_from(int(&mut conn, "select pg_backend_pid()::int8 as v")?)
        .map_err(|_| RehearsalError::Config("backend pid out of range".to_owned()))?;

    let running_probe = if pending.is_empty() || targets.is_empty() {
        None
    } else {
        Some(Probe::start(&copy_url, targets.clone())?)
    };
    let sampler = Sampler::start(&copy_url, pid, options.sample_every, Arc::clone(cancel))?;
    // The probe and the sampler stop whatever happens (also when dropped on an error).
    let windows = apply_files(&mut conn, runner, &pending, options, cancel, on);
    let polls = sampler.finish()?;
    let samples = match running_probe {
        Some(p) => p.finish()?,
        None => Vec::new(),
    };
    let windows = windows?;
    let names = locks::relation_names(&mut conn, &polls)?;
    let files: Vec<FileReport> = windows
        .into_iter()
        .map(|w| w.report(&samples, &polls, &names, &targets))
        .collect();

    let (rollback, reapply) = if pending.is_empty() {
        (Check::Skipped, Check::Skipped)
    } else {
        roll_back_and_reapply(&mut conn, runner, &pending, &before, cancel, on)?
    };
    Ok(Rehearsal {
        scratch_database: scratch.name.clone(),
        kept: false,
        source_bytes,
        copied_bytes,
        copy_took,
        free_bytes: None,
        source_version: source.server_version,
        applied_before,
        probed_tables,
        max_block: options.max_block,
        sample_every: options.sample_every,
        files,
        rollback,
        reapply,
    })
}

/// What was measured around one file, before the probe's and sampler's data are in.
struct Window {
    file: FileStatus,
    idle_from: Instant,
    started: Instant,
    finished: Instant,
    rewritten: Vec<String>,
    rows_scanned: Vec<(String, i64)>,
}

impl Window {
    fn report(
        self,
        samples: &[probe::ProbeSample],
        polls: &[locks::Poll],
        names: &BTreeMap<i64, String>,
        targets: &[probe::ProbeTarget],
    ) -> FileReport {
        let during: Vec<&probe::ProbeSample> = samples
            .iter()
            .filter(|s| s.overlaps(self.started, self.finished))
            .collect();
        let worst = during.iter().max_by_key(|s| s.took);
        let mut probe_errors: Vec<String> = during.iter().filter_map(|s| s.error.clone()).collect();
        probe_errors.dedup();
        probe_errors.truncate(5);
        FileReport {
            statements: locks::summarise(
                polls,
                self.started,
                self.finished,
                &self.file.statements,
                names,
            ),
            version: self.file.version,
            name: self.file.name,
            took: self.finished - self.started,
            idle_floor: probe::longest_within(samples, self.idle_from, self.started),
            worst: worst.map(|s| s.took).unwrap_or_default(),
            worst_table: worst.map(|s| targets[s.target].table.clone()),
            probe_iterations: during.len(),
            probe_errors,
            rewritten: self.rewritten,
            rows_scanned: self.rows_scanned,
        }
    }
}

/// Applies `pending` one file at a time, each after an idle window, noting relfilenodes and
/// sequential-scan counts around it.
fn apply_files(
    conn: &mut PgConnection,
    runner: &mut dyn Runner,
    pending: &[FileStatus],
    options: &Options,
    cancel: &AtomicBool,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<Vec<Window>, RehearsalError> {
    let mut windows = Vec::new();
    for file in pending {
        cancelled(cancel)?;
        on(Event::Applying {
            version: &file.version,
            name: &file.name,
        });
        let relfilenodes = relfilenodes(conn)?;
        let scans = seq_scans(conn)?;
        let idle_from = Instant::now();
        std::thread::sleep(options.idle_window);
        let started = Instant::now();
        let applied = runner.up_to(conn, &file.version);
        let finished = Instant::now();
        applied.map_err(|e| {
            RehearsalError::Runner(format!(
                "{}_{} fails on the copy: {e}",
                file.version, file.name
            ))
        })?;
        let rewritten = relfilenodes_after(conn, &relfilenodes)?;
        let rows_scanned = seq_scans(conn)?
            .into_iter()
            .map(|(t, n)| {
                let before = scans.get(&t).copied().unwrap_or(0);
                (t, n - before)
            })
            .collect();
        windows.push(Window {
            file: file.clone(),
            idle_from,
            started,
            finished,
            rewritten,
            rows_scanned,
        });
    }
    Ok(windows)
}

/// Reverts `pending` newest first and compares the catalog with `before`; then, if exact,
/// applies them again and compares with the first application.
fn roll_back_and_reapply(
    conn: &mut PgConnection,
    runner: &mut dyn Runner,
    pending: &[FileStatus],
    before: &[String],
    cancel: &AtomicBool,
    on: &mut dyn FnMut(Event<'_>),
) -> Result<(Check, Check), RehearsalError> {
    let compare = |a: &[String], b: &[String]| {
        let differences = diff(a, b);
        if differences.is_empty() {
            Check::Exact
        } else {
            Check::Differs(differences)
        }
    };
    cancelled(cancel)?;
    on(Event::Step(
        "roll back newest first and compare the catalog",
    ));
    let applied = fingerprint(conn)?;
    for _ in pending {
        cancelled(cancel)?;
        if let Err(e) = runner.down_last(conn) {
            return Ok((Check::Failed(e), Check::Skipped));
        }
    }
    let rollback = compare(before, &fingerprint(conn)?);
    if rollback != Check::Exact {
        return Ok((rollback, Check::Skipped));
    }
    cancelled(cancel)?;
    on(Event::Step("apply again"));
    let last = pending.last().map_or("", |f| f.version.as_str());
    let reapply = match runner.up_to(conn, last) {
        Err(e) => Check::Failed(e),
        Ok(()) => compare(&applied, &fingerprint(conn)?),
    };
    Ok((rollback, reapply))
}

/// The pending files, or why the history cannot be rehearsed.
fn plan(status: &[FileStatus]) -> Result<Vec<FileStatus>, RehearsalError> {
    let named = |h: History| -> Vec<String> {
        status
            .iter()
            .filter(|s| s.applied && s.history == h)
            .map(|s| format!("{}_{}", s.version, s.name))
            .collect()
    };
    let (edited, unknown) = (named(History::Edited), named(History::Unknown));
    if !edited.is_empty() || !unknown.is_empty() {
        return Err(RehearsalError::Diverged { edited, unknown });
    }
    Ok(status.iter().filter(|s| !s.applied).cloned().collect())
}

const USER_TABLES: &str = "c.relkind in ('r', 'm') and n.nspname not in ('pg_catalog', 'information_schema', 'supabase_migrations') \
                           and n.nspname not like 'pg\\_toast%'";

/// `relfilenode` of every user table, by oid.
fn relfilenodes(conn: &mut PgConnection) -> Result<BTreeMap<i64, (String, i64)>, RehearsalError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = BigInt)]
        oid: i64,
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = BigInt)]
        node: i64,
    }
    let rows: Vec<Row> = diesel::sql_query(format!(
        "select c.oid::int8 as oid, n.nspname || '.' || c.relname as name, c.relfilenode::int8 as node
           from pg_class c join pg_namespace n on n.oid = c.relnamespace where {USER_TABLES}"
    ))
    .load(conn)
    .context("reading relfilenodes")?;
    Ok(rows
        .into_iter()
        .map(|r| (r.oid, (r.name, r.node)))
        .collect())
}

/// The tables of `before` whose `relfilenode` changed.
fn relfilenodes_after(
    conn: &mut PgConnection,
    before: &BTreeMap<i64, (String, i64)>,
) -> Result<Vec<String>, RehearsalError> {
    let after = relfilenodes(conn)?;
    Ok(before
        .iter()
        .filter(|(oid, (_, node))| after.get(oid).is_some_and(|(_, n)| n != node))
        .map(|(_, (name, _))| name.clone())
        .collect())
}

/// `seq_tup_read` per user table, after making this backend flush its pending statistics.
fn seq_scans(conn: &mut PgConnection) -> Result<BTreeMap<String, i64>, RehearsalError> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = BigInt)]
        rows: i64,
    }
    // Statistics reach shared memory when the backend goes idle; force that flush, then read.
    diesel::sql_query("select pg_stat_force_next_flush()")
        .execute(conn)
        .context("flushing statistics")?;
    let rows: Vec<Row> = diesel::sql_query(
        "select schemaname || '.' || relname as name, coalesce(seq_tup_read, 0)::int8 as rows
           from pg_stat_user_tables where schemaname not in ('supabase_migrations')",
    )
    .load(conn)
    .context("reading pg_stat_user_tables")?;
    Ok(rows.into_iter().map(|r| (r.name, r.rows)).collect())
}
