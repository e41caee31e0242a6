//! [`NotificationError`] and [`InvalidWorkerId`].

use super::NotificationId;
use crate::{DbError, PoolTimeout};

/// Why a [`CoordinatorNotificationService`](super::CoordinatorNotificationService) call
/// failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotificationError {
    /// The worker no longer holds the claim it tries to mark: its lease expired and another
    /// worker claimed the notification again, or the claim was already marked. Nothing was
    /// changed; the notification is (or will be) handled by whoever holds it now.
    #[error(
        "worker {worker} no longer holds notification {id} (attempt {attempt}): its lease expired and another worker claimed it, or this claim was already marked; nothing was changed"
    )]
    LeaseLost {
        /// The notification.
        id: NotificationId,
        /// The worker that tried to mark it.
        worker: String,
        /// The attempt the worker claimed.
        attempt: u32,
    },
    /// No connection was available from the pool in time.
    #[error(transparent)]
    Pool(#[from] PoolTimeout),
    /// A query failed.
    #[error(transparent)]
    Database(#[from] DbError),
}

/// A [`WorkerId`](super::WorkerId) must be 1 to 200 characters, not all blank.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a worker id must be 1 to {max} characters and not blank (got {length} characters): use e.g. host name and process id",
    max = super::types::WORKER_ID_MAX_CHARS
)]
pub struct InvalidWorkerId {
    /// The length of the rejected id, in characters.
    pub length: usize,
}
