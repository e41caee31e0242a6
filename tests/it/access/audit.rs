//! The audit trail the access migrations add: what a mentor and a coordinator read of it, the
//! same row from the repository and from the RPCs (maintenance recorded as such), and that
//! it is append-only.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use mentor_status_domain::{Actor, Command, ReasonCode, UserId};
use mentor_status_storage::MentorId;
use mentor_status_storage::actor_setting::{ACTOR_ID, ACTOR_ROLE};
use mentor_status_tests::TestDb;

use crate::access::support::{
    Caller, Outcome, Stmt, attempt, audit_count, last_audit_row, pause_by_rpc, request, rolled_back,
};
use crate::seed_ids::mentors::{ADA as ADA_ID, BJORN as BJORN_ID};
use crate::seed_ids::users;
use crate::storage::support::{at, repository};
use crate::support::text;

const ADA: Caller = Caller::User(users::ADA);
const BJORN: Caller = Caller::User(users::BJORN);
const KARI: Caller = Caller::User(users::KARI);

/// `rows` rows whose first column, sorted and joined with `,`, is `values`.
fn done(rows: i64, values: impl Into<String>) -> Outcome {
    Outcome::Done {
        rows,
        values: values.into(),
    }
}

/// The audit rows there are after `sql` runs as the owner, rolled back.
fn audit_rows_after(conn: &mut PgConnection, sql: &str) -> i64 {
    rolled_back(conn, |conn| {
        conn.batch_execute(sql).unwrap();
        audit_count(conn)
    })
}

#[test]
fn a_mentor_reads_their_history_without_reasons_and_coordinators_read_it_with_reasons() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let own = format!(
        "select from_status || '->' || to_status || ' by ' || changed_by from public.mentor_status_changes where mentor_id = '{BJORN_ID}'"
    );
    let reasons = format!(
        "select pause_reason from public.mentor_status_changes where mentor_id = '{BJORN_ID}'"
    );
    let history = format!("select pause_reason from public.mentor_status_history('{BJORN_ID}')");
    // In one transaction, in this order: who runs what, and what it must give.
    let steps: [(Caller, String, Result<Outcome, &str>); 7] = [
        // Bjørn pauses himself, Kari resumes him.
        (
            BJORN,
            format!("select 1 from public.pause_mentor('{BJORN_ID}', 'training')"),
            Ok(done(1, "1")),
        ),
        (
            KARI,
            format!("select 1 from public.resume_mentor('{BJORN_ID}')"),
            Ok(done(1, "1")),
        ),
        (
            BJORN,
            own.clone(),
            Ok(done(
                2,
                format!(
                    "active->paused by {},paused->active by {}",
                    users::BJORN,
                    users::KARI
                ),
            )),
        ),
        // The column reads NULL (the reasons live in private.mentor_status_change_reasons).
        (BJORN, reasons, Ok(done(2, ""))),
        (BJORN, history.clone(), Err("42501")),
        // Kari (coordinator) sees both rows with the reason through the function.
        (KARI, history, Ok(done(2, "training,training"))),
        // Ada (same chapter, not a coordinator) sees nothing of Bjørn's history.
        (ADA, own, Ok(done(0, ""))),
    ];
    rolled_back(&mut conn, |conn| {
        for (caller, sql, expected) in steps {
            let outcome = attempt(conn, caller, Stmt::Query(&sql));
            match expected {
                Ok(expected) => assert_eq!(outcome, expected, "{caller:?}: {sql}"),
                Err(sqlstate) => assert_eq!(
                    outcome.sqlstate(),
                    Some(sqlstate),
                    "{caller:?}: {sql}: {outcome:?}"
                ),
            }
        }
    });
}

/// The audit row of one change made by `sql` (as the owner, in a rolled-back transaction),
/// without the columns that differ between two runs (id, times).
fn audit_row_of(conn: &mut PgConnection, sql: &str) -> Result<String, Error> {
    let mut result = Ok(String::new());
    let _ = conn.transaction::<(), Error, _>(|conn| {
        let before = audit_count(conn);
        result = conn.batch_execute(sql).map(|()| {
            assert_eq!(audit_count(conn), before + 1, "{sql}");
            last_audit_row(conn)
        });
        Err(Error::RollbackTransaction)
    });
    result
}

/// The audit row of Ada's pause (`vacation`) made by the repository itself as `actor`,
/// without the columns that differ between two runs; afterwards the owner puts Ada back as
/// seeded and clears the trail, so the next change starts from the same data.
fn repository_audit_row(db: &TestDb, conn: &mut PgConnection, actor: &Actor) -> String {
    let before = audit_count(conn);
    repository(db, 1)
        .change_status(
            actor,
            MentorId::new(ADA_ID),
            Command::Pause {
                reason: Some(ReasonCode::Vacation.into()),
            },
            at(0),
        )
        .unwrap();
    assert_eq!(audit_count(conn), before + 1, "one audit row per change");
    let row = last_audit_row(conn);
    conn.batch_execute(&format!(
        "update public.peer_mentors set status = 'active', pause_at = null, pause_reason = null
          where id = '{ADA_ID}';
         delete from public.mentor_status_changes;"
    ))
    .unwrap();
    row
}

