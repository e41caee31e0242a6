//! The migration runner against a real PostgreSQL: history in the Supabase CLI's table,
//! all-or-nothing files, the advisory lock, edited files and unknown targets. (Rollbacks are
//! in `rollbacks.rs`, how files run in and out of transactions in `transactions.rs`.)

use std::sync::{Arc, Barrier};

use mentor_status_storage::migrations::{
    DownTarget, FileState, MIGRATION_LOCK_KEY, MigrationError, Migrations, Migrator,
    split_statements,
};
use mentor_status_tests::TestDb;

use super::runner_support::{assert_state, migration, only};
use crate::support::{int, relation_exists, text};

#[test]
fn a_fresh_database_is_migrated_with_cli_shaped_history_and_then_reported_up_to_date() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let applied = Migrator::new(&mut conn).up(None).unwrap();
    let embedded = Migrations::embedded();
    assert_eq!(
        applied,
        embedded
            .iter()
            .map(|m| m.version().to_owned())
            .collect::<Vec<_>>()
    );

    let history = Migrator::new(&mut conn).history().unwrap();
    assert_eq!(history.len(), embedded.iter().count());
    for (row, file) in history.iter().zip(embedded.iter()) {
        assert_eq!(row.version, file.version());
        assert_eq!(row.name.as_deref(), Some(file.name()));
        let statements = row.statements.as_ref().expect("statements recorded");
        assert_eq!(statements, &split_statements(file.up().text()));
        assert!(
            statements
                .iter()
                .all(|s| !s.ends_with(';') && s.trim() == s)
        );
    }
    // The table has exactly the CLI's columns.
    assert_eq!(
        text(
            &mut conn,
            "select string_agg(column_name || ':' || data_type, ',' order by ordinal_position) as v
               from information_schema.columns where table_schema = 'supabase_migrations' and table_name = 'schema_migrations'"
        ),
        "version:text,statements:ARRAY,name:text"
    );
    assert!(!relation_exists(
        &mut conn,
        "public.__diesel_schema_migrations"
    ));

    let status = Migrator::new(&mut conn).status().unwrap();
    assert!(
        status
            .iter()
            .all(|s| s.applied && s.file == FileState::Unchanged && s.has_rollback)
    );
    assert_eq!(
        Migrator::new(&mut conn).up(None).unwrap(),
        Vec::<String>::new()
    );
}

#[test]
fn two_runners_started_at_the_same_moment_apply_each_migration_exactly_once() {
    let db = TestDb::platform();
    let start = Arc::new(Barrier::new(2));
    let runners: Vec<_> = (0..2)
        .map(|_| {
            let start = Arc::clone(&start);
            let mut conn = db.conn();
            std::thread::spawn(move || {
                start.wait();
                Migrator::new(&mut conn).up(None).unwrap()
            })
        })
        .collect();
    let mut applied: Vec<String> = runners
        .into_iter()
        .flat_map(|r| r.join().unwrap())
        .collect();
    applied.sort();
    let expected: Vec<String> = Migrations::embedded()
        .iter()
        .map(|m| m.version().to_owned())
        .collect();
    assert_eq!(
        applied, expected,
        "each migration applied by exactly one of the two runners"
    );
    assert_eq!(
        int(
            &mut db.conn(),
            "select count(*) as v from supabase_migrations.schema_migrations"
        ),
        i64::try_from(expected.len()).unwrap()
    );
}

#[test]
fn a_migration_whose_last_statement_fails_leaves_neither_schema_change_nor_history_row() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let migrations = Migrations::from_migrations(vec![
        migration("1", "good", "create table public.kept (id int);", None),
        migration(
            "2",
            "bad",
            "create table public.half (id int);\ninsert into public.half values (1);\nselect 1 / 0;",
            None,
        ),
    ]);
    let error = Migrator::with_migrations(&mut conn, migrations)
        .up(None)
        .unwrap_err();
    let message = error.to_string();
    assert!(matches!(error, MigrationError::Statement(_)), "{message}");
    assert!(
        message.contains("2_bad failed at statement 3 of 3"),
        "{message}"
    );
    assert!(message.contains("division by zero"), "{message}");

    assert!(
        relation_exists(&mut conn, "public.kept"),
        "the good migration before it stays"
    );
    assert!(
        !relation_exists(&mut conn, "public.half"),
        "nothing of the failed file remains"
    );
    assert_eq!(
        text(
            &mut conn,
            "select string_agg(version, ',' order by version) as v from supabase_migrations.schema_migrations"
        ),
        "1"
    );
    let lock_taken = text(
        &mut db.conn(),
        &format!("select pg_try_advisory_lock({MIGRATION_LOCK_KEY})::text as v"),
    );
    assert_eq!(
        lock_taken, "true",
        "the advisory lock was released despite the failure"
    );
}

#[test]
fn a_failing_rollback_leaves_the_migration_applied() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let migrations = only(
        "1",
        "t",
        "create table public.t (id int);",
        Some("drop table public.t; select 1 / 0;"),
    );
    Migrator::with_migrations(&mut conn, migrations.clone())
        .up(None)
        .unwrap();
    let error = Migrator::with_migrations(&mut conn, migrations)
        .down(&DownTarget::LAST_ONE)
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("rollback of 1_t failed at statement 2 of 2"),
        "{error}"
    );
    assert_state(&mut conn, &[("public.t", true)], 1);
}

#[test]
fn an_applied_migration_edited_afterwards_is_reported_and_refused_unless_forced() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let original = only("1", "a", "create table public.a (id int);", None);
    Migrator::with_migrations(&mut conn, original)
        .up(None)
        .unwrap();
    let edited = Migrations::from_migrations(vec![
        migration("1", "a", "create table public.a (id bigint);", None),
        migration("2", "b", "create table public.b (id int);", None),
    ]);
    let status = Migrator::with_migrations(&mut conn, edited.clone())
        .status()
        .unwrap();
    assert_eq!(status[0].file, FileState::Edited);
    assert_eq!(status[1].file, FileState::Unchanged);
    assert!(!status[1].applied);

    let error = Migrator::with_migrations(&mut conn, edited.clone())
        .up(None)
        .unwrap_err();
    assert!(
        matches!(&error, MigrationError::Edited { versions } if versions == &["1_a".to_owned()]),
        "{error}"
    );
    assert!(
        !relation_exists(&mut conn, "public.b"),
        "nothing applied while refusing"
    );

    assert_eq!(
        Migrator::with_migrations(&mut conn, edited.clone())
            .force(true)
            .up(None)
            .unwrap(),
        vec!["2".to_owned()]
    );
    let status = Migrator::with_migrations(&mut conn, edited)
        .status()
        .unwrap();
    assert!(
        status
            .iter()
            .all(|s| s.applied && s.file == FileState::Unchanged)
    );
}

#[test]
fn unknown_target_versions_are_refused_with_a_pointer_to_status() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let error = Migrator::new(&mut conn)
        .up(Some("19990101000000"))
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("no migration has version 19990101000000"),
        "{error}"
    );
    let error = Migrator::new(&mut conn)
        .down(&DownTarget::To("x".into()))
        .unwrap_err();
    assert!(matches!(error, MigrationError::UnknownVersion { .. }));
}
