//! The Rust repository (issue 4) and the RPC functions leave the same audit trail: the
//! repository tells the trigger who acts through `mentor_status.actor_id` / `actor_role`,
//! the RPC path through the JWT claims.

use chrono::Utc;
use diesel::prelude::*;
use mentor_status_domain::{Actor, Command, PauseReason, ReasonCode, UserId};
use mentor_status_storage::{MentorId, MentorStatusRepository, PoolConfig};
use mentor_status_tests::TestDb;
use uuid::Uuid;

use crate::access::support::{Caller, Outcome, Stmt, attempt, last_audit_row, pause_by_rpc};

use crate::seed_ids::mentors::{ADA as ADA_ID, BJORN as BJORN_ID};
use crate::seed_ids::users::KARI;

/// Runs `body` in a transaction that commits, as a PostgREST request does.
fn committed<T>(conn: &mut PgConnection, body: impl FnOnce(&mut PgConnection) -> T) -> T {
    conn.transaction::<T, diesel::result::Error, _>(|conn| Ok(body(conn)))
        .unwrap()
}

/// The last audit row without its mentor id (the two paths change different mentors).
fn last_row_without_mentor(conn: &mut PgConnection, mentor: Uuid) -> String {
    let row = last_audit_row(conn);
    row.strip_prefix(&format!("{mentor} "))
        .unwrap_or_else(|| panic!("the last audit row is not about {mentor}: {row}"))
        .to_owned()
}

#[test]
fn the_repository_and_the_rpc_write_identical_audit_rows_for_the_same_actor() {
    let db = TestDb::seeded();
    let repository = MentorStatusRepository::new(PoolConfig::default().build(db.url()).unwrap());
    let mut conn = db.conn();
    let vacation = Command::Pause {
        reason: Some(PauseReason::Code(ReasonCode::Vacation)),
    };

    // Kari, coordinator of Oslo and Bergen: through the repository on Ada...
    let kari = Actor::Coordinator {
        user_id: UserId::new(KARI),
    };
    repository
        .change_status(&kari, MentorId::new(ADA_ID), vacation.clone(), Utc::now())
        .unwrap();
    let through_repository = last_row_without_mentor(&mut conn, ADA_ID);
    // ... and through PostgREST on Bjørn.
    committed(&mut conn, |conn| {
        pause_by_rpc(conn, Caller::User(KARI), BJORN_ID, "vacation");
    });
    let through_rpc = last_row_without_mentor(&mut conn, BJORN_ID);
    assert_eq!(
        through_rpc,
        format!("active->paused {KARI} authenticated vacation")
    );
    assert_eq!(through_repository, through_rpc);

    // The service role (no user) through both paths.
    repository
        .change_status(
            &Actor::ServiceRole,
            MentorId::new(ADA_ID),
            Command::Resume,
            Utc::now(),
        )
        .unwrap();
    let through_repository = last_row_without_mentor(&mut conn, ADA_ID);
    let outcome = committed(&mut conn, |conn| {
        attempt(
            conn,
            Caller::ServiceRole,
            Stmt::Query(&format!(
                "select status from public.resume_mentor('{BJORN_ID}')"
            )),
        )
    });
    assert_eq!(
        outcome,
        Outcome::Done {
            rows: 1,
            values: "active".into()
        }
    );
    let through_rpc = last_row_without_mentor(&mut conn, BJORN_ID);
    assert_eq!(through_rpc, "paused->active - service_role vacation");
    assert_eq!(through_repository, through_rpc);
}
