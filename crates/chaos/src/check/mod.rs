//! The checks after the run: the replay of the audit trail, the notifications, the acks.
//!
//! **Replay.** Per mentor, from the state recorded before the writers started, the audit
//! rows in id order (ids come from one sequence and a mentor's changes are serialised by
//! its row lock, so id order is commit order per mentor). Each row must start where the
//! previous one left: `from_status` and `from_pause_at`, and, when a pause ends, the reason
//! (the audit row stores the reason of the pause that ended, or the new reason when paused
//! after the change: it cannot tell the "from" reason of a change that stays paused, so that
//! one is not compared). Each row must also be a transition of the domain's state machine:
//! `MentorState::from_row(from).apply(command, at)` with the command its statuses imply
//! must give exactly the row's "to". The last row's "to" must be the mentor's current row
//! (with `private.mentor_pause_reasons`); a mentor without rows must be unchanged.
//!
//! **Recipients.** The churner changes memberships and coordinator roles under the writers
//! and logs each change in the same statement; with `track_commit_timestamp` the checker
//! knows when each change and each status change committed. The outbox trigger read the
//! graph some time between the status change's transaction start (`changed_at`) and its
//! commit. A churn change is visible to no snapshot taken before its commit timestamp and
//! to every snapshot taken after the churner had its answer (in between — the commit
//! record's flush — either), so the graph it saw is the graph at some moment of that
//! window, with the churn change then in flight seen or not. The notifications of each audit
//! row must be exactly `resolve_recipients` (the domain's rules, actor excluded) of one of
//! those graphs — recipients and fallback mark. Rows that do not change the status notify
//! nobody.

mod delivery;
mod recipients;
mod replay;

pub use delivery::{Deliveries, acked_missing, deliveries};
pub use recipients::{Recipients, recipients};
pub use replay::{Replay, replay};

/// Keeps the first messages of a check (a run can produce thousands).
pub(crate) fn note(messages: &mut Vec<String>, message: String) {
    if messages.len() < 12 {
        messages.push(message);
    }
}

/// Rows for the checks' unit tests.
#[cfg(test)]
mod test_rows {
    use uuid::Uuid;

    use crate::snapshot::{AuditRow, MentorRowState, StatusState};

    pub(in crate::check) fn mentor(
        status: &str,
        pause_at: Option<i64>,
        reason: Option<&str>,
    ) -> MentorRowState {
        MentorRowState {
            id: Uuid::from_u128(1),
            state: StatusState {
                status: status.to_owned(),
                pause_at,
                reason: reason.map(str::to_owned),
            },
        }
    }

    pub(in crate::check) fn row(
        id: i64,
        from: (&str, Option<i64>),
        to: (&str, Option<i64>),
        reason: Option<&str>,
    ) -> AuditRow {
        AuditRow {
            id,
            mentor_id: Uuid::from_u128(1),
            from_status: from.0.to_owned(),
            to_status: to.0.to_owned(),
            from_pause_at: from.1,
            to_pause_at: to.1,
            reason: reason.map(str::to_owned),
            changed_by: None,
            actor_role: "service_role".to_owned(),
            changed_at: 1_800_000_000_000_000,
            committed_at: Some(1_800_000_000_000_100),
        }
    }

    pub(in crate::check) const T: i64 = 1_800_000_000_000_000;
}
