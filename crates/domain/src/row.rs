//! [`MentorRow`]: the status columns of `public.peer_mentors`, as stored.

use chrono::{DateTime, Utc};

use crate::MentorStatus;

/// The three status columns of one `public.peer_mentors` row, exactly as stored.
///
/// This is raw data: any combination can be built, valid or not, which is what the
/// [`checks`](crate::checks) predicates and the storage tests need.
/// [`MentorState::from_row`](crate::MentorState::from_row) turns it into a value that cannot
/// be invalid, and [`MentorState::to_row`](crate::MentorState::to_row) turns it back.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MentorRow {
    /// `status mentor_status NOT NULL DEFAULT 'active'`.
    pub status: MentorStatus,
    /// `pause_at timestamptz NULL`.
    pub pause_at: Option<DateTime<Utc>>,
    /// `pause_reason text NULL`.
    pub pause_reason: Option<String>,
}
