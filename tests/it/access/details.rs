//! The access migrations in detail: documented SQLSTATEs and messages, `select=*` after the
//! column revoke, the indexes behind the policies, and the rollbacks. (The audit trail they
//! add is in `audit.rs`.)

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_domain::ReasonCode;
use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_storage::migrations::{DownTarget, Migrator};
use mentor_status_tests::TestDb;

use crate::access::support::{
    Caller, Outcome, Stmt, attempt, data_snapshot, pause_by_rpc, rolled_back,
};
use crate::seed_ids::mentors::{BJORN as BJORN_ID, CAMILLA as CAMILLA_ID, HENRIK as HENRIK_ID};
use crate::seed_ids::{mentor, users};
use crate::support::{int, platform_before, relation_exists, text, version_before};

const ADA: Caller = Caller::User(users::ADA);
const BJORN: Caller = Caller::User(users::BJORN);
const KARI: Caller = Caller::User(users::KARI);
const TROND: Caller = Caller::User(users::TROND);

fn failed(sqlstate: &str, message: &str) -> Outcome {
    Outcome::Failed {
        sqlstate: sqlstate.to_owned(),
        message: message.to_owned(),
    }
}

/// The outcome of `sql` as `caller`, rolled back; asserts that a failure changed nothing.
fn try_as(conn: &mut PgConnection, caller: Caller, sql: &str) -> Outcome {
    rolled_back(conn, |conn| {
        let before = data_snapshot(conn);
        let outcome = attempt(conn, caller, Stmt::Query(sql));
        if outcome.sqlstate().is_some() {
            assert_eq!(data_snapshot(conn), before, "{sql} failed but changed data");
        }
        outcome
    })
}

#[test]
fn the_rpcs_raise_the_documented_sqlstates_and_messages() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let unknown = mentor(0x777);
    let cases: [(Caller, String, Outcome); 13] = [
        // 42501, the domain's Denied messages.
        (
            ADA,
            format!("select status from public.resume_mentor('{BJORN_ID}')"),
            failed("42501", "a mentor may only change their own status"),
        ),
        (
            BJORN,
            format!("select status from public.deactivate_mentor('{BJORN_ID}')"),
            failed(
                "42501",
                "a mentor may not deactivate themselves, ask a coordinator",
            ),
        ),
        (
            BJORN,
            format!("select status from public.pause_mentor('{BJORN_ID}', 'Flytter i sommer')"),
            failed(
                "42501",
                "a mentor may pause only with a reason code or no reason, not a free-text label",
            ),
        ),
        (
            TROND,
            format!("select status from public.pause_mentor('{BJORN_ID}')"),
            failed(
                "42501",
                "the coordinator shares no active chapter with the mentor",
            ),
        ),
        // An unknown id is indistinguishable from a mentor one may not touch...
        (
            KARI,
            format!("select status from public.pause_mentor('{unknown}')"),
            failed(
                "42501",
                "the coordinator shares no active chapter with the mentor",
            ),
        ),
        // ... except for the service role.
        (
            Caller::ServiceRole,
            format!("select status from public.pause_mentor('{unknown}')"),
            failed("PT404", "no mentor with this id"),
        ),
        (
            Caller::Anon,
            format!("select status from public.pause_mentor('{BJORN_ID}')"),
            failed("42501", "permission denied for function pause_mentor"),
        ),
        // PT409, the domain's TransitionError messages.
        (
            KARI,
            format!("select status from public.pause_mentor('{CAMILLA_ID}')"),
            failed("PT409", "the mentor is already paused"),
        ),
        (
            KARI,
            format!("select status from public.pause_mentor('{HENRIK_ID}')"),
            failed(
                "PT409",
                "an inactive mentor cannot be paused, reactivate first",
            ),
        ),
        (
            KARI,
            format!("select status from public.resume_mentor('{BJORN_ID}')"),
            failed("PT409", "the mentor is not paused (status is active)"),
        ),
        (
            KARI,
            format!("select status from public.deactivate_mentor('{HENRIK_ID}')"),
            failed("PT409", "the mentor is already inactive"),
        ),
        (
            KARI,
            format!("select status from public.reactivate_mentor('{CAMILLA_ID}')"),
            failed("PT409", "the mentor is not inactive (status is paused)"),
        ),
        // 22023: labels only through the backend.
        (
            KARI,
            format!("select status from public.pause_mentor('{BJORN_ID}', 'Flytter i sommer')"),
            failed(
                "22023",
                "a pause reason given here must be a reason code: vacation, personal, capacity, training, relocation or other",
            ),
        ),
    ];
    for (caller, sql, expected) in cases {
        assert_eq!(
            try_as(&mut conn, caller, &sql),
            expected,
            "{caller:?}: {sql}"
        );
    }
}

#[test]
fn pause_accepts_exactly_the_domain_reason_codes_trimmed_and_nothing_else() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for code in ReasonCode::ALL {
        for written in [code.as_str().to_owned(), format!("  {code} ")] {
            let stored = rolled_back(&mut conn, |conn| {
                pause_by_rpc(conn, BJORN, BJORN_ID, &written);
                text(
                    conn,
                    &format!(
                        "select reason as v from private.mentor_pause_reasons where mentor_id = '{BJORN_ID}'"
                    ),
                )
            });
            assert_eq!(stored, code.as_str());
        }
        // Another letter case is not the code (the domain's parse says the same).
        let upper = code.as_str().to_uppercase();
        let outcome = try_as(
            &mut conn,
            KARI,
            &format!("select status from public.pause_mentor('{BJORN_ID}', '{upper}')"),
        );
        assert_eq!(outcome.sqlstate(), Some("22023"), "{upper}");
    }
    // No reason at all is fine, for the mentor too.
    let outcome = try_as(
        &mut conn,
        BJORN,
        &format!("select status from public.pause_mentor('{BJORN_ID}')"),
    );
    assert_eq!(
        outcome,
        Outcome::Done {
            rows: 1,
            values: "paused".into()
        }
    );
}

