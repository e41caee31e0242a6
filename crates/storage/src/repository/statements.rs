//! The repository's two statements as query types of their own ([`FactsQuery`],
//! [`WriteQuery`]): diesel prepares each once per connection and reuses it.

use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, Nullable, Text, Timestamptz};
use uuid::Uuid;

use super::MentorRecord;
use crate::DbMentorStatus;
use crate::actor_setting::{actor_id_name, actor_role_name};

/// A mentor with the authorization facts of one change, read in one query: the columns of
/// [`FACTS_SQL`] in order ([`FactsQuery`]'s SQL type), read by position.
#[derive(Debug, Queryable)]
pub(super) struct FactsRecord {
    pub(super) mentor: MentorRecord,
    /// The mentor's active memberships.
    pub(super) mentor_chapters: Vec<Uuid>,
    /// The chapters the acting user actively coordinates (empty without a user).
    pub(super) actor_chapters: Vec<Uuid>,
}

/// The mentor, its active chapters, and the active chapters of the acting coordinator
/// (`$2`, NULL for other actors): one statement, in a transaction of its own. No row lock is
/// taken: the write below is a compare-and-set, and a stale read only costs a retry.
const FACTS_SQL: &str = "
select m.id, m.user_id, m.status, m.pause_at, r.reason as pause_reason,
       array(select cm.chapter_id from public.chapter_memberships as cm
              where cm.mentor_id = m.id and cm.active order by cm.chapter_id) as mentor_chapters,
       array(select cc.chapter_id from public.chapter_coordinators as cc
              where cc.user_id = $2 and cc.active order by cc.chapter_id) as actor_chapters
  from public.peer_mentors as m
  left join private.mentor_pause_reasons as r on r.mentor_id = m.id
 where m.id = $1";

