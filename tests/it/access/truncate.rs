//! TRUNCATE bypasses row-level security, so no client role may have it: on every table the
//! catalog lists in `public` and `private`, not on a list that a new table could escape.

use mentor_status_tests::TestDb;

use crate::access::support::{Caller, Stmt, request};
use crate::seed_ids::users;
use crate::support::{int, text};

/// Every ordinary and partitioned table in `public` and `private`, from the catalog.
fn every_table(conn: &mut diesel::PgConnection) -> Vec<String> {
    text(
        conn,
        "select string_agg(format('%I.%I', n.nspname, c.relname), ',' order by n.nspname, c.relname) as v
           from pg_class as c
           join pg_namespace as n on n.oid = c.relnamespace
          where n.nspname in ('public', 'private') and c.relkind in ('r', 'p')",
    )
    .split(',')
    .map(str::to_owned)
    .collect()
}

#[test]
fn anon_and_signed_in_users_cannot_truncate_any_table() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let tables = every_table(&mut conn);
    // The catalog query finds the tables it must (and so is not vacuously empty).
    for known in [
        "public.chapters",
        "public.peer_mentors",
        "public.chapter_memberships",
        "public.chapter_coordinators",
        "public.assignments",
        "public.activities",
        "public.mentor_status_changes",
        "private.mentor_pause_reasons",
    ] {
        assert!(
            tables.iter().any(|t| t == known),
            "{known} not in {tables:?}"
        );
    }
    let kari = Caller::User(users::KARI);
    for caller in [Caller::Anon, kari] {
        for table in &tables {
            let outcome = request(
                &mut conn,
                caller,
                Stmt::Command(&format!("truncate {table} cascade")),
            );
            assert_eq!(
                outcome.sqlstate(),
                Some("42501"),
                "{caller:?}: truncate {table}: {outcome:?}"
            );
        }
    }
    // Nor does either role hold the privilege (a denial for another reason would hide it).
    assert_eq!(
        text(
            &mut conn,
            "select coalesce(string_agg(r.rolname || ' on ' || c.oid::regclass::text, ', '), '') as v
               from pg_class as c
               join pg_namespace as n on n.oid = c.relnamespace
               cross join (values ('anon'), ('authenticated')) as r(rolname)
              where n.nspname in ('public', 'private') and c.relkind in ('r', 'p')
                and has_table_privilege(r.rolname, c.oid, 'truncate')"
        ),
        ""
    );
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from public.chapter_memberships"
        ),
        11
    );
    // Tables created later by postgres (every migration runs as postgres) do not get TRUNCATE
    // for clients either. supabase_admin's default privileges are the platform's own: postgres
    // cannot change them on hosted Supabase, and no migration creates tables as supabase_admin.
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from pg_default_acl d, aclexplode(d.defaclacl) a
              where d.defaclobjtype = 'r' and a.privilege_type = 'TRUNCATE'
                and d.defaclrole = 'postgres'::regrole
                and a.grantee in ('anon'::regrole, 'authenticated'::regrole)"
        ),
        0
    );
}
