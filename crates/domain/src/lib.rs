//! The mentor status domain: the status state machine, pause reasons and authorization
//! rules of the peer-mentor platform.
//!
//! | from \ command | `Pause { reason }`              | `Resume`    | `Deactivate`      | `Reactivate`  |
//! |----------------|---------------------------------|-------------|-------------------|---------------|
//! | `Active`       | `Paused { since: now, reason }` | `NotPaused` | `Inactive`        | `NotInactive` |
//! | `Paused`       | `AlreadyPaused`                 | `Active`    | `Inactive`        | `NotInactive` |
//! | `Inactive`     | `InactiveCannotBePaused`        | `NotPaused` | `AlreadyInactive` | `Active`      |
//!
//! Cells naming a state are transitions; the others are [`TransitionError`] variants, so a
//! double click or a race is an error, never a silent no-op.
//! Leaving `Paused` clears the pause time and reason.
//!
//! ```
//! use chrono::DateTime;
//! use mentor_status_domain::{Command, MentorState, MentorStatus, PauseReason, ReasonCode, TransitionError};
//!
//! let now = DateTime::from_timestamp(1_750_000_000, 0).ok_or("timestamp out of range")?;
//! let pause = Command::Pause { reason: Some(PauseReason::Code(ReasonCode::Vacation)) };
//!
//! let transition = MentorState::Active.apply(pause.clone(), now)?;
//! let row = transition.to().to_row();
//! assert_eq!(row.status, MentorStatus::Paused);
//! assert_eq!(row.pause_at, Some(now));
//! assert_eq!(row.pause_reason.as_deref(), Some("vacation"));
//! assert!(mentor_status_domain::checks::all_checks_hold(&row));
//!
//! // Pausing twice is an error, not a no-op.
//! assert_eq!(transition.to().apply(pause, now), Err(TransitionError::AlreadyPaused));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Map
//!
//! - [`MentorStatus`]: the database enum `mentor_status`.
//! - [`MentorState`]: status plus pause data; [`MentorState::from_row`] and
//!   [`MentorState::to_row`] convert from and to a [`MentorRow`].
//! - [`Command`], [`MentorState::apply`], [`Transition`], [`TransitionError`]: the table above.
//! - [`PauseReason`] = [`ReasonCode`] | [`AuditLabel`]: never a national identity number or
//!   health information. The closed list of codes is the primary control; the label checks
//!   (including a best-effort list of health words) are the second line.
//! - [`checks`]: the database CHECK constraints as Rust predicates.
//! - [`national_id`]: Norwegian national identity number and D-number check digits.
//! - [`authorize`], [`may_read_pause_reason`]: who may do what.
//! - [`resolve_recipients`]: which coordinators are told about a change.
//!
//! **Architecture invariant:** this crate does no IO and has no clock: time comes in as an
//! argument and decisions come out as values.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod audit_label;
mod authz;
pub mod checks;
mod command;
mod health_words;
mod ids;
pub mod label_rules;
pub mod national_id;
mod pause_reason;
mod reason_code;
mod recipients;
mod row;
mod state;
mod status;
mod text_labels;
mod transition;

pub use audit_label::{
    AuditLabel, AuditLabelError, HEALTH_STEMS, HEALTH_WORDS, MAX_CHARS as AUDIT_LABEL_MAX_CHARS,
    MIN_REJECTED_DIGIT_RUN,
};
pub use authz::{AccessFacts, Actor, Denied, TargetMentor, authorize, may_read_pause_reason};
pub use command::{Command, CommandKind};
pub use ids::{ChapterId, UserId};
pub use pause_reason::PauseReason;
pub use reason_code::{ReasonCode, UnknownReasonCode};
pub use recipients::{CoordinatorLink, OrganisationCoordinator, Recipients, resolve_recipients};
pub use row::MentorRow;
pub use state::{InvalidRow, MentorState};
pub use status::{MentorStatus, UnknownMentorStatus};
pub use transition::{Transition, TransitionError};

/// What [`uuid_id!`] expands to needs; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use uuid::Uuid;
}
