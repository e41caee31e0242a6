//! How the migration runner runs a file, as the Supabase CLI does: a concurrent index alone,
//! a `pg-delta` file statement by statement, and a file that leaves a transaction open or
//! uses a savepoint refused.

use mentor_status_storage::migrations::{DownTarget, MigrationError, Migrator};
use mentor_status_tests::TestDb;

use super::runner_support::{assert_state, only};

#[test]
fn a_concurrent_index_runs_alone_as_the_cli_runs_it_and_a_later_failure_keeps_what_committed() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let file = "create table public.t (id int);\n\
                create index concurrently if not exists t_id on public.t (id);\n\
                insert into public.t values ('not a number');";
    let error = Migrator::with_migrations(&mut conn, only("1", "idx", file, None))
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
    assert_state(&mut conn, &[("public.t", true), ("public.t_id", true)], 0);
}

#[test]
fn a_file_marked_pg_delta_no_transaction_runs_statement_by_statement() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let up = "-- pg-delta: transaction=false\ncreate table public.t (id int);\n\
              create index concurrently t_id on public.t (id);";
    let down = "-- pg-delta: transaction=false\ndrop index concurrently if exists public.t_id;\ndrop table public.t;";
    let marked = only("1", "idx", up, Some(down));
    assert!(!marked.get("1").unwrap().up().in_transaction());
    Migrator::with_migrations(&mut conn, marked.clone())
        .up(None)
        .unwrap();
    assert_state(&mut conn, &[("public.t_id", true)], 1);
    Migrator::with_migrations(&mut conn, marked)
        .down(&DownTarget::LAST_ONE)
        .unwrap();
    assert_state(&mut conn, &[("public.t_id", false)], 0);
}

#[test]
fn a_file_that_leaves_a_transaction_open_is_refused_and_rolled_back() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let file =
        "create table public.before_begin (id int);\nbegin;\ncreate table public.inside (id int);";
    let error = Migrator::with_migrations(&mut conn, only("1", "open", file, None))
        .up(None)
        .unwrap_err();
    assert!(
        error.to_string().contains("leaves a transaction open"),
        "{error}"
    );
    // Statement by statement, as the CLI: what ran before BEGIN committed, the rest did not.
    assert_state(
        &mut conn,
        &[("public.before_begin", true), ("public.inside", false)],
        0,
    );
}

#[test]
fn a_savepoint_in_a_batched_file_is_refused_where_the_cli_fails() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let file = "create table public.s (id int);\nsavepoint a;\nrelease savepoint a;";
    let error = Migrator::with_migrations(&mut conn, only("1", "sp", file, None))
        .up(None)
        .unwrap_err();
    assert!(
        matches!(error, MigrationError::RefusedAsTheCli { index: 2, .. }),
        "{error}"
    );
    assert_state(&mut conn, &[("public.s", false)], 0);
}
