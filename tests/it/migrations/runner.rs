//! The migration runner against a real PostgreSQL: history in the Supabase CLI's table,
//! all-or-nothing files, the advisory lock, rollbacks.

use std::sync::{Arc, Barrier};

use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_storage::migrations::{
    DownTarget, FileState, MIGRATION_LOCK_KEY, MigrationError, Migrations, Migrator, SqlMigration,
    SqlScript, split_statements,
};
use mentor_status_tests::TestDb;

use crate::support::{int, relation_exists, text};

fn migration(version: &str, name: &str, up: &str, down: Option<&str>) -> SqlMigration {
    SqlMigration::new(
        version,
        name,
        SqlScript::new(up.to_owned()),
        down.map(|d| SqlScript::new(d.to_owned())),
    )
}

fn baseline_version() -> String {
    Migrations::embedded()
        .iter()
        .next()
        .expect("at least one migration")
        .version()
        .to_owned()
}

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
    // The advisory lock was released despite the failure.
    assert_eq!(
        text(
            &mut db.conn(),
            &format!("select pg_try_advisory_lock({MIGRATION_LOCK_KEY})::text as v")
        ),
        "true"
    );
}

#[test]
fn a_failing_rollback_leaves_the_migration_applied() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let migrations = Migrations::from_migrations(vec![migration(
        "1",
        "t",
        "create table public.t (id int);",
        Some("drop table public.t; select 1 / 0;"),
    )]);
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
    assert!(relation_exists(&mut conn, "public.t"));
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from supabase_migrations.schema_migrations"
        ),
        1
    );
}

#[test]
fn down_then_up_restores_exactly_the_same_schema() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let baseline = baseline_version();
    Migrator::new(&mut conn).up(Some(&baseline)).unwrap();
    let before = fingerprint(&mut conn).unwrap();
    Migrator::new(&mut conn).up(None).unwrap();
    let after_up = fingerprint(&mut conn).unwrap();
    assert_ne!(before, after_up, "the migrations change the schema");

    let reverted = Migrator::new(&mut conn)
        .down(&DownTarget::To(baseline.clone()))
        .unwrap();
    assert_eq!(reverted.len(), Migrations::embedded().iter().count() - 1);
    assert_eq!(
        diff(&before, &fingerprint(&mut conn).unwrap()),
        Vec::<String>::new()
    );

    Migrator::new(&mut conn).up(None).unwrap();
    assert_eq!(
        diff(&after_up, &fingerprint(&mut conn).unwrap()),
        Vec::<String>::new()
    );
}

#[test]
fn every_rollback_undoes_its_own_migration() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let mut previous = fingerprint(&mut conn).unwrap();
    for m in &Migrations::embedded() {
        Migrator::new(&mut conn).up(Some(m.version())).unwrap();
        let applied = fingerprint(&mut conn).unwrap();
        Migrator::new(&mut conn)
            .down(&DownTarget::LAST_ONE)
            .unwrap();
        let mut reverted = fingerprint(&mut conn).unwrap();
        if m.name().starts_with("validate_") {
            // A VALIDATE cannot be undone and need not be (its rollback says why): the
            // constraints stay validated, and that is the only difference allowed.
            let unvalidated = |lines: &[String]| -> Vec<String> {
                lines
                    .iter()
                    .map(|l| l.replace(" NOT VALID validated=false", " validated=true"))
                    .collect()
            };
            assert_ne!(reverted, previous);
            reverted = unvalidated(&reverted);
            previous = unvalidated(&previous);
        }
        assert_eq!(
            diff(&previous, &reverted),
            Vec::<String>::new(),
            "rollback of {m}"
        );
        Migrator::new(&mut conn).up(Some(m.version())).unwrap();
        assert_eq!(
            diff(&applied, &fingerprint(&mut conn).unwrap()),
            Vec::<String>::new(),
            "re-applying {m}"
        );
        previous = applied;
    }
}

#[test]
fn down_refuses_before_changing_anything_when_a_rollback_file_is_missing() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let migrations = Migrations::from_migrations(vec![
        migration(
            "1",
            "with_rollback",
            "create table public.a (id int);",
            Some("drop table public.a;"),
        ),
        migration(
            "2",
            "without_rollback",
            "create table public.b (id int);",
            None,
        ),
        migration(
            "3",
            "newest",
            "create table public.c (id int);",
            Some("drop table public.c;"),
        ),
    ]);
    Migrator::with_migrations(&mut conn, migrations.clone())
        .up(None)
        .unwrap();
    let error = Migrator::with_migrations(&mut conn, migrations.clone())
        .down(&DownTarget::To("1".into()))
        .unwrap_err();
    assert!(
        matches!(&error, MigrationError::MissingRollback { migration } if migration == "2_without_rollback"),
        "{error}"
    );
    assert!(
        error
            .to_string()
            .contains("supabase/rollbacks/2_without_rollback.sql"),
        "{error}"
    );
    assert!(
        relation_exists(&mut conn, "public.c"),
        "the newest migration was not reverted either"
    );
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from supabase_migrations.schema_migrations"
        ),
        3
    );
    let status = Migrator::with_migrations(&mut conn, migrations)
        .status()
        .unwrap();
    assert_eq!(
        status.iter().map(|s| s.has_rollback).collect::<Vec<_>>(),
        vec![true, false, true]
    );
}

