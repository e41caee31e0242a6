//! Bad input at the domain parsers gets a clear error (see `input_support.rs`).

use mentor_status_domain::{
    AUDIT_LABEL_MAX_CHARS, AuditLabel, AuditLabelError, InvalidRow, MentorState, MentorStatus,
    PauseReason, ReasonCode, UnknownMentorStatus,
};

use crate::storage::support::at;

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
