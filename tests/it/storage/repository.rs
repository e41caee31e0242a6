//! The status repository against a real PostgreSQL: round trips, the domain's rules, the
//! compare-and-set under a lost race, the audit settings, the coordinator's list, the pool.

use std::time::Duration;

use chrono::DateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_domain::{
    Actor, AuditLabel, Command, Denied, MentorState, MentorStatus, PauseReason, ReasonCode,
    TransitionError,
};
use mentor_status_storage::actor_setting::{ACTOR_ID, ACTOR_ROLE};
use mentor_status_storage::schema::peer_mentors;
use mentor_status_storage::{
    DbMentorStatus, MentorId, PoolConfig, PoolError, RepositoryError, connect, migrations,
};
use mentor_status_tests::TestDb;
use uuid::Uuid;

use crate::seed_ids::fill;
use crate::storage::support::{
    ADA, CAMILLA, HENRIK, OSLO, at, kari, mentor, repository, status_log, status_log_trigger,
    trond, user,
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
    conn.batch_execute(&status_log_trigger()).unwrap();
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
            &format!(
                "select coalesce(current_setting('{ACTOR_ID}', true), '') || '/' || coalesce(current_setting('{ACTOR_ROLE}', true), '') as v"
            )
        ),
        "/"
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
    conn.batch_execute(&fill(
        "insert into auth.users (id, email) values ('{users::ADA}', 'x@example.org');
         insert into public.peer_mentors (id, user_id, full_name, email)
           values ('{mentors::ADA}', '{users::ADA}', 'X', 'x@example.org');",
    ))
    .unwrap();
    let repository = repository(&db, 2);
    assert_eq!(repository.status(ADA).unwrap(), MentorState::Active);
    repository
        .change_status(&Actor::ServiceRole, ADA, Command::Deactivate, at(0))
        .unwrap();
    assert_eq!(repository.status(ADA).unwrap(), MentorState::Inactive);
}
