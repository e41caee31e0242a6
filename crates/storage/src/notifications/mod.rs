//! Coordinator notifications: the worker side of the transactional outbox
//! `public.status_notifications`.
//!
//! The flow, change → outbox → worker → notifier:
//!
//! 1. A status change (RPC, [`MentorStatusRepository`](crate::MentorStatusRepository), the
//!    service role, the console) writes one audit row to `public.mentor_status_changes`.
//! 2. A trigger on that audit row writes one outbox row per recipient, in the same
//!    transaction, by the rules of the domain's
//!    [`resolve_recipients`](mentor_status_domain::resolve_recipients) (migration
//!    `20261126150100_add_status_notifications`). A rolled-back change leaves no row; a
//!    committed one cannot lose its rows.
//! 3. Workers ([`run_once`], `cargo xtask notify-worker`) claim due rows with
//!    [`CoordinatorNotificationService::claim_batch`]: `FOR UPDATE SKIP LOCKED` plus a
//!    lease, so workers on any number of machines never hold the same row, and a worker
//!    that dies holding a claim delays the row by one lease instead of losing it.
//! 4. Each claimed [`Notification`] goes to a [`Notifier`] (the channel); the worker marks
//!    it sent, or failed with an exponential back-off ([`RetryPolicy`]) until the maximum
//!    number of attempts turns it into a visible dead letter
//!    ([`CoordinatorNotificationService::dead_letters`]).
//!
//! Delivery is at least once: a worker whose lease expired while its notifier was still
//! working may deliver a notification that another worker then delivers again (the late
//! worker's [`mark_sent`](CoordinatorNotificationService::mark_sent) reports
//! [`NotificationError::LeaseLost`]). Choose a lease longer than a delivery takes; a channel
//! that can deduplicate may use [`Notification::id`] as the key.
//!
//! Time is always an argument (`now`), never read from a clock here: tests drive leases and
//! back-off with an injected clock, and every timestamp written is the caller's.
//!
//! ```no_run
//! use chrono::Utc;
//! use mentor_status_storage::PoolConfig;
//! use mentor_status_storage::notifications::{
//!     CoordinatorNotificationService, LoggingNotifier, WorkerId, run_once,
//! };
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = PoolConfig::default().build(&std::env::var("DATABASE_URL")?)?;
//! let service = CoordinatorNotificationService::new(pool);
//! let worker = WorkerId::new("worker-1")?;
//! let summary = run_once(&service, &LoggingNotifier::stdout(), &worker, 50, Utc::now())?;
//! println!("sent {}, failed {}, dead {}", summary.sent, summary.failed, summary.dead);
//! # Ok(())
//! # }
//! ```
//!
//! **Architecture invariant:** only the trigger creates notifications; this module only
//! claims, marks and reads them. The pause reason never reaches a notification.

mod error;
mod notifier;
mod policy;
mod service;
mod types;
mod worker;

pub use error::{InvalidWorkerId, NotificationError};
#[cfg(feature = "test-support")]
pub use notifier::RecordingNotifier;
pub use notifier::{LoggingNotifier, Notifier, NotifyError};
pub use policy::{FailureOutcome, RetryPolicy};
pub use service::CoordinatorNotificationService;
pub use types::{ClaimedBatch, DeadLetter, Notification, NotificationId, WorkerId};
pub use worker::{Summary, run_once};
