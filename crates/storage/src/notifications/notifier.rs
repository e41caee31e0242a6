//! [`Notifier`]: the channel a notification is delivered through, and two of them:
//! [`LoggingNotifier`] (and, with the `test-support` feature, `RecordingNotifier`). E-mail
//! and push are out of scope here.

use std::io::Write;
use std::sync::{Mutex, PoisonError};

use super::Notification;

/// Why a [`Notifier`] could not deliver a notification. The worker stores the message in
/// `last_error` and retries later, so it should say what went wrong without personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct NotifyError {
    message: String,
}

impl NotifyError {
    /// An error with this message.
    #[must_use]
    pub fn new(message: impl Into<String>) -> NotifyError {
        NotifyError {
            message: message.into(),
        }
    }

    /// The message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }
}

/// Delivers one notification (e-mail, push, chat, ...).
///
/// Called after the notification was claimed and before it is marked; an `Err` makes the
/// worker retry it later. A delivery may be repeated (at-least-once, see the
/// [module docs](super)): [`Notification::id`] is stable across attempts.
pub trait Notifier {
    /// Delivers `notification`.
    ///
    /// # Errors
    ///
    /// [`NotifyError`] when it was not delivered.
    fn notify(&self, notification: &Notification) -> Result<(), NotifyError>;
}

/// Writes one line per notification to a [`Write`] (standard output for
/// [`LoggingNotifier::stdout`]): the notifier of `cargo xtask notify-worker` and of
/// development, until a real channel exists.
///
/// The line names ids and statuses only; it carries no pause reason, as no notification
/// does.
#[derive(Debug)]
pub struct LoggingNotifier<W> {
    out: Mutex<W>,
}

impl LoggingNotifier<std::io::Stdout> {
    /// Writes to standard output.
    #[must_use]
    pub fn stdout() -> Self {
        LoggingNotifier::new(std::io::stdout())
    }
}

impl<W: Write> LoggingNotifier<W> {
    /// Writes to `out`.
    #[must_use]
    pub fn new(out: W) -> Self {
        LoggingNotifier {
            out: Mutex::new(out),
        }
    }

    /// The writer back, e.g. a `Vec<u8>` to read in a test.
    #[must_use]
    pub fn into_inner(self) -> W {
        self.out
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<W: Write> Notifier for LoggingNotifier<W> {
    fn notify(&self, n: &Notification) -> Result<(), NotifyError> {
        let mut out = self.out.lock().unwrap_or_else(PoisonError::into_inner);
        writeln!(
            out,
            "notify {recipient}{fallback}: mentor {mentor} {from} -> {to} (notification {id}, change {change}, attempt {attempt})",
            recipient = n.recipient,
            fallback = if n.fallback {
                " [fallback: no chapter coordinator to tell]"
            } else {
                ""
            },
            mentor = n.mentor_id,
            from = n.from,
            to = n.to,
            id = n.id,
            change = n.change_id,
            attempt = n.attempt,
        )
        .and_then(|()| out.flush())
        .map_err(|e| NotifyError::new(format!("writing the notification line failed: {e}")))
    }
}

/// Keeps every notification it is given, for tests: [`RecordingNotifier::recorded`].
/// Safe to share between worker threads. A test double: only with the `test-support`
/// feature.
#[cfg(feature = "test-support")]
#[derive(Debug, Default)]
pub struct RecordingNotifier {
    recorded: Mutex<Vec<Notification>>,
}

#[cfg(feature = "test-support")]
impl RecordingNotifier {
    /// An empty recorder.
    #[must_use]
    pub fn new() -> Self {
        RecordingNotifier::default()
    }

    /// Every notification delivered so far, in delivery order.
    #[must_use]
    pub fn recorded(&self) -> Vec<Notification> {
        self.recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

#[cfg(feature = "test-support")]
impl Notifier for RecordingNotifier {
    fn notify(&self, notification: &Notification) -> Result<(), NotifyError> {
        self.recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(notification.clone());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use chrono::DateTime;
    use mentor_status_domain::{MentorStatus, UserId};
    use uuid::Uuid;

    use super::*;
    use crate::MentorId;
    use crate::notifications::NotificationId;

    fn notification(fallback: bool) -> Notification {
        Notification {
            id: NotificationId::new(7),
            change_id: 3,
            mentor_id: MentorId::new(Uuid::from_u128(0xb2)),
            recipient: UserId::new(Uuid::from_u128(0xa11)),
            fallback,
            from: MentorStatus::Active,
            to: MentorStatus::Paused,
            created_at: DateTime::from_timestamp(1_800_000_000, 0).unwrap(),
            attempt: 1,
        }
    }

    #[test]
    fn the_logging_notifier_writes_one_line_per_notification_and_marks_fallbacks() {
        let notifier = LoggingNotifier::new(Vec::new());
        notifier.notify(&notification(false)).unwrap();
        notifier.notify(&notification(true)).unwrap();
        let text = String::from_utf8(notifier.into_inner()).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(
            lines[0],
            "notify 00000000-0000-0000-0000-000000000a11: mentor 00000000-0000-0000-0000-0000000000b2 active -> paused (notification 7, change 3, attempt 1)"
        );
        assert!(lines[1].contains("[fallback: no chapter coordinator to tell]"));
    }

    #[cfg(feature = "test-support")]
    #[test]
    fn the_recording_notifier_keeps_what_it_was_given_in_order() {
        let notifier = RecordingNotifier::new();
        notifier.notify(&notification(false)).unwrap();
        notifier.notify(&notification(true)).unwrap();
        let recorded = notifier.recorded();
        assert_eq!(recorded, vec![notification(false), notification(true)]);
    }
}
