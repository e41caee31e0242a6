//! [`RepositoryError`]: why a repository call failed.

use mentor_status_domain::{Denied, InvalidRow, MentorStatus, TransitionError};

use crate::{DbError, MentorId, PoolTimeout};

/// Why a [`MentorStatusRepository`](crate::MentorStatusRepository) call failed.
///
/// [`NotFound`](RepositoryError::NotFound), [`Denied`](RepositoryError::Denied),
/// [`Transition`](RepositoryError::Transition) and [`Conflict`](RepositoryError::Conflict)
/// are answers to show the user; the others are faults to log.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RepositoryError {
    /// No mentor has this id.
    #[error("no mentor has id {mentor_id}: check the id, the mentor may have been deleted")]
    NotFound {
        /// The id asked for.
        mentor_id: MentorId,
    },
    /// The actor may not issue this command for this mentor.
    #[error("not allowed: {0}")]
    Denied(#[from] Denied),
    /// The command does not apply to the mentor's current status (e.g. pausing a paused
    /// mentor): nothing was changed.
    #[error("nothing changed: {0}")]
    Transition(#[from] TransitionError),
    /// Someone else changed the mentor's status while this command was being applied, and
    /// the command no longer applies (or kept losing the race); nothing was changed.
    #[error(
        "the mentor's status was changed by someone else meanwhile (it is now {current}){}; nothing was changed, reload and decide again",
        cause.map(|c| format!(" and {c}")).unwrap_or_default()
    )]
    Conflict {
        /// The mentor.
        mentor_id: MentorId,
        /// The status found by the last attempt.
        current: MentorStatus,
        /// Why the command no longer applies; `None` when every attempt lost the race.
        cause: Option<TransitionError>,
        /// How many times the command was tried.
        attempts: u32,
    },
    /// The stored row is not a valid [`MentorState`](mentor_status_domain::MentorState)
    /// (written by something that bypassed the domain rules, e.g. a reason text the
    /// database accepts but the domain does not).
    #[error(
        "the stored status of mentor {mentor_id} is invalid: {source}; correct the row (e.g. set a reason code) before changing it"
    )]
    InvalidRow {
        /// The mentor.
        mentor_id: MentorId,
        /// What is wrong with the row.
        #[source]
        source: InvalidRow,
    },
    /// No connection was available from the pool in time.
    #[error(transparent)]
    Pool(#[from] PoolTimeout),
    /// A query failed.
    #[error(transparent)]
    Database(#[from] DbError),
}
