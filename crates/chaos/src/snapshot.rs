//! What the checker reads from the database (as the table owner): mentor states, the
//! audit trail, the outbox, the chapter graph and its change log.

use chrono::DateTime;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Nullable, Text, Uuid as SqlUuid};
use mentor_status_storage::Context as _;
use uuid::Uuid;

use crate::ChaosError;

/// A mentor's status as the checker compares it: `status`, `pause_at` in microseconds, the
/// reason. What a mentor's row holds, and what an audit row leaves or started from.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct StatusState {
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

impl StatusState {
    /// `status [since …] [(reason)]`, for messages.
    #[must_use]
    pub fn describe(&self) -> String {
        describe(&self.status, self.pause_at, self.reason.as_deref())
    }
}

/// A mentor's status columns, the reason from `private.mentor_pause_reasons`.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct MentorRowState {
    /// The mentor.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Its status.
    #[diesel(embed)]
    pub state: StatusState,
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

impl AuditRow {
    /// The state the change started from, as far as the row tells: the reason is known only
    /// when the change ended a pause.
    #[must_use]
    pub fn from_state(&self) -> StatusState {
        StatusState {
            status: self.from_status.clone(),
            pause_at: self.from_pause_at,
            reason: if self.to_status == "paused" {
                None
            } else {
                self.reason.clone()
            },
        }
    }

    /// The state the change left.
    #[must_use]
    pub fn to_state(&self) -> StatusState {
        StatusState {
            status: self.to_status.clone(),
            pause_at: self.to_pause_at,
            reason: if self.to_status == "paused" {
                self.reason.clone()
            } else {
                None
            },
        }
    }
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
        .with_context(|| format!("reading {what}"))
        .map_err(ChaosError::from)
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

/// A rule some rows break, and how many rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The rule: `<table> <constraint>` for a CHECK, or what the rule says.
    pub rule: String,
    /// How many rows break it (for NOT VALID: how many constraints).
    pub count: i64,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.rule, self.count)
    }
}

/// A CHECK constraint as the catalog holds it.
#[derive(QueryableByName)]
struct CheckDefinition {
    #[diesel(sql_type = Text)]
    relation: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    expression: String,
}

/// Every CHECK constraint of the tables in `public` and `private` (the status columns, the
/// audit trail, the outbox, the stored reasons, and whatever a later migration adds), read
/// from the catalog so that the checker never restates a predicate.
const CHECK_DEFINITIONS: &str =
    "select pg_catalog.format('%I.%I', n.nspname, t.relname) as relation,
        c.conname::text as name, pg_catalog.pg_get_expr(c.conbin, c.conrelid) as expression
   from pg_catalog.pg_constraint as c
   join pg_catalog.pg_class as t on t.oid = c.conrelid
   join pg_catalog.pg_namespace as n on n.oid = t.relnamespace
  where c.contype = 'c' and n.nspname in ('public', 'private')
    and t.relkind = 'r' -- tables that hold rows (a partition is one; its parent is not)
  order by 1, 2";

/// The rules that are not a CHECK: a stored reason of a mentor who is not paused
/// (`private.mentor_pause_reasons` is a table of its own, so no CHECK can say it), and
/// constraints left NOT VALID (a crash between ADD and VALIDATE must not go unseen).
const OTHER_RULES: [(&str, &str); 2] = [
    (
        "a stored pause reason of a mentor who is not paused",
        "select count(*) as v from private.mentor_pause_reasons as r
           join public.peer_mentors as m on m.id = r.mentor_id
          where m.status <> 'paused'",
    ),
    (
        "constraints left NOT VALID",
        "select count(*) as v from pg_catalog.pg_constraint as c
           join pg_catalog.pg_namespace as n on n.oid = c.connamespace
          where n.nspname in ('public', 'private') and not c.convalidated",
    ),
];

/// The rules rows break: every CHECK constraint of `public` and `private` evaluated on every
/// row (also on rows written while the constraint was NOT VALID, which PostgreSQL never
/// checked), a stored reason of a mentor who is not paused, and constraints left NOT VALID.
/// Empty when nothing breaks a rule.
///
/// # Errors
///
/// A query error.
pub fn rule_violations(conn: &mut PgConnection) -> Result<Vec<Violation>, ChaosError> {
    let checks: Vec<CheckDefinition> = diesel::sql_query(CHECK_DEFINITIONS)
        .load(conn)
        .context("reading the CHECK constraints")?;
    let mut rules: Vec<(String, String)> = checks
        .into_iter()
        .map(|c| {
            (
                format!("{} {}", c.relation, c.name),
                // A CHECK passes when its expression is true or NULL: it fails when false.
                // `only`: a child table's rows are checked under the child's own constraint.
                format!(
                    "select count(*) as v from only {} where ({}) is false",
                    c.relation, c.expression
                ),
            )
        })
        .collect();
    rules.extend(
        OTHER_RULES
            .iter()
            .map(|(rule, sql)| ((*rule).to_owned(), (*sql).to_owned())),
    );
    let mut violations = Vec::new();
    for (rule, sql) in rules {
        let count = mentor_status_localdb::query::int(conn, &sql)?;
        if count > 0 {
            violations.push(Violation { rule, count });
        }
    }
    Ok(violations)
}
