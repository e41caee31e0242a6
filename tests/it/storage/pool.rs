//! The pool hands out connections without pinging them first, yet never a dead one twice.

use diesel::prelude::*;
use mentor_status_storage::PoolConfig;
use mentor_status_storage::actor_setting::ACTOR_ID;
use mentor_status_tests::TestDb;

use crate::support::int;

#[test]
fn a_connection_whose_backend_was_terminated_fails_once_and_is_replaced() {
    let db = TestDb::migrated();
    let pool = PoolConfig {
        max_size: 1,
        ..PoolConfig::default()
    }
    .build(db.url())
    .unwrap();
    let pid = int(
        &mut pool.get().unwrap(),
        "select pg_backend_pid()::bigint as v",
    );
    // Ended from outside while it sits idle in the pool; waits until the backend is gone.
    let mut other = db.conn();
    assert_eq!(
        int(
            &mut other,
            &format!("select pg_terminate_backend({pid}, 5000)::int::bigint as v")
        ),
        1
    );
    // Without a ping the pool hands it out: the request on it fails, with a connection error.
    let error = diesel::sql_query("select 1")
        .execute(&mut pool.get().unwrap())
        .unwrap_err();
    assert!(
        matches!(
            error,
            diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ClosedConnection,
                _
            )
        ),
        "{error:?}"
    );
    // ... and it is not handed out again: the next request gets a new backend.
    let replacement = int(
        &mut pool.get().unwrap(),
        "select pg_backend_pid()::bigint as v",
    );
    assert_ne!(replacement, pid);
    assert_eq!(int(&mut pool.get().unwrap(), "select 7::bigint as v"), 7);
}

#[test]
fn the_repository_prepares_its_statements_once_per_connection_and_reuses_them() {
    use mentor_status_domain::{Command, PauseReason, ReasonCode};

    use crate::storage::support::{ADA, at, kari, repository};

    let db = TestDb::seeded();
    let repository = repository(&db, 1);
    for (i, command) in [
        Command::Pause {
            reason: Some(PauseReason::Code(ReasonCode::Vacation)),
        },
        Command::Resume,
        Command::Pause { reason: None },
        Command::Resume,
    ]
    .into_iter()
    .enumerate()
    {
        repository
            .change_status(&kari(), ADA, command, at(i64::try_from(i).unwrap()))
            .unwrap();
    }
    // The one pooled connection holds each of the change's statements prepared once: the
    // facts query (with the actor settings) and the compare-and-set.
    let mut conn = repository.pool().get().unwrap();
    let mut prepared = |needle: &str| {
        int(
            &mut conn,
            &format!(
                "select count(*) as v from pg_prepared_statements where statement like '%{needle}%'"
            ),
        )
    };
    assert_eq!(prepared(&format!("set_config(''{ACTOR_ID}''")), 1);
    assert_eq!(prepared("update public.peer_mentors as m"), 1);
}
