//! A stand-in for application traffic: on its own connection, a thread loops over tables,
//! reading one row by primary key and updating it to itself (`UPDATE t SET k = k WHERE k = $1`,
//! which takes the row and table locks a real write takes), and timestamps every iteration.
//! While something else runs on the database (a migration), the longest iteration that
//! overlaps it is how long the application would have been blocked; the longest iteration
//! just before it is the machine's noise floor.
//!
//! Used by `cargo xtask bench migration` and `cargo xtask rehearse`.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::{LocalDbError, admin};

/// How many keys per table the probe cycles through.
const KEYS_PER_TABLE: i64 = 200;

/// One table the probe reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    /// `schema.table`, unquoted, for reports.
    pub table: String,
    select: String,
    update: String,
    keys: Vec<String>,
}

/// Every table in `schema` with a single-column primary key and at least one row, each with
/// up to 200 of its keys (spread over the table). Tables without such a key are not probed.
pub fn targets(conn: &mut PgConnection, schema: &str) -> Result<Vec<ProbeTarget>, LocalDbError> {
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = Text)]
        nspname: String,
        #[diesel(sql_type = Text)]
        relname: String,
        #[diesel(sql_type = Text)]
        attname: String,
        #[diesel(sql_type = Text)]
        typname: String,
    }
    let tables: Vec<Table> = diesel::sql_query(
        "select n.nspname::text, c.relname::text, a.attname::text, format_type(a.atttypid, a.atttypmod) as typname
           from pg_constraint k
           join pg_class c on c.oid = k.conrelid
           join pg_namespace n on n.oid = c.relnamespace
           join pg_attribute a on a.attrelid = c.oid and a.attnum = k.conkey[1]
          where k.contype = 'p' and cardinality(k.conkey) = 1 and n.nspname = $1 and c.relkind = 'r'
          order by c.relname",
    )
    .bind::<Text, _>(schema)
    .load(conn)
    .map_err(LocalDbError::query(format!(
        "listing the tables of {schema} with a primary key"
    )))?;
    let mut targets = Vec::new();
    for t in tables {
        let table = format!(
            "{}.{}",
            admin::quote_ident(&t.nspname),
            admin::quote_ident(&t.relname)
        );
        let key = admin::quote_ident(&t.attname);
        #[derive(QueryableByName)]
        struct Key {
            #[diesel(sql_type = Text)]
            k: String,
        }
        // Every n-th key by physical order: cheap, and spread over the whole table.
        let keys: Vec<Key> = diesel::sql_query(format!(
            "select k from (select {key}::text as k, row_number() over () as n, count(*) over () as total from {table}) s
              where n % greatest(total / {KEYS_PER_TABLE}, 1) = 0 limit {KEYS_PER_TABLE}"
        ))
        .load(conn)
        .map_err(LocalDbError::query(format!("sampling keys of {table}")))?;
        if keys.is_empty() {
            continue;
        }
        targets.push(ProbeTarget {
            table: format!("{}.{}", t.nspname, t.relname),
            select: format!("select 1 from {table} where {key} = $1::{}", t.typname),
            update: format!(
                "update {table} set {key} = {key} where {key} = $1::{}",
                t.typname
            ),
            keys: keys.into_iter().map(|k| k.k).collect(),
        });
    }
    Ok(targets)
}

/// One probe iteration: a read and a write of one row of one target.
#[derive(Debug, Clone)]
pub struct ProbeSample {
    /// Index into the targets the probe was started with.
    pub target: usize,
    /// When the iteration started.
    pub start: Instant,
    /// How long it took.
    pub took: Duration,
    /// What PostgreSQL said, when a statement failed.
    pub error: Option<String>,
}

impl ProbeSample {
    /// Whether the iteration overlapped `[from, to]`.
    #[must_use]
    pub fn overlaps(&self, from: Instant, to: Instant) -> bool {
        self.start < to && self.start + self.took > from
    }

    /// Whether the iteration lies entirely within `[from, to]`.
    #[must_use]
    pub fn within(&self, from: Instant, to: Instant) -> bool {
        self.start >= from && self.start + self.took <= to
    }
}

/// A running probe; [`Probe::finish`] stops it and returns its samples.
#[derive(Debug)]
pub struct Probe {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<Result<Vec<ProbeSample>, LocalDbError>>,
}

impl Probe {
    /// Connects to `database_url` and starts looping over `targets` (returns once connected).
    pub fn start(database_url: &str, targets: Vec<ProbeTarget>) -> Result<Self, LocalDbError> {
        if targets.is_empty() {
            return Err(LocalDbError::Config(
                "the probe has no table to read and write (no table with a primary key and rows)"
                    .to_owned(),
            ));
        }
        let mut conn = admin::connect(database_url)?;
        // Keys are looked up by index even in tiny tables, so the probe's reads never show
        // up as sequential scans (`pg_stat_user_tables.seq_tup_read`) of what it watches.
        diesel::sql_query("set enable_seqscan = off")
            .execute(&mut conn)
            .map_err(LocalDbError::query("setting up the probe's session"))?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let stop = Arc::clone(&stop);
            std::thread::spawn(move || Ok(run(&mut conn, &targets, &stop)))
        };
        Ok(Self { stop, thread })
    }

    /// Stops the probe and returns every iteration it made.
    pub fn finish(self) -> Result<Vec<ProbeSample>, LocalDbError> {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().map_err(|_| LocalDbError::Command {
            command: "probe thread".to_owned(),
            output: "panicked".to_owned(),
        })?
    }
}

fn run(conn: &mut PgConnection, targets: &[ProbeTarget], stop: &AtomicBool) -> Vec<ProbeSample> {
    let mut samples = Vec::new();
    let mut i = 0usize;
    while !stop.load(Ordering::Relaxed) {
        let target = i % targets.len();
        let t = &targets[target];
        let key = &t.keys[(i / targets.len()) % t.keys.len()];
        let start = Instant::now();
        let result = diesel::sql_query(&t.select)
            .bind::<Text, _>(key)
            .execute(conn)
            .and_then(|_| {
                diesel::sql_query(&t.update)
                    .bind::<Text, _>(key)
                    .execute(conn)
            });
        samples.push(ProbeSample {
            target,
            start,
            took: start.elapsed(),
            error: result.err().map(|e| e.to_string()),
        });
        i += 1;
    }
    samples
}

/// The longest iteration overlapping `[from, to]`, if any.
#[must_use]
pub fn worst_overlapping(
    samples: &[ProbeSample],
    from: Instant,
    to: Instant,
) -> Option<&ProbeSample> {
    samples
        .iter()
        .filter(|s| s.overlaps(from, to))
        .max_by_key(|s| s.took)
}

/// The longest iteration entirely within `[from, to]` (the noise floor of an idle window).
#[must_use]
pub fn longest_within(samples: &[ProbeSample], from: Instant, to: Instant) -> Duration {
    samples
        .iter()
        .filter(|s| s.within(from, to))
        .map(|s| s.took)
        .max()
        .unwrap_or_default()
}
