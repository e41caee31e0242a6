//! Who may do what: [`authorize`] and [`may_read_pause_reason`].
//!
//! | actor                         | Pause (code or none) | Pause (label) | Resume | Deactivate | Reactivate |
//! |-------------------------------|----------------------|---------------|--------|------------|------------|
//! | mentor, on themselves         | yes                  | no            | yes    | no         | no         |
//! | mentor, on someone else       | no                   | no            | no     | no         | no         |
//! | coordinator sharing a chapter | yes                  | yes           | yes    | yes        | yes        |
//! | other coordinator             | no                   | no            | no     | no         | no         |
//! | service role                  | yes                  | yes           | yes    | yes        | yes        |
//!
//! Authorization says nothing about whether the command fits the current state; that is
//! [`MentorState::apply`](crate::MentorState::apply)'s job.
//!
//! An [`Actor`] says only who acts. What the decision depends on — the mentor's active
//! chapters and the chapters the acting user actively coordinates — are [`AccessFacts`]
//! that the storage layer reads from the database in the transaction of the change, so a
//! stale or forged chapter set held by a caller cannot authorize anything.

use std::collections::BTreeSet;

use crate::{ChapterId, Command, CommandKind, PauseReason, UserId};

/// Who is acting: identity only.
///
/// A user acts in one role per request: a coordinator changing their own mentor record
/// gets coordinator rules as [`Actor::Coordinator`], or mentor rules as [`Actor::Mentor`].
/// Which chapters a coordinator coordinates is a fact of the database
/// ([`AccessFacts::actor_chapters`]), not something the caller asserts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// A mentor acting on their own behalf.
    Mentor {
        /// The mentor's user id.
        user_id: UserId,
    },
    /// A user acting as a coordinator.
    Coordinator {
        /// The coordinator's user id.
        user_id: UserId,
    },
    /// The backend's service role (Supabase `service_role`): may do everything.
    ServiceRole,
}

/// The mentor a command is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TargetMentor {
    /// The mentor's user id.
    pub user_id: UserId,
    /// The chapters where the mentor's membership is active (a mentor may be in several).
    pub active_chapters: BTreeSet<ChapterId>,
}

/// What an authorization decision depends on, as read from the database just before the
/// change: the target mentor and the chapters the acting user
/// actively coordinates (`chapter_coordinators.active`; empty for a mentor or the service
/// role).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AccessFacts {
    /// The mentor the command is about.
    pub target: TargetMentor,
    /// The chapters the acting user actively coordinates.
    pub actor_chapters: BTreeSet<ChapterId>,
}

impl TargetMentor {
    /// A target mentor with these active chapters.
    #[must_use]
    pub fn new(user_id: UserId, active_chapters: impl IntoIterator<Item = ChapterId>) -> Self {
        TargetMentor {
            user_id,
            active_chapters: active_chapters.into_iter().collect(),
        }
    }
}

impl AccessFacts {
    /// Facts about `target` and an acting user who coordinates `actor_chapters`.
    #[must_use]
    pub fn new(target: TargetMentor, actor_chapters: impl IntoIterator<Item = ChapterId>) -> Self {
        let actor_chapters = actor_chapters.into_iter().collect();
        AccessFacts {
            target,
            actor_chapters,
        }
    }

    /// Whether the acting user coordinates one of the mentor's active chapters.
    fn coordinator_shares_chapter(&self) -> bool {
        !self
            .target
            .active_chapters
            .is_disjoint(&self.actor_chapters)
    }
}

/// Why an actor may not issue a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Denied {
    /// A mentor acted on someone else.
    #[error("a mentor may only change their own status")]
    NotSelf,
    /// A mentor issued a command only coordinators may issue.
    #[error("a mentor may not {command} themselves, ask a coordinator")]
    NotAllowedForMentor {
        /// The command's kind.
        command: CommandKind,
    },
    /// A mentor paused with a free-text label; mentors may only use a reason code or none.
    #[error("a mentor may pause only with a reason code or no reason, not a free-text label")]
    LabelNotAllowedForMentor,
    /// A coordinator shares no active chapter with the mentor.
    #[error("the coordinator shares no active chapter with the mentor")]
    NotSameChapter,
}

/// Decides whether `actor` may issue `command`, given the `facts` about the target mentor
/// and the acting user.
///
/// - A mentor may pause (with a [`ReasonCode`](crate::ReasonCode) or no reason) and resume,
///   only themselves.
/// - A coordinator may issue any command for a mentor with whom they share at least one
///   active chapter.
/// - The service role may do everything.
///
/// # Errors
///
/// [`Denied`] with the reason; for a mentor acting on someone else, [`Denied::NotSelf`]
/// comes before any rule about the command.
pub fn authorize(actor: &Actor, facts: &AccessFacts, command: &Command) -> Result<(), Denied> {
    match actor {
        Actor::ServiceRole => Ok(()),
        Actor::Coordinator { .. } => {
            if facts.coordinator_shares_chapter() {
                Ok(())
            } else {
                Err(Denied::NotSameChapter)
            }
        }
        Actor::Mentor { user_id } => {
            if *user_id != facts.target.user_id {
                return Err(Denied::NotSelf);
            }
            match command {
                Command::Pause {
                    reason: None | Some(PauseReason::Code(_)),
                }
                | Command::Resume => Ok(()),
                Command::Pause {
                    reason: Some(PauseReason::Label(_)),
                } => Err(Denied::LabelNotAllowedForMentor),
                Command::Deactivate | Command::Reactivate => Err(Denied::NotAllowedForMentor {
                    command: command.kind(),
                }),
            }
        }
    }
}

