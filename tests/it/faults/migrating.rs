//! Failures in the middle of migrating leave nothing half-done, and say what happened.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_storage::migrations::{MigrationError, Migrations, Migrator, SqlMigration};
use mentor_status_tests::TestDb;

use crate::support::{int, text, version_before, wait_for_a_lock_waiter};

fn history(conn: &mut PgConnection) -> String {
    text(
        conn,
        "select coalesce(string_agg(version, ',' order by version), '') as v from supabase_migrations.schema_migrations",
    )
}

/// The schema and history of a database migrated to just before the status migration.
struct Before {
    schema: Vec<String>,
    history: String,
}

impl Before {
    /// Nothing of the status migration remains: same schema, same history.
    fn assert_unchanged(&self, conn: &mut PgConnection) {
        assert_eq!(
            diff(&self.schema, &fingerprint(conn).unwrap()),
            Vec::<String>::new()
        );
        assert_eq!(history(conn), self.history);
    }
}

/// A fresh platform database migrated to just before the status migration, a connection
/// to it, and what it looked like then.
fn platform_just_before_the_status_migration() -> (TestDb, PgConnection, Before) {
    let db = TestDb::platform();
    let mut conn = db.conn();
    Migrator::new(&mut conn)
        .up(Some(&version_before("add_mentor_status")))
        .unwrap();
    let before = Before {
        schema: fingerprint(&mut conn).unwrap(),
        history: history(&mut conn),
    };
    (db, conn, before)
}

/// Another session of `db` that has run `sql`, which leaves its transaction open.
fn session_in_transaction(db: &TestDb, sql: &str) -> PgConnection {
    let mut session = db.conn();
    session.batch_execute(sql).unwrap();
    session
}

#[test]
fn a_migration_blocked_by_a_long_transaction_fails_within_its_lock_timeout_naming_the_blocker_and_succeeds_on_retry()
 {
    let (db, mut conn, before) = platform_just_before_the_status_migration();

    // A reporting job holds a plain read lock in a transaction it does not end.
    let mut blocker = session_in_transaction(
        &db,
        "set application_name = 'nightly-report'; begin; select count(*) from public.peer_mentors;",
    );
    let blocker_pid = int(&mut blocker, "select pg_backend_pid()::bigint as v");

    let error = Migrator::new(&mut conn).up(None).unwrap_err();
    let message = error.to_string();
    match &error {
        MigrationError::LockTimeout { blockers, .. } => {
            // Other client sessions with open transactions may be listed too; the blocker is.
            assert!(
                blockers
                    .iter()
                    .any(|b| b.starts_with(&format!("pid {blocker_pid} "))),
                "{message}"
            );
        }
        other => panic!("expected a lock timeout, got {other}"),
    }
    assert!(message.contains("lock timeout"), "{message}");
    assert!(message.contains("nightly-report"), "{message}");
    assert!(message.contains("run it again"), "{message}");
    before.assert_unchanged(&mut conn);

    blocker.batch_execute("commit").unwrap();
    Migrator::new(&mut conn).up(None).unwrap();
    assert_eq!(
        history(&mut conn),
        Migrations::embedded()
            .iter()
            .map(SqlMigration::version)
            .collect::<Vec<_>>()
            .join(",")
    );
}

#[test]
fn a_migration_whose_backend_is_terminated_half_way_leaves_nothing_and_a_rerun_succeeds() {
    let (db, mut conn, before) = platform_just_before_the_status_migration();

    // Hold the table so the migration stops half-way: after CREATE TYPE, at the ALTER TABLE.
    let mut holder = session_in_transaction(
        &db,
        "begin; lock table public.peer_mentors in access share mode;",
    );
    let url = db.url().to_owned();
    let migrating = std::thread::spawn(move || {
        let mut conn = PgConnection::establish(&url).unwrap();
        Migrator::new(&mut conn).up(None).map_err(|e| e.to_string())
    });
    let mut observer = db.conn();
    let waiting_pid = wait_for_a_lock_waiter(&mut observer);
    let waiting_at = text(
        &mut observer,
        &format!("select coalesce(query, '') as v from pg_stat_activity where pid = {waiting_pid}"),
    );
    assert!(
        waiting_at.to_lowercase().contains("alter table"),
        "the migration is half-way, waiting at its ALTER TABLE: {waiting_at}"
    );
    assert_eq!(
        text(
            &mut observer,
            &format!("select pg_terminate_backend({waiting_pid})::text as v")
        ),
        "true"
    );
    let outcome = migrating.join().unwrap();
    assert!(outcome.is_err(), "a terminated migration reports failure");
    holder.batch_execute("rollback").unwrap();

    // No type, no column, no history row.
    before.assert_unchanged(&mut conn);
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from pg_type where typname = 'mentor_status'"
        ),
        0
    );

    Migrator::new(&mut conn).up(None).unwrap();
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from pg_type where typname = 'mentor_status'"
        ),
        1
    );
}
