//! Helpers for the coordinator notification tests (`notify_*`): the seeded cast, the
//! service and repository on a test database, and reading the outbox as the owner.

use std::collections::BTreeSet;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Text, Uuid as SqlUuid};
use mentor_status_domain::UserId;
use mentor_status_storage::notifications::CoordinatorNotificationService;
use mentor_status_storage::{MentorStatusRepository, PoolConfig};
use mentor_status_tests::TestDb;
use uuid::Uuid;

use crate::support::int;

// The seeded cast (`crate::seed_ids`): auth users, mentors (`*_ID`) and chapters.
pub use crate::seed_ids::chapters::OSLO;
pub use crate::seed_ids::mentors::{
    ADA as ADA_ID, BJORN as BJORN_ID, CAMILLA as CAMILLA_ID, FREDRIK as FREDRIK_ID,
};
pub use crate::seed_ids::users::{FREDRIK, INGRID, KARI, OLA, TROND};

/// A repository on the test database (default pool size).
pub fn repository(db: &TestDb) -> MentorStatusRepository {
    crate::storage::support::repository(db, PoolConfig::default().max_size)
}

/// A notification service (default policy) on the test database.
pub fn service(db: &TestDb) -> CoordinatorNotificationService {
    CoordinatorNotificationService::new(PoolConfig::default().build(db.url()).unwrap())
}

pub use crate::storage::support::kari;

/// Makes these users organisation coordinators (`true`: active).
pub fn add_organisation_coordinators(conn: &mut PgConnection, users: &[(Uuid, bool)]) {
    for (user, active) in users {
        diesel::sql_query(
            "insert into public.organisation_coordinators (user_id, active) values ($1, $2)",
        )
        .bind::<SqlUuid, _>(user)
        .bind::<Bool, _>(active)
        .execute(conn)
        .unwrap();
    }
}

/// Makes each user an active coordinator of the chapter paired with it.
pub fn add_chapter_coordinators(conn: &mut PgConnection, links: &[(Uuid, Uuid)]) {
    let values: Vec<String> = links
        .iter()
        .map(|(user, chapter)| format!("('{user}', '{chapter}')"))
        .collect();
    conn.batch_execute(&format!(
        "insert into public.chapter_coordinators (user_id, chapter_id) values {}",
        values.join(", ")
    ))
    .unwrap();
}

/// The newest audit row's id.
pub fn last_change_id(conn: &mut PgConnection) -> i64 {
    int(
        conn,
        "select max(id) as v from public.mentor_status_changes",
    )
}

/// One outbox row as the tests compare it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, QueryableByName)]
pub struct Row {
    #[diesel(sql_type = SqlUuid)]
    pub recipient_id: Uuid,
    #[diesel(sql_type = Bool)]
    pub fallback: bool,
    #[diesel(sql_type = Text)]
    pub from_status: String,
    #[diesel(sql_type = Text)]
    pub to_status: String,
}

/// The outbox rows of one audit row, by recipient.
pub fn rows_of_change(conn: &mut PgConnection, change_id: i64) -> Vec<Row> {
    diesel::sql_query(
        "select recipient_id, fallback, from_status::text as from_status, to_status::text as to_status
           from public.status_notifications
          where change_id = $1
          order by recipient_id",
    )
    .bind::<BigInt, _>(change_id)
    .load(conn)
    .unwrap()
}

/// The recipients of one audit row's notifications.
pub fn recipients_of_change(conn: &mut PgConnection, change_id: i64) -> BTreeSet<Uuid> {
    rows_of_change(conn, change_id)
        .into_iter()
        .map(|r| r.recipient_id)
        .collect()
}

/// All outbox rows.
pub fn outbox_count(conn: &mut PgConnection) -> i64 {
    int(
        conn,
        "select count(*) as v from public.status_notifications",
    )
}

/// A user set from ids.
pub fn users(ids: &[Uuid]) -> BTreeSet<UserId> {
    ids.iter().copied().map(UserId::new).collect()
}
