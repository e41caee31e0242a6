//! Privilege hygiene (issue 10): no TRIGGER, REFERENCES or peer_mentors UPDATE for client
//! roles; the audit actor settings count only on the table owner's own connection; and a
//! coordinator removed from a chapter between two repository calls is denied on the second.

use diesel::connection::SimpleConnection;
use mentor_status_domain::{Actor, Command, Denied, UserId};
use mentor_status_storage::actor_setting::set_settings_sql;
use mentor_status_storage::{MentorId, MentorStatusRepository, PoolConfig, RepositoryError};
use mentor_status_tests::TestDb;

use crate::access::support::{Caller, Stmt, attempt, last_audit_row, request, rolled_back};
use crate::support::{int, text};

use crate::seed_ids::{chapters::OSLO, mentors::ADA, users, users::KARI};

#[test]
fn client_roles_hold_no_trigger_references_or_mentor_update_privilege_anywhere() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v
               from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
              cross join (values ('anon'), ('authenticated')) as r(role)
              cross join (values ('TRIGGER'), ('REFERENCES')) as p(privilege)
              where n.nspname in ('public', 'private') and c.relkind in ('r', 'p', 'v', 'm', 'f')
                and has_table_privilege(r.role, c.oid, p.privilege)"
        ),
        0
    );
    assert!(
        int(
            &mut conn,
            "select count(*) as v from pg_class as c join pg_namespace as n on n.oid = c.relnamespace
              where n.nspname in ('public', 'private') and c.relkind = 'r'"
        ) >= 9,
        "the query above saw the tables"
    );
    // Tables created later get none either (default privileges).
    conn.batch_execute("create table public.later_table (id bigint primary key)")
        .unwrap();
    assert_eq!(
        text(
            &mut conn,
            "select concat_ws(',', has_table_privilege('anon', 'public.later_table', 'TRIGGER'),
                                   has_table_privilege('authenticated', 'public.later_table', 'REFERENCES'),
                                   has_table_privilege('authenticated', 'public.later_table', 'SELECT')) as v"
        ),
        "f,f,t"
    );
    assert_eq!(
        int(
            &mut conn,
            "select count(*) as v from pg_attribute as a cross join (values ('anon'), ('authenticated')) as r(role)
              where a.attrelid = 'public.peer_mentors'::regclass and a.attnum > 0 and not a.attisdropped
                and has_column_privilege(r.role, a.attrelid, a.attnum, 'UPDATE')"
        ),
        0
    );

    // With a raw connection, anon cannot attach a trigger that breaks status changes.
    for caller in [Caller::Anon, Caller::User(KARI)] {
        let outcome = request(
            &mut conn,
            caller,
            Stmt::Command(
                "create trigger break_everything before update on public.peer_mentors
                       for each row execute function public.set_updated_at()",
            ),
        );
        assert_eq!(outcome.sqlstate(), Some("42501"), "{caller:?}: {outcome:?}");
    }
}

#[test]
fn the_service_role_cannot_forge_the_audit_actor_and_the_coordinator_is_still_notified() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let forged = set_settings_sql(&KARI.to_string(), "authenticated");
    rolled_back(&mut conn, |conn| {
        conn.batch_execute("set local role service_role; select set_config('request.jwt.claims', '{\"role\":\"service_role\"}', true);")
            .unwrap();
        conn.batch_execute(&forged).unwrap();
        conn.batch_execute(&format!(
            "update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'vacation' where id = '{ADA}'"
        ))
        .unwrap();
        conn.batch_execute("reset role; select set_config('request.jwt.claims', '', true)")
            .unwrap();
        assert_eq!(
            last_audit_row(conn),
            format!("{ADA} active->paused - service_role vacation")
        );
        assert_eq!(
            int(
                conn,
                &format!(
                    "select count(*) as v from public.status_notifications where mentor_id = '{ADA}' and recipient_id = '{KARI}'"
                )
            ),
            1,
            "Kari did not act, so she is told"
        );
    });
    // The same with no claims at all (a raw service_role connection): still not Kari.
    rolled_back(&mut conn, |conn| {
        conn.batch_execute("set local role service_role").unwrap();
        conn.batch_execute(&forged).unwrap();
        conn.batch_execute(&format!(
            "update public.peer_mentors set status = 'paused', pause_at = now() where id = '{ADA}'"
        ))
        .unwrap();
        conn.batch_execute("reset role").unwrap();
        assert_eq!(
            last_audit_row(conn),
            format!("{ADA} active->paused - service_role -")
        );
    });
    // A signed-in mentor forging the settings before an RPC is recorded as themselves.
    rolled_back(&mut conn, |conn| {
        conn.batch_execute(&forged).unwrap();
        let ada_user = users::ADA;
        attempt(
            conn,
            Caller::User(ada_user),
            Stmt::Query(&format!("select status from public.pause_mentor('{ADA}')")),
        );
        assert_eq!(
            last_audit_row(conn),
            format!("{ADA} active->paused {ada_user} authenticated -")
        );
    });
    // The owner's own connection (the repository) is honoured.
    rolled_back(&mut conn, |conn| {
        conn.batch_execute(&forged).unwrap();
        conn.batch_execute(&format!(
            "update public.peer_mentors set status = 'paused', pause_at = now() where id = '{ADA}'"
        ))
        .unwrap();
        assert_eq!(
            last_audit_row(conn),
            format!("{ADA} active->paused {KARI} authenticated -")
        );
    });
}

#[test]
fn a_coordinator_removed_from_a_chapter_between_two_calls_is_denied_on_the_second() {
    let db = TestDb::seeded();
    let repository = MentorStatusRepository::new(PoolConfig::default().build(db.url()).unwrap());
    let kari = Actor::Coordinator {
        user_id: UserId::new(KARI),
    };
    let ada = MentorId::new(ADA);
    repository
        .change_status(
            &kari,
            ada,
            Command::Pause { reason: None },
            chrono::Utc::now(),
        )
        .unwrap();
    // Kari stops coordinating Oslo (Ada's only chapter). The Actor value the caller holds
    // is unchanged: it carries no chapters to go stale.
    db.conn()
        .batch_execute(&format!(
            "update public.chapter_coordinators set active = false where user_id = '{KARI}' and chapter_id = '{OSLO}'"
        ))
        .unwrap();
    assert!(matches!(
        repository.change_status(&kari, ada, Command::Resume, chrono::Utc::now()),
        Err(RepositoryError::Denied(Denied::NotSameChapter))
    ));
    assert_eq!(
        repository.status(ada).unwrap().status(),
        mentor_status_domain::MentorStatus::Paused
    );
}
