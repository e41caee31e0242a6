//! Eight threads fire random commands at one mentor: afterwards the row equals the replay of
//! the successful transitions in commit order, and none was lost or applied twice.
//!
//! The race is made real, not left to the scheduler: the threads start while another session
//! holds the row with an uncommitted change, and that session commits only once a thread's
//! compare-and-set waits for it. That thread decided on the state before the change, so its
//! write must match no row and the repository must read again: `pg_stat_statements` shows
//! the repository's write statement ran more often than it wrote a row.
//!
//! Then the lost race one at a time: a command that no longer applies is a conflict, one that
//! still applies is applied to the new state, and running out of attempts is a conflict too.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Barrier};

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_domain::{
    Actor, Command, MentorState, MentorStatus, PauseReason, ReasonCode, Transition, TransitionError,
};
use mentor_status_storage::actor_setting::{actor_settings, set_actor_sql};
use mentor_status_storage::{DEFAULT_MAX_ATTEMPTS, RepositoryError};
use mentor_status_tests::TestDb;

use crate::storage::support::{
    ADA, at, kari, log_form, repository, status_log, status_log_trigger, user,
    wait_for_a_lock_waiter,
};
use crate::support::int;

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

/// How often the repository's compare-and-set (`update public.peer_mentors as m … returning
/// m.id`) ran in this database, and how many rows it wrote: each run that wrote nothing lost
/// a race.
fn write_statement_calls_and_rows(conn: &mut PgConnection) -> (i64, i64) {
    let mut stats = |column: &str| {
        int(
            conn,
            &format!(
                "select coalesce(sum(s.{column}), 0)::bigint as v
                   from extensions.pg_stat_statements as s
                  where s.dbid = (select oid from pg_database where datname = current_database())
                    and s.query like '%update public.peer_mentors as m%returning m.id%'"
            ),
        )
    };
    (stats("calls"), stats("rows"))
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
    db.conn().batch_execute(&status_log_trigger()).unwrap();
    let repository = repository(&db, THREADS as u32);
    let seeded = repository.status(ADA).unwrap();
    assert_eq!(seeded, MentorState::Active);
    // The session the first writers lose to: the service role deactivates Ada and holds the
    // row until a thread's compare-and-set waits for it.
    let blocker = seeded.apply(Command::Deactivate, at(0)).unwrap();
    let mut holder = db.conn();
    holder
        .batch_execute(&format!(
            "begin;
             {};
             update public.peer_mentors set status = 'inactive', pause_at = null, pause_reason = null
              where id = '{ADA}';",
            set_actor_sql(&Actor::ServiceRole)
        ))
        .unwrap();
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
    // A thread read the row before the holder's change and now waits in its write for it.
    wait_for_a_lock_waiter(&mut db.conn());
    holder.batch_execute("commit").unwrap();
    let tallies: Vec<Tally> = threads.into_iter().map(|t| t.join().unwrap()).collect();

    let mut conn = db.conn();
    let log = status_log(&mut conn);
    let by_threads = tallies.iter().map(|t| t.applied.len()).sum::<usize>();
    let holder_change = (blocker, Actor::ServiceRole);
    let applied: Vec<&(Transition, Actor)> = std::iter::once(&holder_change)
        .chain(tallies.iter().flat_map(|t| &t.applied))
        .collect();
    let initial = seeded;
    let total: usize = tallies
        .iter()
        .map(|t| t.applied.len() + t.not_applicable + t.conflicts + t.denied)
        .sum();
    assert_eq!(total, (THREADS * COMMANDS_PER_THREAD) as usize);
    assert!(by_threads > 0, "no thread changed the mentor");
    // The race was real: the waiting write matched no row, and the repository decided again.
    let (write_calls, rows_written) = write_statement_calls_and_rows(&mut conn);
    assert_eq!(
        rows_written,
        i64::try_from(by_threads).unwrap(),
        "one written row per success"
    );
    assert!(
        write_calls > rows_written,
        "no compare-and-set lost a race: {write_calls} writes, {rows_written} rows"
    );
    eprintln!(
        "race: {} applied, {} lost races, {} not applicable, {} conflicts, {} denied",
        by_threads,
        write_calls - rows_written,
        tallies.iter().map(|t| t.not_applicable).sum::<usize>(),
        tallies.iter().map(|t| t.conflicts).sum::<usize>(),
        tallies.iter().map(|t| t.denied).sum::<usize>(),
    );

    // Exactly one committed update per successful call, and no other update.
    assert_eq!(log.len(), applied.len(), "one committed update per success");
    let mut unmatched: HashMap<(String, String, String, String), usize> = HashMap::new();
    for (transition, actor) in &applied {
        let (id, role) = actor_settings(actor);
        *unmatched
            .entry((
                log_form(transition.from()),
                log_form(transition.to()),
                id,
                role.to_owned(),
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
/// Another session changes the row and holds it; the repository (trying at most
/// `max_attempts` times) reads the old state, decides, and its compare-and-set waits; the other
/// session commits.
fn lose_a_race(
    db: &TestDb,
    other: &str,
    actor: Actor,
    command: Command,
    max_attempts: u32,
) -> Result<Transition, RepositoryError> {
    let repository = repository(db, 1).with_max_attempts(max_attempts);
    let mut holder = db.conn();
    holder
        .batch_execute(&format!(
            "begin; update public.peer_mentors set {other} where id = '{ADA}'"
        ))
        .unwrap();
    let racer = std::thread::spawn(move || repository.change_status(&actor, ADA, command, at(100)));
    wait_for_a_lock_waiter(&mut db.conn());
    holder.batch_execute("commit").unwrap();
    racer.join().unwrap()
}

#[test]
fn a_command_that_no_longer_applies_after_a_lost_race_is_a_conflict() {
    let db = TestDb::seeded();
    let outcome = lose_a_race(
        &db,
        "status = 'inactive'",
        kari(),
        Command::Deactivate,
        DEFAULT_MAX_ATTEMPTS,
    );
    match outcome {
        Err(RepositoryError::Conflict {
            mentor_id,
            current,
            cause,
            attempts,
        }) => {
            assert_eq!(mentor_id, ADA);
            assert_eq!(current, MentorStatus::Inactive);
            assert_eq!(cause, Some(TransitionError::AlreadyInactive));
            assert_eq!(attempts, 2);
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    let repository = repository(&db, 1);
    assert_eq!(repository.status(ADA).unwrap(), MentorState::Inactive);
}

#[test]
fn a_command_that_still_applies_after_a_lost_race_is_applied_to_the_new_state() {
    let db = TestDb::seeded();
    let since: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().unwrap();
    let transition = lose_a_race(
        &db,
        "status = 'paused', pause_at = '2026-11-20T10:00:00Z', pause_reason = 'training'",
        kari(),
        Command::Deactivate,
        DEFAULT_MAX_ATTEMPTS,
    )
    .unwrap();
    assert_eq!(
        transition.from(),
        &MentorState::Paused {
            since,
            reason: Some(ReasonCode::Training.into())
        },
        "decided again on the state the other session committed"
    );
    assert_eq!(transition.to(), &MentorState::Inactive);
    assert_eq!(
        repository(&db, 1).status(ADA).unwrap(),
        MentorState::Inactive
    );
}

#[test]
fn losing_every_attempt_is_a_conflict_without_a_cause() {
    let db = TestDb::seeded();
    // One attempt only: the first lost race ends it.
    let outcome = lose_a_race(&db, "status = 'inactive'", kari(), Command::Deactivate, 1);
    assert!(
        matches!(
            outcome,
            Err(RepositoryError::Conflict {
                cause: None,
                attempts: 1,
                current: MentorStatus::Active,
                ..
            })
        ),
        "{outcome:?}"
    );
    let message = outcome.unwrap_err().to_string();
    assert!(message.contains("reload"), "{message}");
}
