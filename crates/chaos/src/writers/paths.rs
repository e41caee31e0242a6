//! The writers of status changes, one function per path.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use mentor_status_domain::{Actor, Command, MentorState, PauseReason, UserId};
use mentor_status_storage::{MentorId, MentorStatusRepository, RepositoryError};
use uuid::Uuid;

use super::session::{Caller, RETURNING, Session, api_request, rpc_body};
use super::{Ack, Context, Path, WriterResult, ack, finish, random_code};
use crate::SplitMix64;
use crate::fixture::LABELS;
use crate::outcome::{Outcome, Tally, from_diesel};

/// One request of a writer through the API: who sends it, the mentor it changes (whose
/// acknowledged state it returns), the PL/pgSQL body.
struct Request {
    caller: Caller,
    mentor: Uuid,
    body: String,
}

/// The loop of a writer through the API: one session named `application`; until the
/// deadline, `next` picks a request (`None` ends the loop early), which runs as PostgREST
/// runs it.
fn api_writer(
    ctx: &Context,
    path: Path,
    application: &str,
    mut rng: SplitMix64,
    mut next: impl FnMut(&mut SplitMix64) -> Option<Request>,
) -> WriterResult {
    let mut session = Session::new(&ctx.api_url, application, ctx.lock_timeout);
    let (mut tally, mut acks) = (Tally::default(), Vec::new());
    while ctx.running() {
        let Some(request) = next(&mut rng) else {
            break;
        };
        let (outcome, result) = api_request(&mut session, request.caller, &request.body);
        acks.extend(ack(request.mentor, result));
        tally.record(outcome);
    }
    finish(path, tally, acks)
}

/// RPCs as coordinators: of the mentor's chapters mostly, of other chapters sometimes
/// (42501), now and then a pause with a free-text reason (22023).
pub fn rpc_coordinator(ctx: &Arc<Context>, rng: SplitMix64, n: usize) -> WriterResult {
    let coordinators = &ctx.fixture.rpc_coordinators;
    let application = format!("chaos-rpc-coordinator-{n}");
    api_writer(ctx, Path::RpcCoordinator, &application, rng, |rng| {
        let coordinator = rng.pick(coordinators)?;
        let mentor = ctx.fixture.mentors[ctx.mentor_for(coordinator.user_id, 80, rng)].id;
        let body = match rng.below(20) {
            0..=6 => {
                let reason = match rng.below(8) {
                    0..=2 => None,
                    3..=6 => Some(random_code(rng)),
                    _ => Some(LABELS[rng.index(LABELS.len())]),
                };
                rpc_body("pause_mentor", mentor, reason)
            }
            7..=11 => rpc_body("resume_mentor", mentor, None),
            12..=14 => rpc_body("deactivate_mentor", mentor, None),
            _ => rpc_body("reactivate_mentor", mentor, None),
        };
        Some(Request {
            caller: Caller::User(coordinator.user_id),
            mentor,
            body,
        })
    })
}

/// RPCs as mentors on themselves (pause with a code or none, resume), sometimes what a
/// mentor may not do (deactivate themselves, change someone else: 42501).
pub fn rpc_mentor(ctx: &Arc<Context>, rng: SplitMix64, n: usize) -> WriterResult {
    let mentors = &ctx.fixture.mentors;
    let application = format!("chaos-rpc-mentor-{n}");
    api_writer(ctx, Path::RpcMentor, &application, rng, |rng| {
        let me = &mentors[rng.index(mentors.len())];
        let target = if rng.chance(90) {
            me.id
        } else {
            mentors[rng.index(mentors.len())].id
        };
        let body = match rng.below(20) {
            0..=8 => {
                let reason = if rng.chance(50) {
                    Some(random_code(rng))
                } else {
                    None
                };
                rpc_body("pause_mentor", target, reason)
            }
            9..=17 => rpc_body("resume_mentor", target, None),
            18 => rpc_body("deactivate_mentor", target, None),
            _ => rpc_body("reactivate_mentor", target, None),
        };
        Some(Request {
            caller: Caller::User(me.user_id),
            mentor: target,
            body,
        })
    })
}

fn random_command(rng: &mut SplitMix64, labels: bool) -> Command {
    match rng.below(20) {
        0..=7 => {
            let reason = match rng.below(4) {
                0 => None,
                1 if labels => PauseReason::parse(LABELS[rng.index(LABELS.len())]).ok(),
                _ => PauseReason::parse(random_code(rng)).ok(),
            };
            Command::Pause { reason }
        }
        8..=12 => Command::Resume,
        13..=15 => Command::Deactivate,
        _ => Command::Reactivate,
    }
}

