//! Bad input in direct SQL, as the service role and as the owner, gets a clear error and
//! changes nothing (see `input_support.rs`).

use diesel::PgConnection;
use mentor_status_tests::TestDb;

use super::input_support::{NOBODY, SqlError, Who, refused, run_sql, snapshot};
use crate::access::support::Caller;
use crate::storage::support::{ADA, CAMILLA};

const DIRECT: [Who; 2] = [Who::Api(Caller::ServiceRole), Who::Owner];

/// What `sql` returns when each of the [`DIRECT`] writers runs it, in that order.
fn run_directly(conn: &mut PgConnection, sql: &str) -> Vec<Result<i64, SqlError>> {
    DIRECT.iter().map(|&who| run_sql(conn, who, sql)).collect()
}

#[test]
fn direct_sql_with_an_unknown_status_label_fails_with_22p02_naming_the_type_and_changes_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for who in DIRECT {
        for label in ["paused2", "PAUSED", "deleted"] {
            refused(
                &mut conn,
                who,
                &format!("update public.peer_mentors set status = '{label}' where id = '{ADA}'"),
            )
            .assert(
                "22P02",
                &[&format!(
                    "invalid input value for enum mentor_status: \"{label}\""
                )],
            );
        }
    }
}

#[test]
fn direct_sql_with_a_malformed_pause_at_fails_with_a_datetime_error_naming_the_value_and_changes_nothing()
 {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for who in DIRECT {
        for (pause_at, sqlstate, fragment) in [
            (
                "2026-13-45",
                "22008",
                "date/time field value out of range: \"2026-13-45\"",
            ),
            (
                "2026-02-30 10:00+00",
                "22008",
                "date/time field value out of range: \"2026-02-30 10:00+00\"",
            ),
            (
                "yesterday-ish",
                "22007",
                "invalid input syntax for type timestamp with time zone: \"yesterday-ish\"",
            ),
            (
                "2026-11-26 12:00 Mars/Olympus",
                "22023",
                "time zone \"mars/olympus\" not recognized",
            ),
            (
                "2026-11-26 12:00+25",
                "22009",
                "time zone displacement out of range: \"2026-11-26 12:00+25\"",
            ),
        ] {
            // On an active mentor (a pause) and on a paused one (moving the pause).
            for (id, set) in [(ADA, "status = 'paused', pause_at"), (CAMILLA, "pause_at")] {
                refused(
                    &mut conn,
                    who,
                    &format!(
                        "update public.peer_mentors set {set} = '{pause_at}' where id = '{id}'"
                    ),
                )
                .assert(sqlstate, &[fragment]);
            }
        }
    }
}

#[test]
fn direct_sql_with_an_oversize_reason_fails_with_23514_naming_the_constraint_and_changes_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for who in DIRECT {
        for reason in [
            "repeat('x', 201)",
            "repeat('å', 201)",
            "repeat('x', 100000)",
        ] {
            for (id, set) in [
                (ADA, "status = 'paused', pause_at = now(), pause_reason"),
                (CAMILLA, "pause_reason"),
            ] {
                let error = refused(
                    &mut conn,
                    who,
                    &format!("update public.peer_mentors set {set} = {reason} where id = '{id}'"),
                );
                error.assert(
                    "23514",
                    &[
                        "pause_reason violates chk_pause_reason_no_national_id: at most 200 characters",
                    ],
                );
                assert_eq!(error.constraint, "chk_pause_reason_no_national_id");
            }
        }
    }
    // The limit is characters, as in the domain: 200 multi-byte characters fit.
    let fits = format!(
        "update public.peer_mentors set pause_reason = repeat('å', 200) where id = '{CAMILLA}'"
    );
    assert_eq!(run_directly(&mut conn, &fits), [Ok(1), Ok(1)]);
}

#[test]
fn direct_sql_updating_a_non_existent_mentor_changes_no_row() {
    // Plain SQL semantics: an UPDATE matching no row is not an error (PostgREST answers an
    // empty result). Clients that need "no such mentor" use the RPCs (PT404 above).
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let before = snapshot(&mut conn);
    let nobody =
        format!("update public.peer_mentors set status = 'inactive' where id = '{NOBODY}'");
    assert_eq!(run_directly(&mut conn, &nobody), [Ok(0), Ok(0)]);
    assert_eq!(snapshot(&mut conn), before);
}
