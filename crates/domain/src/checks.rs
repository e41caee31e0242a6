//! The database CHECK constraints on `public.peer_mentors`, written once in Rust.
//!
//! Each predicate is named after its constraint and quotes the SQL it mirrors.
//! A predicate returns `true` when PostgreSQL would accept the row for that constraint.
//! (The columns involved are never NULL where the SQL could yield NULL, so SQL's
//! three-valued logic needs no special case here.)
//! The storage crate reuses these predicates to compare them with the real database.

use crate::{MentorRow, MentorStatus};

/// The longest `pause_reason` accepted, counted like PostgreSQL's `char_length`
/// (Unicode scalar values).
pub const PAUSE_REASON_MAX_CHARS: usize = 200;

/// The regular expression `chk_pause_reason_no_national_id` forbids in `pause_reason`.
pub const PAUSE_REASON_FORBIDDEN_PATTERN: &str = "[0-9]{6}[ .-]?[0-9]{5}";

/// One CHECK constraint: its name, its SQL and the Rust predicate that mirrors it.
///
/// Not `PartialEq`: comparing function pointers is not meaningful; compare `name`s.
#[derive(Debug, Clone, Copy)]
pub struct CheckConstraint {
    /// The constraint name in the database, e.g. `chk_pause_at_required`.
    pub name: &'static str,
    /// The SQL expression of the constraint.
    pub sql: &'static str,
    /// The Rust predicate: `true` when the database accepts the row.
    pub holds: fn(&MentorRow) -> bool,
}

/// Every CHECK constraint on the status columns, in migration order.
pub const ALL: [CheckConstraint; 4] = [
    CheckConstraint {
        name: "chk_pause_at_required",
        sql: "status <> 'paused' OR pause_at IS NOT NULL",
        holds: chk_pause_at_required,
    },
    CheckConstraint {
        name: "chk_pause_at_only_when_paused",
        sql: "status = 'paused' OR pause_at IS NULL",
        holds: chk_pause_at_only_when_paused,
    },
    CheckConstraint {
        name: "chk_pause_reason_only_when_paused",
        sql: "status = 'paused' OR pause_reason IS NULL",
        holds: chk_pause_reason_only_when_paused,
    },
    CheckConstraint {
        name: "chk_pause_reason_no_national_id",
        sql: "pause_reason IS NULL OR (char_length(pause_reason) <= 200 AND pause_reason !~ '[0-9]{6}[ .-]?[0-9]{5}')",
        holds: chk_pause_reason_no_national_id,
    },
];

/// `CONSTRAINT chk_pause_at_required CHECK (status <> 'paused' OR pause_at IS NOT NULL)`
#[must_use]
pub fn chk_pause_at_required(row: &MentorRow) -> bool {
    row.status != MentorStatus::Paused || row.pause_at.is_some()
}

/// `CONSTRAINT chk_pause_at_only_when_paused CHECK (status = 'paused' OR pause_at IS NULL)`
#[must_use]
pub fn chk_pause_at_only_when_paused(row: &MentorRow) -> bool {
    row.status == MentorStatus::Paused || row.pause_at.is_none()
}

/// `CONSTRAINT chk_pause_reason_only_when_paused CHECK (status = 'paused' OR pause_reason IS NULL)`
#[must_use]
pub fn chk_pause_reason_only_when_paused(row: &MentorRow) -> bool {
    row.status == MentorStatus::Paused || row.pause_reason.is_none()
}

/// `CONSTRAINT chk_pause_reason_no_national_id CHECK (pause_reason IS NULL OR
/// (char_length(pause_reason) <= 200 AND pause_reason !~ '[0-9]{6}[ .-]?[0-9]{5}'))`,
/// checked on the written value (trigger `peer_mentors_reject_invalid_pause_reason`),
/// together with the guard `private.pause_reason_is_allowed` on the value moved into
/// `private.mentor_pause_reasons` (migration `20261201120000`), which accepts exactly what
/// [`PauseReason::parse`](crate::PauseReason::parse) accepts.
#[must_use]
pub fn chk_pause_reason_no_national_id(row: &MentorRow) -> bool {
    row.pause_reason.as_deref().is_none_or(|text| {
        pause_reason_text_is_accepted(text) && crate::PauseReason::parse(text).is_ok()
    })
}

