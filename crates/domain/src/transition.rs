//! The state machine: [`MentorState::apply`], [`Transition`] and [`TransitionError`].

use chrono::{DateTime, Utc};

use crate::{Command, CommandKind, MentorState, MentorStatus};

/// A status change that happened: what the audit trail records.
///
/// Only [`MentorState::apply`] makes one, so `from → to` is always a row of the transition
/// table.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Transition {
    from: MentorState,
    to: MentorState,
    at: DateTime<Utc>,
}

impl Transition {
    /// The state before.
    #[must_use]
    pub fn from(&self) -> &MentorState {
        &self.from
    }

    /// The state after; what to store.
    #[must_use]
    pub fn to(&self) -> &MentorState {
        &self.to
    }

    /// When it happened (the `now` given to [`MentorState::apply`]).
    #[must_use]
    pub fn at(&self) -> DateTime<Utc> {
        self.at
    }

    /// The kind of command that caused it (each `from → to` pair has exactly one).
    #[must_use]
    pub fn command_kind(&self) -> CommandKind {
        match (&self.from, &self.to) {
            (_, MentorState::Paused { .. }) => CommandKind::Pause,
            (MentorState::Paused { .. }, MentorState::Active) => CommandKind::Resume,
            (_, MentorState::Inactive) => CommandKind::Deactivate,
            (_, MentorState::Active) => CommandKind::Reactivate,
        }
    }
}

/// A command that does not apply to the current state.
///
/// Never a silent no-op: a double click or a race between two users shows up as one of
/// these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum TransitionError {
    /// `Pause` on a paused mentor.
    #[error("the mentor is already paused")]
    AlreadyPaused,
    /// `Pause` on an inactive mentor; reactivate first.
    #[error("an inactive mentor cannot be paused, reactivate first")]
    InactiveCannotBePaused,
    /// `Resume` on a mentor who is not paused.
    #[error("the mentor is not paused (status is {status})")]
    NotPaused {
        /// The current status.
        status: MentorStatus,
    },
    /// `Deactivate` on an inactive mentor.
    #[error("the mentor is already inactive")]
    AlreadyInactive,
    /// `Reactivate` on a mentor who is not inactive.
    #[error("the mentor is not inactive (status is {status})")]
    NotInactive {
        /// The current status.
        status: MentorStatus,
    },
}

