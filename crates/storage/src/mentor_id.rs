//! [`MentorId`]: the id of a row of `public.peer_mentors`.

use std::fmt;

use uuid::Uuid;

/// The id of a mentor record (`public.peer_mentors.id`).
///
/// Not the mentor's user id: a mentor row links to its Auth user through `user_id`, which
/// the domain calls [`UserId`](mentor_status_domain::UserId).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MentorId(Uuid);

impl MentorId {
    /// Wraps a mentor row's UUID.
    #[must_use]
    pub const fn new(id: Uuid) -> MentorId {
        MentorId(id)
    }

    /// The UUID.
    #[must_use]
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl From<Uuid> for MentorId {
    fn from(id: Uuid) -> MentorId {
        MentorId(id)
    }
}

impl fmt::Display for MentorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
