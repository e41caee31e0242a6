//! Bad input through the Rust repository gets a clear error and changes nothing (see
//! `input_support.rs`).

use std::cell::Cell;

use diesel::connection::SimpleConnection;
use mentor_status_domain::{
    Actor, AuditLabelError, Command, InvalidRow, MentorStatus, PauseReason, ReasonCode,
};
use mentor_status_storage::RepositoryError;
use mentor_status_tests::TestDb;

use super::input_support::{NOBODY, snapshot};
use crate::storage::support::{ADA, BERGEN, CAMILLA, at, kari, repository};
use crate::support::int;

#[test]
fn changing_or_reading_a_non_existent_mentor_through_the_repository_is_not_found_and_changes_nothing()
 {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let before = snapshot(&mut conn);
    let repo = repository(&db, 2);
    let commands = [
        Command::Pause { reason: None },
        Command::Pause {
            reason: Some(ReasonCode::Vacation.into()),
        },
        Command::Resume,
        Command::Deactivate,
        Command::Reactivate,
    ];
    for actor in [Actor::ServiceRole, kari()] {
        for command in commands.clone() {
            let error = repo
                .change_status(&actor, NOBODY, command.clone(), at(0))
                .unwrap_err();
            assert!(
                matches!(error, RepositoryError::NotFound { mentor_id } if mentor_id == NOBODY),
                "{command:?} by {actor:?}: {error:?}"
            );
            assert_eq!(
                error.to_string(),
                format!(
                    "no mentor has id {NOBODY}: check the id, the mentor may have been deleted"
                )
            );
        }
    }
    assert!(matches!(
        repo.status(NOBODY),
        Err(RepositoryError::NotFound { mentor_id }) if mentor_id == NOBODY
    ));
    assert_eq!(snapshot(&mut conn), before);
}

/// The only way to a pause command with a reason is a [`PauseReason`], and the only way to
/// a free-text one is [`AuditLabel::parse`]: text the domain rejects never becomes a
/// command, so the repository (and the database) never see it.
fn pause_command_from_user_text(text: &str) -> Result<Command, AuditLabelError> {
    Ok(Command::Pause {
        reason: Some(PauseReason::parse(text)?),
    })
}

#[test]
fn an_oversize_reason_is_refused_before_the_repository_is_reached_and_changes_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let before = snapshot(&mut conn);
    let repo = repository(&db, 2);
    let calls = Cell::new(0);
    let pause = |text: &str| -> Result<(), String> {
        let command = pause_command_from_user_text(text).map_err(|e| e.to_string())?;
        calls.set(calls.get() + 1);
        repo.change_status(&kari(), ADA, command, at(0))
            .map(|_| ())
            .map_err(|e| e.to_string())
    };
    for text in ["x".repeat(201), "å".repeat(201), "Vacation".to_owned()] {
        let message = pause(&text).unwrap_err();
        assert!(
            message.contains("must be at most 200 characters")
                || message.contains("use the code instead of a free-text label"),
            "{message}"
        );
    }
    assert_eq!(calls.get(), 0, "the repository was never called");
    assert_eq!(snapshot(&mut conn), before);

    // The limits agree: what the domain accepts, the database stores.
    pause(&"å".repeat(200)).unwrap();
    assert_eq!(calls.get(), 1);
    assert_eq!(
        int(
            &mut conn,
            &format!(
                "select char_length(reason)::bigint as v from private.mentor_pause_reasons where mentor_id = '{ADA}'"
            )
        ),
        200
    );
}

#[test]
fn a_stored_reason_the_domain_rejects_makes_the_repository_report_an_invalid_row_and_change_nothing()
 {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let repo = repository(&db, 2);
    // Texts the domain rejects. Since 20261201120000 the database refuses them too, so the
    // owner removes the guard first, as a restored or hand-repaired database might lack it.
    conn.batch_execute(
        "alter table private.mentor_pause_reasons drop constraint mentor_pause_reasons_reason_allowed;
         alter table private.mentor_pause_reasons disable trigger mentor_pause_reasons_reject_invalid_reason;
         alter table private.mentor_status_change_reasons drop constraint mentor_status_change_reasons_reason_allowed;
         alter table private.mentor_status_change_reasons disable trigger mentor_status_change_reasons_reject_invalid_reason;",
    )
    .unwrap();
    for (stored, rule) in [
        ("sick leave", "health information"),
        ("Vacation", "use the code instead of a free-text label"),
        ("ring 912 34 567", "phone number"),
    ] {
        let untouched = snapshot(&mut conn);
        conn.batch_execute(&format!(
            "update public.peer_mentors set pause_reason = '{stored}' where id = '{CAMILLA}'"
        ))
        .unwrap();
        let before = snapshot(&mut conn);
        assert_ne!(before, untouched, "the snapshot sees a changed reason");
        let attempts: [(&str, Result<(), RepositoryError>); 4] = [
            (
                "resume by a coordinator",
                repo.change_status(&kari(), CAMILLA, Command::Resume, at(0))
                    .map(|_| ()),
            ),
            (
                "deactivate by the service role",
                repo.change_status(&Actor::ServiceRole, CAMILLA, Command::Deactivate, at(0))
                    .map(|_| ()),
            ),
            ("status", repo.status(CAMILLA).map(|_| ())),
            (
                "list",
                repo.list(BERGEN, Some(MentorStatus::Paused)).map(|_| ()),
            ),
        ];
        for (what, result) in attempts {
            let error = result.unwrap_err();
            let RepositoryError::InvalidRow { mentor_id, source } = &error else {
                panic!("{what} with {stored:?}: expected InvalidRow, got {error:?}");
            };
            assert_eq!(*mentor_id, CAMILLA);
            assert!(matches!(source, InvalidRow::InvalidReason(_)), "{source:?}");
            let message = error.to_string();
            assert!(
                message.contains(&format!("the stored status of mentor {CAMILLA} is invalid")),
                "{message}"
            );
            assert!(
                message.contains("pause_reason is not a valid pause reason"),
                "{message}"
            );
            assert!(
                message.contains("correct the row (e.g. set a reason code) before changing it"),
                "{message}"
            );
            // Which rule, one level down the source chain.
            let rule_message = std::error::Error::source(source)
                .map(ToString::to_string)
                .unwrap_or_default();
            assert!(rule_message.contains(rule), "{what}: {rule_message}");
        }
        assert_eq!(snapshot(&mut conn), before, "{stored:?}");
    }
}
