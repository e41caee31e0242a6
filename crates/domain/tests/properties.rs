//! Property tests of the public API: the state machine against the database CHECK
//! predicates, text round trips, label rules and authorization.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use mentor_status_domain::{
    AccessFacts, Actor, AuditLabel, AuditLabelError, ChapterId, Command, CommandKind, Denied,
    MentorState, MentorStatus, PauseReason, ReasonCode, TargetMentor, UserId, authorize, checks,
    may_read_pause_reason, national_id,
};
use proptest::prelude::*;
use proptest::sample::select;
use proptest::string::string_regex;
use uuid::Uuid;

// ---- strategies ----

fn arb_time() -> impl Strategy<Value = DateTime<Utc>> {
    // 2000-01-01 ..= 2100-01-01, microsecond precision like timestamptz.
    (946_684_800i64..=4_102_444_800, 0u32..1_000_000)
        .prop_filter_map("timestamp in range", |(secs, micros)| {
            DateTime::from_timestamp(secs, micros * 1_000)
        })
}

fn arb_label() -> impl Strategy<Value = AuditLabel> {
    "[A-Za-zÆØÅæøå0-9 ,.:!?()-]{1,80}"
        .prop_filter_map("a valid audit label", |text| AuditLabel::parse(&text).ok())
}

fn arb_reason() -> impl Strategy<Value = PauseReason> {
    prop_oneof![
        select(ReasonCode::ALL.to_vec()).prop_map(PauseReason::Code),
        arb_label().prop_map(PauseReason::Label),
    ]
}

fn arb_state() -> impl Strategy<Value = MentorState> {
    prop_oneof![
        Just(MentorState::Active),
        Just(MentorState::Inactive),
        (arb_time(), proptest::option::of(arb_reason()))
            .prop_map(|(since, reason)| MentorState::Paused { since, reason }),
    ]
}

fn arb_command() -> impl Strategy<Value = Command> {
    prop_oneof![
        proptest::option::of(arb_reason()).prop_map(|reason| Command::Pause { reason }),
        Just(Command::Resume),
        Just(Command::Deactivate),
        Just(Command::Reactivate),
    ]
}

/// Eleven digit values with valid check digits; the first digit is a birth day's first digit
/// (0–3) or, for a D-number, that plus 4 (4–7).
fn arb_national_id() -> impl Strategy<Value = [u8; 11]> {
    (0u8..=7, proptest::array::uniform8(0u8..=9)).prop_filter_map(
        "check digits exist",
        |(first, rest)| {
            let mut nine = [0u8; 9];
            nine[0] = first;
            nine[1..].copy_from_slice(&rest);
            let [k1, k2] = national_id::check_digits(nine)?;
            let mut eleven = [0u8; 11];
            eleven[..9].copy_from_slice(&nine);
            eleven[9] = k1;
            eleven[10] = k2;
            Some(eleven)
        },
    )
}

/// A national id written with an optional space, dot or dash in each of the ten gaps.
fn arb_written_national_id() -> impl Strategy<Value = String> {
    (
        arb_national_id(),
        proptest::collection::vec(
            proptest::option::weighted(0.25, select(vec![' ', '.', '-'])),
            10,
        ),
    )
        .prop_map(|(digits, separators)| {
            let mut text = String::new();
            for (i, digit) in digits.iter().enumerate() {
                text.push(char::from(b'0' + digit));
                if let Some(Some(separator)) = separators.get(i) {
                    text.push(*separator);
                }
            }
            text
        })
}

fn chapters(ids: &[u8], offset: u128) -> BTreeSet<ChapterId> {
    ids.iter()
        .map(|&id| ChapterId::new(Uuid::from_u128(offset + u128::from(id))))
        .collect()
}

/// What an authorization depends on: mentor `target_user` in `target_chapters`, the acting
/// user coordinating `actor_chapters` (their ids shifted by `actor_offset`).
fn access_facts(
    target_user: u128,
    target_chapters: &[u8],
    actor_chapters: &[u8],
    actor_offset: u128,
) -> AccessFacts {
    let target = TargetMentor {
        user_id: UserId::new(Uuid::from_u128(target_user)),
        active_chapters: chapters(target_chapters, 0),
    };
    AccessFacts::new(target, chapters(actor_chapters, actor_offset))
}

/// A coordinator (user 2) acting.
fn coordinator() -> Actor {
    Actor::Coordinator {
        user_id: UserId::new(Uuid::from_u128(2)),
    }
}

