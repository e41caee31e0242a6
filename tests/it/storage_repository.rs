//! The status repository against a real PostgreSQL: round trips, the domain's rules, the
//! compare-and-set under a lost race, the audit settings, the coordinator's list, the pool.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_domain::{
    Actor, AuditLabel, Command, Denied, MentorState, MentorStatus, PauseReason, ReasonCode,
    TransitionError,
};
use mentor_status_storage::schema::peer_mentors;
use mentor_status_storage::{
    DbMentorStatus, MentorId, PoolConfig, PoolError, RepositoryError, connect, migrations,
};
use mentor_status_tests::TestDb;
use uuid::Uuid;

use crate::storage_support::{
    ADA, BERGEN, CAMILLA, HENRIK, OSLO, STATUS_LOG, TRONDHEIM, at, kari, mentor, repository,
    status_log, trond, user, wait_for_a_lock_waiter,
};
use crate::support::text;

fn label(text: &str) -> PauseReason {
    PauseReason::Label(AuditLabel::parse(text).unwrap())
}

fn every_state() -> Vec<MentorState> {
    let mut states = vec![
        MentorState::Active,
        MentorState::Inactive,
        MentorState::Paused {
            since: at(0),
            reason: None,
        },
        MentorState::Paused {
            // Before 1970 and with microseconds: the full timestamp survives.
            since: DateTime::from_timestamp(-86_400 * 365, 123_456_000).unwrap(),
            reason: Some(label("Flytter til Tromsø 🏔")),
        },
        MentorState::Paused {
            since: at(1),
            reason: Some(label(&"æ".repeat(200))),
        },
    ];
    states.extend(ReasonCode::ALL.map(|code| MentorState::Paused {
        since: at(2),
        reason: Some(code.into()),
    }));
    states
}

fn write(conn: &mut PgConnection, id: MentorId, state: &MentorState) {
    let row = state.to_row();
    diesel::update(peer_mentors::table.find(id.as_uuid()))
        .set((
            peer_mentors::status.eq(DbMentorStatus::from(row.status)),
            peer_mentors::pause_at.eq(row.pause_at),
            peer_mentors::pause_reason.eq(row.pause_reason),
        ))
        .execute(conn)
        .unwrap();
}

#[test]
fn every_state_round_trips_through_the_database() {
    let db = TestDb::seeded();
    let repository = repository(&db, 2);
    let mut conn = db.conn();
    for state in every_state() {
        write(&mut conn, ADA, &state);
        assert_eq!(repository.status(ADA).unwrap(), state);
    }
    // And through the diesel enum mapping alone.
    for status in MentorStatus::ALL {
        let read: DbMentorStatus = diesel::select(
            DbMentorStatus::from(status)
                .into_sql::<mentor_status_storage::schema::sql_types::MentorStatus>(),
        )
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(MentorStatus::from(read), status);
    }
}

#[test]
fn the_seeded_statuses_are_read_as_domain_states() {
    let db = TestDb::seeded();
    let repository = repository(&db, 1);
    assert_eq!(repository.status(ADA).unwrap(), MentorState::Active);
    assert_eq!(
        repository.status(CAMILLA).unwrap(),
        MentorState::Paused {
            since: "2026-11-01T08:00:00Z".parse().unwrap(),
            reason: Some(ReasonCode::Vacation.into()),
        }
    );
    assert_eq!(repository.status(HENRIK).unwrap(), MentorState::Inactive);
    let unknown = MentorId::new(Uuid::nil());
    assert!(matches!(
        repository.status(unknown),
        Err(RepositoryError::NotFound { mentor_id }) if mentor_id == unknown
    ));
}

