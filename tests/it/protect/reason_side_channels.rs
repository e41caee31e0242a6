//! Who can learn a pause reason (issue 10): only the service role and coordinators sharing
//! an active chapter with the mentor, and only through the documented path
//! (`mentor_pause_reason`, `mentor_status_history`). Every other way is tried for every
//! actor: the column, filters and LIKE on it, ordering by it, `to_jsonb`/`row_to_json` of the
//! row, embeds, RETURNING, casts that would put the value into an error message, the audit
//! trail, the notifications and the protected tables themselves.

use diesel::connection::SimpleConnection;
use mentor_status_tests::TestDb;

use crate::access::support::{Caller, Outcome, Stmt, attempt, request, rolled_back};
use crate::support::text;

/// Bjørn (Oslo and Bergen) is paused with this reason; it is distinctive enough that any
/// text containing it learned it.
const SECRET: &str = "sidekanal-grunn-42";
use crate::seed_ids::{mentor, mentors::BJORN, user};

/// The actors, and whether they may read the reason.
#[rustfmt::skip]
const ACTORS: [(&str, Caller, bool); 8] = [
    ("anon",                                   Caller::Anon,             false),
    ("the mentor himself (Bjørn)",             Caller::User(user(0x02)), false),
    ("another mentor (Ada)",                   Caller::User(user(0x01)), false),
    ("coordinator of his chapters (Kari)",     Caller::User(user(0x11)), true),
    ("coordinator of another chapter (Trond)", Caller::User(user(0x12)), false),
    ("former coordinator (Ingrid)",            Caller::User(user(0x13)), false),
    ("signed-in user without a role (Ola)",    Caller::User(user(0x99)), false),
    ("service_role",                           Caller::ServiceRole,      true),
];

/// Queries that must never reveal the reason, to anyone.
fn side_channels() -> Vec<String> {
    vec![
        format!("select pause_reason from public.peer_mentors where id = '{BJORN}'"),
        format!("select id from public.peer_mentors where pause_reason = '{SECRET}'"),
        "select id from public.peer_mentors where pause_reason like 'side%'".to_owned(),
        "select id from public.peer_mentors where pause_reason is not null".to_owned(),
        "select string_agg(id::text, ',' order by pause_reason desc nulls last, id) from public.peer_mentors".to_owned(),
        "select max(pause_reason) from public.peer_mentors".to_owned(),
        "select to_jsonb(m)::text from public.peer_mentors as m".to_owned(),
        "select row_to_json(m.*)::text from public.peer_mentors as m".to_owned(),
        // An embed, as PostgREST builds it.
        r#"select row_to_json("x".*)::text from "public"."assignments" left join lateral (select "p".* from "public"."peer_mentors" as "p" where "p"."id" = "public"."assignments"."mentor_id") as "x" on true"#.to_owned(),
        // Casting would put the value into the error message ("invalid input syntax ...").
        "select (pause_reason::integer)::text from public.peer_mentors".to_owned(),
        "select (pause_reason::uuid)::text from public.mentor_status_changes".to_owned(),
        "select pause_reason from public.mentor_status_changes".to_owned(),
        "select to_jsonb(c)::text from public.mentor_status_changes as c".to_owned(),
        "select id from public.mentor_status_changes where pause_reason like '%kanal%'".to_owned(),
        "select to_jsonb(n)::text from public.status_notifications as n".to_owned(),
        "select reason from private.mentor_pause_reasons".to_owned(),
        "select reason from private.mentor_status_change_reasons".to_owned(),
        "select (reason::integer)::text from private.mentor_pause_reasons".to_owned(),
        // The RPCs' returned rows and errors.
        format!("select to_jsonb(r)::text from public.resume_mentor('{BJORN}') as r"),
        format!("select to_jsonb(r)::text from public.pause_mentor('{BJORN}', 'vacation') as r"),
    ]
}

/// The documented path: the reason for those allowed, 42501 for everyone else.
fn documented_path() -> Vec<String> {
    vec![
        format!("select public.mentor_pause_reason('{BJORN}')"),
        format!(
            "select pause_reason from public.mentor_status_history('{BJORN}') where pause_reason is not null"
        ),
    ]
}

/// What the attempt revealed: its values or its error message.
fn revealed(outcome: &Outcome) -> &str {
    match outcome {
        Outcome::Done { values, .. } => values,
        Outcome::Failed { message, .. } => message,
    }
}