/// The transition table on statuses alone, written independently of `apply`.
fn reference_next_status(from: MentorStatus, command: CommandKind) -> Option<MentorStatus> {
    use CommandKind as C;
    use MentorStatus as S;
    match (from, command) {
        (S::Active, C::Pause) => Some(S::Paused),
        (S::Paused, C::Resume) | (S::Inactive, C::Reactivate) => Some(S::Active),
        (S::Active | S::Paused, C::Deactivate) => Some(S::Inactive),
        _ => None,
    }
}

// ---- properties ----

proptest! {
    #[test]
    fn any_command_sequence_from_any_state_only_produces_rows_the_database_accepts(
        start in arb_state(),
        steps in proptest::collection::vec((arb_command(), arb_time()), 0..40),
    ) {
        let mut current = start;
        for (command, now) in steps {
            let kind = command.kind();
            let expected = reference_next_status(current.status(), kind);
            match current.apply(command.clone(), now) {
                Ok(transition) => {
                    prop_assert_eq!(transition.from(), &current);
                    prop_assert_eq!(Some(transition.to().status()), expected);
                    prop_assert_eq!(transition.at(), now);
                    prop_assert_eq!(transition.command_kind(), kind);
                    // `between` names this command for exactly the status it reached.
                    for to in MentorStatus::ALL {
                        prop_assert_eq!(
                            CommandKind::between(current.status(), to) == Some(kind),
                            to == transition.to().status(),
                            "{} -> {}", current.status(), to
                        );
                    }
                    if let Command::Pause { reason } = command {
                        prop_assert_eq!(
                            transition.to(),
                            &MentorState::Paused { since: now, reason }
                        );
                    }
                    current = transition.to().clone();
                }
                Err(_) => {
                    prop_assert_eq!(expected, None);
                    // `between` never names a command the state machine refuses here.
                    let named_anyway = MentorStatus::ALL
                        .iter()
                        .any(|&to| CommandKind::between(current.status(), to) == Some(kind));
                    prop_assert!(!named_anyway);
                }
            }
            let row = current.to_row();
            prop_assert!(checks::chk_pause_at_required(&row));
            prop_assert!(checks::chk_pause_at_only_when_paused(&row));
            prop_assert!(checks::chk_pause_reason_only_when_paused(&row));
            prop_assert!(checks::chk_pause_reason_no_national_id(&row));
            prop_assert!(checks::all_checks_hold(&row));
            prop_assert!(checks::violated_checks(&row).is_empty());
        }
    }

    #[test]
    fn from_row_of_to_row_gives_back_the_same_state(state in arb_state()) {
        let row = state.to_row();
        prop_assert_eq!(
            MentorState::from_row(row.status, row.pause_at, row.pause_reason.as_deref()),
            Ok(state)
        );
    }

    #[test]
    fn a_pause_reason_parses_back_from_its_text(reason in arb_reason()) {
        prop_assert_eq!(PauseReason::parse(reason.as_str()), Ok(reason));
    }

    #[test]
    fn parsing_arbitrary_unicode_never_panics_and_accepted_text_fits_the_database(
        text in any::<String>(),
    ) {
        if let Ok(reason) = PauseReason::parse(&text) {
            prop_assert!(checks::pause_reason_text_is_accepted(reason.as_str()));
            prop_assert_eq!(PauseReason::parse(reason.as_str()), Ok(reason));
        }
    }

    #[test]
    fn parsing_digit_heavy_text_never_panics_and_accepted_text_fits_the_database(
        text in "[0-9 .+@a-z-]{0,250}",
    ) {
        if let Ok(reason) = PauseReason::parse(&text) {
            prop_assert!(checks::pause_reason_text_is_accepted(reason.as_str()));
            prop_assert!(!checks::matches_forbidden_pattern(reason.as_str()));
            prop_assert_eq!(PauseReason::parse(reason.as_str()), Ok(reason));
        }
    }

    #[test]
    fn any_text_the_forbidden_pattern_matches_is_rejected(
        before in "[a-z0-9 .-]{0,20}",
        matched in string_regex(checks::PAUSE_REASON_FORBIDDEN_PATTERN).unwrap(),
        after in "[a-z0-9 .-]{0,20}",
    ) {
        let text = format!("{before}{matched}{after}");
        prop_assert!(checks::matches_forbidden_pattern(&text));
        prop_assert!(PauseReason::parse(&text).is_err());
    }

    #[test]
    fn a_national_id_anywhere_in_an_otherwise_valid_label_is_rejected(
        base in prop_oneof![Just(String::new()), arb_label().prop_map(String::from)],
        position in any::<proptest::sample::Index>(),
        number in arb_written_national_id(),
    ) {
        let chars: Vec<char> = base.chars().collect();
        let at = position.index(chars.len() + 1);
        let text: String = chars[..at]
            .iter()
            .copied()
            .chain(number.chars())
            .chain(chars[at..].iter().copied())
            .collect();
        prop_assert_eq!(
            AuditLabel::parse(&text),
            Err(AuditLabelError::NationalIdentityNumber)
        );
        prop_assert!(PauseReason::parse(&text).is_err());
    }

    #[test]
    fn a_coordinator_sharing_no_chapter_is_denied_every_command(
        target_chapters in proptest::collection::vec(0u8..50, 0..4),
        coordinator_chapters in proptest::collection::vec(0u8..50, 0..4),
        command in arb_command(),
    ) {
        // A different offset makes the two sets disjoint.
        let facts = access_facts(1, &target_chapters, &coordinator_chapters, 1_000);
        prop_assert_eq!(authorize(&coordinator(), &facts, &command), Err(Denied::NotSameChapter));
        prop_assert!(!may_read_pause_reason(&coordinator(), &facts));
    }

    #[test]
    fn a_coordinator_sharing_a_chapter_is_allowed_every_command(
        shared in 0u8..50,
        target_chapters in proptest::collection::vec(0u8..50, 0..4),
        coordinator_chapters in proptest::collection::vec(0u8..50, 0..4),
        command in arb_command(),
    ) {
        let mut target_chapters = target_chapters;
        let mut coordinator_chapters = coordinator_chapters;
        target_chapters.push(shared);
        coordinator_chapters.push(shared);
        let facts = access_facts(1, &target_chapters, &coordinator_chapters, 0);
        prop_assert_eq!(authorize(&coordinator(), &facts, &command), Ok(()));
        prop_assert!(may_read_pause_reason(&coordinator(), &facts));
    }

    #[test]
    fn the_service_role_is_allowed_every_command_the_state_machine_allows(
        state in arb_state(),
        command in arb_command(),
        now in arb_time(),
        target_user in any::<u128>(),
        target_chapters in proptest::collection::vec(0u8..50, 0..4),
        actor_chapters in proptest::collection::vec(0u8..50, 0..4),
    ) {
        // Whoever the mentor is, wherever they are a member, and whatever chapters the
        // acting user happens to coordinate: the service role is allowed, and may read the
        // reason.
        let facts = access_facts(target_user, &target_chapters, &actor_chapters, 0);
        prop_assert_eq!(authorize(&Actor::ServiceRole, &facts, &command), Ok(()));
        prop_assert!(may_read_pause_reason(&Actor::ServiceRole, &facts));
        // So what the service role may do in a state is exactly what the state machine
        // allows there: authorization adds no condition of its own.
        let allowed = authorize(&Actor::ServiceRole, &facts, &command).is_ok()
            && state.apply(command.clone(), now).is_ok();
        prop_assert_eq!(
            allowed,
            reference_next_status(state.status(), command.kind()).is_some()
        );
    }

    #[test]
    fn a_mentor_is_allowed_exactly_pause_without_label_and_resume_on_themselves(
        command in arb_command(),
        other in any::<bool>(),
    ) {
        let me = UserId::new(Uuid::from_u128(1));
        let target = AccessFacts::new(
            TargetMentor::new(if other { UserId::new(Uuid::from_u128(3)) } else { me }, []),
            [],
        );
        let allowed = authorize(&Actor::Mentor { user_id: me }, &target, &command).is_ok();
        let expected = !other
            && match &command {
                Command::Pause { reason } => !reason.as_ref().is_some_and(PauseReason::is_label),
                Command::Resume => true,
                Command::Deactivate | Command::Reactivate => false,
            };
        prop_assert_eq!(allowed, expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn parsing_huge_inputs_never_panics(
        text in proptest::collection::vec(any::<char>(), 0..100_000)
            .prop_map(|chars| chars.into_iter().collect::<String>()),
        digits in "[0-9 ]{1000,5000}",
        reason in arb_reason(),
        before in 0usize..50_000,
        after in 0usize..50_000,
        blank in select(vec![' ', '\t', '\n']),
    ) {
        prop_assert!(PauseReason::parse(&text).is_err() || text.trim().chars().count() <= 200);
        prop_assert!(PauseReason::parse(&digits).is_err());
        // Any reason, code or label, padded with up to 100 000 blanks parses back to itself.
        let pad = |n: usize| std::iter::repeat_n(blank, n).collect::<String>();
        let padded = format!("{}{}{}", pad(before), reason.as_str(), pad(after));
        prop_assert_eq!(PauseReason::parse(&padded), Ok(reason));
    }
}