#[test]
fn a_coordinator_walks_a_mentor_through_every_transition_and_each_is_stored() {
    let db = TestDb::seeded();
    let repository = repository(&db, 1);
    let pause = Command::Pause {
        reason: Some(label("Flytter i sommer")),
    };
    // Nanoseconds are cut to PostgreSQL's microseconds, so the result equals what is stored.
    let now = DateTime::from_timestamp(1_795_694_400, 123_456_789).unwrap();
    let steps = [
        pause,
        Command::Resume,
        Command::Deactivate,
        Command::Reactivate,
    ];
    let mut expected_from = MentorState::Active;
    for command in &steps {
        let transition = repository
            .change_status(&kari(), ADA, command.clone(), now)
            .unwrap();
        assert_eq!(transition.from(), &expected_from);
        assert_eq!(repository.status(ADA).unwrap(), *transition.to());
        expected_from = transition.to().clone();
    }
    let paused = MentorState::Active
        .apply(
            Command::Pause {
                reason: Some(label("Flytter i sommer")),
            },
            DateTime::from_timestamp(1_795_694_400, 123_456_000).unwrap(),
        )
        .unwrap();
    let transition = repository
        .change_status(
            &kari(),
            ADA,
            Command::Pause {
                reason: Some(label("Flytter i sommer")),
            },
            now,
        )
        .unwrap();
    assert_eq!(transition, paused);
}

#[test]
fn commands_that_do_not_apply_or_are_not_allowed_change_nothing() {
    let db = TestDb::seeded();
    let repository = repository(&db, 1);
    let mut conn = db.conn();
    let before = text(
        &mut conn,
        "select string_agg(id::text || status::text || coalesce(pause_at::text, '') || coalesce(pause_reason, ''), ',' order by id) as v from public.peer_mentors",
    );

    assert!(matches!(
        repository.change_status(&kari(), CAMILLA, Command::Pause { reason: None }, at(0)),
        Err(RepositoryError::Transition(TransitionError::AlreadyPaused))
    ));
    assert!(matches!(
        repository.change_status(&kari(), HENRIK, Command::Deactivate, at(0)),
        Err(RepositoryError::Transition(
            TransitionError::AlreadyInactive
        ))
    ));
    // Trond coordinates Trondheim only; Ada is in Oslo.
    assert!(matches!(
        repository.change_status(&trond(), ADA, Command::Deactivate, at(0)),
        Err(RepositoryError::Denied(Denied::NotSameChapter))
    ));
    // A mentor may pause themselves, not others, and not deactivate.
    let ada = Actor::Mentor { user_id: user(1) };
    assert!(matches!(
        repository.change_status(&ada, CAMILLA, Command::Resume, at(0)),
        Err(RepositoryError::Denied(Denied::NotSelf))
    ));
    assert!(matches!(
        repository.change_status(&ada, ADA, Command::Deactivate, at(0)),
        Err(RepositoryError::Denied(Denied::NotAllowedForMentor { .. }))
    ));
    // Guro's Bergen membership is inactive: Kari reaches her through Oslo only, so once
    // Kari no longer coordinates Oslo (rolled back below) she may not act. The chapters
    // come from the database, in the transaction of the change.
    conn.batch_execute(&format!(
        "update public.chapter_coordinators set active = false where user_id = '{}' and chapter_id = '{}'",
        user(0x11),
        OSLO
    ))
    .unwrap();
    assert!(matches!(
        repository.change_status(&kari(), mentor(7), Command::Deactivate, at(0)),
        Err(RepositoryError::Denied(Denied::NotSameChapter))
    ));
    conn.batch_execute(&format!(
        "update public.chapter_coordinators set active = true where user_id = '{}' and chapter_id = '{}'",
        user(0x11),
        OSLO
    ))
    .unwrap();
    let unknown = MentorId::new(Uuid::nil());
    assert!(matches!(
        repository.change_status(&Actor::ServiceRole, unknown, Command::Resume, at(0)),
        Err(RepositoryError::NotFound { .. })
    ));
    assert_eq!(
        text(
            &mut conn,
            "select string_agg(id::text || status::text || coalesce(pause_at::text, '') || coalesce(pause_reason, ''), ',' order by id) as v from public.peer_mentors",
        ),
        before
    );

    // A mentor pausing themselves with a code is fine.
    let transition = repository
        .change_status(
            &ada,
            ADA,
            Command::Pause {
                reason: Some(ReasonCode::Capacity.into()),
            },
            at(5),
        )
        .unwrap();
    assert_eq!(transition.to().status(), MentorStatus::Paused);
}

