//! A stand-in for application traffic: on its own connection, a thread loops over tables,
//! reading one row by primary key and updating it to itself (`UPDATE t SET k = k WHERE k = …`,
//! which takes the row and table locks a real write takes), and timestamps every iteration.
//! While something else runs on the database (a migration), the longest iteration that
//! overlaps it is how long the application would have been blocked; the longest iteration
//! just before it is the machine's noise floor.
//!
//! Used by `cargo xtask bench migration` and `cargo xtask rehearse`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::worker::Worker;
use crate::{LocalDbError, admin};
use mentor_status_storage::Context as _;

/// How many keys per table the probe cycles through.
const KEYS_PER_TABLE: i64 = 200;

/// One table the probe reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    /// `schema.table`, each part quoted where SQL needs it (`format('%I.%I')`): as a report
    /// names it and as the statements use it.
    pub table: String,
    /// `select 1 from <table> where `.
    select: String,
    /// `update <table> set <first key column> = <itself> where `.
    update: String,
    /// Per sampled row, its primary key as a condition with literals (`"id" = '…'::uuid`),
    /// quoted by the server (`format('%I = %L')`).
    keys: Vec<String>,
}

/// Every table in `schema` with a primary key (of any number of columns) and at least one
/// row, each with up to 200 of its keys (spread over the table). Tables without a primary key
/// are not probed.
pub fn targets(conn: &mut PgConnection, schema: &str) -> Result<Vec<ProbeTarget>, LocalDbError> {
    // Names come back quoted by the server, ready for the statements below.
    #[derive(QueryableByName)]
    struct Table {
        #[diesel(sql_type = Text)]
        table_name: String,
        /// An SQL expression building `"col" = 'value'::type and …` for a row.
        #[diesel(sql_type = Text)]
        condition: String,
        #[diesel(sql_type = Text)]
        first_column: String,
    }
    let tables: Vec<Table> = diesel::sql_query(
        "select format('%I.%I', n.nspname, c.relname) as table_name,
                string_agg(format('format(%L, %L, %I)', '%I = %L::' || format_type(a.atttypid, a.atttypmod), a.attname, a.attname),
                           ' || '' and '' || ' order by k.ord) as condition,
                quote_ident((array_agg(a.attname::text order by k.ord))[1]) as first_column
           from pg_constraint p
           cross join lateral unnest(p.conkey) with ordinality as k(attnum, ord)
           join pg_class c on c.oid = p.conrelid
           join pg_namespace n on n.oid = c.relnamespace
           join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
          where p.contype = 'p' and n.nspname = $1 and c.relkind = 'r'
          group by n.nspname, c.relname
          order by c.relname",
    )
    .bind::<Text, _>(schema)
    .load(conn)
    .with_context(|| format!(
        "listing the tables of {schema} with a primary key"
    ))?;
    let mut targets = Vec::new();
    for t in tables {
        let (table, first) = (&t.table_name, &t.first_column);
        #[derive(QueryableByName)]
        struct Key {
            #[diesel(sql_type = Text)]
            k: String,
        }
        // Every n-th row by physical order: cheap, and spread over the whole table.
        let keys: Vec<Key> = diesel::sql_query(format!(
            "select k from (select {} as k, row_number() over () as n, count(*) over () as total from {table}) s
              where n % greatest(total / {KEYS_PER_TABLE}, 1) = 0 limit {KEYS_PER_TABLE}",
            t.condition
        ))
        .load(conn)
        .with_context(|| format!("sampling keys of {table}"))?;
        if keys.is_empty() {
            continue;
        }
        targets.push(ProbeTarget {
            table: table.clone(),
            select: format!("select 1 from {table} where "),
            update: format!("update {table} set {first} = {first} where "),
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
    worker: Worker<Vec<ProbeSample>>,
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
            .context("setting up the probe's session")?;
        let worker = Worker::spawn("probe", move |stop| Ok(run(&mut conn, &targets, stop)));
        Ok(Self { worker })
    }

    /// Stops the probe and returns every iteration it made. (Dropped without `finish`, an
    /// early error, the probe stops too.)
    pub fn finish(self) -> Result<Vec<ProbeSample>, LocalDbError> {
        self.worker.finish()
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
        let result = conn
            .batch_execute(&format!("{}{key}", t.select))
            .and_then(|()| conn.batch_execute(&format!("{}{key}", t.update)));
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
