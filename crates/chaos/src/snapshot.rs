//! What the checker reads from the database (as the table owner): mentor states, the
//! audit trail, the outbox, the chapter graph and its change log.

use chrono::DateTime;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::ChaosError;

/// A mentor's status columns, `pause_at` in microseconds, the reason from
/// `private.mentor_pause_reasons`.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct MentorRowState {
    /// The mentor.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// `status`.
    #[diesel(sql_type = Text)]
    pub status: String,
    /// `pause_at`, microseconds since the epoch.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub pause_at: Option<i64>,
    /// The reason.
    #[diesel(sql_type = Nullable<Text>)]
    pub reason: Option<String>,
}

impl MentorRowState {
    /// `status pause_at reason`, for messages.
    #[must_use]
    pub fn describe(&self) -> String {
        describe(&self.status, self.pause_at, self.reason.as_deref())
    }
}

/// `status [since …] [(reason)]`.
#[must_use]
pub fn describe(status: &str, pause_at: Option<i64>, reason: Option<&str>) -> String {
    let mut s = status.to_owned();
    if let Some(p) = pause_at {
        let at =
            DateTime::from_timestamp_micros(p).map_or_else(|| p.to_string(), |t| t.to_rfc3339());
        s += &format!(" since {at}");
    }
    if let Some(r) = reason {
        s += &format!(" ({r})");
    }
    s
}

/// One audit row, with its reason and when its transaction committed.
#[derive(Debug, Clone, QueryableByName)]
pub struct AuditRow {
    /// `id`.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// `mentor_id`.
    #[diesel(sql_type = SqlUuid)]
    pub mentor_id: Uuid,
    /// `from_status`.
    #[diesel(sql_type = Text)]
    pub from_status: String,
    /// `to_status`.
    #[diesel(sql_type = Text)]
    pub to_status: String,
    /// `from_pause_at` (µs).
    #[diesel(sql_type = Nullable<BigInt>)]
    pub from_pause_at: Option<i64>,
    /// `to_pause_at` (µs).
    #[diesel(sql_type = Nullable<BigInt>)]
    pub to_pause_at: Option<i64>,
    /// The reason (`private.mentor_status_change_reasons`): the new one when paused after
    /// the change, else the one of the pause that ended.
    #[diesel(sql_type = Nullable<Text>)]
    pub reason: Option<String>,
    /// `changed_by`.
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub changed_by: Option<Uuid>,
    /// `actor_role`.
    #[diesel(sql_type = Text)]
    pub actor_role: String,
    /// `changed_at` (µs): the change's transaction start.
    #[diesel(sql_type = BigInt)]
    pub changed_at: i64,
    /// When the change's transaction committed (µs; `track_commit_timestamp`).
    #[diesel(sql_type = Nullable<BigInt>)]
    pub committed_at: Option<i64>,
}

/// One outbox row.
#[derive(Debug, Clone, QueryableByName)]
pub struct OutboxRow {
    /// `id`.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// `change_id`.
    #[diesel(sql_type = BigInt)]
    pub change_id: i64,
    /// `recipient_id`.
    #[diesel(sql_type = SqlUuid)]
    pub recipient_id: Uuid,
    /// `fallback`.
    #[diesel(sql_type = Bool)]
    pub fallback: bool,
    /// Delivered (`sent_at` set).
    #[diesel(sql_type = Bool)]
    pub sent: bool,
    /// A dead letter.
    #[diesel(sql_type = Bool)]
    pub dead: bool,
    /// Unsent, not dead, and its lease (or back-off) is over: nobody is working on it.
    #[diesel(sql_type = Bool)]
    pub stuck: bool,
}

/// One fact of the chapter graph (`membership`: subject = mentor; `coordinator`: subject =
/// user; `organisation`: subject = user, chapter = user), with the commit time of a logged
/// change (`None` for the initial graph).
#[derive(Debug, Clone, QueryableByName)]
pub struct GraphFact {
    /// `membership`, `coordinator` or `organisation`.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// Mentor or user.
    #[diesel(sql_type = SqlUuid)]
    pub subject: Uuid,
    /// The chapter.
    #[diesel(sql_type = SqlUuid)]
    pub chapter_id: Uuid,
    /// Active after this fact.
    #[diesel(sql_type = Bool)]
    pub active: bool,
    /// When it committed (µs).
    #[diesel(sql_type = Nullable<BigInt>)]
    pub committed_at: Option<i64>,
}