/// The compare-and-set, one statement in a transaction of its own: writes the new state
/// only if the row (and its protected reason) still hold what the decision was based on.
/// It also says who acts (`$8`, `$9`) for the triggers, in transaction-local settings that
/// end with it: the materialized `actor` is joined, so it is evaluated before any row is
/// produced, hence before any trigger fires (and with no row, nothing is written). The
/// triggers move `pause_reason` on and write the audit row and the outbox.
///
/// Why not `BEGIN; read; write; COMMIT`: the read needs no transaction (nothing is locked,
/// each statement sees its own snapshot under READ COMMITTED anyway), and committing in the
/// write's own round trip releases its row locks — among them the foreign-key locks the
/// outbox rows take on their recipients' `auth.users` rows, which every change of a chapter
/// shares — without waiting for the client. Two round trips instead of four.
const WRITE_SQL: &str = concat!(
    "
with actor as materialized (
  select set_config('",
    actor_id_name!(),
    "', $8, true) as actor_id,
         set_config('",
    actor_role_name!(),
    "', $9, true) as actor_role
)
update public.peer_mentors as m
   set status = $2, pause_at = $3, pause_reason = $4
  from actor
 where m.id = $1
   and m.status = $5
   and m.pause_at is not distinct from $6
   and (select r.reason from private.mentor_pause_reasons as r where r.mentor_id = m.id)
       is not distinct from $7
returning m.id"
);

/// [`FACTS_SQL`] with its binds, as a query type of its own: diesel prepares it once per
/// connection and reuses the prepared statement (a `sql_query` is parsed on every call).
#[derive(Debug, QueryId)]
pub(super) struct FactsQuery {
    pub(super) mentor: Uuid,
    pub(super) coordinator: Option<Uuid>,
}

/// [`WRITE_SQL`] with its binds, prepared once per connection like [`FactsQuery`].
#[derive(Debug, QueryId)]
pub(super) struct WriteQuery {
    pub(super) id: Uuid,
    pub(super) status: DbMentorStatus,
    pub(super) pause_at: Option<DateTime<Utc>>,
    pub(super) pause_reason: Option<String>,
    pub(super) read_status: DbMentorStatus,
    pub(super) read_pause_at: Option<DateTime<Utc>>,
    pub(super) read_pause_reason: Option<String>,
    pub(super) actor_id: String,
    pub(super) actor_role: &'static str,
}

/// A constant SQL text cut at its `$n` placeholders, once (walking a query, which diesel
/// does on every execution to collect the binds, then only pushes the pieces).
struct Numbered {
    /// The text before each placeholder, and the placeholder's number.
    pieces: Vec<(&'static str, usize)>,
    tail: &'static str,
}

impl Numbered {
    fn parse(sql: &'static str) -> Result<Numbered, String> {
        let (mut pieces, mut rest) = (Vec::new(), sql);
        while let Some(at) = rest.find('$') {
            let digits = rest[at + 1..]
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len() - at - 1);
            let n = rest[at + 1..at + 1 + digits]
                .parse()
                .map_err(|_| format!("a $ without a number in: {sql}"))?;
            pieces.push((&rest[..at], n));
            rest = &rest[at + 1 + digits..];
        }
        Ok(Numbered { pieces, tail: rest })
    }

    /// Writes the text, with the n-th bind pushed by `bind(n, out)` at each `$n`.
    fn walk<'b>(
        parsed: &'static LazyLock<Result<Numbered, String>>,
        mut out: AstPass<'_, 'b, Pg>,
        mut bind: impl FnMut(usize, &mut AstPass<'_, 'b, Pg>) -> QueryResult<()>,
    ) -> QueryResult<()> {
        let numbered = parsed
            .as_ref()
            .map_err(|e| diesel::result::Error::QueryBuilderError(e.clone().into()))?;
        for (text, n) in &numbered.pieces {
            out.push_sql(text);
            bind(*n, &mut out)?;
        }
        out.push_sql(numbered.tail);
        Ok(())
    }
}

static FACTS: LazyLock<Result<Numbered, String>> = LazyLock::new(|| Numbered::parse(FACTS_SQL));
static WRITE: LazyLock<Result<Numbered, String>> = LazyLock::new(|| Numbered::parse(WRITE_SQL));

impl QueryFragment<Pg> for FactsQuery {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        Numbered::walk(&FACTS, out, |n, out| match n {
            1 => out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.mentor),
            _ => out.push_bind_param::<Nullable<diesel::sql_types::Uuid>, _>(&self.coordinator),
        })
    }
}

impl QueryFragment<Pg> for WriteQuery {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        type Status = crate::schema::sql_types::MentorStatus;
        Numbered::walk(&WRITE, out, |n, out| match n {
            1 => out.push_bind_param::<diesel::sql_types::Uuid, _>(&self.id),
            2 => out.push_bind_param::<Status, _>(&self.status),
            3 => out.push_bind_param::<Nullable<Timestamptz>, _>(&self.pause_at),
            4 => out.push_bind_param::<Nullable<Text>, _>(&self.pause_reason),
            5 => out.push_bind_param::<Status, _>(&self.read_status),
            6 => out.push_bind_param::<Nullable<Timestamptz>, _>(&self.read_pause_at),
            7 => out.push_bind_param::<Nullable<Text>, _>(&self.read_pause_reason),
            8 => out.push_bind_param::<Text, _>(&self.actor_id),
            _ => out.push_bind_param::<Text, _>(&self.actor_role),
        })
    }
}

impl Query for FactsQuery {
    type SqlType = (
        (
            diesel::sql_types::Uuid,
            diesel::sql_types::Uuid,
            crate::schema::sql_types::MentorStatus,
            Nullable<Timestamptz>,
            Nullable<Text>,
        ),
        Array<diesel::sql_types::Uuid>,
        Array<diesel::sql_types::Uuid>,
    );
}

impl Query for WriteQuery {
    type SqlType = diesel::sql_types::Uuid;
}

impl RunQueryDsl<PgConnection> for FactsQuery {}
impl RunQueryDsl<PgConnection> for WriteQuery {}
