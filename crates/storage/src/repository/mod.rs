//! [`MentorStatusRepository`]: reads and changes mentor statuses, applying the domain's
//! rules, safely under concurrent use.

use chrono::{DateTime, SubsecRound, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use mentor_status_domain::{
    AccessFacts, Actor, ChapterId, Command, MentorState, MentorStatus, TargetMentor, Transition,
    TransitionError, UserId, authorize,
};
use uuid::Uuid;

use crate::Context as _;
use crate::actor_setting::actor_settings;
use crate::pool::checkout;
use crate::schema::{chapter_memberships, peer_mentors};
use crate::{DbMentorStatus, MentorId, PgPool, RepositoryError};

/// The protected pause reasons (migration `20261201120000_protect_pause_reasons`), outside
/// the generated `schema.rs` because `diesel print-schema` covers `public` only.
/// `peer_mentors.pause_reason` reads NULL; the repository, as the table owner, reads the
/// reason here.
mod protected {
    diesel::table! {
        private.mentor_pause_reasons (mentor_id) {
            mentor_id -> Uuid,
            reason -> Text,
        }
    }
}
use protected::mentor_pause_reasons;

diesel::allow_tables_to_appear_in_same_query!(mentor_pause_reasons, peer_mentors);
diesel::allow_tables_to_appear_in_same_query!(mentor_pause_reasons, chapter_memberships);

mod statements;
use statements::{FactsQuery, FactsRecord, WriteQuery};

/// How often [`MentorStatusRepository::change_status`] tries by default before reporting a
/// [`RepositoryError::Conflict`].
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// The one way the application reads and changes mentor statuses.
///
/// Every change is two statements: load, in one query, the mentor (its reason from
/// `private.mentor_pause_reasons`), its active chapters and the chapters the acting
/// coordinator actively coordinates (from `chapter_coordinators`, never from the caller), ask
/// the domain ([`authorize`], [`MentorState::apply`]), then write with a compare-and-set that
/// only succeeds if the row still holds the state the decision was based on, and that says
/// who acts for the audit trigger (the write and its triggers are one transaction of their
/// own; the read needs none, as it locks nothing). When another
/// transaction changed the row first, the repository reads again and decides again (at most
/// [`DEFAULT_MAX_ATTEMPTS`] times, see [`with_max_attempts`](Self::with_max_attempts)), so
/// two coordinators acting at once never overwrite each other: the second either applies
/// to the new state or gets [`RepositoryError::Conflict`].
///
/// Reads are not authorized here: callers decide who may see what (see
/// [`may_read_pause_reason`](mentor_status_domain::may_read_pause_reason)).
#[derive(Debug, Clone)]
pub struct MentorStatusRepository {
    pool: PgPool,
    max_attempts: u32,
}

/// One mentor in a coordinator's list: [`MentorStatusRepository::list`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MentorSummary {
    /// The mentor row's id.
    pub id: MentorId,
    /// The mentor's Auth user.
    pub user_id: UserId,
    /// `full_name`.
    pub full_name: String,
    /// Status and pause data.
    pub state: MentorState,
}

/// The status columns and ids of one `peer_mentors` row, with its reason from
/// `private.mentor_pause_reasons` (select it from `peer_mentors` left-joined with that
/// table).
#[derive(Debug, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = peer_mentors, check_for_backend(Pg))]
struct MentorRecord {
    id: Uuid,
    user_id: Uuid,
    status: DbMentorStatus,
    pause_at: Option<DateTime<Utc>>,
    #[diesel(select_expression = mentor_pause_reasons::reason.nullable())]
    #[diesel(select_expression_type = diesel::dsl::Nullable<mentor_pause_reasons::reason>)]
    pause_reason: Option<String>,
}

impl MentorRecord {
    fn state(&self) -> Result<MentorState, RepositoryError> {
        MentorState::from_row(
            self.status.into(),
            self.pause_at,
            self.pause_reason.as_deref(),
        )
        .map_err(|source| RepositoryError::InvalidRow {
            mentor_id: MentorId::new(self.id),
            source,
        })
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = peer_mentors, check_for_backend(Pg))]
struct SummaryRecord {
    #[diesel(embed)]
    mentor: MentorRecord,
    full_name: String,
}

