//! Eight threads fire random commands at one mentor: afterwards the row equals the replay of
//! the successful transitions in commit order, and none was lost or applied twice.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Barrier};

use chrono::DateTime;
use diesel::connection::SimpleConnection;
use mentor_status_domain::{Actor, Command, MentorState, PauseReason, ReasonCode, Transition};
use mentor_status_storage::RepositoryError;
use mentor_status_tests::TestDb;

use crate::storage_support::{ADA, STATUS_LOG, kari, log_form, repository, status_log, user};

const THREADS: u64 = 8;
const COMMANDS_PER_THREAD: u64 = 40;

/// A small deterministic generator (xorshift64*), one per thread.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

fn random_command(rng: &mut Rng) -> Command {
    match rng.next() % 6 {
        0 => Command::Pause { reason: None },
        1 => Command::Pause {
            reason: Some(PauseReason::Code(
                ReasonCode::ALL[(rng.next() % 6) as usize],
            )),
        },
        2 | 3 => Command::Resume,
        4 => Command::Deactivate,
        _ => Command::Reactivate,
    }
}

fn random_actor(rng: &mut Rng) -> Actor {
    match rng.next() % 3 {
        0 => kari(),
        1 => Actor::ServiceRole,
        _ => Actor::Mentor { user_id: user(1) },
    }
}

fn actor_setting(actor: &Actor) -> (String, String) {
    match actor {
        Actor::Mentor { user_id } | Actor::Coordinator { user_id } => {
            (user_id.to_string(), "authenticated".to_owned())
        }
        Actor::ServiceRole => (String::new(), "service_role".to_owned()),
    }
}

#[derive(Default, Debug)]
struct Tally {
    applied: Vec<(Transition, Actor)>,
    not_applicable: usize,
    conflicts: usize,
    denied: usize,
}

#[test]
fn concurrent_commands_on_one_mentor_are_each_applied_exactly_once_in_commit_order() {
    let db = TestDb::seeded();
    db.conn().batch_execute(STATUS_LOG).unwrap();
    let repository = repository(&db, THREADS as u32);
    let initial = repository.status(ADA).unwrap();
    // Strictly increasing `now` per call: every pause gets its own pause_at.
    let clock = Arc::new(AtomicI64::new(1_795_694_400_000_000));
    let start = Arc::new(Barrier::new(THREADS as usize));

    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let repository = repository.clone();
            let clock = Arc::clone(&clock);
            let start = Arc::clone(&start);
            std::thread::spawn(move || {
                let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (t + 1));
                let mut tally = Tally::default();
                start.wait();
                for _ in 0..COMMANDS_PER_THREAD {
                    let actor = random_actor(&mut rng);
                    let command = random_command(&mut rng);
                    let now = DateTime::from_timestamp_micros(clock.fetch_add(1, Ordering::SeqCst))
                        .unwrap();
                    match repository.change_status(&actor, ADA, command, now) {
                        Ok(transition) => tally.applied.push((transition, actor)),
                        Err(RepositoryError::Transition(_)) => tally.not_applicable += 1,
                        Err(RepositoryError::Conflict { .. }) => tally.conflicts += 1,
                        Err(RepositoryError::Denied(_)) => tally.denied += 1,
                        Err(other) => panic!("unexpected error: {other}"),
                    }
                }
                tally
            })
        })
        .collect();
    let tallies: Vec<Tally> = threads.into_iter().map(|t| t.join().unwrap()).collect();

    let mut conn = db.conn();
    let log = status_log(&mut conn);
    let applied: Vec<&(Transition, Actor)> = tallies.iter().flat_map(|t| &t.applied).collect();
    let total: usize = tallies
        .iter()
        .map(|t| t.applied.len() + t.not_applicable + t.conflicts + t.denied)
        .sum();
    assert_eq!(total, (THREADS * COMMANDS_PER_THREAD) as usize);
    assert!(!applied.is_empty());
    eprintln!(
        "race: {} applied, {} not applicable, {} conflicts, {} denied",
        applied.len(),
        tallies.iter().map(|t| t.not_applicable).sum::<usize>(),
        tallies.iter().map(|t| t.conflicts).sum::<usize>(),
        tallies.iter().map(|t| t.denied).sum::<usize>(),
    );

    // Exactly one committed update per successful call, and no other update.
    assert_eq!(log.len(), applied.len(), "one committed update per success");
    let mut unmatched: HashMap<(String, String, String, String), usize> = HashMap::new();
    for (transition, actor) in &applied {
        let (id, role) = actor_setting(actor);
        *unmatched
            .entry((
                log_form(transition.from()),
                log_form(transition.to()),
                id,
                role,
            ))
            .or_default() += 1;
    }
    for row in &log {
        let key = (
            row.old_row.clone(),
            row.new_row.clone(),
            row.actor_id.clone().unwrap_or_default(),
            row.actor_role.clone().unwrap_or_default(),
        );
        let count = unmatched
            .get_mut(&key)
            .unwrap_or_else(|| panic!("a committed update no call reported: {key:?}"));
        assert!(*count > 0, "a committed update no call reported: {key:?}");
        *count -= 1;
    }
    assert!(
        unmatched.values().all(|&c| c == 0),
        "reported but not committed: {unmatched:?}"
    );

    // In commit order, each update starts from the state the previous one left, and the
    // replay ends in the row's state.
    let mut state = log_form(&initial);
    for (i, row) in log.iter().enumerate() {
        assert_eq!(
            row.old_row, state,
            "update {i} did not start from the previous state"
        );
        state = row.new_row.clone();
    }
    let last = repository.status(ADA).unwrap();
    assert_eq!(state, log_form(&last));
    // The replay through the domain gives the same state.
    let by_form: HashMap<String, MentorState> = applied
        .iter()
        .map(|(t, _)| (log_form(t.to()), t.to().clone()))
        .collect();
    let replayed = log
        .last()
        .map_or(initial.clone(), |row| by_form[&row.new_row].clone());
    assert_eq!(replayed, last);
}
