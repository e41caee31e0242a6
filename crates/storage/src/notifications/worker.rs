//! [`run_once`]: one round of a worker, shared by `cargo xtask notify-worker` and the tests.

use std::ops::AddAssign;

use chrono::{DateTime, Utc};

use super::{
    CoordinatorNotificationService, FailureOutcome, NotificationError, Notifier, WorkerId,
};

/// What one or more rounds of [`run_once`] did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Notifications claimed for delivery.
    pub claimed: usize,
    /// Delivered and marked sent.
    pub sent: usize,
    /// Failed and due again after a back-off.
    pub failed: usize,
    /// Dead-lettered: failed on their last allowed attempt, or found with every attempt
    /// used up by crashed workers.
    pub dead: usize,
    /// Claims lost before they could be marked (the lease expired and another worker took
    /// the notification over): that worker now reports the outcome.
    pub lost: usize,
}

impl Summary {
    /// Whether the round found nothing to do.
    #[must_use]
    pub fn is_idle(&self) -> bool {
        self.claimed == 0 && self.dead == 0
    }
}

impl AddAssign for Summary {
    fn add_assign(&mut self, other: Summary) {
        self.claimed += other.claimed;
        self.sent += other.sent;
        self.failed += other.failed;
        self.dead += other.dead;
        self.lost += other.lost;
    }
}

/// One round: claims up to `batch` due notifications for `worker` at `now`, hands each to
/// `notifier`, and marks it sent or failed (retry after a back-off, or dead letter).
///
/// `now` stamps the claim and the marks alike. A lost claim
/// ([`NotificationError::LeaseLost`]) is counted, not returned: another worker owns the
/// notification now.
///
/// # Errors
///
/// The first pool or database error. Notifications claimed but not yet marked then stay
/// claimed until their lease ends, and are delivered again after that.
pub fn run_once<N: Notifier + ?Sized>(
    service: &CoordinatorNotificationService,
    notifier: &N,
    worker: &WorkerId,
    batch: u32,
    now: DateTime<Utc>,
) -> Result<Summary, NotificationError> {
    let claimed = service.claim_batch(worker, batch, now)?;
    let mut summary = Summary {
        claimed: claimed.notifications.len(),
        dead: claimed.dead_lettered,
        ..Summary::default()
    };
    for notification in &claimed.notifications {
        let marked = match notifier.notify(notification) {
            Ok(()) => service.mark_sent(notification, worker, now).map(|()| None),
            Err(error) => service
                .mark_failed(notification, worker, error.message(), now)
                .map(Some),
        };
        match marked {
            Ok(None) => summary.sent += 1,
            Ok(Some(FailureOutcome::Retry { .. })) => summary.failed += 1,
            Ok(Some(FailureOutcome::Dead)) => summary.dead += 1,
            Err(NotificationError::LeaseLost { .. }) => summary.lost += 1,
            Err(other) => return Err(other),
        }
    }
    Ok(summary)
}