fn state_ack(mentor: Uuid, state: &MentorState) -> Ack {
    Ack {
        mentor,
        to_status: state.status().as_str().to_owned(),
        to_pause_at: state.pause_at().map(|t| t.timestamp_micros()),
    }
}

/// The repository from one thread: as a repository coordinator (mostly on mentors of
/// their chapters) or as the service role, with codes, labels or no reason.
pub fn repository(
    ctx: &Arc<Context>,
    repository: &MentorStatusRepository,
    mut rng: SplitMix64,
) -> WriterResult {
    let (mut tally, mut acks) = (Tally::default(), Vec::new());
    let coordinators = &ctx.fixture.repository_coordinators;
    while ctx.running() {
        let (actor, index) = match rng.pick(coordinators) {
            Some(c) if rng.chance(70) => (
                Actor::Coordinator {
                    user_id: UserId::new(c.user_id),
                },
                ctx.mentor_for(c.user_id, 85, &mut rng),
            ),
            _ => (Actor::ServiceRole, rng.index(ctx.fixture.mentors.len())),
        };
        let mentor = ctx.fixture.mentors[index].id;
        let command = random_command(&mut rng, true);
        let outcome =
            match repository.change_status(&actor, MentorId::new(mentor), command, Utc::now()) {
                Ok(transition) => {
                    acks.push(state_ack(mentor, transition.to()));
                    Outcome::Committed
                }
                Err(RepositoryError::Denied(_)) => Outcome::Refused("Denied".to_owned()),
                Err(RepositoryError::Transition(_)) => Outcome::Refused("Transition".to_owned()),
                Err(RepositoryError::NotFound { .. }) => Outcome::Refused("NotFound".to_owned()),
                Err(RepositoryError::Conflict { .. }) => Outcome::Conflict,
                Err(RepositoryError::Pool(e)) => {
                    std::thread::sleep(Duration::from_millis(50));
                    crate::outcome::classify_message(&format!(
                        "no database connection available: {e}"
                    ))
                    .map_or_else(|| Outcome::Failure(e.to_string()), Outcome::Retryable)
                }
                Err(RepositoryError::Database(e)) => match from_diesel(e.cause()) {
                    Outcome::Failure(m) => Outcome::Failure(format!("{}: {m}", e.context())),
                    other => {
                        std::thread::sleep(Duration::from_millis(10));
                        other
                    }
                },
                Err(other) => Outcome::Failure(other.to_string()),
            };
        tally.record(outcome);
    }
    finish(Path::Repository, tally, acks)
}

/// The service role: direct UPDATEs of the status columns (conditional on the current
/// status, so each is a transition of the state machine), and RPCs on unknown ids (PT404).
pub fn service_role(ctx: &Arc<Context>, rng: SplitMix64, n: usize) -> WriterResult {
    let application = format!("chaos-service-role-{n}");
    api_writer(ctx, Path::ServiceRole, &application, rng, |rng| {
        let mentor = if rng.chance(5) {
            rng.uuid()
        } else {
            ctx.fixture.mentors[rng.index(ctx.fixture.mentors.len())].id
        };
        let body = if rng.chance(5) {
            // An id nobody has: PT404, which only the service role gets.
            rpc_body("resume_mentor", rng.uuid(), None)
        } else {
            let set = match rng.below(10) {
                0..=3 => {
                    let reason = match rng.below(3) {
                        0 => "null".to_owned(),
                        1 => format!("'{}'", random_code(rng)),
                        _ => format!("'{}'", LABELS[rng.index(LABELS.len())]),
                    };
                    format!(
                        "status = 'paused', pause_at = now(), pause_reason = {reason} where t.id = '{mentor}' and t.status = 'active'"
                    )
                }
                4..=6 => format!(
                    "status = 'active', pause_at = null, pause_reason = null where t.id = '{mentor}' and t.status = 'paused'"
                ),
                7 => format!(
                    "status = 'inactive', pause_at = null, pause_reason = null where t.id = '{mentor}' and t.status <> 'inactive'"
                ),
                _ => format!("status = 'active' where t.id = '{mentor}' and t.status = 'inactive'"),
            };
            format!(
                "update public.peer_mentors as t set {set} returning {RETURNING} into s, p; get diagnostics n = row_count;"
            )
        };
        Some(Request {
            caller: Caller::ServiceRole,
            mentor,
            body,
        })
    })
}