#[test]
fn only_the_service_role_and_his_coordinators_learn_the_reason_and_only_through_the_documented_path()
 {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    conn.batch_execute(&format!(
        "update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = '{SECRET}' where id = '{BJORN}'"
    ))
    .unwrap();

    let mut failures = Vec::new();
    for (name, caller, allowed) in ACTORS {
        for sql in side_channels() {
            let outcome = request(&mut conn, caller, Stmt::Query(&sql));
            if revealed(&outcome).contains(SECRET) {
                failures.push(format!(
                    "{name} learned the reason through {sql}: {outcome:?}"
                ));
            }
        }
        // RETURNING: a command cannot run inside the attempt's subquery, so it hands what it
        // returned over in a setting.
        let returning = format!(
            "with u as (update public.peer_mentors set phone = phone where id = '{BJORN}' returning *)
             select set_config('side_channel.returned', coalesce((select string_agg(to_jsonb(u)::text, ',') from u), ''), true)"
        );
        let returned = rolled_back(&mut conn, |conn| {
            let outcome = attempt(conn, caller, Stmt::Command(&returning));
            let returned = text(
                conn,
                "select coalesce(current_setting('side_channel.returned', true), '') as v",
            );
            format!("{} {returned}", revealed(&outcome))
        });
        if returned.contains(SECRET) {
            failures.push(format!(
                "{name} learned the reason through RETURNING: {returned}"
            ));
        }
        for sql in documented_path() {
            let outcome = request(&mut conn, caller, Stmt::Query(&sql));
            let ok = if allowed {
                outcome
                    == Outcome::Done {
                        rows: 1,
                        values: SECRET.to_owned(),
                    }
            } else {
                outcome.sqlstate() == Some("42501") && !revealed(&outcome).contains(SECRET)
            };
            if !ok {
                failures.push(format!("{name}, {sql}: {outcome:?}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The owner (the repository's connection) still finds it where it lives.
    assert_eq!(
        text(
            &mut conn,
            &format!(
                "select reason as v from private.mentor_pause_reasons where mentor_id = '{BJORN}'"
            )
        ),
        SECRET
    );
}

#[test]
fn every_write_path_still_records_the_reason_and_clearing_it_works() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let reason_of = |conn: &mut diesel::PgConnection| {
        text(
            conn,
            &format!(
                "select coalesce((select reason from private.mentor_pause_reasons where mentor_id = '{BJORN}'), '-') as v"
            ),
        )
    };
    // The service role's direct UPDATE, with and without the reason in the SET list.
    rolled_back(&mut conn, |conn| {
        let set = |conn: &mut diesel::PgConnection, set: &str| {
            attempt(
                conn,
                Caller::ServiceRole,
                Stmt::Command(&format!(
                    "update public.peer_mentors set {set} where id = '{BJORN}'"
                )),
            )
        };
        // Each SET list, and the reason it leaves.
        for (set_list, reason) in [
            (
                "status = 'paused', pause_at = now(), pause_reason = 'etter avtale'",
                "etter avtale",
            ),
            // Another column: the reason stays.
            ("phone = '+47 1'", "etter avtale"),
            // A new reason while paused: replaced, and the audit trail records it.
            ("pause_reason = 'ny avtale'", "ny avtale"),
            // Clearing it while staying paused.
            ("pause_reason = null", "-"),
            // Leaving the pause without clearing a reason is refused, as the CHECK did.
            ("pause_reason = 'igjen'", "igjen"),
        ] {
            let outcome = set(conn, set_list);
            assert!(
                matches!(outcome, Outcome::Done { rows: 1, .. }),
                "{set_list}: {outcome:?}"
            );
            assert_eq!(reason_of(conn), reason, "{set_list}");
        }
        assert_eq!(
            set(conn, "status = 'active', pause_at = null").sqlstate(),
            Some("23514")
        );
        assert!(matches!(
            set(
                conn,
                "status = 'active', pause_at = null, pause_reason = null"
            ),
            Outcome::Done { rows: 1, .. }
        ));
        assert_eq!(reason_of(conn), "-");
        assert_eq!(
            text(
                conn,
                &format!(
                    "select string_agg(from_status || '>' || to_status || ':' || coalesce(r.reason, '-'), ' ' order by c.id) as v
                       from public.mentor_status_changes as c
                       left join private.mentor_status_change_reasons as r on r.change_id = c.id
                      where c.mentor_id = '{BJORN}'"
                )
            ),
            "active>paused:etter avtale paused>paused:ny avtale paused>paused:- paused>paused:igjen paused>active:igjen"
        );
    });
    // An INSERT (seeds) moves it too; deleting the mentor takes it along.
    let (owner, seventy) = (user(0x70), mentor(0x70));
    conn.batch_execute(&format!(
        "insert into auth.users (id, email) values ('{owner}', 'x70@example.org');
         insert into public.peer_mentors (id, user_id, full_name, email, status, pause_at, pause_reason)
         values ('{seventy}', '{owner}', 'Seventy', 'x70@example.org', 'paused', now(), 'seedet');",
    ))
    .unwrap();
    assert_eq!(
        text(
            &mut conn,
            &format!(
                "select concat_ws(' ', coalesce(m.pause_reason, 'null'), r.reason) as v from public.peer_mentors as m
                   join private.mentor_pause_reasons as r on r.mentor_id = m.id
                  where m.id = '{seventy}'"
            )
        ),
        "null seedet"
    );
    conn.batch_execute(&format!(
        "delete from public.peer_mentors where id = '{seventy}'"
    ))
    .unwrap();
    assert_eq!(
        text(
            &mut conn,
            &format!(
                "select count(*)::text as v from private.mentor_pause_reasons where mentor_id = '{seventy}'"
            )
        ),
        "0"
    );
}
