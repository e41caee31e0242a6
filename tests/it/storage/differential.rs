//! Differential test: the database's CHECK constraints and the domain agree on thousands of
//! random `(status, pause_at, pause_reason)` rows.

use std::cell::RefCell;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};
use mentor_status_domain::checks::all_checks_hold;
use mentor_status_domain::{HEALTH_WORDS, InvalidRow, MentorRow, MentorState, MentorStatus};
use mentor_status_storage::DbMentorStatus;
use mentor_status_storage::schema::peer_mentors;
use mentor_status_tests::TestDb;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};

use crate::storage::support::ADA;
use crate::support::national_id_number;

/// Whether PostgreSQL accepts the row (an UPDATE of a seeded mentor, rolled back).
fn database_accepts(conn: &mut PgConnection, row: &MentorRow) -> Result<bool, TestCaseError> {
    let outcome = conn.transaction::<(), Error, _>(|conn| {
        diesel::update(peer_mentors::table.find(ADA.as_uuid()))
            .set((
                peer_mentors::status.eq(DbMentorStatus::from(row.status)),
                peer_mentors::pause_at.eq(row.pause_at),
                peer_mentors::pause_reason.eq(&row.pause_reason),
            ))
            .execute(conn)?;
        Err(Error::RollbackTransaction)
    });
    match outcome {
        Err(Error::RollbackTransaction) | Ok(()) => Ok(true),
        Err(Error::DatabaseError(DatabaseErrorKind::CheckViolation, _)) => Ok(false),
        Err(other) => Err(TestCaseError::fail(format!("{row:?}: {other}"))),
    }
}

fn digits(n: usize) -> impl Strategy<Value = String> {
    proptest::collection::vec(0u8..10, n).prop_map(|d| d.iter().map(|d| d.to_string()).collect())
}

/// Reason texts aimed at the boundaries of both rule sets.
fn reason_text() -> impl Strategy<Value = String> {
    let separator = prop_oneof![
        Just(""),
        Just(" "),
        Just("."),
        Just("-"),
        Just("  "),
        Just("_"),
        Just("/"),
        Just("\u{a0}"),
    ];
    let id_shaped = (digits(6), separator, digits(5)).prop_map(|(a, s, b)| format!("{a}{s}{b}"));
    let filler = prop_oneof![
        Just('a'),
        Just('ø'),
        Just(' '),
        Just('é'),
        Just('😀'),
        Just('1')
    ];
    let long = (195usize..=205, filler).prop_map(|(n, c)| c.to_string().repeat(n));
    let piece = prop_oneof![
        4 => "[a-zA-Z ]{1,12}",
        2 => "[0-9 .\\-]{1,16}",
        1 => id_shaped,
        1 => national_id_number(),
        1 => proptest::sample::select(vec![
            "vacation", "Vacation", " capacity ", "OTHER", "relocation",
        ])
        .prop_map(str::to_owned),
        1 => proptest::sample::select(HEALTH_WORDS).prop_map(str::to_owned),
        1 => proptest::sample::select(vec![
            "Flytter til Tromsø", "ola@example.org", "+47 400 00 001", "2024-01-15",
            "１２３４５６１２３４５", "\u{200b}", "\t", "\n", "e\u{301}", "שלום", "🏔️",
        ])
        .prop_map(str::to_owned),
    ];
    // Longer than 200 characters only with its surrounding spaces, which the domain trims.
    let padded = (" {1,3}", 197usize..=201, " {0,3}")
        .prop_map(|(a, n, b)| format!("{a}{}{b}", "ø".repeat(n)));
    prop_oneof![
        6 => proptest::collection::vec(piece, 1..4).prop_map(|parts| parts.join(" ")),
        2 => long,
        1 => padded,
        1 => (" {0,3}", "[a-z]{1,8}", " {0,3}").prop_map(|(a, b, c)| format!("{a}{b}{c}")),
        1 => Just(String::new()),
        1 => Just("   ".to_owned()),
    ]
}

fn mentor_row() -> impl Strategy<Value = MentorRow> {
    let status = proptest::sample::select(MentorStatus::ALL.to_vec());
    let pause_at = proptest::option::of(
        (-2_000_000_000i64..4_000_000_000, 0u32..1_000_000)
            .prop_map(|(s, us)| DateTime::<Utc>::from_timestamp(s, us * 1000).unwrap()),
    );
    let reason = proptest::option::weighted(0.7, reason_text());
    (status, pause_at, reason).prop_map(|(status, pause_at, pause_reason)| MentorRow {
        status,
        pause_at,
        pause_reason,
    })
}

fn structural(error: &InvalidRow) -> bool {
    !matches!(error, InvalidRow::InvalidReason(_))
}

#[test]
fn the_database_and_the_domain_agree_on_random_rows() {
    let db = TestDb::seeded();
    let conn = RefCell::new(db.conn());
    let mut runner = TestRunner::new(Config {
        cases: 2_000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&mentor_row(), |row| {
            let conn = &mut *conn.borrow_mut();
            let accepted = database_accepts(conn, &row)?;
            // The domain's Rust mirror of the CHECK constraints is exact.
            prop_assert_eq!(accepted, all_checks_hold(&row), "checks mirror: {:?}", row);

            let domain =
                MentorState::from_row(row.status, row.pause_at, row.pause_reason.as_deref());
            // Structure: the database accepts the row's structure iff the domain does.
            // (Probed with a neutral reason, so that the text rules do not interfere.)
            let neutral = MentorRow {
                pause_reason: row.pause_reason.as_ref().map(|_| "vacation".to_owned()),
                ..row.clone()
            };
            let structure_accepted = database_accepts(conn, &neutral)?;
            let domain_structure_ok = !matches!(&domain, Err(e) if structural(e));
            prop_assert_eq!(
                structure_accepted,
                domain_structure_ok,
                "structure: {:?}",
                row
            );

            // Text: whatever the domain accepts, the database accepts in the form the
            // repository writes (the canonical, trimmed text).
            if let Ok(state) = &domain {
                prop_assert!(
                    database_accepts(conn, &state.to_row())?,
                    "the domain accepts {:?} but the database rejects its canonical form",
                    row
                );
                // The raw text too, unless it is longer than 200 characters before trimming
                // (only a padded text: the domain trims before counting).
                let raw_chars = row.pause_reason.as_deref().map_or(0, |t| t.chars().count());
                prop_assert_eq!(accepted, raw_chars <= 200, "raw text: {:?}", row);
            }
            Ok(())
        })
        .unwrap();
}
