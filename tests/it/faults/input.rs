//! Bad input at every entry point gets a clear error and changes nothing (issue 7, fault
//! test 4).
//!
//! The entry points, outside in:
//! - the domain parsers (`MentorStatus::from_str`, `PauseReason::parse`, `AuditLabel::parse`,
//!   `MentorState::from_row`): pure, so "nothing changed" is trivially true; timestamps reach
//!   them already typed (`DateTime<Utc>`), so a malformed one cannot get that far;
//! - the Rust repository (`MentorStatusRepository`);
//! - the database as clients reach it: the status RPCs as `authenticated` and `service_role`
//!   (set up as PostgREST does), and direct SQL as the service role and as the owner;
//! - the `cargo xtask` commands that take a version or a name.
//!
//! Every database case compares, read as the owner `postgres`, the mentor rows, the audit
//! trail, the outbox and the migration history before and after (see [`Snapshot`]).

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command as Process;
use std::sync::OnceLock;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_domain::{
    AUDIT_LABEL_MAX_CHARS, Actor, AuditLabel, AuditLabelError, Command, InvalidRow, MentorState,
    MentorStatus, PauseReason, ReasonCode, UnknownMentorStatus,
};
use mentor_status_localdb::fingerprint::{diff, fingerprint};
use mentor_status_storage::migrations::{Migrations, Migrator};
use mentor_status_storage::{MentorId, RepositoryError};
use mentor_status_tests::{TestDb, project_root};
use uuid::Uuid;

use crate::access::support::Caller;
use crate::storage::support::{ADA, BERGEN, CAMILLA, at, kari, repository, user};
use crate::support::{int, relation_exists, text};

/// A mentor id no seeded row has.
const NOBODY: MentorId = MentorId::new(crate::seed_ids::mentors::NOBODY);

/// The status RPCs (20261126140300), all called with only a mentor id.
const RPCS: [&str; 4] = [
    "pause_mentor",
    "resume_mentor",
    "deactivate_mentor",
    "reactivate_mentor",
];

fn ada_user() -> Caller {
    Caller::User(*user(1).as_uuid())
}

fn kari_user() -> Caller {
    Caller::User(*user(0x11).as_uuid())
}

// ---------------------------------------------------------------------------------------
// What must not change.
// ---------------------------------------------------------------------------------------

/// Row count and a hash of the full rows of every table a fault could touch, read as the
/// owner. A table that does not exist (yet) is recorded as absent.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Snapshot(Vec<String>);

const WATCHED: [&str; 6] = [
    "public.peer_mentors",
    "public.mentor_status_changes",
    "public.status_notifications",
    "private.mentor_pause_reasons",
    "private.mentor_status_change_reasons",
    "supabase_migrations.schema_migrations",
];

