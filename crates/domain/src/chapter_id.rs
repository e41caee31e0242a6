//! [`ChapterId`]: the id of a local chapter.

use std::fmt;

use uuid::Uuid;

/// The id of a local chapter; a distinct type so it is never mixed up with a
/// [`UserId`](crate::UserId).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChapterId(Uuid);

impl ChapterId {
    /// Wraps a chapter's UUID.
    #[must_use]
    pub const fn new(id: Uuid) -> ChapterId {
        ChapterId(id)
    }

    /// The UUID.
    #[must_use]
    pub const fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl From<Uuid> for ChapterId {
    fn from(id: Uuid) -> ChapterId {
        ChapterId(id)
    }
}

impl fmt::Display for ChapterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}
