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

use std::collections::{BTreeSet, HashMap};

use chrono::DateTime;
use mentor_status_domain::{
    ChapterId, Command, CoordinatorLink, MentorState, MentorStatus, OrganisationCoordinator,
    PauseReason, UserId, resolve_recipients,
};
use uuid::Uuid;

use crate::fixture::Fixture;
use crate::snapshot::{AuditRow, GraphFact, MentorRowState, OutboxRow, describe};
use crate::writers::Ack;

/// What the replay found.
#[derive(Debug, Clone, Default)]
pub struct Replay {
    /// Audit rows replayed.
    pub rows: u64,
    /// Audit rows the replay could not account for (wrong start, not a transition).
    pub unaccounted: u64,
    /// Mentors whose replay does not end in their current row, or with unaccounted rows.
    pub mismatching_mentors: u64,
    /// The first messages, each naming the mentor.
    pub messages: Vec<String>,
}

fn note(messages: &mut Vec<String>, message: String) {
    if messages.len() < 12 {
        messages.push(message);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct St {
    status: String,
    pause_at: Option<i64>,
    reason: Option<String>,
}

impl St {
    fn of(row: &MentorRowState) -> St {
        St {
            status: row.status.clone(),
            pause_at: row.pause_at,
            reason: row.reason.clone(),
        }
    }

    fn describe(&self) -> String {
        describe(&self.status, self.pause_at, self.reason.as_deref())
    }
}

/// The "to" state of an audit row.
fn to_state(row: &AuditRow) -> St {
    St {
        status: row.to_status.clone(),
        pause_at: row.to_pause_at,
        reason: if row.to_status == "paused" {
            row.reason.clone()
        } else {
            None
        },
    }
}

/// Whether `row` is a transition of the domain's state machine from `from` to its "to".
fn domain_step(from: &St, row: &AuditRow) -> Result<(), String> {
    let status = |s: &str| s.parse::<MentorStatus>().map_err(|e| format!("{s}: {e}"));
    let micros = |p: Option<i64>| p.and_then(DateTime::from_timestamp_micros);
    let state = MentorState::from_row(
        status(&from.status)?,
        micros(from.pause_at),
        from.reason.as_deref(),
    )
    .map_err(|e| format!("the state before is not a valid MentorState: {e}"))?;
    let to_status = status(&row.to_status)?;
    let command = match (state.status(), to_status) {
        (MentorStatus::Active, MentorStatus::Paused) => Command::Pause {
            reason: row
                .reason
                .as_deref()
                .map(PauseReason::parse)
                .transpose()
                .map_err(|e| format!("the reason is not a PauseReason: {e}"))?,
        },
        (MentorStatus::Paused, MentorStatus::Active) => Command::Resume,
        (MentorStatus::Active | MentorStatus::Paused, MentorStatus::Inactive) => {
            Command::Deactivate
        }
        (MentorStatus::Inactive, MentorStatus::Active) => Command::Reactivate,
        (a, b) => return Err(format!("{a} -> {b} is no transition of the state machine")),
    };
    let at = micros(row.to_pause_at.or(Some(row.changed_at)))
        .ok_or_else(|| "a time out of range".to_owned())?;
    let transition = state
        .apply(command, at)
        .map_err(|e| format!("the state machine refuses it: {e}"))?;
    let to = transition.to().to_row();
    let expected = to_state(row);
    let got = St {
        status: to.status.as_str().to_owned(),
        pause_at: to.pause_at.map(|t| t.timestamp_micros()),
        reason: to.pause_reason,
    };
    if got == expected {
        Ok(())
    } else {
        Err(format!(
            "the state machine gives {} but the row says {}",
            got.describe(),
            expected.describe()
        ))
    }
}

/// Replays `audit` from `initial` and compares with `current`.
#[must_use]
pub fn replay(
    initial: &[MentorRowState],
    audit: &[AuditRow],
    current: &[MentorRowState],
) -> Replay {
    let mut out = Replay::default();
    let mut by_mentor: HashMap<Uuid, Vec<&AuditRow>> = HashMap::new();
    for row in audit {
        by_mentor.entry(row.mentor_id).or_default().push(row);
    }
    let now: HashMap<Uuid, &MentorRowState> = current.iter().map(|m| (m.id, m)).collect();
    let mut seen = BTreeSet::new();
    for start in initial {
        seen.insert(start.id);
        let mut state = St::of(start);
        let mut bad = false;
        for row in by_mentor.get(&start.id).map(Vec::as_slice).unwrap_or(&[]) {
            out.rows += 1;
            let starts_right = row.from_status == state.status
                && row.from_pause_at == state.pause_at
                && (state.status != "paused"
                    || row.to_status == "paused"
                    || row.reason == state.reason);
            if !starts_right {
                out.unaccounted += 1;
                bad = true;
                note(
                    &mut out.messages,
                    format!(
                        "replay mismatch: mentor {}: audit row {} starts from {} but the previous row left {}",
                        start.id,
                        row.id,
                        describe(
                            &row.from_status,
                            row.from_pause_at,
                            if row.to_status == "paused" {
                                None
                            } else {
                                row.reason.as_deref()
                            }
                        ),
                        state.describe()
                    ),
                );
            } else if let Err(e) = domain_step(&state, row) {
                out.unaccounted += 1;
                bad = true;
                note(
                    &mut out.messages,
                    format!(
                        "replay mismatch: mentor {}: audit row {}: {e}",
                        start.id, row.id
                    ),
                );
            }
            state = to_state(row);
        }
        match now.get(&start.id) {
            Some(current) if St::of(current) == state => {}
            Some(current) => {
                bad = true;
                note(
                    &mut out.messages,
                    format!(
                        "replay mismatch: mentor {}: the audit trail ends in {} but the row holds {}",
                        start.id,
                        state.describe(),
                        current.describe()
                    ),
                );
            }
            None => {
                bad = true;
                note(
                    &mut out.messages,
                    format!("replay mismatch: mentor {} is gone", start.id),
                );
            }
        }
        if bad {
            out.mismatching_mentors += 1;
        }
    }
    for row in audit.iter().filter(|r| !seen.contains(&r.mentor_id)) {
        out.unaccounted += 1;
        note(
            &mut out.messages,
            format!(
                "replay mismatch: mentor {}: audit row {} for a mentor not in the fixture",
                row.mentor_id, row.id
            ),
        );
    }
    out
}

/// One logged change of a fact: when it committed, by when it was visible to every new
/// snapshot (the churner had its answer), and the value after it (µs).
#[derive(Debug, Clone, Copy)]
struct Change {
    committed: i64,
    visible_by: i64,
    value: bool,
}

/// A fact's history: its initial value and its logged changes, in commit order.
#[derive(Debug, Clone, Default)]
struct Timeline {
    initial: bool,
    changes: Vec<Change>,
}

impl Timeline {
    /// The value a snapshot taken at `t` saw: the last change that committed by `t`, where
    /// a change still in flight at `t` (committed, not yet answered) counts only when
    /// `in_flight` says so.
    fn at(&self, t: i64, in_flight: bool) -> bool {
        self.changes
            .iter()
            .rev()
            .find(|c| c.committed <= t && (in_flight || c.visible_by <= t))
            .map_or(self.initial, |c| c.value)
    }
}

/// What the notification check found.
#[derive(Debug, Clone, Default)]
pub struct Recipients {
    /// Status-changing audit rows checked.
    pub changes: u64,
    /// Audit rows whose notifications are not `resolve_recipients` of any graph the
    /// trigger may have seen.
    pub wrong: u64,
    /// Of the checked rows, those whose window held churn changes (more than one candidate).
    pub ambiguous_windows: u64,
    /// Notifications of audit rows that do not change the status.
    pub unexpected: u64,
    /// The longest time from a churn change's commit timestamp to the churner's answer
    /// (µs): how long a change may have been committed yet unseen.
    pub longest_in_flight_us: i64,
    /// The first messages.
    pub messages: Vec<String>,
}

/// Checks every audit row's notifications against the domain's `resolve_recipients` of
/// the graph at the time (see the module docs).
#[must_use]
pub fn recipients(
    fixture: &Fixture,
    initial_graph: &[GraphFact],
    churn: &[GraphFact],
    churn_answered: &[i64],
    audit: &[AuditRow],
    outbox: &[OutboxRow],
) -> Recipients {
    // A commit timestamp is taken before the commit record is flushed, so a change may
    // become visible long after it (an fsync under load: many ms); it is visible to every
    // snapshot once the churner has its answer. The slack only absorbs clock rounding.
    const SLACK: i64 = 1_000;
    let mut out = Recipients::default();
    let mut timelines: HashMap<(String, Uuid, Uuid), Timeline> = HashMap::new();
    let mut organisation = Vec::new();
    for f in initial_graph {
        if f.kind == "organisation" {
            organisation.push(OrganisationCoordinator {
                user: UserId::new(f.subject),
                active: f.active,
            });
        }
        timelines
            .entry((f.kind.clone(), f.subject, f.chapter_id))
            .or_default()
            .initial = f.active;
    }
    for f in churn {
        let committed = f.committed_at.unwrap_or(i64::MAX);
        // The churner runs one statement at a time: the first answer at or after the
        // commit is this statement's (none: the run ended first, so never surely visible).
        let visible_by = churn_answered
            .get(churn_answered.partition_point(|a| *a < committed))
            .copied()
            .unwrap_or(i64::MAX);
        if visible_by != i64::MAX {
            out.longest_in_flight_us = out.longest_in_flight_us.max(visible_by - committed);
        }
        timelines
            .entry((f.kind.clone(), f.subject, f.chapter_id))
            .or_default()
            .changes
            .push(Change {
                committed,
                visible_by,
                value: f.active,
            });
    }
    let chapters_of: HashMap<Uuid, &Vec<Uuid>> = fixture
        .mentors
        .iter()
        .map(|m| (m.id, &m.chapters))
        .collect();
    let mut coordinators_of: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for c in fixture.coordinators() {
        for ch in &c.chapters {
            coordinators_of.entry(*ch).or_default().push(c.user_id);
        }
    }
    let mut notified: HashMap<i64, Vec<&OutboxRow>> = HashMap::new();
    for n in outbox {
        notified.entry(n.change_id).or_default().push(n);
    }
    let empty = Timeline::default();
    for row in audit {
        let got = notified.get(&row.id).map(Vec::as_slice).unwrap_or(&[]);
        if row.from_status == row.to_status {
            if !got.is_empty() {
                out.unexpected += got.len() as u64;
                note(
                    &mut out.messages,
                    format!(
                        "mentor {}: audit row {} changes no status but notified {} users",
                        row.mentor_id,
                        row.id,
                        got.len()
                    ),
                );
            }
            continue;
        }
        out.changes += 1;
        let Some(chapters) = chapters_of.get(&row.mentor_id) else {
            continue;
        };
        let lo = row.changed_at - SLACK;
        let hi = row.committed_at.unwrap_or(i64::MAX - SLACK) + SLACK;
        // The facts this mentor's recipients depend on.
        let mut facts: Vec<(&Timeline, ChapterId, Option<UserId>)> = Vec::new();
        for ch in chapters.iter() {
            let membership = timelines
                .get(&("membership".to_owned(), row.mentor_id, *ch))
                .unwrap_or(&empty);
            facts.push((membership, ChapterId::new(*ch), None));
            for user in coordinators_of.get(ch).map(Vec::as_slice).unwrap_or(&[]) {
                let role = timelines
                    .get(&("coordinator".to_owned(), *user, *ch))
                    .unwrap_or(&empty);
                facts.push((role, ChapterId::new(*ch), Some(UserId::new(*user))));
            }
        }
        // The graph changes only at commits and answers: those in the window, and its
        // start, are every moment worth looking at; at each, the change in flight (at
        // most one, the churner being sequential) may or may not have been seen.
        let mut times: BTreeSet<i64> = BTreeSet::from([lo]);
        let mut in_flight = false;
        for (timeline, _, _) in &facts {
            for c in &timeline.changes {
                in_flight |= c.committed <= hi && c.visible_by > lo;
                times.extend(
                    [c.committed, c.visible_by]
                        .into_iter()
                        .filter(|ts| *ts > lo && *ts <= hi),
                );
            }
        }
        if times.len() > 1 || in_flight {
            out.ambiguous_windows += 1;
        }
        let actor = row.changed_by.map(UserId::new);
        let candidates: BTreeSet<(BTreeSet<Uuid>, bool)> = times
            .iter()
            .flat_map(|&t| [(t, false), (t, true)])
            .map(|(t, in_flight)| {
                let mut links = Vec::new();
                for ch in chapters.iter() {
                    let membership_active = facts
                        .iter()
                        .find(|(_, c, u)| *c.as_uuid() == *ch && u.is_none())
                        .is_some_and(|(tl, _, _)| tl.at(t, in_flight));
                    for (tl, c, u) in &facts {
                        if let (true, Some(user)) = (*c.as_uuid() == *ch, u) {
                            links.push(CoordinatorLink {
                                chapter: *c,
                                membership_active,
                                coordinator: *user,
                                coordinator_active: tl.at(t, in_flight),
                            });
                        }
                    }
                }
                let r = resolve_recipients(&links, &organisation, actor);
                (
                    r.users().iter().map(|u| *u.as_uuid()).collect(),
                    r.is_fallback(),
                )
            })
            .collect();
        let got_users: BTreeSet<Uuid> = got.iter().map(|n| n.recipient_id).collect();
        let got_fallback = got.iter().any(|n| n.fallback);
        let matches = got_users.len() == got.len()
            && candidates.iter().any(|(users, fallback)| {
                *users == got_users && (users.is_empty() || *fallback == got_fallback)
            });
        if !matches {
            out.wrong += 1;
            note(
                &mut out.messages,
                format!(
                    "mentor {}: audit row {} notified {:?} (fallback {got_fallback}) but resolve_recipients gives one of {:?}",
                    row.mentor_id, row.id, got_users, candidates
                ),
            );
        }
    }
    out
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn mentor(status: &str, pause_at: Option<i64>, reason: Option<&str>) -> MentorRowState {
        MentorRowState {
            id: Uuid::from_u128(1),
            status: status.to_owned(),
            pause_at,
            reason: reason.map(str::to_owned),
        }
    }

    fn row(
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

    const T: i64 = 1_800_000_000_000_000;

    #[test]
    fn a_chain_of_transitions_replays_to_the_current_row() {
        let audit = [
            row(1, ("active", None), ("paused", Some(T)), Some("vacation")),
            row(2, ("paused", Some(T)), ("active", None), Some("vacation")),
            row(3, ("active", None), ("inactive", None), None),
        ];
        let r = replay(
            &[mentor("active", None, None)],
            &audit,
            &[mentor("inactive", None, None)],
        );
        assert_eq!(
            (r.rows, r.unaccounted, r.mismatching_mentors),
            (3, 0, 0),
            "{:?}",
            r.messages
        );
    }

    #[test]
    fn a_change_missing_from_the_trail_is_a_mismatch_naming_the_mentor() {
        // Paused, then (unaudited) resumed, then deactivated from active.
        let audit = [
            row(1, ("active", None), ("paused", Some(T)), None),
            row(3, ("active", None), ("inactive", None), None),
        ];
        let r = replay(
            &[mentor("active", None, None)],
            &audit,
            &[mentor("inactive", None, None)],
        );
        assert_eq!((r.unaccounted, r.mismatching_mentors), (1, 1));
        assert!(
            r.messages[0].contains(&Uuid::from_u128(1).to_string()),
            "{:?}",
            r.messages
        );
        // And a final row that differs from the replay.
        let r = replay(
            &[mentor("active", None, None)],
            &audit[..1],
            &[mentor("active", None, None)],
        );
        assert_eq!(r.mismatching_mentors, 1);
        assert!(r.messages[0].contains("ends in paused"), "{:?}", r.messages);
    }

    #[test]
    fn a_row_outside_the_state_machine_is_unaccounted() {
        let audit = [row(1, ("inactive", None), ("paused", Some(T)), None)];
        let r = replay(
            &[mentor("inactive", None, None)],
            &audit,
            &[mentor("paused", Some(T), None)],
        );
        assert_eq!(r.unaccounted, 1, "{:?}", r.messages);
        assert!(r.messages[0].contains("no transition"), "{:?}", r.messages);
    }

    fn change(committed: i64, visible_by: i64, value: bool) -> Change {
        Change {
            committed,
            visible_by,
            value,
        }
    }

    #[test]
    fn a_timeline_answers_with_the_last_change_seen_at_a_time() {
        let t = Timeline {
            initial: true,
            changes: vec![change(10, 12, false), change(20, 30, true)],
        };
        assert!(t.at(5, false) && t.at(5, true));
        // Committed at 10, answered at 12: in flight in between.
        assert!(t.at(10, false));
        assert!(!t.at(10, true));
        assert!(!t.at(12, false));
        assert!(!t.at(19, true));
        assert!(!t.at(25, false));
        assert!(t.at(25, true));
        assert!(t.at(30, false));
    }

    /// One mentor in one chapter with one coordinator, who is deactivated by the churner
    /// (committed at `T - 5 ms`, answered at `answered`); a status change runs from `T` to
    /// `T + 100 µs` and notifies the coordinator, as a trigger that did not yet see the
    /// deactivation would.
    fn coordinator_seen_after_its_deactivation_committed(answered: i64) -> Recipients {
        let (mentor, chapter, coordinator) =
            (Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3));
        let organisation = [Uuid::from_u128(4), Uuid::from_u128(5)];
        let fixture = Fixture {
            chapters: vec![chapter],
            mentors: vec![crate::fixture::Mentor {
                id: mentor,
                user_id: Uuid::from_u128(6),
                chapters: vec![chapter],
            }],
            rpc_coordinators: vec![crate::fixture::Coordinator {
                user_id: coordinator,
                chapters: vec![chapter],
            }],
            repository_coordinators: Vec::new(),
            organisation_coordinators: organisation.to_vec(),
        };
        let fact = |kind: &str, subject, chapter_id, active, committed_at| GraphFact {
            kind: kind.to_owned(),
            subject,
            chapter_id,
            active,
            committed_at,
        };
        let mut initial = vec![
            fact("membership", mentor, chapter, true, None),
            fact("coordinator", coordinator, chapter, true, None),
        ];
        initial.extend(organisation.map(|u| fact("organisation", u, u, true, None)));
        let churn = [fact(
            "coordinator",
            coordinator,
            chapter,
            false,
            Some(T - 5_000),
        )];
        let audit = [row(1, ("active", None), ("paused", Some(T)), None)];
        let outbox = [OutboxRow {
            id: 1,
            change_id: 1,
            recipient_id: coordinator,
            fallback: false,
            sent: true,
            dead: false,
            stuck: false,
        }];
        recipients(&fixture, &initial, &churn, &[answered], &audit, &outbox)
    }

    #[test]
    fn a_churn_change_committed_but_not_yet_answered_may_be_unseen() {
        // The commit record's flush took 10 ms: the change was still in flight at `T`.
        let r = coordinator_seen_after_its_deactivation_committed(T + 5_000);
        assert_eq!((r.changes, r.wrong), (1, 0), "{:?}", r.messages);
        assert_eq!(r.ambiguous_windows, 1);
    }

    #[test]
    fn a_churn_change_answered_before_the_status_change_began_must_be_seen() {
        // Answered 3 ms before the status change began: every snapshot after saw it, so
        // notifying the deactivated coordinator (not the organisation) is wrong.
        let r = coordinator_seen_after_its_deactivation_committed(T - 3_000);
        assert_eq!((r.changes, r.wrong), (1, 1), "{:?}", r.messages);
        assert!(
            r.messages[0].contains(&Uuid::from_u128(1).to_string()),
            "{:?}",
            r.messages
        );
    }
}
