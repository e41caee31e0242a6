//! Fixtures shared by the storage tests: the seed's cast and a repository on a test database.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use mentor_status_domain::{Actor, ChapterId, UserId};
use mentor_status_storage::actor_setting::{ACTOR_ID, ACTOR_ROLE};
use mentor_status_storage::{MentorId, MentorStatusRepository, PoolConfig};
use mentor_status_tests::TestDb;

use crate::seed_ids;

/// Seeded auth user `a…NN` ([`seed_ids::user`]), typed.
pub const fn user(n: u128) -> UserId {
    UserId::new(seed_ids::user(n))
}

/// Seeded mentor `b…NN` (belongs to user `a…NN`; [`seed_ids::mentor`]), typed.
pub const fn mentor(n: u128) -> MentorId {
    MentorId::new(seed_ids::mentor(n))
}

// The seeded mentors and chapters the storage tests name, typed.
pub const ADA: MentorId = MentorId::new(seed_ids::mentors::ADA);
pub const CAMILLA: MentorId = MentorId::new(seed_ids::mentors::CAMILLA);
pub const HENRIK: MentorId = MentorId::new(seed_ids::mentors::HENRIK);
pub const OSLO: ChapterId = ChapterId::new(seed_ids::chapters::OSLO);
pub const BERGEN: ChapterId = ChapterId::new(seed_ids::chapters::BERGEN);
pub const TRONDHEIM: ChapterId = ChapterId::new(seed_ids::chapters::TRONDHEIM);

/// Kari, who coordinates Oslo and Bergen (seed): the repository reads that from
/// `chapter_coordinators`.
pub fn kari() -> Actor {
    Actor::Coordinator {
        user_id: UserId::new(seed_ids::users::KARI),
    }
}

/// Trond, who coordinates Trondheim (seed).
pub fn trond() -> Actor {
    Actor::Coordinator {
        user_id: UserId::new(seed_ids::users::TROND),
    }
}

/// A fixed instant, `seconds` after 2026-11-26 12:00Z.
pub fn at(seconds: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_694_400 + seconds, 0).unwrap()
}

/// A repository with a pool of `max_size` connections on `db`.
pub fn repository(db: &TestDb, max_size: u32) -> MentorStatusRepository {
    let pool = PoolConfig {
        max_size,
        ..PoolConfig::default()
    }
    .build(db.url())
    .unwrap();
    MentorStatusRepository::new(pool)
}

pub use crate::support::wait_for_a_lock_waiter;

/// Installs a test-only trigger that logs every status update of `peer_mentors` with the
/// acting user the repository announced, in the order the updates commit: the row lock is
/// held from the UPDATE to the commit, so for one row the trigger's sequence value orders
/// committed updates by commit time.
pub fn status_log_trigger() -> String {
    format!(
        "
create table public.test_status_log (
  seq bigserial primary key,
  mentor_id uuid not null,
  old_row text not null,
  new_row text not null,
  actor_id text,
  actor_role text
);
create function public.test_log_status() returns trigger language plpgsql as $$
begin
  insert into public.test_status_log (mentor_id, old_row, new_row, actor_id, actor_role)
  values (new.id,
          old.status || '|' || coalesce(((extract(epoch from old.pause_at) * 1000000)::bigint)::text, '-') || '|'
            || coalesce((select r.reason from private.mentor_pause_reasons as r where r.mentor_id = old.id), '-'),
          new.status || '|' || coalesce(((extract(epoch from new.pause_at) * 1000000)::bigint)::text, '-') || '|' || coalesce(new.pause_reason, '-'),
          current_setting('{ACTOR_ID}', true),
          current_setting('{ACTOR_ROLE}', true));
  return new;
end
$$;
-- BEFORE, and named to fire before the project's triggers: the reason is still in
-- private.mentor_pause_reasons (old) and in new.pause_reason as written (new); the trigger
-- peer_mentors_store_pause_reason moves it afterwards. (A BEFORE row trigger fires only
-- once the row is locked and re-checked, so it logs exactly the updates that happen.)
create trigger a_test_log_status before update on public.peer_mentors
  for each row execute function public.test_log_status();"
    )
}

/// One row of `public.test_status_log`.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct LogRow {
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub old_row: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    pub new_row: String,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub actor_id: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<diesel::sql_types::Text>)]
    pub actor_role: Option<String>,
}

/// The log, in commit order.
pub fn status_log(conn: &mut PgConnection) -> Vec<LogRow> {
    diesel::sql_query(
        "select old_row, new_row, actor_id, actor_role from public.test_status_log order by seq",
    )
    .load(conn)
    .unwrap()
}

/// A state as the log writes it: `status|pause_at in epoch microseconds|reason`.
pub fn log_form(state: &mentor_status_domain::MentorState) -> String {
    let row = state.to_row();
    format!(
        "{}|{}|{}",
        row.status,
        row.pause_at
            .map_or_else(|| "-".to_owned(), |t| t.timestamp_micros().to_string()),
        row.pause_reason.as_deref().unwrap_or("-")
    )
}