impl MentorState {
    /// Applies `command` at time `now`.
    ///
    /// | from \ command | Pause                    | Resume       | Deactivate        | Reactivate    |
    /// |----------------|--------------------------|--------------|-------------------|---------------|
    /// | Active         | Paused { since: now }    | `NotPaused`  | Inactive          | `NotInactive` |
    /// | Paused         | `AlreadyPaused`          | Active       | Inactive          | `NotInactive` |
    /// | Inactive       | `InactiveCannotBePaused` | `NotPaused`  | `AlreadyInactive` | Active        |
    ///
    /// Leaving `Paused` clears the pause time and reason.
    /// `now` is taken as given; the domain has no clock and does not compare it with
    /// `since`.
    ///
    /// # Errors
    ///
    /// A [`TransitionError`] for every cell not leading to a new state.
    pub fn apply(
        &self,
        command: Command,
        now: DateTime<Utc>,
    ) -> Result<Transition, TransitionError> {
        let status = self.status();
        let to = match (self, command) {
            (MentorState::Active, Command::Pause { reason }) => {
                MentorState::Paused { since: now, reason }
            }
            (MentorState::Paused { .. }, Command::Pause { .. }) => {
                return Err(TransitionError::AlreadyPaused);
            }
            (MentorState::Inactive, Command::Pause { .. }) => {
                return Err(TransitionError::InactiveCannotBePaused);
            }
            (MentorState::Paused { .. }, Command::Resume) => MentorState::Active,
            (MentorState::Active | MentorState::Inactive, Command::Resume) => {
                return Err(TransitionError::NotPaused { status });
            }
            (MentorState::Active | MentorState::Paused { .. }, Command::Deactivate) => {
                MentorState::Inactive
            }
            (MentorState::Inactive, Command::Deactivate) => {
                return Err(TransitionError::AlreadyInactive);
            }
            (MentorState::Inactive, Command::Reactivate) => MentorState::Active,
            (MentorState::Active | MentorState::Paused { .. }, Command::Reactivate) => {
                return Err(TransitionError::NotInactive { status });
            }
        };
        Ok(Transition {
            from: self.clone(),
            to,
            at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{AuditLabel, PauseReason, ReasonCode};

    fn earlier() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_086_400, 0).unwrap()
    }

    fn paused() -> MentorState {
        MentorState::Paused {
            since: earlier(),
            reason: Some(PauseReason::Label(
                AuditLabel::parse("Flytter i sommer").unwrap(),
            )),
        }
    }

    fn pause(reason: Option<PauseReason>) -> Command {
        Command::Pause { reason }
    }

    fn to(state: &MentorState, command: Command) -> Result<MentorState, TransitionError> {
        state.apply(command, now()).map(|t| t.to().clone())
    }

    // Active row

    #[test]
    fn pausing_an_active_mentor_pauses_since_now_with_the_reason() {
        let reason = Some(PauseReason::Code(ReasonCode::Vacation));
        let transition = MentorState::Active
            .apply(pause(reason.clone()), now())
            .unwrap();
        assert_eq!(transition.from(), &MentorState::Active);
        assert_eq!(
            transition.to(),
            &MentorState::Paused {
                since: now(),
                reason
            }
        );
        assert_eq!(transition.at(), now());
        assert_eq!(transition.command_kind(), CommandKind::Pause);
    }

    #[test]
    fn pausing_an_active_mentor_without_a_reason_records_none() {
        assert_eq!(
            to(&MentorState::Active, pause(None)),
            Ok(MentorState::Paused {
                since: now(),
                reason: None
            })
        );
    }

    #[test]
    fn resuming_an_active_mentor_is_not_paused() {
        assert_eq!(
            to(&MentorState::Active, Command::Resume),
            Err(TransitionError::NotPaused {
                status: MentorStatus::Active
            })
        );
    }

    #[test]
    fn deactivating_an_active_mentor_makes_them_inactive() {
        assert_eq!(
            to(&MentorState::Active, Command::Deactivate),
            Ok(MentorState::Inactive)
        );
    }

    #[test]
    fn reactivating_an_active_mentor_is_not_inactive() {
        assert_eq!(
            to(&MentorState::Active, Command::Reactivate),
            Err(TransitionError::NotInactive {
                status: MentorStatus::Active
            })
        );
    }

    // Paused row

    #[test]
    fn pausing_a_paused_mentor_is_already_paused() {
        assert_eq!(
            to(&paused(), pause(Some(ReasonCode::Other.into()))),
            Err(TransitionError::AlreadyPaused)
        );
        assert_eq!(
            to(&paused(), pause(None)),
            Err(TransitionError::AlreadyPaused)
        );
    }

    #[test]
    fn resuming_a_paused_mentor_makes_them_active_and_clears_the_pause() {
        let transition = paused().apply(Command::Resume, now()).unwrap();
        assert_eq!(transition.from(), &paused());
        assert_eq!(transition.to(), &MentorState::Active);
        assert_eq!(transition.to().to_row().pause_at, None);
        assert_eq!(transition.to().to_row().pause_reason, None);
        assert_eq!(transition.command_kind(), CommandKind::Resume);
    }

    #[test]
    fn deactivating_a_paused_mentor_makes_them_inactive_and_clears_the_pause() {
        let transition = paused().apply(Command::Deactivate, now()).unwrap();
        assert_eq!(transition.to(), &MentorState::Inactive);
        assert_eq!(transition.command_kind(), CommandKind::Deactivate);
    }

    #[test]
    fn reactivating_a_paused_mentor_is_not_inactive() {
        assert_eq!(
            to(&paused(), Command::Reactivate),
            Err(TransitionError::NotInactive {
                status: MentorStatus::Paused
            })
        );
    }

    // Inactive row

    #[test]
    fn pausing_an_inactive_mentor_is_refused() {
        assert_eq!(
            to(&MentorState::Inactive, pause(None)),
            Err(TransitionError::InactiveCannotBePaused)
        );
    }

    #[test]
    fn resuming_an_inactive_mentor_is_not_paused() {
        assert_eq!(
            to(&MentorState::Inactive, Command::Resume),
            Err(TransitionError::NotPaused {
                status: MentorStatus::Inactive
            })
        );
    }

    #[test]
    fn deactivating_an_inactive_mentor_is_already_inactive() {
        assert_eq!(
            to(&MentorState::Inactive, Command::Deactivate),
            Err(TransitionError::AlreadyInactive)
        );
    }

    #[test]
    fn reactivating_an_inactive_mentor_makes_them_active() {
        let transition = MentorState::Inactive
            .apply(Command::Reactivate, now())
            .unwrap();
        assert_eq!(transition.to(), &MentorState::Active);
        assert_eq!(transition.command_kind(), CommandKind::Reactivate);
        assert_eq!(
            (transition.from(), transition.at()),
            (&MentorState::Inactive, now())
        );
    }

    #[test]
    fn a_double_click_is_an_error_not_a_no_op() {
        let first = MentorState::Active.apply(pause(None), now()).unwrap();
        let second = first.to().apply(pause(None), now());
        assert_eq!(second, Err(TransitionError::AlreadyPaused));
    }

    #[test]
    fn error_messages_have_no_trailing_period() {
        for error in [
            TransitionError::AlreadyPaused,
            TransitionError::InactiveCannotBePaused,
            TransitionError::NotPaused {
                status: MentorStatus::Active,
            },
            TransitionError::AlreadyInactive,
            TransitionError::NotInactive {
                status: MentorStatus::Paused,
            },
        ] {
            assert!(!error.to_string().ends_with('.'));
        }
    }
}
