//! The recipients of every change (see the [module docs](super)).

use std::collections::{BTreeSet, HashMap};

use mentor_status_domain::{
    ChapterId, CoordinatorLink, OrganisationCoordinator, UserId, resolve_recipients,
};
use uuid::Uuid;

use super::note;
use crate::fixture::Fixture;
use crate::snapshot::{AuditRow, GraphFact, OutboxRow};

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::test_rows::{T, row};

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
