//! Bad input at the status RPCs, as the Data API's roles call them, gets a clear error and
//! changes nothing (see `input_support.rs`).

use diesel::PgConnection;
use mentor_status_tests::TestDb;

use super::input_support::{NOBODY, RPCS, Who, ada_user, kari_user, quoted, refused, rpc};
use crate::access::support::Caller;
use crate::storage::support::ADA;

/// Asserts that the service role and a coordinator alike are refused `sql` (the `case`;
/// nothing changes) with `sqlstate`, `message` and a hint that contains `hint`.
fn refused_to_service_and_coordinator(
    conn: &mut PgConnection,
    case: &str,
    sql: &str,
    sqlstate: &str,
    message: &str,
    hint: &str,
) {
    for caller in [Caller::ServiceRole, kari_user()] {
        let error = refused(conn, Who::Api(caller), sql);
        error.assert(sqlstate, &[message]);
        assert!(
            error.hint.contains(hint),
            "{case}: {caller:?}: {sql}: {error:?}"
        );
    }
}

#[test]
fn the_status_rpcs_refuse_a_non_existent_mentor_for_every_caller_and_change_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for function in RPCS {
        let sql = rpc(function, &quoted(NOBODY));
        // Only the service role learns that the id does not exist ...
        refused(&mut conn, Who::Api(Caller::ServiceRole), &sql)
            .assert("PT404", &["no mentor with this id"]);
        // ... everyone else is refused as for a mentor they may not change, so ids cannot be
        // probed (20261126140300).
        refused(&mut conn, Who::Api(ada_user()), &sql)
            .assert("42501", &["a mentor may only change their own status"]);
        refused(&mut conn, Who::Api(kari_user()), &sql).assert(
            "42501",
            &["the coordinator shares no active chapter with the mentor"],
        );
        // A JSON null is no mentor either.
        refused(
            &mut conn,
            Who::Api(Caller::ServiceRole),
            &rpc(function, "null"),
        )
        .assert("PT404", &["no mentor with this id"]);
    }
}

#[test]
fn the_pause_rpc_refuses_an_oversize_or_free_text_reason_and_changes_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for (reason, what) in [
        ("repeat('x', 201)", "too long"),
        (
            "repeat('å', 10000)",
            "far too long, in multi-byte characters",
        ),
        ("'Vacation'", "a code in the wrong case"),
        ("'on leave until June'", "a free-text label"),
        ("'nr 010190 12481'", "a national id"),
        ("''", "empty"),
    ] {
        let sql =
            format!("select * from public.pause_mentor(mentor_id => '{ADA}', reason => {reason})");
        refused_to_service_and_coordinator(
            &mut conn,
            what,
            &sql,
            "22023",
            "a pause reason given here must be a reason code: vacation, personal, capacity, training, relocation or other",
            "Free-text labels are recorded through the backend",
        );
        // The mentor themself is refused as the domain refuses them.
        refused(&mut conn, Who::Api(ada_user()), &sql).assert(
            "42501",
            &["a mentor may pause only with a reason code or no reason, not a free-text label"],
        );
    }
}

#[test]
fn the_status_rpcs_refuse_a_malformed_mentor_id_naming_the_type_and_the_value() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    // Text, Ada's id with a digit less in its last group and with one more, empty.
    let ada = ADA.to_string();
    assert_eq!(ada, "b0000000-0000-4000-8000-000000000001");
    let malformed = [
        "not-a-uuid".to_owned(),
        format!("{}{}", &ada[..24], &ada[25..]),
        format!("{ada}1"),
        String::new(),
    ];
    for function in RPCS {
        for bad in &malformed {
            for caller in [Caller::ServiceRole, kari_user(), ada_user()] {
                refused(&mut conn, Who::Api(caller), &rpc(function, &quoted(bad))).assert(
                    "22P02",
                    &[&format!("invalid input syntax for type uuid: \"{bad}\"")],
                );
            }
        }
    }
}

#[test]
fn the_status_rpcs_take_no_time_from_the_client_so_a_pause_at_argument_matches_no_function() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    // Not a date, not a time, an unknown time zone: none of it is even parsed.
    let not_times = [
        "2026-13-45",
        "yesterday-ish",
        "2026-11-26 12:00 Mars/Olympus",
    ];
    for pause_at in not_times {
        let sql = format!(
            "select * from public.pause_mentor(mentor_id => '{ADA}', pause_at => '{pause_at}')"
        );
        refused_to_service_and_coordinator(
            &mut conn,
            pause_at,
            &sql,
            "42883",
            "function public.pause_mentor(mentor_id => unknown, pause_at => unknown) does not exist",
            "No function matches the given name and argument types",
        );
    }
}

#[test]
fn an_unknown_status_label_from_a_client_is_invalid_text_naming_the_type_and_the_value() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for sql in [
        // PostgREST: GET /peer_mentors?select=id&status=eq.paused2
        "select id from public.peer_mentors where status = 'paused2'",
        "select 'paused2'::public.mentor_status",
        "select id from public.peer_mentors where status = 'Paused'",
    ] {
        for caller in [Caller::ServiceRole, kari_user(), ada_user()] {
            let error = refused(&mut conn, Who::Api(caller), sql);
            error.assert("22P02", &["invalid input value for enum mentor_status: \""]);
        }
    }
}
