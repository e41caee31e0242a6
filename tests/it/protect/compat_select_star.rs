//! Compatibility with existing clients (issue 10): every PostgREST-shaped read that worked
//! before the status migrations works after all migrations, for every role.
//!
//! The statements are the SQL PostgREST 12 generates for the requests named on each (a
//! `pgrst_source` CTE, `json_agg` of the rows as the body, `pg_catalog.count` for
//! `count=exact`, lateral joins with `row_to_json`/`json_agg` of `"table".*` for embeds,
//! `RETURNING "table".*` for `Prefer: return=representation`), run the way PostgREST runs
//! them: `set local role`, the JWT claims, then the query, in one transaction.
//! One database is migrated to just before `20261126120000_add_mentor_status`, every
//! statement is run as every role, then the database is migrated to the end (a mentor is
//! paused with a reason) and everything is run again.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_storage::migrations::Migrator;
use mentor_status_tests::TestDb;

use crate::access::support::{Caller, Outcome, Stmt, attempt, request, rolled_back};
use crate::support::platform_before;

use crate::seed_ids::users::{ADA, INGRID, KARI};
use crate::seed_ids::{fill, mentors};

/// The roles of the issue: anon, a mentor, a coordinator, a former coordinator, the service
/// role.
const ROLES: [(&str, Caller); 5] = [
    ("anon", Caller::Anon),
    ("mentor Ada", Caller::User(ADA)),
    ("coordinator Kari", Caller::User(KARI)),
    ("former coordinator Ingrid", Caller::User(INGRID)),
    ("service_role", Caller::ServiceRole),
];

/// Data in the shape of the schema before the status migrations.
const FIXTURE: &str = "
insert into auth.users (id, email) values
  ('{users::ADA}', 'ada@example.org'),
  ('{users::BJORN}', 'bjorn@example.org'),
  ('{users::KARI}', 'kari@example.org'),
  ('{users::INGRID}', 'ingrid@example.org');
insert into public.chapters (id, name) values
  ('{chapters::OSLO}', 'Oslo');
insert into public.peer_mentors (id, user_id, full_name, email, phone) values
  ('{mentors::ADA}', '{users::ADA}', 'Ada Hansen', 'ada@example.org', '+47 400 00 001'),
  ('{mentors::BJORN}', '{users::BJORN}', 'Bjørn Olsen', 'bjorn@example.org', null);
insert into public.chapter_memberships (mentor_id, chapter_id) values
  ('{mentors::ADA}', '{chapters::OSLO}'),
  ('{mentors::BJORN}', '{chapters::OSLO}');
insert into public.chapter_coordinators (user_id, chapter_id, active) values
  ('{users::KARI}', '{chapters::OSLO}', true),
  ('{users::INGRID}', '{chapters::OSLO}', false);
insert into public.assignments (id, mentor_id, mentee_ref) values
  ('d0000000-0000-4000-8000-000000000001', '{mentors::ADA}', 'OSL-1001');";

/// The reason given to Bjørn after the migrations: it must not appear in any client body.
const SECRET_REASON: &str = "kompetanseheving-q7";

/// PostgREST's wrapper around a source CTE: the JSON body first (so the test sees it), then
/// the counts and response settings as PostgREST selects them.
fn read(source: &str, count_exact_from: Option<&str>) -> String {
    let (count_cte, total) = match count_exact_from {
        Some(table) => (
            format!(", pgrst_source_count AS (SELECT 1 FROM {table})"),
            "(SELECT pg_catalog.count(*) FROM pgrst_source_count)",
        ),
        None => (String::new(), "null::bigint"),
    };
    format!(
        "WITH pgrst_source AS ({source}){count_cte} \
         SELECT coalesce(json_agg(_postgrest_t), '[]')::text AS body, \
                {total} AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total, \
                nullif(current_setting('response.headers', true), '') AS response_headers, \
                nullif(current_setting('response.status', true), '') AS response_status \
           FROM (SELECT * FROM pgrst_source) _postgrest_t"
    )
}

