//! Shared by the runner tests: a migration made in the test, the baseline's version, a
//! name unique to the running test.

use mentor_status_storage::migrations::{Migrations, SqlMigration, SqlScript};

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