fn kari_actor() -> Actor {
    Actor::Coordinator {
        user_id: UserId::new(users::KARI),
    }
}

#[test]
fn rust_path_and_rpc_path_write_the_same_audit_row_and_maintenance_is_recorded_as_such() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let kari = users::KARI;
    let pause = format!(
        "update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'vacation' where id = '{ADA_ID}';"
    );

    // Kari, then the service role (no user): the same row through PostgREST's RPC path and
    // through the repository itself.
    for (caller, actor, expected) in [
        (
            KARI,
            kari_actor(),
            format!("{ADA_ID} active->paused {kari} authenticated vacation"),
        ),
        (
            Caller::ServiceRole,
            Actor::ServiceRole,
            format!("{ADA_ID} active->paused - service_role vacation"),
        ),
    ] {
        let rpc = rolled_back(&mut conn, |conn| {
            pause_by_rpc(conn, caller, ADA_ID, "vacation");
            last_audit_row(conn)
        });
        assert_eq!(rpc, expected, "{caller:?}");
        let repository = repository_audit_row(&db, &mut conn, &actor);
        assert_eq!(repository, rpc, "{actor:?}");
    }

    // The SQL console: no claims, no settings.
    assert_eq!(
        audit_row_of(&mut conn, &pause).unwrap(),
        format!("{ADA_ID} active->paused - maintenance vacation")
    );

    // A writer that claims a signed-in user but forgets who: refused, nothing written.
    let forgot = audit_row_of(
        &mut conn,
        &format!("select set_config('{ACTOR_ROLE}', 'authenticated', true); {pause}"),
    );
    match forgot {
        Err(Error::DatabaseError(DatabaseErrorKind::CheckViolation, info)) => {
            assert_eq!(
                info.constraint_name(),
                Some("mentor_status_changes_authenticated_actor_known")
            );
        }
        other => panic!("expected a check violation, got {other:?}"),
    }

    // Changing anything but the three status columns writes no audit row.
    assert_eq!(
        audit_rows_after(
            &mut conn,
            &format!(
                "update public.peer_mentors set phone = null, full_name = 'Ada H.' where id = '{ADA_ID}'"
            )
        ),
        0
    );
}

#[test]
fn the_trail_is_append_only_for_every_client_role_and_truncate_cannot_wipe_mentors() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    conn.batch_execute(&format!(
        "update public.peer_mentors set status = 'inactive' where id = '{ADA_ID}'"
    ))
    .unwrap();
    assert_eq!(audit_count(&mut conn), 1);
    for caller in [ADA, KARI, Caller::Anon, Caller::ServiceRole] {
        for sql in [
            "truncate public.mentor_status_changes",
            "truncate public.peer_mentors cascade",
            "delete from public.mentor_status_changes",
            "update public.mentor_status_changes set changed_by = null",
            "alter sequence public.mentor_status_changes_id_seq restart",
            "select setval('public.mentor_status_changes_id_seq', 1000)",
        ] {
            let outcome = rolled_back(&mut conn, |conn| {
                let stmt = if sql.starts_with("select") {
                    Stmt::Query(sql)
                } else {
                    Stmt::Command(sql)
                };
                attempt(conn, caller, stmt)
            });
            assert_eq!(
                outcome.sqlstate(),
                Some("42501"),
                "{caller:?}: {sql}: {outcome:?}"
            );
        }
    }
    // Deleting the mentor would take the history with it: refused, even for the service role.
    let delete = request(
        &mut conn,
        Caller::ServiceRole,
        Stmt::Command(&format!(
            "delete from public.peer_mentors where id = '{ADA_ID}'"
        )),
    );
    assert_eq!(delete.sqlstate(), Some("23503"), "{delete:?}");
    // The owner can, for maintenance.
    assert_eq!(
        audit_rows_after(&mut conn, "delete from public.mentor_status_changes"),
        0
    );
}

/// The functions of the schema read exactly the actor settings storage exports and sets: a
/// setting renamed in a migration, or in `actor_setting`, fails here (the audit row would
/// silently fall back to 'maintenance').
#[test]
fn the_triggers_read_exactly_the_actor_settings_storage_sets() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    let mut expected = [ACTOR_ID, ACTOR_ROLE];
    expected.sort_unstable();
    let read = text(
        &mut conn,
        r"select coalesce(string_agg(distinct m[1], ',' order by m[1]), '') as v
            from pg_catalog.pg_proc as p
            join pg_catalog.pg_namespace as n on n.oid = p.pronamespace,
                 regexp_matches(p.prosrc, 'current_setting\(''(mentor_status\.[^'']*)''', 'g') as m
           where n.nspname not in ('pg_catalog', 'information_schema')",
    );
    assert_eq!(read, expected.join(","));
}