#[test]
fn the_transaction_tells_the_database_who_acts_and_the_setting_does_not_outlive_it() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    conn.batch_execute(STATUS_LOG).unwrap();
    let repository = repository(&db, 1);
    repository
        .change_status(&kari(), ADA, Command::Deactivate, at(0))
        .unwrap();
    repository
        .change_status(&Actor::ServiceRole, ADA, Command::Reactivate, at(1))
        .unwrap();
    let ada = Actor::Mentor { user_id: user(1) };
    repository
        .change_status(&ada, ADA, Command::Pause { reason: None }, at(2))
        .unwrap();
    let log = status_log(&mut conn);
    let actors: Vec<(Option<&str>, Option<&str>)> = log
        .iter()
        .map(|r| (r.actor_id.as_deref(), r.actor_role.as_deref()))
        .collect();
    let kari_id = user(0x11).to_string();
    let ada_id = user(1).to_string();
    assert_eq!(
        actors,
        [
            (Some(kari_id.as_str()), Some("authenticated")),
            (Some(""), Some("service_role")),
            (Some(ada_id.as_str()), Some("authenticated")),
        ]
    );
    // Transaction-local: the pooled connection no longer carries it.
    let mut pooled = repository.pool().get().unwrap();
    assert_eq!(
        text(
            &mut pooled,
            "select coalesce(current_setting('mentor_status.actor_id', true), '') || '/' || coalesce(current_setting('mentor_status.actor_role', true), '') as v"
        ),
        "/"
    );
}

/// Another session changes the row and holds it; the repository reads the old state,
/// decides, and its compare-and-set waits; the other session commits.
fn lose_a_race(
    db: &TestDb,
    other: &str,
    actor: Actor,
    command: Command,
) -> Result<mentor_status_domain::Transition, RepositoryError> {
    let repository = repository(db, 1);
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
    let outcome = lose_a_race(&db, "status = 'inactive'", kari(), Command::Deactivate);
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
    let repository = repository(&db, 1).with_max_attempts(1);
    let mut holder = db.conn();
    holder
        .batch_execute(&format!(
            "begin; update public.peer_mentors set status = 'inactive' where id = '{ADA}'"
        ))
        .unwrap();
    let racer = std::thread::spawn(move || {
        repository.change_status(&kari(), ADA, Command::Deactivate, at(0))
    });
    wait_for_a_lock_waiter(&mut db.conn());
    holder.batch_execute("commit").unwrap();
    let outcome = racer.join().unwrap();
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

#[test]
fn a_coordinator_lists_the_active_members_of_a_chapter_by_status() {
    let db = TestDb::seeded();
    let repository = repository(&db, 1);
    let names = |chapter, status| -> Vec<String> {
        repository
            .list(chapter, status)
            .unwrap()
            .into_iter()
            .map(|m| m.full_name)
            .collect()
    };
    // Oslo: Ada, Bjørn, Guro (all active).
    assert_eq!(
        names(OSLO, None),
        ["Ada Hansen", "Bjørn Olsen", "Guro Moen"]
    );
    // Bergen: Bjørn, Camilla (paused), Henrik (inactive); Guro left Bergen.
    assert_eq!(
        names(BERGEN, None),
        ["Bjørn Olsen", "Camilla Berg", "Henrik Strand"]
    );
    assert_eq!(names(BERGEN, Some(MentorStatus::Paused)), ["Camilla Berg"]);
    assert_eq!(
        names(BERGEN, Some(MentorStatus::Inactive)),
        ["Henrik Strand"]
    );
    assert_eq!(names(BERGEN, Some(MentorStatus::Active)), ["Bjørn Olsen"]);
    assert_eq!(names(TRONDHEIM, Some(MentorStatus::Paused)), ["Eva Nilsen"]);
    let camilla = repository
        .list(BERGEN, Some(MentorStatus::Paused))
        .unwrap()
        .remove(0);
    assert_eq!(camilla.id, CAMILLA);
    assert_eq!(camilla.user_id, user(3));
    assert_eq!(camilla.state, repository.status(CAMILLA).unwrap());
}

#[test]
fn the_list_query_uses_the_partial_chapter_index() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    // Few rows: make the planner prefer any index over a scan, to see which one it picks.
    conn.batch_execute("set enable_seqscan = off; analyze public.chapter_memberships")
        .unwrap();
    #[derive(QueryableByName)]
    struct Line {
        #[diesel(sql_type = diesel::sql_types::Text, column_name = "QUERY PLAN")]
        line: String,
    }
    let plan: Vec<Line> = diesel::sql_query(format!(
        "explain select m.id from public.peer_mentors m
           join public.chapter_memberships cm on cm.mentor_id = m.id
          where cm.chapter_id = '{OSLO}' and cm.active and m.status = 'paused'"
    ))
    .load(&mut conn)
    .unwrap();
    let plan: Vec<String> = plan.into_iter().map(|l| l.line).collect();
    let plan = plan.join("\n");
    assert!(
        plan.contains("chapter_memberships_active_chapter_id_mentor_id_idx"),
        "{plan}"
    );
}