fn snapshot(conn: &mut PgConnection) -> Snapshot {
    Snapshot(
        WATCHED
            .iter()
            .map(|table| {
                if !relation_exists(conn, table) {
                    return format!("{table}: absent");
                }
                text(
                    conn,
                    &format!(
                        "select '{table}: ' || count(*) || ' rows ' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '-') as v
                           from {table} as t"
                    ),
                )
            })
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------
// Running SQL as a Data API role or as the owner, keeping SQLSTATE, message, hint.
// ---------------------------------------------------------------------------------------

/// Who runs a statement.
#[derive(Debug, Clone, Copy)]
enum Who {
    /// The table owner `postgres` (migrations, the SQL console).
    Owner,
    /// A Data API role with its JWT claims, as PostgREST sets them up.
    Api(Caller),
}

/// A statement's error, with the fields a client sees (PostgREST passes code, message,
/// details and hint on).
#[derive(Debug, Clone, PartialEq, Eq)]
struct SqlError {
    sqlstate: String,
    message: String,
    detail: String,
    hint: String,
    constraint: String,
}

impl SqlError {
    /// Asserts the SQLSTATE and that the message contains every fragment.
    #[track_caller]
    fn assert(&self, sqlstate: &str, fragments: &[&str]) {
        assert_eq!(self.sqlstate, sqlstate, "{self:?}");
        for fragment in fragments {
            assert!(
                self.message.contains(fragment),
                "message lacks {fragment:?}: {self:?}"
            );
        }
    }
}

/// Runs `sql` as `who` in its own committed transaction (a failing statement is caught in a
/// subtransaction, as its own request would be rolled back). Returns the rows it returned or
/// changed, or its error.
fn run_sql(conn: &mut PgConnection, who: Who, sql: &str) -> Result<i64, SqlError> {
    assert!(!sql.contains("$fault_sql$"), "{sql}");
    let preamble = match who {
        Who::Owner => String::new(),
        Who::Api(caller) => {
            let (role, claims) = match caller {
                Caller::Anon => ("anon", r#"{"role":"anon"}"#.to_owned()),
                Caller::User(id) => (
                    "authenticated",
                    format!(r#"{{"sub":"{id}","role":"authenticated"}}"#),
                ),
                Caller::ServiceRole => ("service_role", r#"{"role":"service_role"}"#.to_owned()),
            };
            format!(
                "set local role {role}; select set_config('request.jwt.claims', '{claims}', true);"
            )
        }
    };
    let block = format!(
        "do $fault$
         declare
           n bigint;
           st text; msg text; det text; hin text; con text;
         begin
           execute $fault_sql$ {sql} $fault_sql$;
           get diagnostics n = row_count;
           perform set_config('faults_input.outcome', 'done' || chr(31) || n, true);
         exception when others then
           get stacked diagnostics st = returned_sqlstate, msg = message_text,
                                   det = pg_exception_detail, hin = pg_exception_hint,
                                   con = constraint_name;
           perform set_config('faults_input.outcome',
                              concat_ws(chr(31), 'failed', st, msg, det, hin, con), true);
         end
         $fault$;"
    );
    let recorded = conn
        .transaction::<_, diesel::result::Error, _>(|conn| {
            if !preamble.is_empty() {
                conn.batch_execute(&preamble)?;
            }
            conn.batch_execute(&block)?;
            conn.batch_execute("reset role; select set_config('request.jwt.claims', '', true);")?;
            Ok(text(
                conn,
                "select current_setting('faults_input.outcome') as v",
            ))
        })
        .unwrap_or_else(|e| panic!("running {sql} as {who:?}: {e}"));
    let parts: Vec<&str> = recorded.split('\u{1f}').collect();
    match parts.as_slice() {
        ["done", rows] => Ok(rows.parse().unwrap()),
        ["failed", sqlstate, message, detail, hint, constraint] => Err(SqlError {
            sqlstate: (*sqlstate).to_owned(),
            message: (*message).to_owned(),
            detail: (*detail).to_owned(),
            hint: (*hint).to_owned(),
            constraint: (*constraint).to_owned(),
        }),
        _ => panic!("unexpected outcome record {recorded:?}"),
    }
}

/// Runs `sql` as `who`, expecting an error, and checks that nothing changed.
#[track_caller]
fn refused(conn: &mut PgConnection, who: Who, sql: &str) -> SqlError {
    let before = snapshot(conn);
    let error = match run_sql(conn, who, sql) {
        Ok(rows) => panic!("{sql} as {who:?} succeeded ({rows} rows), expected an error"),
        Err(error) => error,
    };
    assert_eq!(snapshot(conn), before, "{sql} as {who:?} changed data");
    error
}

fn rpc(function: &str, mentor_id: &str) -> String {
    format!("select * from public.{function}(mentor_id => {mentor_id})")
}

fn quoted(id: impl std::fmt::Display) -> String {
    format!("'{id}'")
}

// ---------------------------------------------------------------------------------------
// (a) The domain parsers.
// ---------------------------------------------------------------------------------------

#[test]
fn an_unknown_status_label_is_rejected_by_the_domain_parser_naming_the_valid_labels() {
    for label in [
        "paused2",
        "Paused",
        " active",
        "inactive ",
        "",
        "aktiv",
        "paused\0",
    ] {
        let error = label.parse::<MentorStatus>().unwrap_err();
        assert_eq!(error, UnknownMentorStatus, "{label:?}");
        let message = error.to_string();
        assert!(message.contains("unknown mentor status"), "{message}");
        assert!(
            message.contains("expected one of: active, paused, inactive"),
            "{message}"
        );
    }
}

#[test]
fn an_oversize_reason_is_rejected_by_the_domain_parsers_with_its_length_and_the_limit() {
    assert_eq!(AUDIT_LABEL_MAX_CHARS, 200);
    // Counted in characters (PostgreSQL's char_length), after trimming.
    assert!(PauseReason::parse(&"å".repeat(200)).is_ok());
    assert!(PauseReason::parse(&format!("  {}  ", "x".repeat(200))).is_ok());
    for (text, chars) in [
        ("x".repeat(201), 201),
        ("å".repeat(201), 201),
        ("x".repeat(10_000), 10_000),
    ] {
        let expected = AuditLabelError::TooLong { chars };
        assert_eq!(PauseReason::parse(&text), Err(expected));
        assert_eq!(AuditLabel::parse(&text), Err(expected));
        let message = expected.to_string();
        assert!(
            message.contains(&format!(
                "must be at most 200 characters, this one has {chars}"
            )),
            "{message}"
        );
    }
}

#[test]
fn a_reason_that_is_neither_a_code_nor_an_acceptable_label_is_rejected_saying_which_rule() {
    for (text, expected, fragment) in [
        (
            "Vacation",
            AuditLabelError::IsReasonCode {
                code: ReasonCode::Vacation,
            },
            "use the code instead of a free-text label",
        ),
        (
            "   ",
            AuditLabelError::Empty,
            "an audit label must not be empty",
        ),
        (
            "nr 123456-12345",
            AuditLabelError::DatabaseNumberPattern,
            "must not contain six digits followed by five digits",
        ),
        (
            "sick leave",
            AuditLabelError::HealthTerm,
            "must not contain health information",
        ),
    ] {
        assert_eq!(PauseReason::parse(text), Err(expected), "{text:?}");
        let message = expected.to_string();
        assert!(message.contains(fragment), "{message}");
        assert!(!message.contains("12345"), "never echoes digits: {message}");
    }
}

#[test]
fn a_row_the_checks_forbid_is_rejected_by_from_row_naming_the_constraint() {
    let t = at(0);
    let cases = [
        (
            MentorState::from_row(MentorStatus::Paused, None, Some("vacation")),
            InvalidRow::PausedWithoutPauseAt,
            "chk_pause_at_required",
        ),
        (
            MentorState::from_row(MentorStatus::Active, Some(t), None),
            InvalidRow::PauseAtWhenNotPaused {
                status: MentorStatus::Active,
            },
            "pause_at must be NULL when status is active (chk_pause_at_only_when_paused)",
        ),
        (
            MentorState::from_row(MentorStatus::Inactive, None, Some("vacation")),
            InvalidRow::ReasonWhenNotPaused {
                status: MentorStatus::Inactive,
            },
            "pause_reason must be NULL when status is inactive (chk_pause_reason_only_when_paused)",
        ),
        (
            MentorState::from_row(MentorStatus::Paused, Some(t), Some(&"x".repeat(201))),
            InvalidRow::InvalidReason(AuditLabelError::TooLong { chars: 201 }),
            "pause_reason is not a valid pause reason",
        ),
    ];
    for (result, expected, fragment) in cases {
        assert_eq!(result, Err(expected));
        assert!(expected.to_string().contains(fragment), "{expected}");
    }
    // The reason's own rule is the error's source.
    let source = std::error::Error::source(&InvalidRow::InvalidReason(AuditLabelError::TooLong {
        chars: 201,
    }))
    .map(ToString::to_string);
    assert_eq!(
        source.as_deref(),
        Some("an audit label must be at most 200 characters, this one has 201")
    );
}

// ---------------------------------------------------------------------------------------
// (b) The Rust repository.
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// (c) The database as clients reach it: the RPCs.
// ---------------------------------------------------------------------------------------

#[test]
fn the_status_rpcs_refuse_a_non_existent_mentor_for_every_caller_and_change_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for function in RPCS {
        let sql = rpc(function, &quoted(NOBODY));
        // Only the service role learns that the id does not exist ...
        refused(&mut conn, Who::Api(Caller::ServiceRole), &sql)
            .assert("PT404", &["no mentor with this id"]);
        // ... everyone else is refused as for a mentor they may not change, so ids cannot be
        // probed (20261126140300).
        refused(&mut conn, Who::Api(ada_user()), &sql)
            .assert("42501", &["a mentor may only change their own status"]);
        refused(&mut conn, Who::Api(kari_user()), &sql).assert(
            "42501",
            &["the coordinator shares no active chapter with the mentor"],
        );
        // A JSON null is no mentor either.
        refused(
            &mut conn,
            Who::Api(Caller::ServiceRole),
            &rpc(function, "null"),
        )
        .assert("PT404", &["no mentor with this id"]);
    }
}

#[test]
fn the_pause_rpc_refuses_an_oversize_or_free_text_reason_and_changes_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for reason in [
        "repeat('x', 201)",
        "repeat('å', 10000)",
        "'Vacation'",
        "'on leave until June'",
        "'nr 010190 12481'",
        "''",
    ] {
        let sql =
            format!("select * from public.pause_mentor(mentor_id => '{ADA}', reason => {reason})");
        for caller in [Caller::ServiceRole, kari_user()] {
            let error = refused(&mut conn, Who::Api(caller), &sql);
            error.assert(
                "22023",
                &[
                    "a pause reason given here must be a reason code: vacation, personal, capacity, training, relocation or other",
                ],
            );
            assert!(
                error
                    .hint
                    .contains("Free-text labels are recorded through the backend"),
                "{error:?}"
            );
        }
        // The mentor themself is refused as the domain refuses them.
        refused(&mut conn, Who::Api(ada_user()), &sql).assert(
            "42501",
            &["a mentor may pause only with a reason code or no reason, not a free-text label"],
        );
    }
}

#[test]
fn the_status_rpcs_refuse_a_malformed_mentor_id_naming_the_type_and_the_value() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for function in RPCS {
        for bad in [
            "not-a-uuid",
            "b0000000-0000-4000-8000-00000000001",
            "b0000000-0000-4000-8000-0000000000011",
            "",
        ] {
            for caller in [Caller::ServiceRole, kari_user(), ada_user()] {
                refused(&mut conn, Who::Api(caller), &rpc(function, &quoted(bad))).assert(
                    "22P02",
                    &[&format!("invalid input syntax for type uuid: \"{bad}\"")],
                );
            }
        }
    }
}

#[test]
fn the_status_rpcs_take_no_time_from_the_client_so_a_pause_at_argument_matches_no_function() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for pause_at in [
        "2026-13-45",
        "yesterday-ish",
        "2026-11-26 12:00 Mars/Olympus",
    ] {
        let sql = format!(
            "select * from public.pause_mentor(mentor_id => '{ADA}', pause_at => '{pause_at}')"
        );
        for caller in [Caller::ServiceRole, kari_user()] {
            let error = refused(&mut conn, Who::Api(caller), &sql);
            error.assert(
                "42883",
                &["function public.pause_mentor(mentor_id => unknown, pause_at => unknown) does not exist"],
            );
            assert!(
                error
                    .hint
                    .contains("No function matches the given name and argument types"),
                "{error:?}"
            );
        }
    }
}

#[test]
fn an_unknown_status_label_from_a_client_is_invalid_text_naming_the_type_and_the_value() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for sql in [
        // PostgREST: GET /peer_mentors?select=id&status=eq.paused2
        "select id from public.peer_mentors where status = 'paused2'",
        "select 'paused2'::public.mentor_status",
        "select id from public.peer_mentors where status = 'Paused'",
    ] {
        for caller in [Caller::ServiceRole, kari_user(), ada_user()] {
            let error = refused(&mut conn, Who::Api(caller), sql);
            error.assert("22P02", &["invalid input value for enum mentor_status: \""]);
        }
    }
}

