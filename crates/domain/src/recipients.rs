//! Who is told about a status change: [`resolve_recipients`].
//!
//! The rules, in order:
//! 1. Every **active** coordinator of every chapter where the mentor has an **active**
//!    membership is a recipient; a coordinator of several of those chapters is one recipient.
//! 2. The user who made the change is never told about it.
//! 3. If nobody is left, the active organisation-level coordinators are told instead (again
//!    without the actor), and the notification is marked as a fallback — so a mentor in a
//!    chapter without a coordinator is never silently unnoticed.
//! 4. If nobody is left even then, there are no recipients (the audit trail still has the
//!    change).

use std::collections::BTreeSet;

use crate::{ChapterId, UserId};

/// One row of "the mentor's chapters and their coordinators", as one query returns it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CoordinatorLink {
    /// A chapter the mentor belongs to.
    pub chapter: ChapterId,
    /// Whether the mentor's membership of that chapter is active.
    pub membership_active: bool,
    /// A coordinator of that chapter.
    pub coordinator: UserId,
    /// Whether that coordinator role is active.
    pub coordinator_active: bool,
}

/// An organisation-level coordinator (the fallback).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrganisationCoordinator {
    /// The coordinator.
    pub user: UserId,
    /// Whether the role is active.
    pub active: bool,
}

/// The outcome of [`resolve_recipients`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipients {
    users: BTreeSet<UserId>,
    fallback: bool,
}

impl Recipients {
    /// The users to notify, each once.
    #[must_use]
    pub fn users(&self) -> &BTreeSet<UserId> {
        &self.users
    }

    /// Whether these are organisation-level coordinators standing in for missing chapter
    /// coordinators.
    #[must_use]
    pub fn is_fallback(&self) -> bool {
        self.fallback
    }

    /// Whether nobody at all is to be told.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}

/// Who is told about a status change:
/// 1. every **active** coordinator of every chapter where the mentor has an **active**
///    membership, once, even when they coordinate several of those chapters;
/// 2. never the user who made the change;
/// 3. if nobody is left, the active organisation-level coordinators (again without the
///    actor), marked as a [fallback](Recipients::is_fallback);
/// 4. if nobody is left even then, nobody (the audit trail still has the change).
#[must_use]
pub fn resolve_recipients(
    links: &[CoordinatorLink],
    organisation: &[OrganisationCoordinator],
    actor: Option<UserId>,
) -> Recipients {
    let not_actor = |user: &UserId| Some(*user) != actor;
    let chapter: BTreeSet<UserId> = links
        .iter()
        .filter(|l| l.membership_active && l.coordinator_active)
        .map(|l| l.coordinator)
        .filter(not_actor)
        .collect();
    if !chapter.is_empty() {
        return Recipients {
            users: chapter,
            fallback: false,
        };
    }
    let users = organisation
        .iter()
        .filter(|o| o.active)
        .map(|o| o.user)
        .filter(not_actor)
        .collect();
    Recipients {
        users,
        fallback: true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::test_ids::{chapter, user};

    fn link(
        c: u128,
        membership_active: bool,
        u: u128,
        coordinator_active: bool,
    ) -> CoordinatorLink {
        CoordinatorLink {
            chapter: chapter(c),
            membership_active,
            coordinator: user(u),
            coordinator_active,
        }
    }

    fn org(u: u128) -> OrganisationCoordinator {
        OrganisationCoordinator {
            user: user(u),
            active: true,
        }
    }

    #[test]
    fn the_active_coordinators_of_the_mentors_active_chapters_are_told_except_the_actor() {
        let active = |c, u| link(c, true, u, true);
        let cases = [
            (
                "a single chapter",
                vec![active(1, 10), active(1, 11)],
                None,
                vec![10, 11],
            ),
            (
                "a coordinator of two of the mentor's chapters is told once",
                vec![active(1, 10), active(2, 10), active(2, 12)],
                None,
                vec![10, 12],
            ),
            (
                "inactive memberships and inactive coordinators do not count",
                vec![
                    link(1, false, 10, true),
                    link(2, true, 11, false),
                    active(3, 12),
                ],
                None,
                vec![12],
            ),
            (
                "the actor is not told about their own change",
                vec![active(1, 10), active(1, 11)],
                Some(10),
                vec![11],
            ),
        ];
        for (case, links, actor, told) in cases {
            // The organisation's coordinators are told only when no chapter coordinator is.
            for organisation in [&[][..], &[org(99)]] {
                let r = resolve_recipients(&links, organisation, actor.map(user));
                let told: BTreeSet<UserId> = told.iter().map(|&u| user(u)).collect();
                assert_eq!(r.users(), &told, "{case}, organisation {organisation:?}");
                assert!(!r.is_fallback(), "{case}, organisation {organisation:?}");
            }
        }
    }

    #[test]
    fn a_chapter_without_a_coordinator_falls_back_to_the_organisation_marked_as_fallback() {
        let r = resolve_recipients(
            &[],
            &[
                org(90),
                org(91),
                OrganisationCoordinator {
                    user: user(92),
                    active: false,
                },
            ],
            None,
        );
        assert_eq!(r.users(), &BTreeSet::from([user(90), user(91)]));
        assert!(r.is_fallback());
    }

    #[test]
    fn when_the_actor_is_the_only_coordinator_the_organisation_is_told_without_the_actor() {
        let r = resolve_recipients(
            &[link(1, true, 10, true)],
            &[org(10), org(90)],
            Some(user(10)),
        );
        assert_eq!(r.users(), &BTreeSet::from([user(90)]));
        assert!(r.is_fallback());
    }

    #[test]
    fn with_nobody_anywhere_there_are_no_recipients() {
        let r = resolve_recipients(&[link(1, true, 10, false)], &[], None);
        assert!(r.is_empty());
        assert!(r.is_fallback());
    }
}
