//! [`UserId`]: the id of a user (`auth.users.id`).

use std::fmt;

use uuid::Uuid;

/// The id of a user, as in `auth.users.id`; a distinct type so it is never mixed up with a
/// [`ChapterId`](crate::ChapterId).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId(Uuid);

impl UserId {
    /// Wraps a user's UUID.
    #[must_use]
    pub const fn new(id: Uuid) -> UserId {
        UserId(id)
    }

    /// The UUID.
    #[must_use]
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl From<Uuid> for UserId {
    fn from(id: Uuid) -> UserId {
        UserId(id)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
