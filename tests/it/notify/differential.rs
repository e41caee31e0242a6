//! Differential test: on random chapter graphs, the outbox trigger (SQL) notifies exactly
//! whom the domain's `resolve_recipients` (the specification) names, with the same fallback
//! mark, and `CoordinatorNotificationService::preview_recipients` (the domain fed by one
//! query) agrees.
//!
//! Each case: a mentor in 1–3 of 4 chapters (memberships active or not), 5 users
//! coordinating 0–3 chapters each (active or not), 0–7 organisation coordinators (active or
//! not, some of them also chapter coordinators), and an actor who is a chapter coordinator,
//! an organisation-only user, the mentor, or nobody (maintenance). Every case gets fresh
//! ids and is committed, so the pool-based preview sees it; organisation coordinators are
//! replaced per case.

use std::cell::RefCell;
use std::collections::BTreeSet;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use mentor_status_domain::{
    ChapterId, CoordinatorLink, OrganisationCoordinator, UserId, resolve_recipients,
};
use mentor_status_storage::MentorId;
use mentor_status_storage::actor_setting::set_settings_sql;
use mentor_status_tests::TestDb;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use uuid::Uuid;

use crate::notify::support::service;

const CHAPTERS: usize = 4;
/// Users 0..COORDINATORS may coordinate chapters; the rest only appear at organisation level.
const COORDINATORS: usize = 5;
const USERS: usize = 7;

/// A link to each chapter: absent, active or inactive.
type Links = Vec<Option<bool>>;

#[derive(Debug, Clone, Copy)]
enum Acting {
    User(usize),
    Mentor,
    Nobody,
}

#[derive(Debug, Clone)]
struct Case {
    memberships: Links,
    coordinators: Vec<Links>,
    /// Per user: organisation coordinator (active or not), or not.
    organisation: Vec<Option<bool>>,
    acting: Acting,
}

fn link(absent: u32) -> impl Strategy<Value = Option<bool>> {
    prop_oneof![absent => Just(None), 2 => Just(Some(true)), 1 => Just(Some(false))]
}

