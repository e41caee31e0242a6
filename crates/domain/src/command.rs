//! [`Command`]: what someone asks to happen to a mentor's status.

use crate::PauseReason;

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
