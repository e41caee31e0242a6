//! Deliveries at the notifier and the changes the writers saw commit.

use std::collections::HashMap;

use uuid::Uuid;

use super::note;
use crate::snapshot::{AuditRow, OutboxRow, describe};
use crate::writers::Ack;

/// What the delivery check found.
#[derive(Debug, Clone, Default)]
pub struct Deliveries {
    /// Outbox rows.
    pub notifications: u64,
    /// Deliveries the notifier saw (repeats included).
    pub deliveries: u64,
    /// Distinct notification ids delivered.
    pub distinct: u64,
    /// Outbox rows never delivered to the notifier.
    pub never_delivered: u64,
    /// Outbox rows not marked sent.
    pub unsent: u64,
    /// Of those, nobody is working on them (lease or back-off over).
    pub stuck: u64,
    /// Dead letters.
    pub dead: u64,
    /// Deliveries of ids the outbox does not have, or whose content differs from the row.
    pub phantom: u64,
    /// The first messages.
    pub messages: Vec<String>,
}

impl Deliveries {
    /// Deliveries minus distinct ids: repeats the notifier absorbed by id.
    #[must_use]
    pub fn duplicates_absorbed(&self) -> u64 {
        self.deliveries.saturating_sub(self.distinct)
    }
}

/// Checks the outbox against what the notifier received.
#[must_use]
pub fn deliveries(
    outbox: &[OutboxRow],
    delivered: &HashMap<i64, (u64, mentor_status_storage::notifications::Notification)>,
) -> Deliveries {
    let mut out = Deliveries {
        notifications: outbox.len() as u64,
        deliveries: delivered.values().map(|(n, _)| n).sum(),
        distinct: delivered.len() as u64,
        ..Deliveries::default()
    };
    let by_id: HashMap<i64, &OutboxRow> = outbox.iter().map(|n| (n.id, n)).collect();
    for n in outbox {
        if !n.sent {
            out.unsent += 1;
        }
        if n.stuck {
            out.stuck += 1;
        }
        if n.dead {
            out.dead += 1;
        }
        if !delivered.contains_key(&n.id) {
            out.never_delivered += 1;
            note(
                &mut out.messages,
                format!(
                    "notification {} (change {}) was never delivered",
                    n.id, n.change_id
                ),
            );
        }
    }
    for (id, (_, first)) in delivered {
        let same = by_id.get(id).is_some_and(|row| {
            row.change_id == first.change_id && row.recipient_id == *first.recipient.as_uuid()
        });
        if !same {
            out.phantom += 1;
            note(
                &mut out.messages,
                format!("delivered notification {id} is not (or not so) in the outbox"),
            );
        }
    }
    out
}

/// Acknowledged changes missing from the audit trail: per (mentor, new status, new
/// `pause_at`), the client saw more commits than the trail holds.
#[must_use]
pub fn acked_missing(acks: &[Ack], audit: &[AuditRow], messages: &mut Vec<String>) -> u64 {
    let mut trail: HashMap<(Uuid, &str, Option<i64>), i64> = HashMap::new();
    for row in audit {
        *trail
            .entry((row.mentor_id, row.to_status.as_str(), row.to_pause_at))
            .or_default() += 1;
    }
    let mut missing = 0;
    for ack in acks {
        let left = trail
            .entry((ack.mentor, ack.to_status.as_str(), ack.to_pause_at))
            .or_default();
        if *left > 0 {
            *left -= 1;
        } else {
            missing += 1;
            note(
                messages,
                format!(
                    "mentor {}: a committed change to {} the client saw is not in the audit trail",
                    ack.mentor,
                    describe(&ack.to_status, ack.to_pause_at, None)
                ),
            );
        }
    }
    missing
}
