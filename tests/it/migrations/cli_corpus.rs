//! The runner against the real Supabase CLI's recorded behaviour: every file of
//! `tests/cli-corpus/` (dollar quotes, DO blocks, BEGIN ATOMIC, rules, E'' strings, `$` in
//! identifiers, comments, CONCURRENTLY, BEGIN/COMMIT, the pg-delta marker, failures) is applied
//! by the runner on a fresh platform database, and what it leaves must equal what the CLI left
//! (`<case>.golden`, written by `cargo xtask cli-compat --write-golden`; the live comparison
//! with the CLI runs in `cargo xtask cli-compat`).

use std::path::PathBuf;

use mentor_status_localdb::observed::{CORPUS_VERSION, Golden, observe};
use mentor_status_storage::migrations::{
    MigrationError, Migrations, Migrator, SqlMigration, SqlScript,
};
use mentor_status_tests::{TestDb, project_root};

fn corpus() -> Vec<(String, PathBuf)> {
    let dir = project_root().join("tests/cli-corpus");
    let mut cases: Vec<(String, PathBuf)> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "sql"))
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), p))
        .collect();
    cases.sort();
    cases
}

fn apply(case: &str, text: &str) -> (TestDb, Result<Vec<String>, MigrationError>) {
    let db = TestDb::platform();
    let migrations = Migrations::from_migrations(vec![SqlMigration::new(
        CORPUS_VERSION,
        case,
        SqlScript::new(text.to_owned()),
        None,
    )]);
    let result = Migrator::with_migrations(&mut db.conn(), migrations).up(None);
    (db, result)
}

/// `relation "x" does not exist (SQLSTATE 42P01)` → (`relation "x" does not exist`, `42P01`).
fn message_and_code(cli_error: &str) -> (&str, &str) {
    cli_error
        .rsplit_once(" (SQLSTATE ")
        .map_or((cli_error, ""), |(m, code)| (m, code.trim_end_matches(')')))
}

#[test]
fn every_corpus_file_leaves_exactly_what_the_supabase_cli_left() {
    let cases = corpus();
    assert!(cases.len() >= 18, "the corpus shrank: {}", cases.len());
    for (case, path) in cases {
        let golden_path = path.with_extension("golden");
        let golden =
            Golden::from_text(&std::fs::read_to_string(&golden_path).unwrap_or_else(|e| {
                panic!(
                    "{}: {e} (write it with `cargo xtask cli-compat --write-golden`)",
                    golden_path.display()
                )
            }))
            .unwrap();
        let (db, result) = apply(&case, &std::fs::read_to_string(&path).unwrap());
        let observed = observe(&mut db.conn(), CORPUS_VERSION).unwrap();
        assert_eq!(
            observed, golden.observed,
            "{case}: the runner left another state than the CLI"
        );
        match (&golden.error, &result) {
            (None, Ok(_)) => assert!(golden.observed.history.is_some(), "{case}"),
            (Some(cli_error), Err(error)) => {
                // The same failure, said clearly: PostgreSQL's own message with our hint, or our
                // refusal naming the SQLSTATE the CLI got.
                let (message, code) = message_and_code(cli_error);
                let ours = error.to_string();
                match error {
                    MigrationError::RefusedAsTheCli { .. } => {
                        assert!(ours.contains(code), "{case}: {ours} should name {code}");
                    }
                    _ => {
                        assert!(
                            ours.contains(message),
                            "{case}: {ours} should say {message}"
                        );
                        assert!(ours.contains("hint:"), "{case}: {ours} has no hint");
                    }
                }
            }
            // The CLI reported success without recording history (a BEGIN it never committed);
            // the runner refuses such a file instead of losing it silently.
            (None, Err(MigrationError::RefusedAsTheCli { reason, .. })) => {
                assert!(golden.observed.history.is_none(), "{case}");
                assert!(reason.contains("transaction open"), "{case}: {reason}");
            }
            (expected, got) => panic!("{case}: the CLI reported {expected:?}, the runner {got:?}"),
        }
    }
}

#[test]
fn every_corpus_file_has_its_golden_file_and_no_golden_file_is_orphaned() {
    let dir = project_root().join("tests/cli-corpus");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let twin = match path.extension().and_then(|e| e.to_str()) {
            Some("sql") => path.with_extension("golden"),
            Some("golden") => path.with_extension("sql"),
            _ => panic!("unexpected file {}", path.display()),
        };
        assert!(
            twin.is_file(),
            "{} has no {}",
            path.display(),
            twin.display()
        );
    }
}

#[test]
fn a_migration_that_needs_a_superuser_fails_locally_as_on_hosted_supabase() {
    // Each case, its file, and the errors it may fail with (any one of them).
    let cases: [(&str, &str, &[&str]); 3] = [
        (
            "needs_superuser",
            "create function public.on_ddl() returns event_trigger language plpgsql as $$ begin end $$;\n\
             create event trigger on_ddl on ddl_command_end execute function public.on_ddl();",
            &["permission denied to create event trigger"],
        ),
        (
            "admin_defaults",
            "alter default privileges for role supabase_admin in schema public revoke all on tables from anon;",
            // PostgreSQL 15 says "must be member of role …", 16+ "permission denied to change default privileges".
            &[
                "must be member of role \"supabase_admin\"",
                "permission denied to change default privileges",
            ],
        ),
        (
            "untrusted_extension",
            "create extension if not exists file_fdw;",
            &["permission denied to create extension"],
        ),
    ];
    let mut dbs = Vec::new();
    for (case, file, errors) in cases {
        let (db, result) = apply(case, file);
        let error = result.unwrap_err().to_string();
        assert!(
            errors.iter().any(|expected| error.contains(expected)),
            "{case}: {error}"
        );
        dbs.push(db);
    }
    drop(dbs);
}
