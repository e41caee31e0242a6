//! The database's pause-reason guard and the domain agree (issue 10).
//!
//! `private.pause_reason_is_allowed` (migration `20261201120000_protect_pause_reasons`)
//! must accept exactly what `PauseReason::parse` accepts, for every writer. Its data (word
//! lists, character classes, folding table, reason codes) comes from helper functions that
//! are compared here with the Rust constants, the one source of truth; then both
//! implementations judge 12,000 generated strings built from the adversarial shapes of the
//! issue (national identity numbers in other digit scripts and with any separators or
//! invisible characters between the digits, health terms in other cases and with accents,
//! e-mail addresses, phone numbers) and everyday labels, and must agree on every one.

use diesel::prelude::*;
use diesel::sql_types::{Array, Bool, Text};
use mentor_status_domain::label_rules::{
    FOLD, INVISIBLE, LETTERS, NON_ASCII_DIGITS, WHITESPACE, fold, fold_from, fold_to, sql_class,
};
use mentor_status_domain::{HEALTH_STEMS, HEALTH_WORDS, PauseReason, ReasonCode};
use mentor_status_tests::TestDb;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

use crate::support::{national_id_number, text};

#[derive(QueryableByName)]
struct Item {
    #[diesel(sql_type = Text)]
    item: String,
}

fn list(conn: &mut PgConnection, function: &str) -> Vec<String> {
    diesel::sql_query(format!("select unnest(private.{function}()) as item"))
        .load::<Item>(conn)
        .unwrap_or_else(|e| panic!("{function}: {e}"))
        .into_iter()
        .map(|i| i.item)
        .collect()
}

#[test]
fn the_guards_word_lists_classes_and_folding_are_the_domains() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    let value =
        |conn: &mut PgConnection, f: &str| text(conn, &format!("select private.{f}() as v"));
    assert_eq!(
        value(&mut conn, "label_whitespace"),
        WHITESPACE.iter().collect::<String>()
    );
    assert_eq!(
        value(&mut conn, "label_invisible_class"),
        sql_class(INVISIBLE)
    );
    assert_eq!(
        value(&mut conn, "label_non_ascii_digit_class"),
        sql_class(NON_ASCII_DIGITS)
    );
    assert_eq!(value(&mut conn, "label_letter_class"), sql_class(LETTERS));
    assert_eq!(value(&mut conn, "label_fold_from"), fold_from());
    assert_eq!(value(&mut conn, "label_fold_to"), fold_to());
    assert_eq!(FOLD.len(), fold_from().chars().count());
    assert_eq!(list(&mut conn, "label_health_stems"), HEALTH_STEMS);
    assert_eq!(list(&mut conn, "label_health_words"), HEALTH_WORDS);
    assert_eq!(
        list(&mut conn, "label_reason_codes"),
        ReasonCode::ALL.map(ReasonCode::as_str)
    );
    // The lists are compared after folding, so they must be folded themselves.
    for word in HEALTH_STEMS.iter().chain(HEALTH_WORDS) {
        assert_eq!(fold(word), *word, "{word} is not folded");
    }
}

/// The guard's verdict on each text, in order, in one round trip.
fn guard(conn: &mut PgConnection, texts: &[String]) -> Vec<bool> {
    #[derive(QueryableByName)]
    struct Verdict {
        #[diesel(sql_type = Bool)]
        allowed: bool,
    }
    diesel::sql_query(
        "select private.pause_reason_is_allowed(g.t) as allowed
           from unnest($1::text[]) with ordinality as g(t, n) order by g.n",
    )
    .bind::<Array<Text>, _>(texts)
    .load::<Verdict>(conn)
    .unwrap()
    .into_iter()
    .map(|v| v.allowed)
    .collect()
}

fn domain_allows(text: &str) -> bool {
    PauseReason::parse(text).is_ok()
}

