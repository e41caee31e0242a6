//! The migrations of issue 10 with data in the tables: reasons stored before them are moved
//! (those the guard refuses become `other`), the table is not rewritten, and the rollback
//! moves every reason back before dropping the protected tables.

use diesel::connection::SimpleConnection;
use mentor_status_storage::migrations::{DownTarget, Migrator};
use mentor_status_tests::TestDb;

use crate::seed_ids::fill;
use crate::support::{platform_before, relation_exists, text, version_before};

const RELFILENODE: &str =
    "select relfilenode::text as v from pg_class where oid = 'public.peer_mentors'::regclass";

/// Every mentor's reason and every audit row's reason, wherever they live now.
fn reasons(conn: &mut diesel::PgConnection, protected: bool) -> String {
    let (mentor, audit) = if protected {
        (
            "(select r.reason from private.mentor_pause_reasons as r where r.mentor_id = m.id)",
            "(select r.reason from private.mentor_status_change_reasons as r where r.change_id = c.id)",
        )
    } else {
        ("m.pause_reason", "c.pause_reason")
    };
    text(
        conn,
        &format!(
            "select (select string_agg(m.id || '=' || coalesce({mentor}, '-'), ',' order by m.id) from public.peer_mentors as m)
                    || ' | ' ||
                    (select coalesce(string_agg(c.id || '=' || coalesce({audit}, '-'), ',' order by c.id), '') from public.mentor_status_changes as c) as v"
        ),
    )
}

#[test]
fn the_rollback_moves_every_reason_back_and_applying_again_moves_them_again() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    // Audit rows with reasons: a label, then a resume.
    conn.batch_execute(&fill(
        "update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'Flytter i sommer'
          where id = '{mentors::ADA}';
         update public.peer_mentors set status = 'active', pause_at = null, pause_reason = null
          where id = '{mentors::CAMILLA}';",
    ))
    .unwrap();
    let protected = reasons(&mut conn, true);
    assert!(
        protected.contains("=vacation") && protected.contains("=Flytter i sommer"),
        "{protected}"
    );
    assert!(!reasons(&mut conn, false).contains("vacation"));
    let relfilenode = text(&mut conn, RELFILENODE);

    Migrator::new(&mut conn)
        .down(&DownTarget::To(version_before("protect_pause_reasons")))
        .unwrap();
    assert_eq!(reasons(&mut conn, false), protected, "no reason was lost");
    assert!(!relation_exists(&mut conn, "private.mentor_pause_reasons"));

    Migrator::new(&mut conn).up(None).unwrap();
    assert_eq!(reasons(&mut conn, true), protected);
    assert!(!reasons(&mut conn, false).contains("vacation"));
    assert_eq!(text(&mut conn, RELFILENODE), relfilenode, "no rewrite");
}

#[test]
fn reasons_stored_before_are_moved_and_those_the_guard_refuses_become_other() {
    let db = platform_before("protect_pause_reasons");
    let mut conn = db.conn();
    // Two paused mentors (the old CHECK accepts both texts), each pause in the audit trail.
    conn.batch_execute(
&fill(
        "insert into auth.users (id, email) values
           ('{users::ADA}', 'a@example.org'),
           ('{users::BJORN}', 'b@example.org');
         insert into public.peer_mentors (id, user_id, full_name, email) values
           ('{mentors::ADA}', '{users::ADA}', 'A', 'a@example.org'),
           ('{mentors::BJORN}', '{users::BJORN}', 'B', 'b@example.org');
         update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'sick leave'
          where id = '{mentors::ADA}';
         update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'Flytter i sommer'
          where id = '{mentors::BJORN}';",
    )
    )
    .unwrap();
    let relfilenode = text(&mut conn, RELFILENODE);
    Migrator::new(&mut conn).up(None).unwrap();
    let after = reasons(&mut conn, true);
    assert!(
        after.starts_with(&fill(
            "{mentors::ADA}=other,{mentors::BJORN}=Flytter i sommer | "
        )),
        "{after}"
    );
    // The audit trail: both pauses (the refused reason replaced there too), and the
    // replacement of the current reason itself, recorded as a maintenance change.
    assert!(
        after.ends_with("| 1=other,2=Flytter i sommer,3=other"),
        "{after}"
    );
    assert_eq!(
        text(
            &mut conn,
            "select from_status || '>' || to_status || ' ' || actor_role as v from public.mentor_status_changes where id = 3"
        ),
        "paused>paused maintenance"
    );
    assert!(!reasons(&mut conn, false).contains("sick"));
    assert_eq!(text(&mut conn, RELFILENODE), relfilenode, "no rewrite");
}