/// The text part of `chk_pause_reason_no_national_id`:
/// `char_length(pause_reason) <= 200 AND pause_reason !~ '[0-9]{6}[ .-]?[0-9]{5}'`.
#[must_use]
pub fn pause_reason_text_is_accepted(text: &str) -> bool {
    text.chars().count() <= PAUSE_REASON_MAX_CHARS && !matches_forbidden_pattern(text)
}

/// Whether `text` matches the regular expression `[0-9]{6}[ .-]?[0-9]{5}` anywhere
/// (PostgreSQL's `~`: an unanchored search; `[0-9]` is ASCII digits only).
#[must_use]
pub fn matches_forbidden_pattern(text: &str) -> bool {
    // Working on bytes is exact: ASCII bytes never occur inside a multi-byte UTF-8 character.
    let bytes = text.as_bytes();
    let digits_at = |start: usize, count: usize| {
        bytes
            .get(start..start + count)
            .is_some_and(|slice| slice.iter().all(u8::is_ascii_digit))
    };
    (0..bytes.len()).any(|i| {
        digits_at(i, 6)
            && (digits_at(i + 6, 5)
                || (matches!(bytes.get(i + 6), Some(b' ' | b'.' | b'-')) && digits_at(i + 7, 5)))
    })
}

/// Whether the database accepts the row under every CHECK constraint in [`ALL`].
#[must_use]
pub fn all_checks_hold(row: &MentorRow) -> bool {
    ALL.iter().all(|check| (check.holds)(row))
}

/// The names of the constraints the row violates, in the order of [`ALL`]; empty when the
/// database accepts the row.
#[must_use]
pub fn violated_checks(row: &MentorRow) -> Vec<&'static str> {
    ALL.iter()
        .filter(|check| !(check.holds)(row))
        .map(|check| check.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn row(status: MentorStatus, pause_at: bool, reason: Option<&str>) -> MentorRow {
        MentorRow {
            status,
            pause_at: pause_at.then(|| DateTime::from_timestamp(1_700_000_000, 0).unwrap()),
            pause_reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn a_paused_row_without_pause_at_violates_chk_pause_at_required() {
        let r = row(MentorStatus::Paused, false, None);
        assert_eq!(violated_checks(&r), ["chk_pause_at_required"]);
    }

    #[test]
    fn an_active_row_with_pause_at_and_reason_violates_both_only_when_paused_checks() {
        let r = row(MentorStatus::Active, true, Some("vacation"));
        assert_eq!(
            violated_checks(&r),
            [
                "chk_pause_at_only_when_paused",
                "chk_pause_reason_only_when_paused"
            ]
        );
    }

    #[test]
    fn a_reason_over_200_characters_violates_the_text_check() {
        let ok = "ø".repeat(200);
        let too_long = "ø".repeat(201);
        assert!(all_checks_hold(&row(MentorStatus::Paused, true, Some(&ok))));
        assert_eq!(
            violated_checks(&row(MentorStatus::Paused, true, Some(&too_long))),
            ["chk_pause_reason_no_national_id"]
        );
    }

    #[test]
    fn the_forbidden_pattern_matches_like_the_postgres_regex() {
        for text in [
            "12345612345",
            "123456 12345",
            "123456.12345",
            "123456-12345",
            "x123456-123456x",
        ] {
            assert!(matches_forbidden_pattern(text), "{text}");
        }
        for text in [
            "1234512345",
            "123456  12345",
            "123456_12345",
            "12345 612345",
            "１２３４５６１２３４５",
            "",
        ] {
            assert!(!matches_forbidden_pattern(text), "{text}");
        }
    }

    #[test]
    fn valid_rows_pass_every_check() {
        assert!(all_checks_hold(&row(MentorStatus::Active, false, None)));
        assert!(all_checks_hold(&row(MentorStatus::Inactive, false, None)));
        assert!(all_checks_hold(&row(MentorStatus::Paused, true, None)));
        assert!(all_checks_hold(&row(
            MentorStatus::Paused,
            true,
            Some("vacation")
        )));
    }
}
