//! No error echoes a row (issue 10): every CHECK and NOT NULL violation on `peer_mentors` and
//! `mentor_status_changes`, by every writer that can write, names the constraint and says
//! what to fix, but its message, detail and hint hold none of the row's e-mail, phone or
//! reason. The constraints are read from the catalog, so a new one cannot escape: each
//! needs a violating statement below, or the test fails.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use mentor_status_tests::TestDb;
use uuid::Uuid;

use crate::access::support::{Caller, error_of};
use crate::seed_ids::{mentor, mentors, user, users};

/// A mentor whose values are easy to spot in any text.
const MENTOR: Uuid = mentor(0x77);
/// Its auth user.
const USER: Uuid = user(0x77);
const EMAIL: &str = "zq-echo-7731@example.org";
const PHONE: &str = "+47 977 31 773";
const REASON: &str = "echo-reason-7731";
/// A rejected reason (national-id shaped) must not come back either.
const BAD_REASON: &str = "fnr 123456 12345";

/// The mentor, paused with [`REASON`], and one audit row with the reason (resumed and
/// paused again).
fn fixture() -> String {
    format!(
        "insert into auth.users (id, email) values ('{USER}', '{EMAIL}');
insert into public.peer_mentors (id, user_id, full_name, email, phone, status, pause_at, pause_reason)
values ('{MENTOR}', '{USER}', 'Echo Test', '{EMAIL}', '{PHONE}', 'paused', now(), '{REASON}');
update public.peer_mentors set status = 'active', pause_at = null, pause_reason = null
 where id = '{MENTOR}';
update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = '{REASON}'
 where id = '{MENTOR}';"
    )
}
#[derive(QueryableByName)]
struct Named {
    #[diesel(sql_type = Text)]
    name: String,
}

fn names(conn: &mut PgConnection, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Named>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|n| n.name)
        .collect()
}

/// A SET clause on the mentor that violates the CHECK constraint `name` of peer_mentors.
fn peer_mentors_check_violation(name: &str) -> Option<String> {
    Some(match name {
        "peer_mentors_full_name_not_blank" => "full_name = '   '".to_owned(),
        "chk_pause_at_required" => "pause_at = null".to_owned(),
        "chk_pause_at_only_when_paused" => "status = 'inactive', pause_reason = null".to_owned(),
        "chk_pause_reason_only_when_paused" => "status = 'active', pause_at = null".to_owned(),
        "chk_pause_reason_no_national_id" => format!("pause_reason = '{BAD_REASON}'"),
        _ => return None,
    })
}

/// An INSERT into mentor_status_changes (copying the mentor's audit row) with `override`
/// replacing one column's value, e.g. `("actor_role", "'authenticated'")`.
fn audit_insert(overrides: &[(&str, &str)]) -> String {
    let columns = [
        "mentor_id",
        "from_status",
        "to_status",
        "from_pause_at",
        "to_pause_at",
        "pause_reason",
        "changed_by",
        "actor_role",
        "changed_at",
    ];
    let values: Vec<String> = columns
        .iter()
        .map(|c| {
            overrides
                .iter()
                .find(|(o, _)| o == c)
                .map_or_else(|| format!("c.{c}"), |(_, v)| (*v).to_owned())
        })
        .collect();
    format!(
        "insert into public.mentor_status_changes ({}) select {} from public.mentor_status_changes as c where c.mentor_id = '{MENTOR}'",
        columns.join(", "),
        values.join(", ")
    )
}

#[track_caller]
fn assert_not_echoed(conn: &mut PgConnection, who: Option<Caller>, sql: &str, sqlstate: &str) {
    let error = error_of(conn, who, sql)
        .unwrap_or_else(|| panic!("{sql} as {who:?} succeeded, expected {sqlstate}"));
    assert_eq!(error.sqlstate, sqlstate, "{sql} as {who:?}: {error:?}");
    let said = error.said();
    for value in [EMAIL, PHONE, REASON, BAD_REASON, "12345", "977 31"] {
        assert!(
            !said.contains(value),
            "{sql} as {who:?} echoed {value:?}: {said}"
        );
    }
    assert!(!error.hint.is_empty(), "{sql}: no hint says what to fix");
}

