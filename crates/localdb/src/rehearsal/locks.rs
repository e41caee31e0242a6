//! Lock sampling: a thread polls `pg_locks` (with `pg_stat_activity.query`) for the migration
//! backend every few milliseconds; [`summarise`] turns the polls of one file into, per
//! statement, the lock modes taken on which relations and the longest continuous hold.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Integer, Text};

use crate::worker::Worker;
use crate::{LocalDbError, admin};
use mentor_status_storage::Context as _;

/// Lock modes that block the probe's reads or writes (and whose hold time is reported).
pub const BLOCKING_MODES: [&str; 4] = [
    "AccessExclusiveLock",
    "ExclusiveLock",
    "ShareRowExclusiveLock",
    "ShareLock",
];

/// Relation locks of one backend: user relations of this database only (oids of system
/// catalogs are below 16384), the runner's own history schema left out.
const LOCKS: &str = "
select l.relation::int8 as relation, l.mode::text as mode, l.granted,
       coalesce(a.query, '') as query
  from pg_locks l
  join pg_stat_activity a on a.pid = l.pid
 where l.pid = $1 and l.locktype = 'relation'
   and l.database = (select oid from pg_database where datname = current_database())
   and l.relation >= 16384
   and coalesce(l.relation::regclass::text, '') not like 'supabase\\_migrations.%'";

/// One lock seen in one poll.
#[derive(Debug, Clone, QueryableByName)]
pub(super) struct Held {
    #[diesel(sql_type = BigInt)]
    relation: i64,
    #[diesel(sql_type = Text)]
    mode: String,
    #[diesel(sql_type = Bool)]
    granted: bool,
    #[diesel(sql_type = Text)]
    query: String,
}

/// One poll: when, and what the backend held or waited for.
#[derive(Debug, Clone)]
pub(super) struct Poll {
    at: Instant,
    locks: Vec<Held>,
}

/// The sampler thread.
#[derive(Debug)]
pub(super) struct Sampler {
    worker: Worker<Vec<Poll>>,
}

impl Sampler {
    /// Starts polling the locks of backend `pid`, every `every`. When `cancel` becomes true,
    /// it cancels that backend's running statement (Ctrl-C reaches a running migration).
    pub(super) fn start(
        database_url: &str,
        pid: i32,
        every: Duration,
        cancel: Arc<AtomicBool>,
    ) -> Result<Self, LocalDbError> {
        let mut conn = admin::connect(database_url)?;
        let worker = Worker::spawn("lock sampler", move |stop| {
            let mut polls = Vec::new();
            let mut cancelled = false;
            while !stop.load(Ordering::Relaxed) {
                if cancel.load(Ordering::Relaxed) && !cancelled {
                    cancelled = true;
                    let _ = diesel::sql_query("select pg_cancel_backend($1)")
                        .bind::<Integer, _>(pid)
                        .execute(&mut conn);
                }
                let at = Instant::now();
                let locks: Vec<Held> = diesel::sql_query(LOCKS)
                    .bind::<Integer, _>(pid)
                    .load(&mut conn)
                    .context("sampling pg_locks")?;
                polls.push(Poll { at, locks });
                std::thread::sleep(every);
            }
            Ok(polls)
        });
        Ok(Self { worker })
    }

    /// Stops the sampler and returns its polls. (Dropped without `finish`, an early error,
    /// it stops too.)
    pub(super) fn finish(self) -> Result<Vec<Poll>, LocalDbError> {
        self.worker.finish()
    }
}

/// A lock mode on one relation, as seen during one statement.
#[derive(Debug, Clone, PartialEq)]
pub struct LockUse {
    /// The table (`schema.name`).
    pub relation: String,
    /// `pg_locks.mode`, e.g. `AccessExclusiveLock`.
    pub mode: String,
    /// Whether the backend ever waited for it (seen not granted).
    pub waited: bool,
    /// Polls in which it was held.
    pub polls: usize,
    /// The longest continuous hold seen: from the first to the last of consecutive polls
    /// holding it (a lower bound: polls are a few milliseconds apart).
    pub longest_hold: Duration,
}

/// The locks of one statement of a file.
#[derive(Debug, Clone, PartialEq)]
pub struct StatementLocks {
    /// 1-based position of the statement in the file; `None` when the polled query text
    /// matched no statement (the runner's own bookkeeping, or a poll between statements).
    pub statement: Option<usize>,
    /// The first line of the statement (or of the query seen).
    pub text: String,
    /// Every lock seen, by relation then mode.
    pub locks: Vec<LockUse>,
}

