//! [`Command`]: what someone asks to happen to a mentor's status.

use crate::{MentorStatus, PauseReason};

/// A request to change a mentor's status; see [`MentorState::apply`](crate::MentorState::apply).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Command {
    /// Pause an active mentor, optionally with a reason.
    Pause {
        /// Why; `None` records no reason.
        reason: Option<PauseReason>,
    },
    /// End a pause.
    Resume,
    /// Make an active or paused mentor inactive.
    Deactivate,
    /// Make an inactive mentor active again.
    Reactivate,
}

/// The kind of a [`Command`], without its data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CommandKind {
    /// [`Command::Pause`].
    Pause,
    /// [`Command::Resume`].
    Resume,
    /// [`Command::Deactivate`].
    Deactivate,
    /// [`Command::Reactivate`].
    Reactivate,
}

crate::text_labels::text_labels!(CommandKind, "A lowercase name, e.g. for audit logs." {
    Pause => "pause",
    Resume => "resume",
    Deactivate => "deactivate",
    Reactivate => "reactivate",
});

impl CommandKind {
    /// The kind of command that takes a mentor from status `from` to status `to`; `None`
    /// when none does (the same status, or inactive to paused). For a checker that reads
    /// statuses (an audit row) and replays them through [`MentorState::apply`](crate::MentorState::apply).
    #[must_use]
    pub fn between(from: MentorStatus, to: MentorStatus) -> Option<CommandKind> {
        match (from, to) {
            (MentorStatus::Active, MentorStatus::Paused) => Some(CommandKind::Pause),
            (MentorStatus::Paused, MentorStatus::Active) => Some(CommandKind::Resume),
            (MentorStatus::Active | MentorStatus::Paused, MentorStatus::Inactive) => {
                Some(CommandKind::Deactivate)
            }
            (MentorStatus::Inactive, MentorStatus::Active) => Some(CommandKind::Reactivate),
            _ => None,
        }
    }
}

impl Command {
    /// The command's kind.
    #[must_use]
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::Pause { .. } => CommandKind::Pause,
            Command::Resume => CommandKind::Resume,
            Command::Deactivate => CommandKind::Deactivate,
            Command::Reactivate => CommandKind::Reactivate,
        }
    }
}