/// The client reads that existed before the status migrations (name, SQL).
fn reads() -> Vec<(&'static str, String)> {
    vec![
        (
            "GET /peer_mentors",
            read(
                r#"SELECT "public"."peer_mentors".* FROM "public"."peer_mentors""#,
                None,
            ),
        ),
        (
            "GET /peer_mentors?select=*&id=eq.<ada> (Prefer: count=exact)",
            read(
                &fill(
                    r#"SELECT "public"."peer_mentors".* FROM "public"."peer_mentors" WHERE "public"."peer_mentors"."id" = '{mentors::ADA}'"#,
                ),
                Some(&fill(
                    r#""public"."peer_mentors" WHERE "public"."peer_mentors"."id" = '{mentors::ADA}'"#,
                )),
            ),
        ),
        (
            "GET /peer_mentors?select=*&order=full_name.asc&limit=10",
            read(
                r#"SELECT "public"."peer_mentors".* FROM "public"."peer_mentors" ORDER BY "peer_mentors"."full_name" ASC LIMIT 10 OFFSET 0"#,
                None,
            ),
        ),
        (
            "GET /assignments?select=*,peer_mentors(*)",
            read(
                r#"SELECT "public"."assignments".*, row_to_json("assignments_peer_mentors_1".*)::jsonb AS "peer_mentors" FROM "public"."assignments" LEFT JOIN LATERAL (SELECT "peer_mentors_1".* FROM "public"."peer_mentors" AS "peer_mentors_1" WHERE "peer_mentors_1"."id" = "public"."assignments"."mentor_id") AS "assignments_peer_mentors_1" ON TRUE"#,
                None,
            ),
        ),
        (
            "GET /peer_mentors?select=*,assignments(*)",
            read(
                r#"SELECT "public"."peer_mentors".*, COALESCE("peer_mentors_assignments_1"."peer_mentors_assignments_1", '[]') AS "assignments" FROM "public"."peer_mentors" LEFT JOIN LATERAL (SELECT json_agg("peer_mentors_assignments_1")::jsonb AS "peer_mentors_assignments_1" FROM (SELECT "assignments_1".* FROM "public"."assignments" AS "assignments_1" WHERE "assignments_1"."mentor_id" = "public"."peer_mentors"."id") AS "peer_mentors_assignments_1") AS "peer_mentors_assignments_1" ON TRUE"#,
                None,
            ),
        ),
        (
            "GET /chapter_memberships?select=*,peer_mentors!inner(*) (count=exact)",
            read(
                r#"SELECT "public"."chapter_memberships".*, row_to_json("chapter_memberships_peer_mentors_1".*)::jsonb AS "peer_mentors" FROM "public"."chapter_memberships" INNER JOIN LATERAL (SELECT "peer_mentors_1".* FROM "public"."peer_mentors" AS "peer_mentors_1" WHERE "peer_mentors_1"."id" = "public"."chapter_memberships"."mentor_id") AS "chapter_memberships_peer_mentors_1" ON TRUE"#,
                Some(r#""public"."chapter_memberships""#),
            ),
        ),
    ]
}

/// Reads that exist only after the migrations: the audit trail and the RPCs' returned rows.
fn new_reads() -> Vec<(&'static str, String)> {
    vec![
        (
            "GET /mentor_status_changes",
            read(
                r#"SELECT "public"."mentor_status_changes".* FROM "public"."mentor_status_changes""#,
                Some(r#""public"."mentor_status_changes""#),
            ),
        ),
        (
            "GET /mentor_status_changes?select=*,peer_mentors(*)",
            read(
                r#"SELECT "public"."mentor_status_changes".*, row_to_json("mentor_status_changes_peer_mentors_1".*)::jsonb AS "peer_mentors" FROM "public"."mentor_status_changes" LEFT JOIN LATERAL (SELECT "peer_mentors_1".* FROM "public"."peer_mentors" AS "peer_mentors_1" WHERE "peer_mentors_1"."id" = "public"."mentor_status_changes"."mentor_id") AS "mentor_status_changes_peer_mentors_1" ON TRUE"#,
                None,
            ),
        ),
    ]
}

/// Runs `sql` as `caller` in a rolled-back transaction.
fn run(conn: &mut PgConnection, caller: Caller, sql: &str) -> Outcome {
    rolled_back(conn, |conn| attempt(conn, caller, Stmt::Query(sql)))
}

#[test]
fn every_postgrest_read_that_worked_before_the_status_migrations_works_after_them_for_every_role() {
    let db = platform_before("add_mentor_status");
    let mut conn = db.conn();
    conn.batch_execute(&fill(FIXTURE)).unwrap();

    let mut before = Vec::new();
    for (request, sql) in reads() {
        for (role, caller) in ROLES {
            before.push((request, role, caller, run(&mut conn, caller, &sql)));
        }
    }
    // The baseline grants every client role SELECT (row-level security, no policy yet): all
    // of them worked, and anon got an empty body. So "what worked before" is everything.
    for (request, role, _, outcome) in &before {
        assert!(
            matches!(outcome, Outcome::Done { rows: 1, .. }),
            "{request} as {role} before: {outcome:?}"
        );
    }

    Migrator::new(&mut conn).up(None).unwrap();
    conn.batch_execute(&format!(
        "update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = '{SECRET_REASON}'
          where id = '{}'",
        mentors::BJORN
    ))
    .unwrap();

    let mut failures = Vec::new();
    for (request, role, caller, was) in &before {
        let sql = reads()
            .into_iter()
            .find(|(r, _)| r == request)
            .map(|(_, sql)| sql)
            .expect("same request");
        let now = run(&mut conn, *caller, &sql);
        let body = match &now {
            Outcome::Done { values, .. } => values.clone(),
            Outcome::Failed { .. } => {
                failures.push(format!("{request} as {role}: was {was:?}, now {now:?}"));
                continue;
            }
        };
        if body.contains(SECRET_REASON) {
            failures.push(format!("{request} as {role}: the body carries the reason"));
        }
        if *caller == Caller::Anon && body != "[]" {
            failures.push(format!("{request} as anon: {body}, not []"));
        }
    }
    for (request, sql) in new_reads() {
        for (role, caller) in ROLES {
            match run(&mut conn, caller, &sql) {
                Outcome::Done { values, .. } => {
                    if values.contains(SECRET_REASON) {
                        failures.push(format!("{request} as {role}: the body carries the reason"));
                    }
                    if caller == Caller::Anon && values != "[]" {
                        failures.push(format!("{request} as anon: {values}, not []"));
                    }
                }
                failed @ Outcome::Failed { .. } => {
                    failures.push(format!("{request} as {role}: {failed:?}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // The mentor and the coordinator do see Bjørn's or their own row, and the coordinator
    // sees both: row-level security, not an empty result for everyone, is what answered.
    let all = &reads()[0].1;
    for (caller, mentors) in [
        (Caller::User(ADA), 1),
        (Caller::User(KARI), 2),
        (Caller::User(INGRID), 0),
        (Caller::ServiceRole, 2),
    ] {
        let Outcome::Done { values, .. } = run(&mut conn, caller, all) else {
            panic!("{caller:?}");
        };
        assert_eq!(
            values.matches("\"full_name\"").count(),
            mentors,
            "{caller:?}: {values}"
        );
        assert!(
            mentors == 0 || values.contains(r#""pause_reason":null"#),
            "{values}"
        );
    }
}

#[test]
fn the_rpcs_returned_rows_and_a_service_role_return_representation_work_without_the_reason() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let kari = Caller::User(KARI);
    // POST /rpc/pause_mentor {"mentor_id": "<ada>", "reason": "vacation"}
    let rpc = read(
        &fill(
            r#"SELECT "pgrst_call".* FROM "public"."pause_mentor"("mentor_id" := '{mentors::ADA}'::uuid, "reason" := 'vacation'::text) "pgrst_call""#,
        ),
        None,
    );
    let Outcome::Done { values, .. } = run(&mut conn, kari, &rpc) else {
        panic!("the RPC failed");
    };
    assert!(values.contains(r#""status":"paused""#), "{values}");
    assert!(!values.contains("vacation"), "{values}");

    // PATCH /peer_mentors?id=eq.<camilla> {"phone": …} with Prefer: return=representation,
    // as the service role (the backend). Camilla is paused with a reason (seed).
    let patch = &fill(
        r#"WITH pgrst_source AS (UPDATE "public"."peer_mentors" SET "phone" = '+47 400 99 003' WHERE "public"."peer_mentors"."id" = '{mentors::CAMILLA}' RETURNING "public"."peer_mentors".*) SELECT coalesce(json_agg(_postgrest_t), '[]')::text AS body, '' AS total_result_set, pg_catalog.count(_postgrest_t) AS page_total FROM (SELECT * FROM pgrst_source) _postgrest_t"#,
    );
    let outcome = rolled_back(&mut conn, |conn| {
        let outcome = attempt(conn, Caller::ServiceRole, Stmt::Command(patch));
        let reason = crate::support::text(
            conn,
            &fill(
                "select coalesce((select reason from private.mentor_pause_reasons where mentor_id = '{mentors::CAMILLA}'), '-') as v",
            ),
        );
        (outcome, reason)
    });
    assert_eq!(
        outcome,
        (
            Outcome::Done {
                rows: 1,
                values: String::new()
            },
            "vacation".to_owned()
        ),
        "the update works and the reason stays where it was"
    );
    // Clients hold no UPDATE on peer_mentors any more (no UPDATE policy ever let them change
    // a row): the same PATCH as a client is refused instead of changing nothing.
    let outcome = request(&mut conn, kari, Stmt::Command(patch));
    assert_eq!(outcome.sqlstate(), Some("42501"), "{outcome:?}");
}
