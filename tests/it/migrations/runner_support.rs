//! Shared by the runner tests: a migration made in the test, the baseline's version, a
//! name unique to the running test.

use diesel::PgConnection;
use mentor_status_storage::migrations::{Migrations, SqlMigration, SqlScript};

use crate::support::{int, relation_exists};

pub fn migration(version: &str, name: &str, up: &str, down: Option<&str>) -> SqlMigration {
    SqlMigration::new(
        version,
        name,
        SqlScript::new(up.to_owned()),
        down.map(|d| SqlScript::new(d.to_owned())),
    )
}

pub fn baseline_version() -> String {
    Migrations::embedded()
        .iter()
        .next()
        .expect("at least one migration")
        .version()
        .to_owned()
}

/// A name part unique to this process and thread.
pub fn uuid_like() -> String {
    format!("{}-{:?}", std::process::id(), std::thread::current().id()).replace(['(', ')'], "")
}

/// The migrations of one file made in the test.
pub fn only(version: &str, name: &str, up: &str, down: Option<&str>) -> Migrations {
    Migrations::from_migrations(vec![migration(version, name, up, down)])
}

/// How many rows the Supabase CLI's history table holds.
pub fn history_rows(conn: &mut PgConnection) -> i64 {
    int(
        conn,
        "select count(*) as v from supabase_migrations.schema_migrations",
    )
}

/// Asserts which of `relations` exist (`true`) and which do not, and how many rows the
/// CLI's history table holds afterwards.
pub fn assert_state(conn: &mut PgConnection, relations: &[(&str, bool)], history: i64) {
    for &(relation, exists) in relations {
        assert_eq!(
            relation_exists(conn, relation),
            exists,
            "{relation} should exist: {exists}"
        );
    }
    assert_eq!(history_rows(conn), history, "rows in the CLI's history");
}
