//! SECURITY DEFINER functions cannot be steered by temporary objects (issue 10).
//!
//! `set search_path = ''` still searches `pg_temp` first for relations and types, so a
//! client's temporary table (which also creates a composite type of its name) named like a
//! type a function declares (`text`, `uuid`, `timestamptz`) or a table it uses would be
//! picked up: `declare reason text` would become a variable of the client's type. Every
//! SECURITY DEFINER function in `public` and `private` now has
//! `search_path = pg_catalog, pg_temp`: checked from the catalog, then exercised with such
//! objects in place, and the outcomes compared with a run without them.
//!
//! `uuid` and `jsonb` are shadowed only where `auth.uid()` does not pin its own
//! `search_path = ''` (hosted Supabase and the new platform baseline do not; the old local
//! emulation does, and there a temporary `uuid` makes `auth.uid()` itself fail for that
//! session: closed, not steered, and outside this project's functions).

use diesel::prelude::*;
use diesel::sql_types::Text;
use mentor_status_tests::TestDb;

use crate::access::support::{Caller, Outcome, Stmt, attempt, rolled_back};
use crate::support::text;

use crate::seed_ids::{mentors::ADA, mentors::CAMILLA, mentors::HENRIK, users};

const KARI: Caller = Caller::User(users::KARI);
const ADA_USER: Caller = Caller::User(users::ADA);

/// Temporary tables named like the types and tables the functions use.
const TEMP_OBJECTS: [&str; 12] = [
    "text",
    "timestamptz",
    "mentor_status",
    "peer_mentors",
    "chapter_memberships",
    "chapter_coordinators",
    "mentor_status_changes",
    "status_notifications",
    "organisation_coordinators",
    "mentor_pause_reasons",
    "mentor_status_change_reasons",
    "users",
];

/// Each SECURITY DEFINER function and the step below that exercises it.
const COVERED: [(&str, &str); 14] = [
    ("public.pause_mentor(uuid,text)", "pause"),
    ("public.resume_mentor(uuid)", "resume"),
    ("public.deactivate_mentor(uuid)", "deactivate"),
    ("public.reactivate_mentor(uuid)", "reactivate"),
    ("public.mentor_pause_reason(uuid)", "reason"),
    ("public.mentor_status_history(uuid)", "history"),
    (
        "private.is_coordinator_of(uuid)",
        "every RPC and reason read by a coordinator",
    ),
    ("private.change_mentor_status(uuid,text,text)", "every RPC"),
    ("private.store_pause_reason()", "trigger of every RPC"),
    (
        "private.store_status_change_reason()",
        "trigger of the audit row",
    ),
    (
        "private.enqueue_status_notifications()",
        "trigger of the audit row",
    ),
    // No trigger calls it since 20261201120000; it cannot be called directly.
    ("private.record_mentor_status_change()", "unused"),
    ("private.audit_actor()", "not SECURITY DEFINER"),
    (
        "private.pause_reason_is_allowed(text)",
        "not SECURITY DEFINER",
    ),
];

#[derive(QueryableByName)]
struct Function {
    #[diesel(sql_type = Text)]
    signature: String,
    #[diesel(sql_type = Text)]
    config: String,
}

#[test]
fn every_security_definer_function_searches_pg_catalog_first_and_pg_temp_last() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    let functions: Vec<Function> = diesel::sql_query(
        "select p.oid::regprocedure::text as signature, coalesce(array_to_string(p.proconfig, ';'), '') as config
           from pg_proc as p join pg_namespace as n on n.oid = p.pronamespace
          where n.nspname in ('public', 'private') and p.prosecdef
          order by 1",
    )
    .load(&mut conn)
    .unwrap();
    assert!(functions.len() >= 11, "{}", functions.len());
    for f in &functions {
        // regprocedure leaves out the schema when it is on the search path (public).
        let signature = if f.signature.contains('.') {
            f.signature.clone()
        } else {
            format!("public.{}", f.signature)
        };
        assert!(
            COVERED.iter().any(|(name, _)| *name == signature),
            "{signature}: a new SECURITY DEFINER function; exercise it in this test"
        );
        assert_eq!(
            f.config, "search_path=pg_catalog, pg_temp",
            "{signature} must set search_path = pg_catalog, pg_temp"
        );
    }
}