// ---------------------------------------------------------------------------------------
// (c) Direct SQL as the service role and as the owner.
// ---------------------------------------------------------------------------------------

const DIRECT: [Who; 2] = [Who::Api(Caller::ServiceRole), Who::Owner];

#[test]
fn direct_sql_with_an_unknown_status_label_fails_with_22p02_naming_the_type_and_changes_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for who in DIRECT {
        for label in ["paused2", "PAUSED", "deleted"] {
            refused(
                &mut conn,
                who,
                &format!("update public.peer_mentors set status = '{label}' where id = '{ADA}'"),
            )
            .assert(
                "22P02",
                &[&format!(
                    "invalid input value for enum mentor_status: \"{label}\""
                )],
            );
        }
    }
}

#[test]
fn direct_sql_with_a_malformed_pause_at_fails_with_a_datetime_error_naming_the_value_and_changes_nothing()
 {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for who in DIRECT {
        for (pause_at, sqlstate, fragment) in [
            (
                "2026-13-45",
                "22008",
                "date/time field value out of range: \"2026-13-45\"",
            ),
            (
                "2026-02-30 10:00+00",
                "22008",
                "date/time field value out of range: \"2026-02-30 10:00+00\"",
            ),
            (
                "yesterday-ish",
                "22007",
                "invalid input syntax for type timestamp with time zone: \"yesterday-ish\"",
            ),
            (
                "2026-11-26 12:00 Mars/Olympus",
                "22023",
                "time zone \"mars/olympus\" not recognized",
            ),
            (
                "2026-11-26 12:00+25",
                "22009",
                "time zone displacement out of range: \"2026-11-26 12:00+25\"",
            ),
        ] {
            // On an active mentor (a pause) and on a paused one (moving the pause).
            for (id, set) in [(ADA, "status = 'paused', pause_at"), (CAMILLA, "pause_at")] {
                refused(
                    &mut conn,
                    who,
                    &format!(
                        "update public.peer_mentors set {set} = '{pause_at}' where id = '{id}'"
                    ),
                )
                .assert(sqlstate, &[fragment]);
            }
        }
    }
}

