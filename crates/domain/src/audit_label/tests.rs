//! The rules of [`AuditLabel::parse`](super::AuditLabel::parse), case by case.

use super::*;
use crate::national_id::test_numbers::{synthetic, written_forms};

fn rejected_with(text: &str) -> AuditLabelError {
    AuditLabel::parse(text).unwrap_err()
}

#[test]
fn a_plain_label_is_accepted_and_trimmed() {
    let label = AuditLabel::parse("  Borte på hytta til august \n").unwrap();
    assert_eq!(label.as_str(), "Borte på hytta til august");
    assert_eq!(label.to_string(), "Borte på hytta til august");
}

#[test]
fn each_rule_rejects_its_examples_with_its_own_error() {
    let cases = [
        ("", AuditLabelError::Empty),
        (" \t\n ", AuditLabelError::Empty),
        ("rom ３", AuditLabelError::NonAsciiDigit),
        ("x²", AuditLabelError::NonAsciiDigit),
        (
            "Vacation",
            AuditLabelError::IsReasonCode {
                code: ReasonCode::Vacation,
            },
        ),
        (
            " other ",
            AuditLabelError::IsReasonCode {
                code: ReasonCode::Other,
            },
        ),
        // 010190 12481 has a wrong second check digit: the pattern alone rejects it.
        ("nr 010190 12481", AuditLabelError::DatabaseNumberPattern),
        ("nr 123456-12345", AuditLabelError::DatabaseNumberPattern),
    ];
    for (text, error) in cases {
        assert_eq!(rejected_with(text), error, "{text:?}");
    }
}

#[test]
fn a_reason_code_name_within_a_longer_text_is_a_label() {
    assert!(AuditLabel::parse("vacation in June").is_ok());
}

#[test]
fn length_is_counted_in_characters_after_trimming() {
    assert!(AuditLabel::parse(&format!("  {}  ", "å".repeat(200))).is_ok());
    assert_eq!(
        rejected_with(&"å".repeat(201)),
        AuditLabelError::TooLong { chars: 201 }
    );
}

#[test]
fn control_and_invisible_characters_are_rejected() {
    for text in [
        "a\nb",
        "a\tb",
        "a\u{200B}b",
        "a\u{202E}b",
        "a\u{00AD}b",
        "a\u{0}b",
    ] {
        assert_eq!(
            rejected_with(text),
            AuditLabelError::ControlCharacter,
            "{text:?}"
        );
    }
}

#[test]
fn a_national_identity_number_is_rejected_in_any_common_format() {
    for form in written_forms(&synthetic("010190124")) {
        let text = format!("fnr {form}");
        assert_eq!(
            rejected_with(&text),
            AuditLabelError::NationalIdentityNumber,
            "{text}"
        );
    }
}

#[test]
fn a_d_number_is_rejected() {
    let number = synthetic("410190124");
    assert_eq!(
        rejected_with(&format!("d-nr {number}")),
        AuditLabelError::NationalIdentityNumber
    );
}

#[test]
fn error_messages_never_echo_the_rejected_digits() {
    let number = synthetic("010190124");
    for text in [
        format!("fnr {number}"),
        "nr 123456-12345".to_owned(),
        "konto 1234567890".to_owned(),
        "ring 912 34 567".to_owned(),
    ] {
        let message = rejected_with(&text).to_string();
        assert!(!message.contains("1234"), "{message}");
        assert!(!message.contains(&number[..6]), "{message}");
        assert!(!message.ends_with('.'), "{message}");
    }
}

#[test]
fn a_run_of_nine_digits_is_rejected_but_eight_in_a_date_are_not() {
    assert_eq!(
        rejected_with("org 123456789"),
        AuditLabelError::LongDigitRun
    );
    assert!(AuditLabel::parse("tilbake 2024-01-15").is_ok());
}

#[test]
fn contact_details_are_rejected_email_addresses_and_phone_numbers() {
    let email_addresses = [
        "mail ola.nordmann@example.no",
        "x a@b.co.",
        "kontakt per+x@eksempel.com",
    ];
    let phone_numbers = [
        "ring 91234567",
        "ring 912 34 567",
        "ring 91 23 45 67",
        "ring 9123 4567",
        "ring +47 912 34 567",
        "ring 0047 912 34 567",
        "ring 912-34-567",
        "ring 91.23.45.67",
        "ring 9123-4567",
    ];
    for (error, texts) in [
        (AuditLabelError::EmailAddress, &email_addresses[..]),
        (AuditLabelError::PhoneNumber, &phone_numbers[..]),
    ] {
        for text in texts {
            assert_eq!(rejected_with(text), error, "{text}");
        }
    }
    // An at sign alone is no address.
    assert!(AuditLabel::parse("møte @ kontoret").is_ok());
    assert!(AuditLabel::parse("see @team").is_ok());
}

#[test]
fn dates_times_and_year_ranges_are_not_phone_numbers() {
    for text in [
        "borte 2024-01-15 til 2024-02-01",
        "borte 15.01.2024 - 01.02.2024",
        "kurs kl 12.00-14.00",
        "skoleåret 2023-2024",
        "uke 32",
    ] {
        assert!(AuditLabel::parse(text).is_ok(), "{text}");
    }
}

#[test]
fn health_terms_are_rejected_in_norwegian_and_english() {
    for text in [
        "Fikk en diagnose",
        "langvarig sykdom",
        "brystkreft",
        "depresjon",
        "er syk",
        "sykemeldt",
        "diagnosis pending",
        "long illness",
        "CANCER treatment",
        "feeling ill",
        "sick leave",
    ] {
        assert_eq!(rejected_with(text), AuditLabelError::HealthTerm, "{text}");
    }
}

#[test]
fn whole_word_health_terms_do_not_reject_longer_words() {
    for text in ["kjøper ny sykkel", "will return soon", "fullt program"] {
        assert!(AuditLabel::parse(text).is_ok(), "{text}");
    }
}

#[test]
fn parsing_the_stored_text_again_gives_the_same_label() {
    let label = AuditLabel::parse("  Flytter til Bergen ").unwrap();
    assert_eq!(AuditLabel::parse(label.as_str()), Ok(label));
}