/// Writes `digits` (ASCII) in the digit script starting at `zero`.
fn in_script(digits: &str, zero: char) -> String {
    digits
        .chars()
        .map(|d| {
            let offset = u32::from(d) - u32::from('0');
            char::from_u32(u32::from(zero) + offset).unwrap_or(d)
        })
        .collect()
}

const DIGIT_ZEROS: [char; 9] = ['0', '0', '0', '０', '٠', '۰', '०', '০', '𝟎'];

const SEPARATORS: [&str; 22] = [
    "", "", " ", "/", "_", "–", "—", ".", "-", "  ", "   ", "    ", "\u{a0}", "\u{202f}",
    "\u{2009}", "\u{3000}", "\u{200b}", "\u{2060}", "\u{feff}", ",", ":", "*",
];

/// Digits (a national id, or any 5 to 14 digits) in some script with separators between
/// some of them.
fn numbers() -> impl Strategy<Value = String> {
    let digits = prop_oneof![
        2 => national_id_number(),
        1 => "[0-9]{5,14}",
        1 => ("[0-9]{6}", "[0-9]{5}").prop_map(|(a, b)| format!("{a}{b}")),
    ];
    (
        digits,
        proptest::sample::select(DIGIT_ZEROS.to_vec()),
        proptest::collection::vec(
            (0usize..11, proptest::sample::select(SEPARATORS.to_vec())),
            0..4,
        ),
    )
        .prop_map(|(digits, zero, cuts)| {
            let mut chars: Vec<String> =
                in_script(&digits, zero).chars().map(String::from).collect();
            for (at, separator) in cuts {
                let at = at.min(chars.len());
                chars.insert(at, separator.to_owned());
            }
            chars.concat()
        })
}

/// A health term with its case and accents changed.
fn health_term() -> impl Strategy<Value = String> {
    let term = prop_oneof![
        proptest::sample::select(HEALTH_STEMS).prop_map(str::to_owned),
        proptest::sample::select(HEALTH_WORDS).prop_map(str::to_owned),
        Just("langtidssykemeldt".to_owned()),
        Just("kreft".to_owned()),
    ];
    (
        term,
        proptest::collection::vec(0u8..8, 16),
        "[a-z]{0,4}",
        "[a-z]{0,4}",
    )
        .prop_map(|(term, marks, before, after)| {
            let changed: String = term
                .chars()
                .zip(marks.iter().cycle())
                .map(|(c, m)| match (m, c) {
                    (0, _) => c.to_uppercase().collect::<String>(),
                    (1, 'e') => "é".to_owned(),
                    (1, 'a') => "á".to_owned(),
                    (1, 'o') => "ö".to_owned(),
                    (1, 'u') => "ü".to_owned(),
                    (2, 'e' | 'a' | 'i' | 'o' | 'u') => format!("{c}\u{301}"),
                    (3, 'a'..='z') => char::from_u32(u32::from(c) - u32::from('a') + 0xFF41)
                        .map_or_else(|| c.to_string(), String::from),
                    (4, 'a'..='z') => char::from_u32(u32::from(c) - u32::from('a') + 0xFF21)
                        .map_or_else(|| c.to_string(), String::from),
                    _ => c.to_string(),
                })
                .collect();
            // Sometimes a whole word, sometimes inside one.
            if marks[15] % 2 == 0 {
                changed
            } else {
                format!("{before}{changed}{after}")
            }
        })
}

fn email() -> impl Strategy<Value = String> {
    (
        "[a-zA-Z0-9æø._%+'-]{1,8}",
        "[a-zA-Z0-9æ-]{1,8}(\\.[a-zA-Z0-9-]{1,5}){0,2}",
        prop_oneof!["[a-zA-Zæ]{1,4}", "[a-z0-9]{1,3}", Just(String::new())],
        prop_oneof![Just(""), Just("."), Just("-"), Just(".-"), Just(" ")],
    )
        .prop_map(|(name, domain, tld, tail)| {
            if tld.is_empty() {
                format!("{name}@{domain}{tail}")
            } else {
                format!("{name}@{domain}.{tld}{tail}")
            }
        })
}