/// Whether `actor` may read the target mentor's pause reason: the service role, and
/// coordinators who share an active chapter with the mentor. Nobody else, not even the
/// mentor.
#[must_use]
pub fn may_read_pause_reason(actor: &Actor, facts: &AccessFacts) -> bool {
    match actor {
        Actor::ServiceRole => true,
        Actor::Coordinator { .. } => facts.coordinator_shares_chapter(),
        Actor::Mentor { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::test_ids::{chapter, user};
    use crate::{AuditLabel, ReasonCode};

    /// Facts about a mentor (user 1) in `chapters`, with an acting user who coordinates
    /// nothing.
    fn mentor_in(chapters: &[u128]) -> AccessFacts {
        AccessFacts::new(
            TargetMentor::new(user(1), chapters.iter().map(|&c| chapter(c))),
            [],
        )
    }

    /// The same facts, the acting user coordinating `coordinated`.
    fn coordinated(facts: AccessFacts, coordinated: &[u128]) -> AccessFacts {
        AccessFacts::new(facts.target, coordinated.iter().map(|&c| chapter(c)))
    }

    fn coordinator() -> Actor {
        Actor::Coordinator { user_id: user(2) }
    }

    fn label() -> PauseReason {
        PauseReason::Label(AuditLabel::parse("Flytter i sommer").unwrap())
    }

    fn every_command() -> Vec<Command> {
        vec![
            Command::Pause { reason: None },
            Command::Pause {
                reason: Some(ReasonCode::Vacation.into()),
            },
            Command::Pause {
                reason: Some(label()),
            },
            Command::Resume,
            Command::Deactivate,
            Command::Reactivate,
        ]
    }

    #[test]
    fn a_mentor_may_pause_themselves_with_a_code_or_no_reason_and_resume() {
        let me = Actor::Mentor { user_id: user(1) };
        let target = mentor_in(&[1]);
        for command in [
            Command::Pause { reason: None },
            Command::Pause {
                reason: Some(ReasonCode::Personal.into()),
            },
            Command::Resume,
        ] {
            assert_eq!(authorize(&me, &target, &command), Ok(()), "{command:?}");
        }
    }

    #[test]
    fn a_mentor_may_not_pause_themselves_with_a_free_text_label() {
        let me = Actor::Mentor { user_id: user(1) };
        assert_eq!(
            authorize(
                &me,
                &mentor_in(&[1]),
                &Command::Pause {
                    reason: Some(label())
                }
            ),
            Err(Denied::LabelNotAllowedForMentor)
        );
    }

    #[test]
    fn a_mentor_may_not_deactivate_or_reactivate_themselves() {
        let me = Actor::Mentor { user_id: user(1) };
        assert_eq!(
            authorize(&me, &mentor_in(&[1]), &Command::Deactivate),
            Err(Denied::NotAllowedForMentor {
                command: CommandKind::Deactivate
            })
        );
        assert_eq!(
            authorize(&me, &mentor_in(&[1]), &Command::Reactivate),
            Err(Denied::NotAllowedForMentor {
                command: CommandKind::Reactivate
            })
        );
    }

    #[test]
    fn a_mentor_may_not_do_anything_to_another_mentor_even_in_the_same_chapter() {
        let other = Actor::Mentor { user_id: user(3) };
        for command in every_command() {
            assert_eq!(
                authorize(&other, &mentor_in(&[1]), &command),
                Err(Denied::NotSelf)
            );
        }
    }

    #[test]
    fn a_coordinator_sharing_one_of_several_chapters_may_do_everything() {
        let coordinator = coordinator();
        let target = coordinated(mentor_in(&[1, 2, 3]), &[3, 7]);
        for command in every_command() {
            assert_eq!(authorize(&coordinator, &target, &command), Ok(()));
        }
        assert!(may_read_pause_reason(&coordinator, &target));
    }

    #[test]
    fn a_coordinator_of_other_chapters_is_denied_and_may_not_read_the_reason() {
        let coordinator = coordinator();
        let target = coordinated(mentor_in(&[1, 2]), &[4]);
        for command in every_command() {
            assert_eq!(
                authorize(&coordinator, &target, &command),
                Err(Denied::NotSameChapter)
            );
        }
        assert!(!may_read_pause_reason(&coordinator, &target));
    }

    #[test]
    fn a_coordinator_without_chapters_or_a_mentor_without_active_chapters_never_match() {
        assert_eq!(
            authorize(&coordinator(), &mentor_in(&[1]), &Command::Resume),
            Err(Denied::NotSameChapter)
        );
        assert_eq!(
            authorize(
                &coordinator(),
                &coordinated(mentor_in(&[]), &[1]),
                &Command::Resume
            ),
            Err(Denied::NotSameChapter)
        );
    }

    #[test]
    fn the_service_role_may_do_everything_and_read_the_reason() {
        for command in every_command() {
            assert_eq!(
                authorize(&Actor::ServiceRole, &mentor_in(&[]), &command),
                Ok(())
            );
        }
        assert!(may_read_pause_reason(&Actor::ServiceRole, &mentor_in(&[])));
    }

    #[test]
    fn a_mentor_may_not_read_pause_reasons_not_even_their_own() {
        let me = Actor::Mentor { user_id: user(1) };
        assert!(!may_read_pause_reason(&me, &mentor_in(&[1])));
    }
}
