//! The migration runner's rollbacks: down then up restores the schema, each rollback undoes
//! its own migration, and missing or orphan rollback files are refused or reported.

use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_storage::migrations::{DownTarget, MigrationError, Migrations, Migrator};
use mentor_status_tests::TestDb;

use super::runner_support::{baseline_version, history_rows, migration, uuid_like};
use crate::support::relation_exists;

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
    assert_eq!(history_rows(&mut conn), 3);
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