/// The calls, as a coordinator (Kari) and a mentor (Ada), and what the owner sees after.
fn scenario(conn: &mut PgConnection, with_temp_objects: bool) -> Vec<String> {
    rolled_back(conn, |conn| {
        let mut seen = Vec::new();
        if with_temp_objects {
            // auth.uid() resolves its own types with search_path '' on the old emulation.
            let auth_pins_search_path = text(
                conn,
                "select (proconfig is not null)::text as v from pg_proc where oid = 'auth.uid()'::regprocedure",
            ) == "true";
            let extra: &[&str] = if auth_pins_search_path {
                &[]
            } else {
                &["uuid", "jsonb"]
            };
            // Both callers run as the SQL role authenticated: one temporary schema.
            for name in TEMP_OBJECTS.iter().chain(extra) {
                let created = attempt(
                    conn,
                    KARI,
                    Stmt::Command(&format!("create temporary table \"{name}\" (x integer)")),
                );
                assert!(
                    matches!(created, Outcome::Done { .. }),
                    "{name}: {created:?}"
                );
            }
        }
        let calls: [(Caller, String); 10] = [
            (
                KARI,
                format!("select status from public.pause_mentor('{ADA}', 'vacation')"),
            ),
            (
                KARI,
                format!("select status from public.resume_mentor('{CAMILLA}')"),
            ),
            (
                KARI,
                format!("select status from public.deactivate_mentor('{ADA}')"),
            ),
            (
                KARI,
                format!("select status from public.reactivate_mentor('{HENRIK}')"),
            ),
            (KARI, format!("select public.mentor_pause_reason('{ADA}')")),
            (
                KARI,
                format!("select to_status from public.mentor_status_history('{CAMILLA}')"),
            ),
            // (No plain `select` as the client: its own policies run with its own search
            // path, where a temporary `uuid` breaks auth.uid() for that session only.)
            (
                ADA_USER,
                format!("select status from public.resume_mentor('{ADA}')"),
            ),
            (
                ADA_USER,
                format!("select public.mentor_pause_reason('{ADA}')"),
            ),
            (
                Caller::ServiceRole,
                format!("select public.mentor_pause_reason('{CAMILLA}')"),
            ),
            (
                Caller::ServiceRole,
                format!("select to_status from public.mentor_status_history('{ADA}')"),
            ),
        ];
        for (caller, sql) in calls {
            seen.push(format!(
                "{caller:?} {sql}: {:?}",
                attempt(conn, caller, Stmt::Query(&sql))
            ));
        }
        seen.push(text(
            conn,
            "select concat_ws(' ',
                    (select count(*) from public.mentor_status_changes),
                    (select count(*) from private.mentor_status_change_reasons),
                    (select count(*) from public.status_notifications),
                    (select string_agg(mentor_id || '=' || reason, ',' order by mentor_id) from private.mentor_pause_reasons),
                    (select string_agg(id || '=' || status, ',' order by id) from public.peer_mentors)) as v",
        ));
        seen
    })
}

#[test]
fn temporary_tables_and_types_named_like_what_the_functions_use_change_nothing() {
    let db = TestDb::seeded();
    // A connection each: PL/pgSQL caches a function's compiled types per session.
    let plain = scenario(&mut db.conn(), false);
    assert!(
        plain.iter().any(|s| s.contains("paused")),
        "the scenario ran: {plain:?}"
    );
    let steered = scenario(&mut db.conn(), true);
    assert_eq!(plain, steered);
}