#[test]
fn no_check_or_not_null_violation_on_the_mentor_or_audit_tables_echoes_the_row() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    conn.batch_execute(&fixture()).unwrap();

    // peer_mentors: every writer that may UPDATE it (the owner, service_role).
    let writers = [None, Some(Caller::ServiceRole)];
    let checks = names(
        &mut conn,
        "select conname as name from pg_constraint where conrelid = 'public.peer_mentors'::regclass and contype = 'c' order by 1",
    );
    assert!(checks.len() >= 5, "{checks:?}");
    for name in &checks {
        let set = peer_mentors_check_violation(name)
            .unwrap_or_else(|| panic!("no violating statement for the new CHECK {name}: add one"));
        for who in writers {
            let sql = format!("update public.peer_mentors set {set} where id = '{MENTOR}'");
            assert_not_echoed(&mut conn, who, &sql, "23514");
            let error = error_of(&mut conn, who, &sql).unwrap();
            assert!(
                error.constraint == *name || error.message.contains(name.as_str()),
                "{sql}: {error:?} does not name {name}"
            );
        }
    }
    let not_null = names(
        &mut conn,
        "select attname::text as name from pg_attribute where attrelid = 'public.peer_mentors'::regclass and attnum > 0 and attnotnull and not attisdropped order by attnum",
    );
    assert!(not_null.contains(&"email".to_owned()), "{not_null:?}");
    for column in &not_null {
        for who in writers {
            let update =
                format!("update public.peer_mentors set {column} = null where id = '{MENTOR}'");
            if column == "updated_at" {
                // peer_mentors_set_updated_at always sets it on UPDATE: nothing to violate.
                assert_eq!(error_of(&mut conn, who, &update), None);
            } else {
                assert_not_echoed(&mut conn, who, &update, "23502");
            }
            // An INSERT of a copy of the row with the column NULL.
            let insert = format!(
                "insert into public.peer_mentors (id, user_id, full_name, email, phone, status, pause_at, pause_reason, created_at, updated_at)
                 select {}, {}, {}, {}, phone, {}, pause_at, '{REASON}', {}, {} from public.peer_mentors where id = '{MENTOR}'",
                if column == "id" { "null" } else { "gen_random_uuid()" },
                if column == "user_id" { "null" } else { "user_id" },
                if column == "full_name" { "null" } else { "full_name" },
                if column == "email" { "null" } else { "email" },
                if column == "status" { "null" } else { "status" },
                if column == "created_at" { "null" } else { "created_at" },
                if column == "updated_at" { "null" } else { "updated_at" },
            );
            if who.is_none() {
                assert_not_echoed(&mut conn, who, &insert, "23502");
            }
        }
    }

    // The audit table: only the owner writes it (service_role and clients hold no write
    // privilege: 42501 before any row is looked at).
    let audit_checks = names(
        &mut conn,
        "select conname as name from pg_constraint where conrelid = 'public.mentor_status_changes'::regclass and contype = 'c' order by 1",
    );
    for name in &audit_checks {
        let sql = match name.as_str() {
            "mentor_status_changes_authenticated_actor_known" => {
                audit_insert(&[("changed_by", "null"), ("actor_role", "'authenticated'")])
            }
            other => panic!("no violating statement for the new CHECK {other}: add one"),
        };
        assert_not_echoed(&mut conn, None, &sql, "23514");
        let update = format!(
            "update public.mentor_status_changes set changed_by = null, actor_role = 'authenticated' where mentor_id = '{MENTOR}'"
        );
        assert_not_echoed(&mut conn, None, &update, "23514");
    }
    let audit_not_null = names(
        &mut conn,
        "select attname::text as name from pg_attribute where attrelid = 'public.mentor_status_changes'::regclass and attnum > 0 and attnotnull and not attisdropped order by attnum",
    );
    assert!(audit_not_null.len() >= 5, "{audit_not_null:?}");
    for column in &audit_not_null {
        if column == "id" {
            // generated always as identity: an INSERT cannot set it, an UPDATE neither.
            continue;
        }
        assert_not_echoed(&mut conn, None, &audit_insert(&[(column, "null")]), "23502");
        let update = format!(
            "update public.mentor_status_changes set {column} = null where mentor_id = '{MENTOR}'"
        );
        assert_not_echoed(&mut conn, None, &update, "23502");
    }
    for who in [Some(Caller::ServiceRole), Some(Caller::User(users::KARI))] {
        let error = error_of(&mut conn, who, &audit_insert(&[("actor_role", "null")])).unwrap();
        assert_eq!(error.sqlstate, "42501", "{error:?}");
    }

    // Through the RPCs: a reason they refuse is not repeated either.
    assert_not_echoed(
        &mut conn,
        Some(Caller::ServiceRole),
        &format!(
            "select * from public.pause_mentor('{}', '{BAD_REASON}')",
            mentors::ADA
        ),
        "22023",
    );
}