fn links(absent: u32, range: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = Links> {
    proptest::collection::vec(link(absent), CHAPTERS)
        .prop_filter("chapter count in range", move |l| {
            range.contains(&l.iter().filter(|x| x.is_some()).count())
        })
}

fn arb_case() -> impl Strategy<Value = Case> {
    (
        links(2, 1..=3),
        proptest::collection::vec(links(6, 0..=3), COORDINATORS),
        // Often nobody at organisation level, so "nobody to tell" (rule 4) comes up too.
        prop_oneof![
            1 => Just(vec![None; USERS]),
            3 => proptest::collection::vec(link(3), USERS),
        ],
        prop_oneof![
            4 => (0..COORDINATORS).prop_map(Acting::User),
            1 => (COORDINATORS..USERS).prop_map(Acting::User),
            2 => Just(Acting::Mentor),
            2 => Just(Acting::Nobody),
        ],
    )
        .prop_map(|(memberships, coordinators, organisation, acting)| Case {
            memberships,
            coordinators,
            organisation,
            acting,
        })
}

/// Fresh ids for one case.
struct Ids {
    users: Vec<Uuid>,
    mentor_user: Uuid,
    mentor: Uuid,
    chapters: Vec<Uuid>,
}

impl Ids {
    fn new() -> Self {
        Ids {
            users: (0..USERS).map(|_| Uuid::new_v4()).collect(),
            mentor_user: Uuid::new_v4(),
            mentor: Uuid::new_v4(),
            chapters: (0..CHAPTERS).map(|_| Uuid::new_v4()).collect(),
        }
    }

    fn actor(&self, acting: Acting) -> Option<Uuid> {
        match acting {
            Acting::User(u) => Some(self.users[u]),
            Acting::Mentor => Some(self.mentor_user),
            Acting::Nobody => None,
        }
    }
}

/// The graph as SQL.
fn setup_sql(case: &Case, ids: &Ids) -> String {
    let mut sql = String::from("delete from public.organisation_coordinators;\n");
    for user in ids.users.iter().chain([&ids.mentor_user]) {
        sql += &format!(
            "insert into auth.users (id, email) values ('{user}', '{user}@example.org');\n"
        );
    }
    for chapter in &ids.chapters {
        sql += &format!(
            "insert into public.chapters (id, name) values ('{chapter}', 'Chapter {chapter}');\n"
        );
    }
    sql += &format!(
        "insert into public.peer_mentors (id, user_id, full_name, email) values ('{}', '{}', 'Mentor', 'mentor@example.org');\n",
        ids.mentor, ids.mentor_user
    );
    for (c, active) in case.memberships.iter().enumerate() {
        if let Some(active) = active {
            sql += &format!(
                "insert into public.chapter_memberships (mentor_id, chapter_id, active) values ('{}', '{}', {active});\n",
                ids.mentor, ids.chapters[c]
            );
        }
    }
    for (u, links) in case.coordinators.iter().enumerate() {
        for (c, active) in links.iter().enumerate() {
            if let Some(active) = active {
                sql += &format!(
                    "insert into public.chapter_coordinators (user_id, chapter_id, active) values ('{}', '{}', {active});\n",
                    ids.users[u], ids.chapters[c]
                );
            }
        }
    }
    for (u, active) in case.organisation.iter().enumerate() {
        if let Some(active) = active {
            sql += &format!(
                "insert into public.organisation_coordinators (user_id, active) values ('{}', {active});\n",
                ids.users[u]
            );
        }
    }
    sql
}

/// What the specification says, from the model (not from the database).
fn expected(case: &Case, ids: &Ids) -> mentor_status_domain::Recipients {
    let mut links = Vec::new();
    for (c, membership) in case.memberships.iter().enumerate() {
        let Some(membership_active) = membership else {
            continue;
        };
        for (u, coordinated) in case.coordinators.iter().enumerate() {
            if let Some(coordinator_active) = coordinated[c] {
                links.push(CoordinatorLink {
                    chapter: ChapterId::new(ids.chapters[c]),
                    membership_active: *membership_active,
                    coordinator: UserId::new(ids.users[u]),
                    coordinator_active,
                });
            }
        }
    }
    let organisation: Vec<OrganisationCoordinator> = case
        .organisation
        .iter()
        .enumerate()
        .filter_map(|(u, o)| {
            o.map(|active| OrganisationCoordinator {
                user: UserId::new(ids.users[u]),
                active,
            })
        })
        .collect();
    resolve_recipients(
        &links,
        &organisation,
        ids.actor(case.acting).map(UserId::new),
    )
}

#[derive(QueryableByName)]
struct Recipient {
    #[diesel(sql_type = SqlUuid)]
    recipient_id: Uuid,
    #[diesel(sql_type = Bool)]
    fallback: bool,
}

#[test]
fn the_outbox_trigger_notifies_exactly_whom_the_domain_resolver_names() {
    let db = TestDb::migrated();
    let conn = RefCell::new(db.conn());
    let service = service(&db);
    let mut runner = TestRunner::new(Config {
        cases: 128,
        failure_persistence: None,
        ..Config::default()
    });
    let stats = RefCell::new((0usize, 0usize, 0usize)); // chapter, fallback, nobody
    runner
        .run(&arb_case(), |case| {
            let ids = Ids::new();
            let conn = &mut *conn.borrow_mut();
            conn.transaction::<_, diesel::result::Error, _>(|conn| {
                conn.batch_execute(&setup_sql(&case, &ids))
            })
            .unwrap();
            // The change, with the actor told to the audit trigger as the repository does.
            let (actor_id, actor_role) = ids
                .actor(case.acting)
                .map_or((String::new(), ""), |u| (u.to_string(), "authenticated"));
            conn.transaction::<_, diesel::result::Error, _>(|conn| {
                conn.batch_execute(&format!(
                    "{};
                     update public.peer_mentors set status = 'paused', pause_at = now() where id = '{}';",
                    set_settings_sql(&actor_id, actor_role),
                    ids.mentor
                ))
            })
            .unwrap();

            let rows: Vec<Recipient> = diesel::sql_query(
                "select recipient_id, fallback from public.status_notifications where mentor_id = $1",
            )
            .bind::<SqlUuid, _>(ids.mentor)
            .load(conn)
            .unwrap();
            let in_database: BTreeSet<UserId> =
                rows.iter().map(|r| UserId::new(r.recipient_id)).collect();
            let fallback_marks: BTreeSet<bool> = rows.iter().map(|r| r.fallback).collect();

            let expected = expected(&case, &ids);
            prop_assert_eq!(rows.len(), in_database.len(), "one row per recipient");
            prop_assert_eq!(&in_database, expected.users());
            if !expected.is_empty() {
                prop_assert_eq!(fallback_marks, BTreeSet::from([expected.is_fallback()]));
            }

            let preview = service
                .preview_recipients(
                    MentorId::new(ids.mentor),
                    ids.actor(case.acting).map(UserId::new),
                )
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(&preview, &expected);

            let mut stats = stats.borrow_mut();
            match (expected.is_empty(), expected.is_fallback()) {
                (true, _) => stats.2 += 1,
                (false, true) => stats.1 += 1,
                (false, false) => stats.0 += 1,
            }
            Ok(())
        })
        .unwrap();
    // The generator must reach every branch of the rules, or the comparison proves little.
    let (chapter, fallback, nobody) = *stats.borrow();
    eprintln!("cases: chapter {chapter}, fallback {fallback}, nobody {nobody}");
    assert!(
        chapter > 0 && fallback > 0 && nobody > 0,
        "{chapter} {fallback} {nobody}"
    );
}
