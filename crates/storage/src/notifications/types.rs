//! The values the service hands out: [`Notification`], [`ClaimedBatch`], [`DeadLetter`],
//! and the ids [`NotificationId`] and [`WorkerId`].

use std::fmt;

use chrono::{DateTime, Utc};
use mentor_status_domain::{MentorStatus, UserId};

use super::InvalidWorkerId;
use crate::MentorId;

/// The id of an outbox row (`public.status_notifications.id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NotificationId(i64);

impl NotificationId {
    /// Wraps a row id.
    #[must_use]
    pub const fn new(id: i64) -> NotificationId {
        NotificationId(id)
    }

    /// The row id.
    #[must_use]
    pub const fn get(self) -> i64 {
        self.0
    }
}

impl fmt::Display for NotificationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Longest accepted [`WorkerId`], in characters.
pub(crate) const WORKER_ID_MAX_CHARS: usize = 200;

/// Who holds a claim (`claimed_by`): one per worker process, e.g. `host:pid`.
///
/// Two live workers must not share an id, or each could mark the other's claims.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct WorkerId(String);

impl WorkerId {
    /// A worker id of 1 to 200 characters, not all blank (the column's CHECK constraint
    /// rejects blank ones).
    ///
    /// # Errors
    ///
    /// [`InvalidWorkerId`] for a blank or over-long id.
    pub fn new(id: impl Into<String>) -> Result<WorkerId, InvalidWorkerId> {
        let id = id.into();
        let length = id.chars().count();
        let blank = id.trim().is_empty();
        if blank || length > WORKER_ID_MAX_CHARS {
            return Err(InvalidWorkerId { length });
        }
        Ok(WorkerId(id))
    }
}

impl AsRef<str> for WorkerId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for WorkerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One message to deliver: who is to be told what about which mentor.
///
/// Carries no pause reason, by design: a message sent out of the database must not spread
/// it. A notifier that needs names or addresses looks them up by id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// The outbox row; stable across attempts, usable as a deduplication key.
    pub id: NotificationId,
    /// The audit row (`public.mentor_status_changes.id`) this notification is about.
    pub change_id: i64,
    /// The mentor whose status changed.
    pub mentor_id: MentorId,
    /// Who is to be told.
    pub recipient: UserId,
    /// Whether the recipient is an organisation coordinator standing in for missing
    /// chapter coordinators.
    pub fallback: bool,
    /// The status before the change.
    pub from: MentorStatus,
    /// The status after the change.
    pub to: MentorStatus,
    /// When the change (and so the notification) was committed.
    pub created_at: DateTime<Utc>,
    /// Which attempt this claim is, from 1; with the worker id it identifies the claim.
    pub attempt: u32,
}

/// What [`claim_batch`](super::CoordinatorNotificationService::claim_batch) returned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClaimedBatch {
    /// The notifications now claimed by the worker, to deliver and then mark.
    pub notifications: Vec<Notification>,
    /// Notifications found with every attempt used up by workers whose leases expired
    /// (crashed workers): dead-lettered by this claim instead of being tried again.
    pub dead_lettered: usize,
}

/// A notification that was given up on: the maximum number of attempts failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// The notification; its `attempt` is the number of attempts made.
    pub notification: Notification,
    /// When it was given up on.
    pub dead_at: DateTime<Utc>,
    /// The last attempt's error.
    pub last_error: Option<String>,
}
