//! Who is told about a status change: the outbox rows the trigger on the audit trail writes,
//! on the seeded fixtures, through the Rust repository, the RPCs and plain SQL.

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_domain::{Actor, AuditLabel, Command, PauseReason, ReasonCode, UserId};
use mentor_status_storage::MentorId;
use mentor_status_storage::actor_setting::set_actor_sql;
use mentor_status_tests::TestDb;

use crate::access::support::{Caller, Outcome, Stmt, attempt, audit_count};
use crate::notify::support::{
    ADA_ID, BJORN_ID, CAMILLA_ID, FREDRIK, FREDRIK_ID, INGRID, KARI, OLA, OSLO, Row, TROND,
    add_chapter_coordinators, add_organisation_coordinators, kari, last_change_id, outbox_count,
    recipients_of_change, repository, rows_of_change, service, users,
};
use crate::support::{int, text};

fn vacation() -> Command {
    Command::Pause {
        reason: Some(PauseReason::Code(ReasonCode::Vacation)),
    }
}

fn row(recipient: uuid::Uuid, fallback: bool, from: &str, to: &str) -> Row {
    Row {
        recipient_id: recipient,
        fallback,
        from_status: from.to_owned(),
        to_status: to.to_owned(),
    }
}

/// Runs `sql` through PostgREST's steps as `caller`, committed.
fn rpc(conn: &mut PgConnection, caller: Caller, sql: &str) -> Outcome {
    conn.transaction::<_, diesel::result::Error, _>(|conn| {
        Ok(attempt(conn, caller, Stmt::Query(sql)))
    })
    .unwrap()
}

/// The outbox rows of the change a status RPC (`sql`, committed as `caller`) made; asserts it
/// returned the one row with the new `status`.
fn told_by_rpc(conn: &mut PgConnection, caller: Caller, sql: &str, status: &str) -> Vec<Row> {
    assert_eq!(
        rpc(conn, caller, sql),
        Outcome::Done {
            rows: 1,
            values: status.to_owned()
        },
        "{sql}"
    );
    let change = last_change_id(conn);
    rows_of_change(conn, change)
}

/// The outbox rows of the change `command` (committed through the Rust repository as
/// `actor`) made to `mentor`.
fn told_by_repository(
    db: &TestDb,
    conn: &mut PgConnection,
    actor: &Actor,
    mentor: uuid::Uuid,
    command: Command,
) -> Vec<Row> {
    repository(db)
        .change_status(actor, MentorId::new(mentor), command, Utc::now())
        .unwrap();
    let change = last_change_id(conn);
    rows_of_change(conn, change)
}

#[test]
fn a_status_change_in_a_single_chapter_notifies_its_active_coordinator() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    // Ada is in Oslo: Kari coordinates it, Ingrid did (inactive).
    assert_eq!(
        told_by_repository(&db, &mut conn, &Actor::ServiceRole, ADA_ID, vacation()),
        [row(KARI, false, "active", "paused")]
    );

    let preview = service(&db)
        .preview_recipients(MentorId::new(ADA_ID), None)
        .unwrap();
    assert_eq!(preview.users(), &users(&[KARI]));
    assert!(!preview.is_fallback());
}

#[test]
fn a_mentor_in_two_chapters_sharing_a_coordinator_notifies_that_coordinator_once() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    // Bjørn is in Oslo and Bergen; Kari coordinates both.
    let deactivate = Command::Deactivate;
    let told = told_by_repository(&db, &mut conn, &Actor::ServiceRole, BJORN_ID, deactivate);
    assert_eq!(told, [row(KARI, false, "active", "inactive")]);
    assert_eq!(outbox_count(&mut conn), 1);
}

#[test]
fn a_chapter_without_a_coordinator_falls_back_to_the_organisation_coordinators_marked_as_fallback()
{
    let db = TestDb::seeded();
    let mut conn = db.conn();
    add_organisation_coordinators(&mut conn, &[(TROND, true), (OLA, true), (INGRID, false)]);
    // Fredrik is in Tromsø only, which has no coordinator; he pauses himself.
    let fredrik = Actor::Mentor {
        user_id: UserId::new(FREDRIK),
    };
    let told = told_by_repository(
        &db,
        &mut conn,
        &fredrik,
        FREDRIK_ID,
        Command::Pause { reason: None },
    );
    let mut expected = vec![
        row(TROND, true, "active", "paused"),
        row(OLA, true, "active", "paused"),
    ];
    expected.sort();
    assert_eq!(told, expected);

    let preview = service(&db)
        .preview_recipients(MentorId::new(FREDRIK_ID), Some(UserId::new(FREDRIK)))
        .unwrap();
    assert_eq!(preview.users(), &users(&[TROND, OLA]));
    assert!(preview.is_fallback());
}

#[test]
fn without_organisation_coordinators_a_change_in_a_chapter_without_coordinator_notifies_nobody() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let audit_before = audit_count(&mut conn);
    repository(&db)
        .change_status(
            &Actor::ServiceRole,
            MentorId::new(FREDRIK_ID),
            Command::Deactivate,
            Utc::now(),
        )
        .unwrap();
    // The audit trail has the change; nobody is there to tell.
    assert_eq!(audit_count(&mut conn), audit_before + 1);
    assert_eq!(outbox_count(&mut conn), 0);
}

