//! TRUNCATE bypasses row-level security, so no client role may have it.

use mentor_status_tests::TestDb;
use uuid::Uuid;

use crate::access_support::{Caller, Stmt, attempt, rolled_back};
use crate::support::int;

const TABLES: [&str; 6] = [
    "public.chapters",
    "public.peer_mentors",
    "public.chapter_memberships",
    "public.chapter_coordinators",
    "public.assignments",
    "public.activities",
];

#[test]
fn anon_and_signed_in_users_cannot_truncate_any_table() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let kari = Caller::User(Uuid::from_u128(0xa000_0000_0000_4000_8000_0000_0000_0011));
    for caller in [Caller::Anon, kari] {
        for table in TABLES {
            let outcome = rolled_back(&mut conn, |conn| {
                attempt(
                    conn,
                    caller,
                    Stmt::Command(&format!("truncate {table} cascade")),
                )
            });
            assert_eq!(
                outcome.sqlstate(),
                Some("42501"),
                "{caller:?}: truncate {table}: {outcome:?}"
            );
        }
    }
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
