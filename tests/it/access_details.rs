//! The access migrations in detail: documented SQLSTATEs and messages, `select=*` after the
//! column revoke, the audit trail from every path, append-only, the indexes behind the
//! policies, and the rollbacks.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use mentor_status_domain::ReasonCode;
use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_storage::migrations::{DownTarget, Migrations, Migrator};
use mentor_status_tests::TestDb;
use uuid::Uuid;

use crate::access_support::{
    Caller, Outcome, Stmt, attempt, audit_count, data_snapshot, last_audit_row, rolled_back,
};
use crate::support::{int, relation_exists, text};

const fn user(n: u128) -> Uuid {
    Uuid::from_u128(0xa000_0000_0000_4000_8000_0000_0000_0000 + n)
}

const fn mentor(n: u128) -> Uuid {
    Uuid::from_u128(0xb000_0000_0000_4000_8000_0000_0000_0000 + n)
}

const ADA: Caller = Caller::User(user(0x01));
const BJORN: Caller = Caller::User(user(0x02));
const KARI: Caller = Caller::User(user(0x11));
const TROND: Caller = Caller::User(user(0x12));
const CAMILLA_ID: Uuid = mentor(0x03); // paused, 'vacation', Bergen
const ADA_ID: Uuid = mentor(0x01); // active, Oslo
const BJORN_ID: Uuid = mentor(0x02); // active, Oslo + Bergen
const HENRIK_ID: Uuid = mentor(0x08); // inactive, Bergen

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
    let unknown = Uuid::from_u128(0xb000_0000_0000_4000_8000_0000_0000_0777);
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
                let outcome = attempt(
                    conn,
                    BJORN,
                    Stmt::Query(&format!(
                        "select status from public.pause_mentor('{BJORN_ID}', '{written}')"
                    )),
                );
                assert_eq!(
                    outcome,
                    Outcome::Done {
                        rows: 1,
                        values: "paused".into()
                    },
                    "{written:?}"
                );
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
fn a_mentor_reads_their_history_without_reasons_and_coordinators_read_it_with_reasons() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    rolled_back(&mut conn, |conn| {
        // Bjørn pauses himself, Kari resumes him.
        assert!(matches!(
            attempt(
                conn,
                BJORN,
                Stmt::Query(&format!(
                    "select 1 from public.pause_mentor('{BJORN_ID}', 'training')"
                ))
            ),
            Outcome::Done { rows: 1, .. }
        ));
        assert!(matches!(
            attempt(
                conn,
                KARI,
                Stmt::Query(&format!("select 1 from public.resume_mentor('{BJORN_ID}')"))
            ),
            Outcome::Done { rows: 1, .. }
        ));
        let own = format!(
            "select from_status || '->' || to_status || ' by ' || changed_by from public.mentor_status_changes where mentor_id = '{BJORN_ID}'"
        );
        assert_eq!(
            attempt(conn, BJORN, Stmt::Query(&own)),
            Outcome::Done {
                rows: 2,
                values: format!(
                    "active->paused by {},paused->active by {}",
                    user(0x02),
                    user(0x11)
                ),
            }
        );
        let reasons = format!(
            "select pause_reason from public.mentor_status_changes where mentor_id = '{BJORN_ID}'"
        );
        // The column reads NULL (the reasons live in private.mentor_status_change_reasons).
        assert_eq!(
            attempt(conn, BJORN, Stmt::Query(&reasons)),
            Outcome::Done {
                rows: 2,
                values: String::new()
            }
        );
        assert_eq!(
            attempt(
                conn,
                BJORN,
                Stmt::Query(&format!(
                    "select pause_reason from public.mentor_status_history('{BJORN_ID}')"
                ))
            )
            .sqlstate(),
            Some("42501")
        );
        // Kari (coordinator) sees both rows with the reason through the function.
        assert_eq!(
            attempt(
                conn,
                KARI,
                Stmt::Query(&format!(
                    "select pause_reason from public.mentor_status_history('{BJORN_ID}')"
                ))
            ),
            Outcome::Done {
                rows: 2,
                values: "training,training".into()
            }
        );
        // Ada (same chapter, not a coordinator) sees nothing of Bjørn's history.
        assert_eq!(
            attempt(conn, ADA, Stmt::Query(&own)),
            Outcome::Done {
                rows: 0,
                values: String::new()
            }
        );
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

#[test]
fn rust_path_and_rpc_path_write_the_same_audit_row_and_maintenance_is_recorded_as_such() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let kari = user(0x11);
    let pause = format!(
        "update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'vacation' where id = '{ADA_ID}';"
    );

    // The RPC path: Kari pauses Ada through PostgREST.
    let rpc = rolled_back(&mut conn, |conn| {
        let outcome = attempt(
            conn,
            KARI,
            Stmt::Query(&format!(
                "select status from public.pause_mentor('{ADA_ID}', 'vacation')"
            )),
        );
        assert_eq!(
            outcome,
            Outcome::Done {
                rows: 1,
                values: "paused".into()
            }
        );
        last_audit_row(conn)
    });
    // The Rust path: the repository's settings, then an UPDATE as the owner.
    let repository = audit_row_of(
        &mut conn,
        &format!(
            "select set_config('mentor_status.actor_id', '{kari}', true), set_config('mentor_status.actor_role', 'authenticated', true); {pause}"
        ),
    )
    .unwrap();
    assert_eq!(
        rpc,
        format!("{ADA_ID} active->paused {kari} authenticated vacation")
    );
    assert_eq!(repository, rpc);

    // The service role through the repository (no user) and through the RPC.
    let service_repository = audit_row_of(
        &mut conn,
        &format!(
            "select set_config('mentor_status.actor_id', '', true), set_config('mentor_status.actor_role', 'service_role', true); {pause}"
        ),
    )
    .unwrap();
    let service_rpc = rolled_back(&mut conn, |conn| {
        let outcome = attempt(
            conn,
            Caller::ServiceRole,
            Stmt::Query(&format!(
                "select status from public.pause_mentor('{ADA_ID}', 'vacation')"
            )),
        );
        assert_eq!(
            outcome,
            Outcome::Done {
                rows: 1,
                values: "paused".into()
            }
        );
        last_audit_row(conn)
    });
    assert_eq!(
        service_repository,
        format!("{ADA_ID} active->paused - service_role vacation")
    );
    assert_eq!(service_rpc, service_repository);

    // The SQL console: no claims, no settings.
    assert_eq!(
        audit_row_of(&mut conn, &pause).unwrap(),
        format!("{ADA_ID} active->paused - maintenance vacation")
    );

    // A repository that claims a signed-in user but forgets who: refused, nothing written.
    let forgot = audit_row_of(
        &mut conn,
        &format!("select set_config('mentor_status.actor_role', 'authenticated', true); {pause}"),
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
    rolled_back(&mut conn, |conn| {
        conn.batch_execute(&format!("update public.peer_mentors set phone = null, full_name = 'Ada H.' where id = '{ADA_ID}'"))
            .unwrap();
        assert_eq!(audit_count(conn), 0);
    });
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
    let delete = rolled_back(&mut conn, |conn| {
        attempt(
            conn,
            Caller::ServiceRole,
            Stmt::Command(&format!(
                "delete from public.peer_mentors where id = '{ADA_ID}'"
            )),
        )
    });
    assert_eq!(delete.sqlstate(), Some("23503"), "{delete:?}");
    // The owner can, for maintenance.
    rolled_back(&mut conn, |conn| {
        conn.batch_execute("delete from public.mentor_status_changes")
            .unwrap();
        assert_eq!(audit_count(conn), 0);
    });
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
            user(0x11)
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
    let db = TestDb::platform();
    let mut conn = db.conn();
    let embedded = Migrations::embedded();
    let versions: Vec<&str> = embedded.iter().map(|m| m.version()).collect();
    let first = versions
        .iter()
        .position(|v| *v == "20261126140000")
        .expect("the first access migration");
    let before_access = versions[first - 1].to_owned();
    Migrator::new(&mut conn).up(Some(&before_access)).unwrap();
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
