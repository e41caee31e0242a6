//! Small helpers shared by the integration tests.

use diesel::prelude::*;
use mentor_status_localdb::query;

/// The single text value of `sql` (which must select one row with a column `v`).
pub fn text(conn: &mut PgConnection, sql: &str) -> String {
    query::text(conn, sql).unwrap_or_else(|e| panic!("{e}"))
}

/// The single bigint value of `sql` (one row, column `v`).
pub fn int(conn: &mut PgConnection, sql: &str) -> i64 {
    query::int(conn, sql).unwrap_or_else(|e| panic!("{e}"))
}

/// Whether a relation exists (`to_regclass`).
pub fn relation_exists(conn: &mut PgConnection, name: &str) -> bool {
    !text(
        conn,
        &format!("select coalesce(to_regclass('{name}')::text, '') as v"),
    )
    .is_empty()
}

/// Waits (bounded, polling a condition) until some session of this database waits for a
/// lock; returns its pid.
pub fn wait_for_a_lock_waiter(conn: &mut PgConnection) -> i64 {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let pid = int(
            conn,
            "select coalesce(min(pid), 0)::bigint as v from pg_stat_activity
              where datname = current_database() and wait_event_type = 'Lock'",
        );
        if pid != 0 {
            return pid;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no session started waiting for a lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The version of the migration just before the embedded migration named `name` (such as
/// `add_mentor_status`).
pub fn version_before(name: &str) -> String {
    mentor_status_storage::migrations::Migrations::embedded()
        .before(name)
        .unwrap_or_else(|e| panic!("{e}"))
        .version()
        .to_owned()
}

/// A fresh platform database migrated up to just before the migration named `name`.
pub fn platform_before(name: &str) -> mentor_status_tests::TestDb {
    let db = mentor_status_tests::TestDb::platform();
    mentor_status_storage::migrations::Migrator::new(&mut db.conn())
        .up(Some(&version_before(name)))
        .unwrap();
    db
}

/// An 11-digit national identity number with valid check digits (the domain's
/// `national_id::check_digits`).
pub fn national_id_number() -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::strategy::Strategy;
    proptest::array::uniform9(0u8..10).prop_filter_map("no valid check digits", |nine| {
        mentor_status_domain::national_id::check_digits(nine).map(|[a, b]| {
            nine.iter()
                .chain([a, b].iter())
                .map(|d| d.to_string())
                .collect()
        })
    })
}