#[test]
fn select_star_works_for_clients_and_the_reason_column_reads_null() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    // PostgREST turns `select=*` into `"public"."peer_mentors".*`: every column. Since
    // 20261201120000 that works for every role (it failed with 42501 while pause_reason was
    // withheld by a column privilege); the reason itself is not in the row.
    let star = r#"select "public"."peer_mentors".* from "public"."peer_mentors""#;
    for (caller, rows) in [(BJORN, 1), (KARI, 5), (Caller::Anon, 0)] {
        assert!(
            matches!(try_as(&mut conn, caller, star), Outcome::Done { rows: r, .. } if r == rows),
            "{caller:?}"
        );
    }
    assert_eq!(
        try_as(
            &mut conn,
            Caller::ServiceRole,
            "select count(*) from public.peer_mentors where pause_reason is not null"
        ),
        Outcome::Done {
            rows: 1,
            values: "0".into()
        }
    );
    let listed = "select id, user_id, full_name, email, phone, status, pause_at, created_at, updated_at from public.peer_mentors";
    assert!(matches!(
        try_as(&mut conn, BJORN, listed),
        Outcome::Done { rows: 1, .. }
    ));
    assert!(matches!(
        try_as(&mut conn, KARI, listed),
        Outcome::Done { rows: 5, .. }
    ));
    assert!(matches!(
        try_as(&mut conn, Caller::ServiceRole, star),
        Outcome::Done { rows: 8, .. }
    ));

    // The same for the audit trail.
    let star = "select mentor_status_changes.* from public.mentor_status_changes";
    for caller in [KARI, BJORN, Caller::Anon] {
        assert!(
            matches!(
                try_as(&mut conn, caller, star),
                Outcome::Done { rows: 0, .. }
            ),
            "{caller:?}"
        );
    }
    assert!(matches!(
        try_as(&mut conn, Caller::ServiceRole, star),
        Outcome::Done { rows: 0, .. }
    ));
}

#[test]
fn the_coordinator_helper_is_answered_from_the_partial_indexes() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    // The helper's own SQL, with its parameter replaced, as the planner sees it inside the
    // function; sequential scans off so that the tiny seed tables do not hide the choice.
    let body = text(
        &mut conn,
        "select prosrc as v from pg_proc where oid = 'private.is_coordinator_of(uuid)'::regprocedure",
    )
    .replace("p_mentor_id", &format!("'{BJORN_ID}'::uuid"));
    let plan = rolled_back(&mut conn, |conn| {
        conn.batch_execute(&format!(
            "set local enable_seqscan = off; select set_config('request.jwt.claims', '{{\"sub\":\"{}\"}}', true);",
            users::KARI
        ))
        .unwrap();
        #[derive(QueryableByName)]
        struct Line {
            #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
            line: String,
        }
        let lines: Vec<Line> = diesel::sql_query(format!("explain (costs off) {body}"))
            .load(conn)
            .unwrap();
        lines
            .into_iter()
            .map(|l| l.line)
            .collect::<Vec<_>>()
            .join("\n")
    });
    for index in [
        "chapter_memberships_active_mentor_id_chapter_id_idx",
        "chapter_coordinators_active_user_id_chapter_id_idx",
    ] {
        assert!(plan.contains(index), "{index} not used:\n{plan}");
    }
}

#[test]
fn the_access_migrations_roll_back_to_the_previous_schema_and_privileges() {
    // The first access migration is 20261126140000_add_chapter_access_indexes.
    let db = platform_before("add_chapter_access_indexes");
    let mut conn = db.conn();
    let before_access = version_before("add_chapter_access_indexes");
    let before = fingerprint(&mut conn).unwrap();
    let table_select =
        "select has_table_privilege('authenticated', 'public.peer_mentors', 'select')::text as v";
    let column_select = "select has_column_privilege('authenticated', 'public.peer_mentors', 'pause_reason', 'select')::text as v";
    let status_update = "select has_column_privilege('authenticated', 'public.peer_mentors', 'status', 'update')::text as v";
    assert_eq!(text(&mut conn, table_select), "true");

    Migrator::new(&mut conn).up(None).unwrap();
    // Since 20261201120000_protect_pause_reasons: table-level SELECT again (the reason
    // lives elsewhere, the column reads NULL) and no UPDATE at all (no UPDATE policy).
    assert_eq!(text(&mut conn, table_select), "true");
    assert_eq!(text(&mut conn, column_select), "true");
    assert_eq!(text(&mut conn, status_update), "false");
    assert_eq!(
        text(
            &mut conn,
            "select has_column_privilege('authenticated', 'public.peer_mentors', 'full_name', 'update')::text as v"
        ),
        "false",
        "no client UPDATE is left on peer_mentors"
    );
    assert!(relation_exists(&mut conn, "public.mentor_status_changes"));

    Migrator::new(&mut conn)
        .down(&DownTarget::To(before_access))
        .unwrap();
    assert_eq!(
        diff(&before, &fingerprint(&mut conn).unwrap()),
        Vec::<String>::new()
    );
    assert_eq!(text(&mut conn, table_select), "true");
    assert_eq!(text(&mut conn, column_select), "true");
    assert_eq!(text(&mut conn, status_update), "true");
    assert!(!relation_exists(&mut conn, "public.mentor_status_changes"));
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from pg_namespace where nspname = 'private'"
        ),
        0
    );
}
