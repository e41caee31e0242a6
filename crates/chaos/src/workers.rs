//! The notification side: [`CountingNotifier`] (deliveries counted by notification id,
//! the first accepted, repeats absorbed) and the worker threads, which run the real
//! [`CoordinatorNotificationService`] and [`run_once`] during the chaos and drain the outbox
//! afterwards.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use chrono::Utc;
use mentor_status_storage::notifications::{
    CoordinatorNotificationService, Notification, NotificationError, Notifier, NotifyError,
    WorkerId, run_once,
};

use crate::SplitMix64;
use crate::outcome::{Outcome, Tally, classify_message, from_diesel};
use crate::writers::{Path, WriterResult};

/// A notifier that accepts each notification id once and counts every delivery; now and
/// then it fails a delivery on purpose (the worker retries it after a back-off).
#[derive(Debug)]
pub struct CountingNotifier {
    seen: Mutex<HashMap<i64, (u64, Notification)>>,
    rng: Mutex<SplitMix64>,
    fail_percent: u64,
    refused: AtomicU64,
}

impl CountingNotifier {
    /// A notifier failing `fail_percent` % of deliveries (chosen by `rng`).
    #[must_use]
    pub fn new(rng: SplitMix64, fail_percent: u64) -> CountingNotifier {
        CountingNotifier {
            seen: Mutex::new(HashMap::new()),
            rng: Mutex::new(rng),
            fail_percent,
            refused: AtomicU64::new(0),
        }
    }

    /// Per notification id: how often it was delivered, and the first delivery.
    #[must_use]
    pub fn deliveries(&self) -> HashMap<i64, (u64, Notification)> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Deliveries failed on purpose.
    #[must_use]
    pub fn failed_on_purpose(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }
}

impl Notifier for CountingNotifier {
    fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        let fail = self
            .rng
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .chance(self.fail_percent);
        if fail {
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(NotifyError::new("chaos: delivery failed on purpose"));
        }
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(notification.id.get())
            .and_modify(|(count, _)| *count += 1)
            .or_insert_with(|| (1, notification.clone()));
        Ok(())
    }
}

fn classify(error: &NotificationError) -> Outcome {
    match error {
        NotificationError::Database(e) => from_diesel(e.cause()),
        NotificationError::Pool(e) => {
            classify_message(&format!("no database connection available: {e}"))
                .map_or_else(|| Outcome::Failure(e.to_string()), Outcome::Retryable)
        }
        other => Outcome::Failure(other.to_string()),
    }
}

/// One worker: rounds of [`run_once`] until `stop` is set, then until `drained` says the
/// outbox is empty (or `drain_deadline`). Each round that delivered counts as committed.
pub fn worker(
    service: &CoordinatorNotificationService,
    notifier: &CountingNotifier,
    n: usize,
    stop: &AtomicBool,
    drained: &AtomicBool,
) -> WriterResult {
    let mut tally = Tally::default();
    let id = WorkerId::new(format!("chaos-worker-{n}"));
    let Ok(id) = id else {
        tally.record(Outcome::Failure("invalid worker id".to_owned()));
        return WriterResult {
            path: Path::Workers,
            tally,
            acks: Vec::new(),
        };
    };
    while !drained.load(Ordering::Acquire) {
        match run_once(service, notifier, &id, 25, Utc::now()) {
            Ok(summary) if summary.is_idle() => {
                std::thread::sleep(Duration::from_millis(if stop.load(Ordering::Acquire) {
                    100
                } else {
                    30
                }));
            }
            Ok(summary) => {
                tally.attempts += 1;
                tally.committed += summary.sent as u64;
                *tally
                    .refused
                    .entry("delivery failed (retried later)".to_owned())
                    .or_default() += summary.failed as u64;
                *tally.refused.entry("dead letters".to_owned()).or_default() += summary.dead as u64;
                tally.conflicts += summary.lost as u64;
            }
            Err(error) => {
                tally.record(classify(&error));
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
    tally.refused.retain(|_, v| *v > 0);
    WriterResult {
        path: Path::Workers,
        tally,
        acks: Vec::new(),
    }
}

/// Waits until the outbox has nothing left to deliver (or `timeout`), polling with the
/// owner's connection; returns whether it drained.
pub fn wait_for_drain(owner_url: &str, timeout: Duration) -> bool {
    use diesel::prelude::*;
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        let pending = PgConnection::establish(owner_url).ok().and_then(|mut conn| {
            crate::writers::text(
                &mut conn,
                "select count(*)::text as v from public.status_notifications where sent_at is null and dead_at is null",
            )
            .ok()
        });
        if pending.as_deref() == Some("0") {
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}
