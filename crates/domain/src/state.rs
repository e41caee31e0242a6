//! [`MentorState`]: a mentor's status with its pause data, impossible to make invalid.

use chrono::{DateTime, Utc};

use crate::{AuditLabelError, MentorRow, MentorStatus, PauseReason};

/// A mentor's status together with the data that belongs to it.
///
/// Only a paused mentor has a pause time and (optionally) a reason, so every value of this
/// type is a row the database CHECK constraints accept (see [`crate::checks`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MentorState {
    /// Taking part normally.
    Active,
    /// Paused since `since`, optionally with a reason.
    Paused {
        /// When the pause started (`pause_at`).
        since: DateTime<Utc>,
        /// Why (`pause_reason`), if the mentor or coordinator said.
        reason: Option<PauseReason>,
    },
    /// Left the programme.
    Inactive,
}

/// Why a stored row cannot be a [`MentorState`].
///
/// The first three variants are the structural CHECK constraints; the last is the domain's
/// reason rules, which are stricter than `chk_pause_reason_no_national_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum InvalidRow {
    /// `status = 'paused'` with `pause_at IS NULL` (`chk_pause_at_required`).
    #[error("a paused mentor must have pause_at (chk_pause_at_required)")]
    PausedWithoutPauseAt,
    /// `pause_at` set while not paused (`chk_pause_at_only_when_paused`).
    #[error("pause_at must be NULL when status is {status} (chk_pause_at_only_when_paused)")]
    PauseAtWhenNotPaused {
        /// The row's status.
        status: MentorStatus,
    },
    /// `pause_reason` set while not paused (`chk_pause_reason_only_when_paused`).
    #[error(
        "pause_reason must be NULL when status is {status} (chk_pause_reason_only_when_paused)"
    )]
    ReasonWhenNotPaused {
        /// The row's status.
        status: MentorStatus,
    },
    /// `pause_reason` is not a valid [`PauseReason`].
    #[error("pause_reason is not a valid pause reason")]
    InvalidReason(#[source] AuditLabelError),
}

impl MentorState {
    /// Builds a state from the stored columns.
    ///
    /// Accepts exactly the rows the structural CHECK constraints accept (paused ⇔ `pause_at`
    /// present; a reason only when paused), provided the reason text parses as a
    /// [`PauseReason`]. A reason text is trimmed by that parse, so [`MentorState::to_row`]
    /// writes it back in its canonical form.
    ///
    /// # Errors
    ///
    /// [`InvalidRow`], naming the first broken rule: pause time, then reason presence,
    /// then reason text.
    pub fn from_row(
        status: MentorStatus,
        pause_at: Option<DateTime<Utc>>,
        pause_reason: Option<&str>,
    ) -> Result<MentorState, InvalidRow> {
        match (status, pause_at) {
            (MentorStatus::Paused, None) => Err(InvalidRow::PausedWithoutPauseAt),
            (MentorStatus::Paused, Some(since)) => {
                let reason = pause_reason
                    .map(PauseReason::parse)
                    .transpose()
                    .map_err(InvalidRow::InvalidReason)?;
                Ok(MentorState::Paused { since, reason })
            }
            (status, Some(_)) => Err(InvalidRow::PauseAtWhenNotPaused { status }),
            (status, None) if pause_reason.is_some() => {
                Err(InvalidRow::ReasonWhenNotPaused { status })
            }
            (MentorStatus::Active, None) => Ok(MentorState::Active),
            (MentorStatus::Inactive, None) => Ok(MentorState::Inactive),
        }
    }

    /// The stored columns for this state.
    #[must_use]
    pub fn to_row(&self) -> MentorRow {
        MentorRow {
            status: self.status(),
            pause_at: self.pause_at(),
            pause_reason: self.pause_reason().map(|r| r.as_str().to_owned()),
        }
    }

    /// The `status` column.
    #[must_use]
    pub fn status(&self) -> MentorStatus {
        match self {
            MentorState::Active => MentorStatus::Active,
            MentorState::Paused { .. } => MentorStatus::Paused,
            MentorState::Inactive => MentorStatus::Inactive,
        }
    }

    /// When the pause started, if paused.
    #[must_use]
    pub fn pause_at(&self) -> Option<DateTime<Utc>> {
        match self {
            MentorState::Paused { since, .. } => Some(*since),
            MentorState::Active | MentorState::Inactive => None,
        }
    }

    /// The pause reason, if paused with one.
    #[must_use]
    pub fn pause_reason(&self) -> Option<&PauseReason> {
        match self {
            MentorState::Paused { reason, .. } => reason.as_ref(),
            MentorState::Active | MentorState::Inactive => None,
        }
    }
}

impl TryFrom<&MentorRow> for MentorState {
    type Error = InvalidRow;

    fn try_from(row: &MentorRow) -> Result<MentorState, InvalidRow> {
        MentorState::from_row(row.status, row.pause_at, row.pause_reason.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ReasonCode;

    fn t() -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000, 0).unwrap()
    }

    #[test]
    fn every_structurally_valid_row_is_accepted() {
        assert_eq!(
            MentorState::from_row(MentorStatus::Active, None, None),
            Ok(MentorState::Active)
        );
        assert_eq!(
            MentorState::from_row(MentorStatus::Inactive, None, None),
            Ok(MentorState::Inactive)
        );
        assert_eq!(
            MentorState::from_row(MentorStatus::Paused, Some(t()), None),
            Ok(MentorState::Paused {
                since: t(),
                reason: None
            })
        );
        assert_eq!(
            MentorState::from_row(MentorStatus::Paused, Some(t()), Some("training")),
            Ok(MentorState::Paused {
                since: t(),
                reason: Some(PauseReason::Code(ReasonCode::Training))
            })
        );
    }

    #[test]
    fn a_paused_row_without_pause_at_is_rejected() {
        assert_eq!(
            MentorState::from_row(MentorStatus::Paused, None, Some("other")),
            Err(InvalidRow::PausedWithoutPauseAt)
        );
    }

    #[test]
    fn pause_columns_on_an_unpaused_row_are_rejected() {
        for status in [MentorStatus::Active, MentorStatus::Inactive] {
            assert_eq!(
                MentorState::from_row(status, Some(t()), None),
                Err(InvalidRow::PauseAtWhenNotPaused { status })
            );
            assert_eq!(
                MentorState::from_row(status, None, Some("other")),
                Err(InvalidRow::ReasonWhenNotPaused { status })
            );
        }
    }

    #[test]
    fn an_invalid_reason_text_is_rejected() {
        assert_eq!(
            MentorState::from_row(MentorStatus::Paused, Some(t()), Some("   ")),
            Err(InvalidRow::InvalidReason(AuditLabelError::Empty))
        );
    }

    #[test]
    fn to_row_writes_the_columns_back() {
        let state = MentorState::Paused {
            since: t(),
            reason: Some(ReasonCode::Vacation.into()),
        };
        let row = state.to_row();
        assert_eq!(row.status, MentorStatus::Paused);
        assert_eq!(row.pause_at, Some(t()));
        assert_eq!(row.pause_reason.as_deref(), Some("vacation"));
        assert_eq!(MentorState::try_from(&row), Ok(state));
    }
}