fn phone() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "+47 912 34 567",
            "912 34 567",
            "91234567",
            "9123 4567",
            "12.34.56.78",
            "123-45-678",
            "2023-2024",
            "1999 2000",
            "2024-01-15",
            "15.01.2024",
            "12.00-14.00",
            "0047 912 34 567",
            "+4791234567",
            "+47 12",
            "1+2345678",
        ])
        .prop_map(str::to_owned),
        (
            prop_oneof![Just(""), Just("+")],
            proptest::collection::vec(
                (
                    "[0-9]{1,4}",
                    proptest::sample::select(vec![" ", "-", ".", "  ", "/"])
                ),
                1..5
            ),
        )
            .prop_map(|(plus, groups)| {
                let mut out = plus.to_owned();
                for (i, (group, separator)) in groups.iter().enumerate() {
                    if i > 0 {
                        out.push_str(separator);
                    }
                    out.push_str(group);
                }
                out
            }),
    ]
}

/// Everyday reasons both the guard and the domain accept: the codes and plain labels.
const EVERYDAY_ACCEPTED: [&str; 10] = [
    "vacation",
    "ferie uke 27-30",
    "flytter til Bergen",
    "kurs 2026/2027",
    "personal",
    "capacity",
    "training",
    "relocation",
    "other",
    " other ",
];

fn everyday() -> impl Strategy<Value = String> {
    let mut texts = EVERYDAY_ACCEPTED.to_vec();
    texts.extend([
        "Vacation",
        "OTHER",
        "Borte på hytta til august",
        "tilbake 2024-01-15",
        "kjøper ny sykkel",
        "will return soon",
        "møte @ kontoret",
        "see @team",
        "uke 32",
        "skoleåret 2023-2024",
        "Studier i Trondheim",
        "krefter",
        "fullt program",
        "Øvelse × 2",
    ]);
    proptest::sample::select(texts).prop_map(str::to_owned)
}

/// Any characters, from a pool that mixes the classes the rules distinguish.
fn noise() -> impl Strategy<Value = String> {
    let pool = vec![
        'a',
        'z',
        'A',
        'Q',
        'æ',
        'Ø',
        'å',
        'é',
        'Ü',
        'ß',
        'Ð',
        'þ',
        'ÿ',
        'Ɏ',
        'ɐ',
        '×',
        '÷',
        'ש',
        'Ж',
        'λ',
        '😀',
        '\u{301}',
        '\u{36f}',
        '\u{370}',
        '0',
        '5',
        '9',
        '٣',
        '３',
        '²',
        '½',
        ' ',
        '\u{a0}',
        '\u{3000}',
        '\u{2028}',
        '\u{85}',
        '\t',
        '\n',
        '\u{1}',
        '\u{7f}',
        '\u{ad}',
        '\u{200b}',
        '\u{200d}',
        '\u{feff}',
        '\u{e0041}',
        '.',
        '-',
        '_',
        '/',
        '@',
        '+',
        '%',
        '\'',
        ',',
        ':',
        '–',
        '(',
        '#',
    ];
    prop_oneof![
        3 => proptest::collection::vec(proptest::sample::select(pool.clone()), 0..30)
            .prop_map(|cs| cs.into_iter().collect::<String>()),
        1 => (190usize..=210, proptest::sample::select(vec!['a', 'ø', ' ', '😀', '1']))
            .prop_map(|(n, c)| c.to_string().repeat(n)),
    ]
}

