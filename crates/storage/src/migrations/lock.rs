//! One migrator at a time per database: a session-level advisory lock around every runner
//! operation.

use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::MigrationError;
use super::history::ensure_history_tables;
use crate::Context as _;

/// Key of the session-level advisory lock held while migrating: `hashtext('supabase_migrations')`
/// would do too, but a constant is greppable and needs no round trip.
pub const MIGRATION_LOCK_KEY: i64 = 0x6d65_6e74_6f72_5f6d; // "mentor_m"

/// Runs `f` holding the migration advisory lock (session level, so it spans the per-file
/// transactions), and releases it whether `f` succeeded or not.
///
/// The lock is polled with `pg_try_advisory_lock`, not awaited with `pg_advisory_lock`: a
/// statement waiting for the lock holds a snapshot, and `CREATE INDEX CONCURRENTLY` in the lock
/// holder's migration waits for every older snapshot — the two would deadlock.
pub(crate) fn locked<C, T>(
    this: &mut C,
    conn: impl Fn(&mut C) -> &mut PgConnection,
    f: impl FnOnce(&mut C) -> Result<T, MigrationError>,
) -> Result<T, MigrationError> {
    #[derive(QueryableByName)]
    struct Locked {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        locked: bool,
    }
    let mut backoff = std::time::Duration::from_millis(5);
    loop {
        let attempt: Locked = diesel::sql_query("select pg_try_advisory_lock($1) as locked")
            .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
            .get_result(conn(this))
            .context("taking the migration advisory lock")?;
        if attempt.locked {
            break;
        }
        // Another process is migrating this database; wait for it, without a snapshot.
        std::thread::sleep(backoff);
        backoff = (backoff * 2).min(std::time::Duration::from_millis(200));
    }
    let result = ensure_history_tables(conn(this)).and_then(|()| f(this));
    let unlocked = diesel::sql_query("select pg_advisory_unlock($1)")
        .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
        .execute(conn(this))
        .context("releasing the migration advisory lock");
    let value = result?;
    unlocked?;
    Ok(value)
}