#[test]
fn direct_sql_with_an_oversize_reason_fails_with_23514_naming_the_constraint_and_changes_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for who in DIRECT {
        for reason in [
            "repeat('x', 201)",
            "repeat('å', 201)",
            "repeat('x', 100000)",
        ] {
            for (id, set) in [
                (ADA, "status = 'paused', pause_at = now(), pause_reason"),
                (CAMILLA, "pause_reason"),
            ] {
                let error = refused(
                    &mut conn,
                    who,
                    &format!("update public.peer_mentors set {set} = {reason} where id = '{id}'"),
                );
                error.assert(
                    "23514",
                    &[
                        "pause_reason violates chk_pause_reason_no_national_id: at most 200 characters",
                    ],
                );
                assert_eq!(error.constraint, "chk_pause_reason_no_national_id");
            }
        }
    }
    // The limit is characters, as in the domain: 200 multi-byte characters fit.
    for who in DIRECT {
        assert_eq!(
            run_sql(
                &mut conn,
                who,
                &format!(
                    "update public.peer_mentors set pause_reason = repeat('å', 200) where id = '{CAMILLA}'"
                )
            ),
            Ok(1)
        );
    }
}

#[test]
fn direct_sql_updating_a_non_existent_mentor_changes_no_row() {
    // Plain SQL semantics: an UPDATE matching no row is not an error (PostgREST answers an
    // empty result). Clients that need "no such mentor" use the RPCs (PT404 above).
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let before = snapshot(&mut conn);
    for who in DIRECT {
        assert_eq!(
            run_sql(
                &mut conn,
                who,
                &format!(
                    "update public.peer_mentors set status = 'inactive' where id = '{NOBODY}'"
                )
            ),
            Ok(0)
        );
    }
    assert_eq!(snapshot(&mut conn), before);
}