/// Which statement of `statements` the backend was running when it showed `query`
/// (`pg_stat_activity` cuts long queries at `track_activity_query_size`, 1 kB by default).
fn attribute(statements: &[String], query: &str) -> Option<usize> {
    let query = query.trim().trim_end_matches(';').trim();
    if query.is_empty() {
        return None;
    }
    let cut = query.len() >= 1000;
    statements
        .iter()
        .position(|s| {
            let s = s.trim().trim_end_matches(';').trim();
            s == query || (cut && s.starts_with(query))
        })
        .map(|i| i + 1)
}

/// The locks seen in `polls` within `[from, to]` on the tables `names` knows (looked up
/// after the file committed, so tables it created have names), each under the statement that
/// was running when it was first seen: a transaction keeps its locks until it ends, so later
/// statements would only repeat them.
pub(super) fn summarise(
    polls: &[Poll],
    from: Instant,
    to: Instant,
    statements: &[String],
    names: &BTreeMap<i64, String>,
) -> Vec<StatementLocks> {
    struct Run {
        statement: Option<usize>,
        text: String,
        waited: bool,
        polls: usize,
        longest: Duration,
        run_start: Instant,
        last_poll: usize,
    }
    let mut runs: BTreeMap<(i64, String), Run> = BTreeMap::new();
    let window = polls.iter().filter(|p| p.at >= from && p.at <= to);
    for (i, poll) in window.enumerate() {
        for held in poll
            .locks
            .iter()
            .filter(|h| names.contains_key(&h.relation))
        {
            let run = runs
                .entry((held.relation, held.mode.clone()))
                .or_insert_with(|| {
                    let statement = attribute(statements, &held.query);
                    Run {
                        statement,
                        text: first_line(
                            statement.map_or(held.query.as_str(), |n| statements[n - 1].as_str()),
                        ),
                        waited: false,
                        polls: 0,
                        longest: Duration::ZERO,
                        run_start: poll.at,
                        last_poll: i,
                    }
                });
            if !held.granted {
                run.waited = true;
                continue;
            }
            if run.polls > 0 && run.last_poll + 1 != i {
                run.run_start = poll.at;
            }
            run.polls += 1;
            run.last_poll = i;
            run.longest = run.longest.max(poll.at - run.run_start);
        }
    }
    let mut out: BTreeMap<Option<usize>, StatementLocks> = BTreeMap::new();
    for ((relation, mode), run) in runs {
        let entry = out.entry(run.statement).or_insert_with(|| StatementLocks {
            statement: run.statement,
            text: run.text.clone(),
            locks: Vec::new(),
        });
        entry.locks.push(LockUse {
            relation: names.get(&relation).cloned().unwrap_or_default(),
            mode,
            waited: run.waited,
            polls: run.polls,
            longest_hold: run.longest,
        });
    }
    let mut statements: Vec<StatementLocks> = out.into_values().collect();
    // Statements in file order, unattributed polls last.
    statements.sort_by_key(|s| s.statement.unwrap_or(usize::MAX));
    statements
}

/// The names of the tables (not indexes, sequences or TOAST) in `polls`, as they are now.
pub(super) fn relation_names(
    conn: &mut PgConnection,
    polls: &[Poll],
) -> Result<BTreeMap<i64, String>, LocalDbError> {
    #[derive(QueryableByName)]
    struct Name {
        #[diesel(sql_type = BigInt)]
        oid: i64,
        #[diesel(sql_type = Text)]
        name: String,
    }
    let oids: std::collections::BTreeSet<i64> = polls
        .iter()
        .flat_map(|p| p.locks.iter().map(|l| l.relation))
        .collect();
    let oids: Vec<i64> = oids.into_iter().collect();
    let names: Vec<Name> = diesel::sql_query(
        "select c.oid::int8 as oid, n.nspname || '.' || c.relname as name
           from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where c.oid::int8 = any($1) and c.relkind in ('r', 'p', 'm', 'f') and n.nspname <> 'pg_toast'",
    )
    .bind::<diesel::sql_types::Array<BigInt>, _>(&oids)
    .load(conn)
    .context("naming the locked relations")?;
    Ok(names.into_iter().map(|n| (n.oid, n.name)).collect())
}

/// The first non-empty, non-comment line of `text`, at most 100 characters.
pub(super) fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with("--"))
        .unwrap_or("");
    let mut out: String = line.chars().take(100).collect();
    if line.chars().count() > 100 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_polled_query_is_attributed_to_the_statement_it_is() {
        let statements = vec![
            "set lock_timeout = '3s'".to_owned(),
            "alter table t add column c int".to_owned(),
        ];
        assert_eq!(
            attribute(&statements, " alter table t add column c int;"),
            Some(2)
        );
        assert_eq!(
            attribute(&statements, "insert into supabase_migrations.x"),
            None
        );
    }
}