fn load<T: QueryableByName<diesel::pg::Pg> + 'static>(
    conn: &mut PgConnection,
    what: &str,
    sql: &str,
) -> Result<Vec<T>, ChaosError> {
    diesel::sql_query(sql)
        .load(conn)
        .map_err(ChaosError::query(format!("reading {what}")))
}

/// Every mentor's state.
///
/// # Errors
///
/// A query error.
pub fn mentors(conn: &mut PgConnection) -> Result<Vec<MentorRowState>, ChaosError> {
    load(
        conn,
        "the mentors' states",
        "select m.id, m.status::text as status,
                (extract(epoch from m.pause_at) * 1000000)::int8 as pause_at, r.reason
           from public.peer_mentors as m
           left join private.mentor_pause_reasons as r on r.mentor_id = m.id
          order by m.id",
    )
}

/// The audit trail in id order.
///
/// # Errors
///
/// A query error.
pub fn audit(conn: &mut PgConnection) -> Result<Vec<AuditRow>, ChaosError> {
    load(
        conn,
        "the audit trail",
        "select c.id, c.mentor_id, c.from_status::text as from_status, c.to_status::text as to_status,
                (extract(epoch from c.from_pause_at) * 1000000)::int8 as from_pause_at,
                (extract(epoch from c.to_pause_at) * 1000000)::int8 as to_pause_at,
                r.reason, c.changed_by, c.actor_role,
                (extract(epoch from c.changed_at) * 1000000)::int8 as changed_at,
                (extract(epoch from pg_xact_commit_timestamp(c.xmin)) * 1000000)::int8 as committed_at
           from public.mentor_status_changes as c
           left join private.mentor_status_change_reasons as r on r.change_id = c.id
          order by c.id",
    )
}

/// The outbox.
///
/// # Errors
///
/// A query error.
pub fn outbox(conn: &mut PgConnection) -> Result<Vec<OutboxRow>, ChaosError> {
    load(
        conn,
        "the outbox",
        "select s.id, s.change_id, s.recipient_id, s.fallback, s.sent_at is not null as sent,
                s.dead_at is not null as dead,
                (s.sent_at is null and s.dead_at is null and s.next_attempt_at < now()) as stuck
           from public.status_notifications as s
          order by s.id",
    )
}

/// The chapter graph now (memberships, coordinator roles, organisation coordinators).
///
/// # Errors
///
/// A query error.
pub fn graph(conn: &mut PgConnection) -> Result<Vec<GraphFact>, ChaosError> {
    load(
        conn,
        "the chapter graph",
        "select 'membership' as kind, mentor_id as subject, chapter_id, active, null::int8 as committed_at
           from public.chapter_memberships
         union all
         select 'coordinator', user_id, chapter_id, active, null::int8 from public.chapter_coordinators
         union all
         select 'organisation', user_id, user_id, active, null::int8 from public.organisation_coordinators",
    )
}

/// The churner's log, in commit order.
///
/// # Errors
///
/// A query error.
pub fn churn(conn: &mut PgConnection) -> Result<Vec<GraphFact>, ChaosError> {
    load(
        conn,
        "the churn log",
        "select l.kind, l.subject, l.chapter_id, l.active,
                (extract(epoch from pg_xact_commit_timestamp(l.xmin)) * 1000000)::int8 as committed_at
           from chaos.churn_log as l
          order by committed_at, l.id",
    )
}

/// Rows that break a status rule: a CHECK of `peer_mentors` or `mentor_status_changes`
/// evaluated on every row (also on rows written while a constraint was not yet
/// validated), a stored reason of a mentor who is not paused, and constraints left NOT
/// VALID.
///
/// # Errors
///
/// A query error.
pub fn rule_violations(conn: &mut PgConnection) -> Result<i64, ChaosError> {
    let v = crate::writers::text(
        conn,
        "select ((select count(*) from public.peer_mentors
                   where not ((status <> 'paused' or pause_at is not null)
                              and (status = 'paused' or pause_at is null)
                              and (status = 'paused' or pause_reason is null)))
               + (select count(*) from private.mentor_pause_reasons as r
                    join public.peer_mentors as m on m.id = r.mentor_id
                   where m.status <> 'paused')
               + (select count(*) from public.mentor_status_changes
                   where changed_by is null and actor_role = 'authenticated')
               + (select count(*) from pg_catalog.pg_constraint
                   where conrelid in ('public.peer_mentors'::regclass, 'public.mentor_status_changes'::regclass)
                     and not convalidated))::text as v",
    )
    .map_err(ChaosError::query("looking for rows that break a status rule"))?;
    v.parse()
        .map_err(|e| ChaosError::Run(format!("rule violation count {v:?}: {e}")))
}
