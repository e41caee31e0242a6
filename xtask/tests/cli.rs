//! Bad input at the `cargo xtask` commands that take a version or a name is refused before
//! anything changes (see `input_support.rs`).
//!
//! An integration test of the xtask package: cargo builds the binary for it
//! (`CARGO_BIN_EXE_xtask`), and each test runs it against a database of its own.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::process::Command as Process;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_storage::migrations::{Migrations, Migrator};
use mentor_status_tests::snapshot::{Snapshot, snapshot};
use mentor_status_tests::{TestDb, project_root};

use mentor_status_localdb::query;

fn text(conn: &mut PgConnection, sql: &str) -> String {
    query::text(conn, sql).unwrap_or_else(|e| panic!("{e}"))
}

/// The xtask binary, built by cargo for this integration test (no test runs cargo).
fn xtask_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_xtask"))
}

/// What one xtask run printed.
#[derive(Debug)]
struct XtaskRun {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl XtaskRun {
    #[track_caller]
    fn assert_refused(&self, exit_code: i32, fragments: &[&str]) {
        assert_eq!(self.code, Some(exit_code), "{self:#?}");
        for fragment in fragments {
            assert!(
                self.stderr.contains(fragment),
                "stderr lacks {fragment:?}: {self:#?}"
            );
        }
    }
}

fn xtask(database_url: &str, args: &[&str]) -> XtaskRun {
    let output = Process::new(xtask_binary())
        .args(args)
        .env("DATABASE_URL", database_url)
        .current_dir(project_root())
        .output()
        .expect("xtask runs");
    XtaskRun {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A version between two real ones, that no file has: a runner that did not refuse it
/// would apply (or revert) migrations on both sides of it.
fn unknown_version() -> String {
    let version = "20261126120001".to_owned();
    let embedded = Migrations::embedded();
    assert!(embedded.get(&version).is_none());
    assert!(embedded.iter().any(|m| m.version() < version.as_str()));
    assert!(embedded.iter().any(|m| m.version() > version.as_str()));
    version
}

/// Data, history and schema: all an xtask refusal must leave alone.
fn everything(conn: &mut PgConnection) -> (Snapshot, Vec<String>) {
    (snapshot(conn), fingerprint(conn).unwrap())
}

#[track_caller]
fn assert_unchanged(conn: &mut PgConnection, before: &(Snapshot, Vec<String>)) {
    let after = everything(conn);
    assert_eq!(after.0, before.0);
    assert_eq!(diff(&before.1, &after.1), Vec::<String>::new());
}

#[test]
fn xtask_migrate_up_to_an_unknown_version_refuses_before_applying_anything() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let first = Migrations::embedded()
        .iter()
        .next()
        .unwrap()
        .version()
        .to_owned();
    Migrator::new(&mut conn).up(Some(&first)).unwrap();
    assert_unknown_version_refused(&db, &mut conn, "up");
}

/// `migrate <direction> --to <a version no file has>` exits 1 with the reason and changes
/// nothing.
#[track_caller]
fn assert_unknown_version_refused(db: &TestDb, conn: &mut PgConnection, direction: &str) {
    let before = everything(conn);
    let version = unknown_version();
    let run = xtask(db.url(), &["migrate", direction, "--to", &version]);
    run.assert_refused(
        1,
        &[&format!(
            "error: no migration has version {version}: `migrate status` lists the versions"
        )],
    );
    assert_unchanged(conn, &before);
}

#[test]
fn xtask_migrate_down_to_an_unknown_version_refuses_before_reverting_anything() {
    let db = TestDb::seeded();
    assert_unknown_version_refused(&db, &mut db.conn(), "down");
}

#[test]
fn xtask_migrate_down_last_zero_or_not_a_number_is_refused_and_reverts_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let before = everything(&mut conn);

    // Usage errors (clap's, and ours in its value parser) exit with 2.
    xtask(db.url(), &["migrate", "down", "--last", "0"]).assert_refused(
        2,
        &[
            "invalid value '0' for '--last <LAST>': 0 would revert nothing",
            "(1 or more)",
            "`cargo xtask migrate status` lists them",
        ],
    );
    xtask(db.url(), &["migrate", "down", "--last", "-1"])
        .assert_refused(2, &["unexpected argument '-1'"]);
    xtask(db.url(), &["migrate", "down", "--last", "two"]).assert_refused(
        2,
        &["invalid value 'two' for '--last <LAST>': invalid digit found in string"],
    );
    assert_unchanged(&mut conn, &before);
}

#[test]
fn xtask_db_reset_to_an_unknown_version_refuses_before_dropping_the_database() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    conn.batch_execute(
        "create table public.faults_input_marker (note text not null);
         insert into public.faults_input_marker values ('db-reset would drop this');",
    )
    .unwrap();
    let oid = text(
        &mut conn,
        "select oid::text as v from pg_database where datname = current_database()",
    );
    let before = everything(&mut conn);
    let version = unknown_version();

    let run = xtask(db.url(), &["db-reset", "--version", &version]);
    run.assert_refused(
        1,
        &[&format!(
            "error: no migration has version {version}: `cargo xtask migrate status` lists the versions"
        )],
    );
    assert!(
        !run.stdout.contains("recreate the database"),
        "it refused before starting to recreate: {run:#?}"
    );
    // The same connection still works: the database was never dropped.
    assert_eq!(
        text(
            &mut conn,
            "select oid::text as v from pg_database where datname = current_database()"
        ),
        oid
    );
    assert_eq!(
        text(
            &mut conn,
            "select string_agg(note, ',') as v from public.faults_input_marker"
        ),
        "db-reset would drop this"
    );
    assert_unchanged(&mut conn, &before);
}

fn files_in(folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(project_root().join(folder))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn xtask_new_with_a_name_that_is_not_snake_case_refuses_and_creates_no_file() {
    // `new` writes into the real supabase/ folder, so only its refusals are run here. It
    // needs no database; the URL only keeps it off the local cluster if that changes.
    let db = TestDb::platform();
    let migrations = files_in("supabase/migrations");
    let rollbacks = files_in("supabase/rollbacks");
    for (name, suggestion) in [
        ("Bad Name", "bad_name"),
        ("add-mentor-index", "add_mentor_index"),
        ("../../escape", "______escape"),
        ("AddIndex", "addindex"),
    ] {
        xtask(db.url(), &["new", name]).assert_refused(
            1,
            &[&format!(
                "error: migration names are snake_case (a-z, 0-9, _): {name:?} is not; try {suggestion:?}"
            )],
        );
    }
    assert_eq!(files_in("supabase/migrations"), migrations);
    assert_eq!(files_in("supabase/rollbacks"), rollbacks);
}