#[test]
fn pooled_connections_carry_the_statement_timeout() {
    let db = TestDb::migrated();
    let pool = PoolConfig::default().build(db.url()).unwrap();
    assert_eq!(
        text(
            &mut pool.get().unwrap(),
            "select current_setting('statement_timeout') as v"
        ),
        "5s"
    );
    let pool = PoolConfig {
        statement_timeout: Duration::from_millis(50),
        max_size: 1,
        ..PoolConfig::default()
    }
    .build(db.url())
    .unwrap();
    let error = diesel::sql_query("select pg_sleep(2)")
        .execute(&mut pool.get().unwrap())
        .unwrap_err();
    assert!(error.to_string().contains("statement timeout"), "{error}");
}

#[test]
fn connection_errors_name_the_server_but_never_the_password() {
    let url = "postgres://app:hunter2-secret@127.0.0.1:1/app";
    // However long the pool would wait, an unreachable server is reported by the direct
    // attempt made first, with the driver's reason.
    let error = PoolConfig {
        connection_timeout: Duration::from_secs(60),
        ..PoolConfig::default()
    }
    .build(url)
    .unwrap_err();
    assert!(matches!(error, PoolError::Connect { .. }), "{error}");
    assert!(error.to_string().contains("Connection refused"), "{error}");
    let single = connect(url).err().unwrap();
    for message in [error.to_string(), single.to_string()] {
        assert!(
            message.contains("postgres://app:***@127.0.0.1:1/app"),
            "{message}"
        );
        assert!(!message.contains("hunter2"), "{message}");
    }
}

#[test]
fn the_application_start_up_migrates_through_the_runner_then_serves_from_the_pool() {
    let db = TestDb::platform();
    let applied = migrations::run_pending_migrations(&mut connect(db.url()).unwrap()).unwrap();
    assert_eq!(
        applied.len(),
        migrations::Migrations::embedded().iter().count()
    );
    assert_eq!(
        migrations::run_pending_migrations(&mut connect(db.url()).unwrap()).unwrap(),
        Vec::<String>::new(),
        "a second start-up finds nothing to do"
    );
    let mut conn = db.conn();
    conn.batch_execute(
        "insert into auth.users (id, email) values ('a0000000-0000-4000-8000-000000000001', 'x@example.org');
         insert into public.peer_mentors (id, user_id, full_name, email)
           values ('b0000000-0000-4000-8000-000000000001', 'a0000000-0000-4000-8000-000000000001', 'X', 'x@example.org');",
    )
    .unwrap();
    let repository = repository(&db, 2);
    assert_eq!(repository.status(ADA).unwrap(), MentorState::Active);
    repository
        .change_status(&Actor::ServiceRole, ADA, Command::Deactivate, at(0))
        .unwrap();
    assert_eq!(repository.status(ADA).unwrap(), MentorState::Inactive);
}