#[test]
fn the_acting_coordinator_is_not_notified_of_their_own_change() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    // A second active coordinator for Oslo, so someone is left to tell.
    add_chapter_coordinators(&mut conn, &[(TROND, OSLO)]);

    let only_trond = [row(TROND, false, "active", "paused")];

    // Kari through the Rust repository...
    let told = told_by_repository(&db, &mut conn, &kari(), ADA_ID, vacation());
    assert_eq!(told, only_trond);

    // ... and through the RPC, signed in as herself.
    let pause = format!("select status from public.pause_mentor('{BJORN_ID}', 'capacity')");
    let told = told_by_rpc(&mut conn, Caller::User(KARI), &pause, "paused");
    assert_eq!(told, only_trond);
}

#[test]
fn when_the_acting_coordinator_is_the_only_one_the_organisation_is_told_instead_without_them() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    // Kari is also an organisation coordinator: she still is not told about her own change.
    add_organisation_coordinators(&mut conn, &[(KARI, true), (OLA, true)]);
    // Camilla (Bergen, paused): Kari is Bergen's only coordinator.
    assert_eq!(
        told_by_rpc(
            &mut conn,
            Caller::User(KARI),
            &format!("select status from public.resume_mentor('{CAMILLA_ID}')"),
            "active"
        ),
        [row(OLA, true, "paused", "active")]
    );
}

#[test]
fn every_status_command_is_announced_with_its_from_and_to_status() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let commands = [
        (vacation(), "active", "paused"),
        (Command::Resume, "paused", "active"),
        (Command::Deactivate, "active", "inactive"),
        (Command::Reactivate, "inactive", "active"),
    ];
    for (command, from, to) in commands {
        assert_eq!(
            told_by_repository(&db, &mut conn, &Actor::ServiceRole, ADA_ID, command),
            [row(KARI, false, from, to)],
            "{from} -> {to}"
        );
    }
    assert_eq!(outbox_count(&mut conn), 4);
}

#[test]
fn a_rolled_back_status_change_leaves_no_notification() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let mut worker = db.conn();
    let audit_before = audit_count(&mut conn);

    let mut inside = None;
    let result = conn.transaction::<(), diesel::result::Error, _>(|conn| {
        conn.batch_execute(&format!(
            "{};
             update public.peer_mentors set status = 'paused', pause_at = now() where id = '{ADA_ID}';",
            set_actor_sql(&Actor::ServiceRole)
        ))?;
        // Written in the change's own transaction, invisible to any other session (a
        // worker) until it commits ...
        inside = Some((outbox_count(conn), outbox_count(&mut worker)));
        // ... and then the request fails after the change (a later step, say).
        Err(diesel::result::Error::RollbackTransaction)
    });
    assert!(matches!(
        result,
        Err(diesel::result::Error::RollbackTransaction)
    ));
    assert_eq!(inside, Some((1, 0)));
    assert_eq!(audit_count(&mut conn), audit_before);
    assert_eq!(outbox_count(&mut conn), 0);

    // A refused RPC (Camilla is already paused) rolls back its statement: nothing either.
    let outcome = rpc(
        &mut conn,
        Caller::User(KARI),
        &format!("select status from public.pause_mentor('{CAMILLA_ID}', 'vacation')"),
    );
    assert_eq!(outcome.sqlstate(), Some("PT409"));
    assert_eq!(audit_count(&mut conn), audit_before);
    assert_eq!(outbox_count(&mut conn), 0);
}

#[test]
fn a_notification_never_carries_the_pause_reason() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let label = "Flytter til Bergen i sommer";
    repository(&db)
        .change_status(
            &kari(),
            MentorId::new(BJORN_ID),
            Command::Pause {
                reason: Some(PauseReason::Label(AuditLabel::parse(label).unwrap())),
            },
            Utc::now(),
        )
        .unwrap();
    // The audit trail keeps the reason (for those allowed to read it) ...
    assert_eq!(
        text(
            &mut conn,
            "select r.reason as v from public.mentor_status_changes as c
               join private.mentor_status_change_reasons as r on r.change_id = c.id
              order by c.id desc limit 1"
        ),
        label
    );
    // ... the outbox has no column for it and no row holding it. (Kari acted and is
    // Bjørn's only coordinator, with nobody at organisation level: add one to get a row.)
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from pg_attribute
              where attrelid = 'public.status_notifications'::regclass and attnum > 0
                and not attisdropped and attname like '%reason%'"
        ),
        0
    );
    add_organisation_coordinators(&mut conn, &[(OLA, true)]);
    repository(&db)
        .change_status(
            &kari(),
            MentorId::new(BJORN_ID),
            Command::Resume,
            Utc::now(),
        )
        .unwrap();
    assert_eq!(outbox_count(&mut conn), 1);
    assert_eq!(
        int(
            &mut conn,
            &format!(
                "select count(*) as v from public.status_notifications as s
                  where row_to_json(s)::text ilike '%{}%'",
                "Bergen i sommer"
            )
        ),
        0
    );
}

#[test]
fn a_change_that_keeps_the_status_notifies_nobody() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let audit_before = audit_count(&mut conn);
    // A console correction of Camilla's pause reason: audited, but no status change.
    conn.batch_execute(&format!(
        "update public.peer_mentors set pause_reason = 'personal' where id = '{CAMILLA_ID}'"
    ))
    .unwrap();
    assert_eq!(audit_count(&mut conn), audit_before + 1);
    assert_eq!(outbox_count(&mut conn), 0);
    let change = last_change_id(&mut conn);
    assert!(recipients_of_change(&mut conn, change).is_empty());
}
