//! Who may read and write the outbox and the organisation coordinators through the Data
//! API: each statement runs as PostgREST runs it (role + JWT claims in a transaction).

use chrono::Utc;
use mentor_status_domain::{Actor, Command};
use mentor_status_storage::MentorId;
use mentor_status_tests::TestDb;

use crate::access::support::{Caller, Outcome, Stmt, request};
use crate::notify::support::{
    ADA_ID, FREDRIK_ID, KARI, OLA, TROND, add_organisation_coordinators, outbox_count, repository,
};
use crate::support::int;

/// Seeded, with Trond as organisation coordinator and two notifications: Kari's about Ada
/// (Oslo), Trond's fallback about Fredrik (Tromsø has no coordinator).
fn with_notifications() -> TestDb {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    add_organisation_coordinators(&mut conn, &[(TROND, true)]);
    let repository = repository(&db);
    for mentor in [ADA_ID, FREDRIK_ID] {
        repository
            .change_status(
                &Actor::ServiceRole,
                MentorId::new(mentor),
                Command::Deactivate,
                Utc::now(),
            )
            .unwrap();
    }
    assert_eq!(outbox_count(&mut conn), 2);
    db
}

fn rows(values: &str) -> Outcome {
    Outcome::Done {
        rows: i64::try_from(values.split(',').filter(|v| !v.is_empty()).count()).unwrap(),
        values: values.to_owned(),
    }
}

#[test]
fn anon_can_read_neither_the_outbox_nor_the_organisation_coordinators() {
    let db = with_notifications();
    let mut conn = db.conn();
    for sql in [
        "select recipient_id from public.status_notifications",
        "select user_id from public.organisation_coordinators",
    ] {
        let outcome = request(&mut conn, Caller::Anon, Stmt::Query(sql));
        assert_eq!(outcome.sqlstate(), Some("42501"), "{sql}: {outcome:?}");
    }
}

#[test]
fn a_signed_in_user_reads_only_the_notifications_addressed_to_them() {
    let db = with_notifications();
    let mut conn = db.conn();
    let query = Stmt::Query("select recipient_id from public.status_notifications");
    assert_eq!(
        request(&mut conn, Caller::User(KARI), query),
        rows(&KARI.to_string())
    );
    // The fallback recipient reads their own (the fallback one).
    assert_eq!(
        request(
            &mut conn,
            Caller::User(TROND),
            Stmt::Query("select fallback::text from public.status_notifications")
        ),
        rows("true")
    );
    // Someone else's id in the filter finds nothing.
    assert_eq!(
        request(
            &mut conn,
            Caller::User(OLA),
            Stmt::Query(&format!(
                "select id from public.status_notifications where recipient_id = '{KARI}'"
            ))
        ),
        rows("")
    );
    // `select *` works for their own rows: no column is withheld.
    assert_eq!(
        request(
            &mut conn,
            Caller::User(KARI),
            Stmt::Query("select s.id from (select * from public.status_notifications) as s")
        )
        .sqlstate(),
        None
    );
}

#[test]
fn signed_in_users_cannot_write_the_outbox_or_the_organisation_coordinators() {
    let db = with_notifications();
    let mut conn = db.conn();
    let statements = [
        "update public.status_notifications set sent_at = now()".to_owned(),
        "delete from public.status_notifications".to_owned(),
        format!(
            "insert into public.status_notifications (change_id, mentor_id, recipient_id, fallback, from_status, to_status)
             select change_id, mentor_id, '{OLA}', false, from_status, to_status from public.status_notifications"
        ),
        "truncate public.status_notifications".to_owned(),
        format!("insert into public.organisation_coordinators (user_id) values ('{KARI}')"),
        "select user_id from public.organisation_coordinators".to_owned(),
    ];
    for caller in [Caller::User(KARI), Caller::Anon] {
        for sql in &statements {
            let stmt = if sql.starts_with("select") {
                Stmt::Query(sql)
            } else {
                Stmt::Command(sql)
            };
            let outcome = request(&mut conn, caller, stmt);
            assert_eq!(
                outcome.sqlstate(),
                Some("42501"),
                "{caller:?} {sql}: {outcome:?}"
            );
        }
    }
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from public.status_notifications where sent_at is null"
        ),
        2
    );
}

/// What a statement in [`the_service_role_reads_everything_and_updates_only_the_delivery_columns`]
/// must do.
#[derive(Debug)]
enum Then {
    /// Give exactly this outcome.
    Gives(Outcome),
    /// Succeed.
    Succeeds,
    /// Be refused with 42501.
    Denied,
}

#[test]
fn the_service_role_reads_everything_and_updates_only_the_delivery_columns() {
    let db = with_notifications();
    let mut conn = db.conn();
    let redirect = format!("update public.status_notifications set recipient_id = '{OLA}'");
    let copy = format!(
        "insert into public.status_notifications (change_id, mentor_id, recipient_id, fallback, from_status, to_status)
         select change_id, mentor_id, '{OLA}', false, from_status, to_status from public.status_notifications"
    );
    let add_coordinator =
        format!("insert into public.organisation_coordinators (user_id) values ('{OLA}')");
    // Each statement in its own rolled-back request.
    let cases = [
        (
            Stmt::Query("select count(*) from public.status_notifications"),
            Then::Gives(rows("2")),
        ),
        // What a worker connected as service_role does: lock without waiting, claim, mark.
        (
            Stmt::Query(
                "select id from public.status_notifications order by id limit 1 for update skip locked",
            ),
            Then::Succeeds,
        ),
        (
            Stmt::Command(
                "update public.status_notifications
                    set claimed_at = now(), claimed_by = 'w', attempts = attempts + 1,
                        next_attempt_at = now(), sent_at = now(), last_error = null, dead_at = null",
            ),
            Then::Gives(Outcome::Done {
                rows: 2,
                values: String::new(),
            }),
        ),
        // Not who is told, not what about; no new or deleted rows.
        (Stmt::Command(&redirect), Then::Denied),
        (
            Stmt::Command("update public.status_notifications set to_status = 'active'"),
            Then::Denied,
        ),
        (
            Stmt::Command("delete from public.status_notifications"),
            Then::Denied,
        ),
        (Stmt::Command(&copy), Then::Denied),
        // It manages the organisation coordinators, without deleting any.
        (Stmt::Command(&add_coordinator), Then::Succeeds),
        (
            Stmt::Command("delete from public.organisation_coordinators"),
            Then::Denied,
        ),
    ];
    for (stmt, then) in cases {
        let outcome = request(&mut conn, Caller::ServiceRole, stmt);
        match then {
            Then::Gives(expected) => assert_eq!(outcome, expected, "{stmt:?}"),
            Then::Succeeds => assert_eq!(outcome.sqlstate(), None, "{stmt:?}: {outcome:?}"),
            Then::Denied => assert_eq!(outcome.sqlstate(), Some("42501"), "{stmt:?}: {outcome:?}"),
        }
    }
}