fn reason_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => numbers(),
        3 => health_term(),
        2 => email(),
        2 => phone(),
        3 => everyday(),
        2 => noise(),
        2 => "[a-zA-Zæøå ]{1,12}",
    ];
    let space = proptest::sample::select(vec![
        "", "", " ", "  ", "\u{a0}", "\u{3000}", "\t", "\u{200b}",
    ]);
    (
        space.clone(),
        proptest::collection::vec(piece, 1..4),
        proptest::sample::select(vec![" ", " ", ", ", "/", "-", "\u{a0}", ""]),
        space,
    )
        .prop_map(|(lead, parts, joiner, trail)| format!("{lead}{}{trail}", parts.join(joiner)))
}

#[test]
fn the_database_guard_and_the_domain_agree_on_twelve_thousand_adversarial_strings() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[10; 32]),
    );
    let strategy = reason_text();
    // PostgreSQL text cannot hold U+0000; the domain rejects it like any control character.
    let texts: Vec<String> = (0..12_000)
        .map(|_| {
            strategy
                .new_tree(&mut runner)
                .expect("a value")
                .current()
                .replace('\0', "\u{1}")
        })
        .collect();
    let mut verdicts = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(3_000) {
        verdicts.extend(guard(&mut conn, chunk));
    }
    assert_eq!(verdicts.len(), texts.len());
    let disagreements: Vec<String> = texts
        .iter()
        .zip(&verdicts)
        .filter(|(t, db)| domain_allows(t) != **db)
        .map(|(t, &db)| format!("{t:?}: database {db}, domain {}", domain_allows(t)))
        .collect();
    assert!(
        disagreements.is_empty(),
        "{} disagreements, e.g.:\n{}",
        disagreements.len(),
        disagreements
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The generator reached both verdicts, and every kind of refusal.
    let accepted = verdicts.iter().filter(|&&v| v).count();
    assert!(accepted > 1_000 && accepted < 11_000, "{accepted} accepted");
    let errors: std::collections::BTreeSet<String> = texts
        .iter()
        .filter_map(|t| PauseReason::parse(t).err())
        .map(|e| format!("{:?}", std::mem::discriminant(&e)))
        .collect();
    let kinds = errors.len();
    assert!(kinds >= 11, "only {kinds} kinds of refusal reached");
}

#[test]
fn the_adversarial_shapes_of_the_issue_are_refused_and_everyday_labels_accepted() {
    let db = TestDb::migrated();
    let mut conn = db.conn();
    let number = "01019012480"; // valid check digits (national_id.rs)
    let (date, personal) = number.split_at(6);
    let refused: Vec<String> = vec![
        format!("fnr {date}/{personal}"),
        format!("fnr {date}_{personal}"),
        format!("fnr {date}  {personal}"),
        format!("fnr {date}–{personal}"),
        format!("fnr {date}\u{a0}{personal}"),
        format!("fnr {date}\u{200b}{personal}"),
        format!("fnr {}", in_script(number, '０')),
        format!("fnr {}", in_script(number, '٠')),
        format!("fnr {}", in_script(number, '۰')),
        format!("fnr {}", in_script(number, '०')),
        "kreft".to_owned(),
        "KRÉFT".to_owned(),
        "Kre\u{301}ft".to_owned(),
        "ＫＲＥＦＴ".to_owned(),
        "langtidssykemeldt".to_owned(),
        "Langtidssykemeldt".to_owned(),
        "ola.nordmann@example.no".to_owned(),
        "ring 912 34 567".to_owned(),
        "+47 91234567".to_owned(),
        "123456-12345".to_owned(),
        "Vacation".to_owned(),
    ];
    let accepted: Vec<String> = EVERYDAY_ACCEPTED.map(str::to_owned).to_vec();
    assert_eq!(
        guard(&mut conn, &refused),
        vec![false; refused.len()],
        "{refused:?}"
    );
    assert!(refused.iter().all(|t| !domain_allows(t)), "{refused:?}");
    assert_eq!(
        guard(&mut conn, &accepted),
        vec![true; accepted.len()],
        "{accepted:?}"
    );
    assert!(accepted.iter().all(|t| domain_allows(t)), "{accepted:?}");
}