// ---------------------------------------------------------------------------------------
// (d) cargo xtask.
// ---------------------------------------------------------------------------------------

/// The xtask binary, built once per test run with the same cargo (and target folder) as the
/// tests. Running the binary itself, not `cargo run`, keeps cargo's output and its build
/// lock out of the tests that run it.
fn xtask_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| {
        let output = Process::new(env!("CARGO"))
            .args([
                "build",
                "--quiet",
                "-p",
                "xtask",
                "--message-format=json-render-diagnostics",
            ])
            .current_dir(project_root())
            .output()
            .expect("cargo runs");
        assert!(
            output.status.success(),
            "building xtask failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let messages = String::from_utf8(output.stdout).expect("cargo writes UTF-8 JSON");
        messages
            .lines()
            .filter(|line| line.contains(r#""reason":"compiler-artifact""#))
            .filter_map(|line| line.split_once(r#""executable":""#))
            .filter_map(|(_, rest)| rest.split('"').next())
            .map(PathBuf::from)
            .find(|path| path.file_stem().is_some_and(|stem| stem == "xtask"))
            .unwrap_or_else(|| panic!("cargo reported no xtask executable:\n{messages}"))
    })
}

/// What one xtask run printed.
#[derive(Debug)]
struct XtaskRun {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl XtaskRun {
    #[track_caller]
    fn assert_refused(&self, exit_code: i32, fragments: &[&str]) {
        assert_eq!(self.code, Some(exit_code), "{self:#?}");
        for fragment in fragments {
            assert!(
                self.stderr.contains(fragment),
                "stderr lacks {fragment:?}: {self:#?}"
            );
        }
    }
}

fn xtask(database_url: &str, args: &[&str]) -> XtaskRun {
    let output = Process::new(xtask_binary())
        .args(args)
        .env("DATABASE_URL", database_url)
        .current_dir(project_root())
        .output()
        .expect("xtask runs");
    XtaskRun {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// A version between two real ones, that no file has: a runner that did not refuse it
/// would apply (or revert) migrations on both sides of it.
fn unknown_version() -> String {
    let version = "20261126120001".to_owned();
    let embedded = Migrations::embedded();
    assert!(embedded.get(&version).is_none());
    assert!(embedded.iter().any(|m| m.version() < version.as_str()));
    assert!(embedded.iter().any(|m| m.version() > version.as_str()));
    version
}

/// Data, history and schema: all an xtask refusal must leave alone.
fn everything(conn: &mut PgConnection) -> (Snapshot, Vec<String>) {
    (snapshot(conn), fingerprint(conn).unwrap())
}

#[track_caller]
fn assert_unchanged(conn: &mut PgConnection, before: &(Snapshot, Vec<String>)) {
    let after = everything(conn);
    assert_eq!(after.0, before.0);
    assert_eq!(diff(&before.1, &after.1), Vec::<String>::new());
}

#[test]
fn xtask_migrate_up_to_an_unknown_version_refuses_before_applying_anything() {
    let db = TestDb::platform();
    let mut conn = db.conn();
    let first = Migrations::embedded()
        .iter()
        .next()
        .unwrap()
        .version()
        .to_owned();
    Migrator::new(&mut conn).up(Some(&first)).unwrap();
    let before = everything(&mut conn);
    let version = unknown_version();

    let run = xtask(db.url(), &["migrate", "up", "--to", &version]);
    run.assert_refused(
        1,
        &[&format!(
            "error: no migration has version {version}: `migrate status` lists the versions"
        )],
    );
    assert_unchanged(&mut conn, &before);
}

#[test]
fn xtask_migrate_down_to_an_unknown_version_refuses_before_reverting_anything() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let before = everything(&mut conn);
    let version = unknown_version();

    let run = xtask(db.url(), &["migrate", "down", "--to", &version]);
    run.assert_refused(
        1,
        &[&format!(
            "error: no migration has version {version}: `migrate status` lists the versions"
        )],
    );
    assert_unchanged(&mut conn, &before);
}

#[test]
fn xtask_migrate_down_last_zero_or_not_a_number_is_refused_and_reverts_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    let before = everything(&mut conn);

    // Usage errors (clap's, and ours in its value parser) exit with 2.
    xtask(db.url(), &["migrate", "down", "--last", "0"]).assert_refused(
        2,
        &[
            "invalid value '0' for '--last <LAST>': 0 would revert nothing",
            "(1 or more)",
            "`cargo xtask migrate status` lists them",
        ],
    );
    xtask(db.url(), &["migrate", "down", "--last", "-1"])
        .assert_refused(2, &["unexpected argument '-1'"]);
    xtask(db.url(), &["migrate", "down", "--last", "two"]).assert_refused(
        2,
        &["invalid value 'two' for '--last <LAST>': invalid digit found in string"],
    );
    assert_unchanged(&mut conn, &before);
}

#[test]
fn xtask_db_reset_to_an_unknown_version_refuses_before_dropping_the_database() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    conn.batch_execute(
        "create table public.faults_input_marker (note text not null);
         insert into public.faults_input_marker values ('db-reset would drop this');",
    )
    .unwrap();
    let oid = text(
        &mut conn,
        "select oid::text as v from pg_database where datname = current_database()",
    );
    let before = everything(&mut conn);
    let version = unknown_version();

    let run = xtask(db.url(), &["db-reset", "--version", &version]);
    run.assert_refused(
        1,
        &[&format!(
            "error: no migration has version {version}: `cargo xtask migrate status` lists the versions"
        )],
    );
    assert!(
        !run.stdout.contains("recreate the database"),
        "it refused before starting to recreate: {run:#?}"
    );
    // The same connection still works: the database was never dropped.
    assert_eq!(
        text(
            &mut conn,
            "select oid::text as v from pg_database where datname = current_database()"
        ),
        oid
    );
    assert_eq!(
        text(
            &mut conn,
            "select string_agg(note, ',') as v from public.faults_input_marker"
        ),
        "db-reset would drop this"
    );
    assert_unchanged(&mut conn, &before);
}

fn files_in(folder: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(project_root().join(folder))
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn xtask_new_with_a_name_that_is_not_snake_case_refuses_and_creates_no_file() {
    // `new` writes into the real supabase/ folder, so only its refusals are run here. It
    // needs no database; the URL only keeps it off the local cluster if that changes.
    let db = TestDb::platform();
    let migrations = files_in("supabase/migrations");
    let rollbacks = files_in("supabase/rollbacks");
    for (name, suggestion) in [
        ("Bad Name", "bad_name"),
        ("add-mentor-index", "add_mentor_index"),
        ("../../escape", "______escape"),
        ("AddIndex", "addindex"),
    ] {
        xtask(db.url(), &["new", name]).assert_refused(
            1,
            &[&format!(
                "error: migration names are snake_case (a-z, 0-9, _): {name:?} is not; try {suggestion:?}"
            )],
        );
    }
    assert_eq!(files_in("supabase/migrations"), migrations);
    assert_eq!(files_in("supabase/rollbacks"), rollbacks);
}

#[test]
fn the_seeded_ids_used_here_exist_and_the_unknown_one_does_not() {
    // Guards the cases above against a seed change turning them vacuous.
    let db = TestDb::seeded();
    let mut conn = db.conn();
    for (id, expected) in [
        (*ADA.as_uuid(), 1),
        (*CAMILLA.as_uuid(), 1),
        (*NOBODY.as_uuid(), 0),
        (Uuid::nil(), 0),
    ] {
        assert_eq!(
            int(
                &mut conn,
                &format!("select count(*) as v from public.peer_mentors where id = '{id}'")
            ),
            expected,
            "{id}"
        );
    }
    assert_eq!(
        text(
            &mut conn,
            &format!("select status::text as v from public.peer_mentors where id = '{CAMILLA}'")
        ),
        "paused"
    );
}