#[test]
fn a_rollback_file_without_a_migration_is_reported_and_non_matching_files_are_skipped() {
    let dir = std::env::temp_dir().join(format!("mentor-status-files-{}", uuid_like()));
    std::fs::create_dir_all(dir.join("migrations")).unwrap();
    std::fs::create_dir_all(dir.join("rollbacks")).unwrap();
    std::fs::write(dir.join("migrations/20260101000000_a.sql"), "select 1;").unwrap();
    std::fs::write(dir.join("migrations/notes.sql"), "select 2;").unwrap();
    std::fs::write(dir.join("rollbacks/20260101000000_a.sql"), "select 3;").unwrap();
    std::fs::write(dir.join("rollbacks/20260202000000_gone.sql"), "select 4;").unwrap();
    let (migrations, skipped) = Migrations::from_dirs(&dir).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();

    assert_eq!(
        migrations.orphan_rollbacks(),
        ["20260202000000_gone.sql".to_owned()]
    );
    assert_eq!(skipped, ["notes.sql".to_owned()]);
    let only = migrations
        .get("20260101000000")
        .expect("the matching file is a migration");
    assert_eq!(only.name(), "a");
    assert!(only.down().is_some());
    // The project itself has no orphan rollback, and its files on disk are what was embedded.
    let (on_disk, skipped) =
        Migrations::from_dirs(&mentor_status_tests::project_root().join("supabase")).unwrap();
    assert_eq!(on_disk, Migrations::embedded());
    assert!(skipped.is_empty() && on_disk.orphan_rollbacks().is_empty());
}

fn uuid_like() -> String {
    format!("{}-{:?}", std::process::id(), std::thread::current().id()).replace(['(', ')'], "")
}

#[test]
fn a_concurrent_index_runs_alone_as_the_cli_runs_it_and_a_later_failure_keeps_what_committed() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let file = "create table public.t (id int);\n\
                create index concurrently if not exists t_id on public.t (id);\n\
                insert into public.t values ('not a number');";
    let error = Migrator::with_migrations(
        &mut conn,
        Migrations::from_migrations(vec![migration("1", "idx", file, None)]),
    )
    .up(None)
    .unwrap_err();
    let message = error.to_string();
    assert!(
        message.contains("invalid input syntax for type integer"),
        "{message}"
    );
    assert!(
        message.contains("statements 1–2 of this file had already committed"),
        "{message}"
    );
    // As with the CLI: the table and the index committed before the failing group; no history.
    assert!(relation_exists(&mut conn, "public.t"));
    assert!(relation_exists(&mut conn, "public.t_id"));
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from supabase_migrations.schema_migrations"
        ),
        0
    );
}

#[test]
fn a_file_marked_pg_delta_no_transaction_runs_statement_by_statement() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let marked = Migrations::from_migrations(vec![migration(
        "1",
        "idx",
        "-- pg-delta: transaction=false\ncreate table public.t (id int);\n\
         create index concurrently t_id on public.t (id);",
        Some(
            "-- pg-delta: transaction=false\ndrop index concurrently if exists public.t_id;\ndrop table public.t;",
        ),
    )]);
    assert!(!marked.get("1").unwrap().up().in_transaction());
    Migrator::with_migrations(&mut conn, marked.clone())
        .up(None)
        .unwrap();
    assert!(relation_exists(&mut conn, "public.t_id"));
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from supabase_migrations.schema_migrations"
        ),
        1
    );
    Migrator::with_migrations(&mut conn, marked)
        .down(&DownTarget::LAST_ONE)
        .unwrap();
    assert!(!relation_exists(&mut conn, "public.t_id"));
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from supabase_migrations.schema_migrations"
        ),
        0
    );
}

#[test]
fn a_file_that_leaves_a_transaction_open_is_refused_and_rolled_back() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let file =
        "create table public.before_begin (id int);\nbegin;\ncreate table public.inside (id int);";
    let error = Migrator::with_migrations(
        &mut conn,
        Migrations::from_migrations(vec![migration("1", "open", file, None)]),
    )
    .up(None)
    .unwrap_err();
    assert!(
        error.to_string().contains("leaves a transaction open"),
        "{error}"
    );
    // Statement by statement, as the CLI: what ran before BEGIN committed, the rest did not.
    assert!(relation_exists(&mut conn, "public.before_begin"));
    assert!(!relation_exists(&mut conn, "public.inside"));
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from supabase_migrations.schema_migrations"
        ),
        0
    );
}

#[test]
fn a_savepoint_in_a_batched_file_is_refused_where_the_cli_fails() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let file = "create table public.s (id int);\nsavepoint a;\nrelease savepoint a;";
    let error = Migrator::with_migrations(
        &mut conn,
        Migrations::from_migrations(vec![migration("1", "sp", file, None)]),
    )
    .up(None)
    .unwrap_err();
    assert!(
        matches!(error, MigrationError::RefusedAsTheCli { index: 2, .. }),
        "{error}"
    );
    assert!(!relation_exists(&mut conn, "public.s"));
}

#[test]
fn an_applied_migration_edited_afterwards_is_reported_and_refused_unless_forced() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let original = Migrations::from_migrations(vec![migration(
        "1",
        "a",
        "create table public.a (id int);",
        None,
    )]);
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