/// What one attempt of [`MentorStatusRepository::change_status`] ended with.
enum Attempt {
    Applied(Transition),
    NotApplicable {
        current: MentorStatus,
        error: TransitionError,
    },
    LostRace {
        read: MentorStatus,
    },
}

impl MentorStatusRepository {
    /// A repository on `pool`.
    #[must_use]
    pub fn new(pool: PgPool) -> Self {
        MentorStatusRepository {
            pool,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// How many times [`change_status`](Self::change_status) tries (at least once) before
    /// giving up with [`RepositoryError::Conflict`] when other transactions keep changing
    /// the same mentor first.
    #[must_use]
    pub fn with_max_attempts(mut self, max_attempts: u32) -> Self {
        self.max_attempts = max_attempts.max(1);
        self
    }

    /// The pool this repository uses.
    #[must_use]
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The mentor's current status and pause data.
    ///
    /// # Errors
    ///
    /// [`RepositoryError::NotFound`], [`RepositoryError::InvalidRow`], or a pool or
    /// database error.
    pub fn status(&self, mentor_id: MentorId) -> Result<MentorState, RepositoryError> {
        let mut conn = checkout(&self.pool)?;
        load_mentor(&mut conn, mentor_id)?.state()
    }

    /// Applies `command` to the mentor at time `now`, if `actor` may, and returns what
    /// changed.
    ///
    /// `now` is truncated to whole microseconds (PostgreSQL's precision), so the returned
    /// [`Transition`] equals what is stored.
    /// The transaction tells the database who acts, for the audit triggers (the
    /// transaction-local settings of [`crate::actor_setting`]).
    ///
    /// # Errors
    ///
    /// - [`RepositoryError::NotFound`]: no such mentor;
    /// - [`RepositoryError::Denied`]: the actor may not issue the command for this mentor;
    /// - [`RepositoryError::Transition`]: the command does not apply to the current status;
    /// - [`RepositoryError::Conflict`]: another transaction changed the status first and
    ///   the command no longer applies, or every attempt lost such a race;
    /// - [`RepositoryError::InvalidRow`], or a pool or database error.
    ///
    /// Nothing is changed in any of these cases.
    pub fn change_status(
        &self,
        actor: &Actor,
        mentor_id: MentorId,
        command: Command,
        now: DateTime<Utc>,
    ) -> Result<Transition, RepositoryError> {
        let now = now.trunc_subsecs(6);
        let mut conn = checkout(&self.pool)?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            let attempt = attempt_change(&mut conn, actor, mentor_id, command.clone(), now)?;
            match attempt {
                Attempt::Applied(transition) => return Ok(transition),
                Attempt::NotApplicable { error, .. } if attempts == 1 => {
                    return Err(RepositoryError::Transition(error));
                }
                Attempt::NotApplicable { current, error } => {
                    return Err(RepositoryError::Conflict {
                        mentor_id,
                        current,
                        cause: Some(error),
                        attempts,
                    });
                }
                Attempt::LostRace { read } if attempts >= self.max_attempts => {
                    return Err(RepositoryError::Conflict {
                        mentor_id,
                        current: read,
                        cause: None,
                        attempts,
                    });
                }
                Attempt::LostRace { .. } => {}
            }
        }
    }

    /// The mentors with an active membership in `chapter`, optionally only those with
    /// `status`, ordered by name: a coordinator's view of a chapter.
    ///
    /// Served by the partial index `chapter_memberships_active_chapter_id_mentor_id_idx`
    /// (migration `20261126130000_add_mentor_chapter_status_index`).
    ///
    /// # Errors
    ///
    /// [`RepositoryError::InvalidRow`] for the first mentor whose stored status is invalid,
    /// or a pool or database error.
    pub fn list(
        &self,
        chapter: ChapterId,
        status: Option<MentorStatus>,
    ) -> Result<Vec<MentorSummary>, RepositoryError> {
        let mut conn = checkout(&self.pool)?;
        let mut query = peer_mentors::table
            .inner_join(chapter_memberships::table)
            .left_join(
                mentor_pause_reasons::table
                    .on(mentor_pause_reasons::mentor_id.eq(peer_mentors::id)),
            )
            .filter(chapter_memberships::chapter_id.eq(chapter.as_uuid()))
            // The bare column (not `= $1`) so the planner can always match the partial
            // index's `WHERE active`, also with a generic plan.
            .filter(chapter_memberships::active)
            .select(SummaryRecord::as_select())
            .order((peer_mentors::full_name, peer_mentors::id))
            .into_boxed();
        if let Some(status) = status {
            query = query.filter(peer_mentors::status.eq(DbMentorStatus::from(status)));
        }
        let records: Vec<SummaryRecord> = query
            .load(&mut conn)
            .with_context(|| format!("listing the mentors of chapter {chapter}"))?;
        records
            .into_iter()
            .map(|record| {
                Ok(MentorSummary {
                    id: MentorId::new(record.mentor.id),
                    user_id: UserId::new(record.mentor.user_id),
                    state: record.mentor.state()?,
                    full_name: record.full_name,
                })
            })
            .collect()
    }
}

fn load_mentor(
    conn: &mut PgConnection,
    mentor_id: MentorId,
) -> Result<MentorRecord, RepositoryError> {
    peer_mentors::table
        .left_join(
            mentor_pause_reasons::table.on(mentor_pause_reasons::mentor_id.eq(peer_mentors::id)),
        )
        .filter(peer_mentors::id.eq(mentor_id.as_uuid()))
        .select(MentorRecord::as_select())
        .first(conn)
        .optional()
        .with_context(|| format!("reading the status of mentor {mentor_id}"))?
        .ok_or(RepositoryError::NotFound { mentor_id })
}

/// One read-decide-write round, inside the caller's transaction.
fn attempt_change(
    conn: &mut PgConnection,
    actor: &Actor,
    mentor_id: MentorId,
    command: Command,
    now: DateTime<Utc>,
) -> Result<Attempt, RepositoryError> {
    let (actor_id, actor_role) = actor_settings(actor);
    // Only a coordinator's chapters matter; a mentor's own coordinator rows must not widen
    // what they may do as a mentor.
    let coordinator = match actor {
        Actor::Coordinator { user_id } => Some(user_id.as_uuid()),
        Actor::Mentor { .. } | Actor::ServiceRole => None,
    };
    let facts_record = FactsQuery {
        mentor: *mentor_id.as_uuid(),
        coordinator: coordinator.copied(),
    }
    .get_result::<FactsRecord>(conn)
    .optional()
    .with_context(|| format!("reading mentor {mentor_id} and who may change it"))?
    .ok_or(RepositoryError::NotFound { mentor_id })?;
    let record = facts_record.mentor;
    let facts = AccessFacts::new(
        TargetMentor::new(
            UserId::new(record.user_id),
            facts_record.mentor_chapters.into_iter().map(ChapterId::new),
        ),
        facts_record.actor_chapters.into_iter().map(ChapterId::new),
    );
    authorize(actor, &facts, &command)?;

    let state = record.state()?;
    let transition = match state.apply(command, now) {
        Ok(transition) => transition,
        Err(error) => {
            return Ok(Attempt::NotApplicable {
                current: state.status(),
                error,
            });
        }
    };

    let to = transition.to().to_row();
    let written = WriteQuery {
        id: record.id,
        status: DbMentorStatus::from(to.status),
        pause_at: to.pause_at,
        pause_reason: to.pause_reason,
        read_status: record.status,
        read_pause_at: record.pause_at,
        read_pause_reason: record.pause_reason.clone(),
        actor_id,
        actor_role,
    }
    .get_result::<Uuid>(conn)
    .optional()
    .with_context(|| format!("writing the status of mentor {mentor_id}"))?;
    Ok(match written {
        Some(_) => Attempt::Applied(transition),
        None => Attempt::LostRace {
            read: state.status(),
        },
    })
}
