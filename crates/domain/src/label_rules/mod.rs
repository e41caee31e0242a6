//! The character classes, the folding table and the rules' building blocks behind
//! [`AuditLabel`](crate::AuditLabel), written once.
//!
//! The database guard `private.pause_reason_is_allowed` (migration
//! `20261201120000_protect_pause_reasons`) applies the same rules to every stored pause
//! reason. Its helper functions return this module's data (`private.label_whitespace()`,
//! `label_invisible_class()`, `label_non_ascii_digit_class()`, `label_letter_class()`,
//! `label_fold_from()`, `label_fold_to()`, `label_health_stems()`, `label_health_words()`,
//! `label_reason_codes()`); `tests/it/protect/label_guard.rs` checks each against this module
//! ([`sql_class`], [`fold_from`], [`fold_to`]) and runs a differential test of the two
//! implementations.
//!
//! Everything is an explicit table rather than a Unicode property of the standard library
//! (`char::is_numeric`, `is_alphanumeric`, `to_lowercase`): PostgreSQL's `lower()` and regex
//! classes depend on the database's locale, explicit tables do not. The tables were
//! generated from Unicode 14 (general categories `Nd`, `Nl`, `No`; NFKD for the folding).

/// What [`str::trim`] trims: Unicode `White_Space` (checked against `char::is_whitespace`).
pub const WHITESPACE: &[char] = &[
    '\u{9}', '\u{A}', '\u{B}', '\u{C}', '\u{D}', '\u{20}', '\u{85}', '\u{A0}', '\u{1680}',
    '\u{2000}', '\u{2001}', '\u{2002}', '\u{2003}', '\u{2004}', '\u{2005}', '\u{2006}', '\u{2007}',
    '\u{2008}', '\u{2009}', '\u{200A}', '\u{2028}', '\u{2029}', '\u{202F}', '\u{205F}', '\u{3000}',
];

/// Control characters (`Cc`) and invisible formatting characters (zero-width space and
/// joiners, bidirectional controls, soft hyphen, word joiner, BOM, Hangul fillers, tags, …)
/// that could hide digits or words: a label must not contain any.
pub const INVISIBLE: &[(char, char)] = &[
    ('\u{0}', '\u{1F}'),
    ('\u{7F}', '\u{9F}'),
    ('\u{AD}', '\u{AD}'),
    ('\u{34F}', '\u{34F}'),
    ('\u{61C}', '\u{61C}'),
    ('\u{115F}', '\u{1160}'),
    ('\u{17B4}', '\u{17B5}'),
    ('\u{180B}', '\u{180F}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{2028}', '\u{202E}'),
    ('\u{2060}', '\u{206F}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFA0}', '\u{FFA0}'),
    ('\u{FFF0}', '\u{FFFB}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0000}', '\u{E0FFF}'),
];

/// Letters beyond ASCII that count as letters for the rules (word boundaries, e-mail
/// addresses): Latin-1 Supplement and Latin Extended-A/B letters (`×` and `÷` are not).
/// Other scripts count as separators; the rules are tuned for Norwegian and English.
pub const LETTERS: &[(char, char)] = &[
    ('\u{C0}', '\u{D6}'),
    ('\u{D8}', '\u{F6}'),
    ('\u{F8}', '\u{24F}'),
];

/// Combining diacritical marks, removed before the health terms are compared
/// (`kre\u{301}ft` is `kreft`).
pub(crate) const COMBINING_MARKS: (char, char) = ('\u{300}', '\u{36F}');

/// Every digit and numeral except ASCII `0`-`9` (general categories `Nd`, `Nl`, `No`:
/// Arabic-Indic, Devanagari, full-width, mathematical, superscripts, circled, Roman, …):
/// a label must not contain any, so no number can be written past the digit rules.
pub const NON_ASCII_DIGITS: &[(char, char)] = &[
    ('\u{B2}', '\u{B3}'),
    ('\u{B9}', '\u{B9}'),
    ('\u{BC}', '\u{BE}'),
    ('\u{660}', '\u{669}'),
    ('\u{6F0}', '\u{6F9}'),
    ('\u{7C0}', '\u{7C9}'),
    ('\u{966}', '\u{96F}'),
    ('\u{9E6}', '\u{9EF}'),
    ('\u{9F4}', '\u{9F9}'),
    ('\u{A66}', '\u{A6F}'),
    ('\u{AE6}', '\u{AEF}'),
    ('\u{B66}', '\u{B6F}'),
    ('\u{B72}', '\u{B77}'),
    ('\u{BE6}', '\u{BF2}'),
    ('\u{C66}', '\u{C6F}'),
    ('\u{C78}', '\u{C7E}'),
    ('\u{CE6}', '\u{CEF}'),
    ('\u{D58}', '\u{D5E}'),
    ('\u{D66}', '\u{D78}'),
    ('\u{DE6}', '\u{DEF}'),
    ('\u{E50}', '\u{E59}'),
    ('\u{ED0}', '\u{ED9}'),
    ('\u{F20}', '\u{F33}'),
    ('\u{1040}', '\u{1049}'),
    ('\u{1090}', '\u{1099}'),
    ('\u{1369}', '\u{137C}'),
    ('\u{16EE}', '\u{16F0}'),
    ('\u{17E0}', '\u{17E9}'),
    ('\u{17F0}', '\u{17F9}'),
    ('\u{1810}', '\u{1819}'),
    ('\u{1946}', '\u{194F}'),
    ('\u{19D0}', '\u{19DA}'),
    ('\u{1A80}', '\u{1A89}'),
    ('\u{1A90}', '\u{1A99}'),
    ('\u{1B50}', '\u{1B59}'),
    ('\u{1BB0}', '\u{1BB9}'),
    ('\u{1C40}', '\u{1C49}'),
    ('\u{1C50}', '\u{1C59}'),
    ('\u{2070}', '\u{2070}'),
    ('\u{2074}', '\u{2079}'),
    ('\u{2080}', '\u{2089}'),
    ('\u{2150}', '\u{2182}'),
    ('\u{2185}', '\u{2189}'),
    ('\u{2460}', '\u{249B}'),
    ('\u{24EA}', '\u{24FF}'),
    ('\u{2776}', '\u{2793}'),
    ('\u{2CFD}', '\u{2CFD}'),
    ('\u{3007}', '\u{3007}'),
    ('\u{3021}', '\u{3029}'),
    ('\u{3038}', '\u{303A}'),
    ('\u{3192}', '\u{3195}'),
    ('\u{3220}', '\u{3229}'),
    ('\u{3248}', '\u{324F}'),
    ('\u{3251}', '\u{325F}'),
    ('\u{3280}', '\u{3289}'),
    ('\u{32B1}', '\u{32BF}'),
    ('\u{A620}', '\u{A629}'),
    ('\u{A6E6}', '\u{A6EF}'),
    ('\u{A830}', '\u{A835}'),
    ('\u{A8D0}', '\u{A8D9}'),
    ('\u{A900}', '\u{A909}'),
    ('\u{A9D0}', '\u{A9D9}'),
    ('\u{A9F0}', '\u{A9F9}'),
    ('\u{AA50}', '\u{AA59}'),
    ('\u{ABF0}', '\u{ABF9}'),
    ('\u{FF10}', '\u{FF19}'),
    ('\u{10107}', '\u{10133}'),
    ('\u{10140}', '\u{10178}'),
    ('\u{1018A}', '\u{1018B}'),
    ('\u{102E1}', '\u{102FB}'),
    ('\u{10320}', '\u{10323}'),
    ('\u{10341}', '\u{10341}'),
    ('\u{1034A}', '\u{1034A}'),
    ('\u{103D1}', '\u{103D5}'),
    ('\u{104A0}', '\u{104A9}'),
    ('\u{10858}', '\u{1085F}'),
    ('\u{10879}', '\u{1087F}'),
    ('\u{108A7}', '\u{108AF}'),
    ('\u{108FB}', '\u{108FF}'),
    ('\u{10916}', '\u{1091B}'),
    ('\u{109BC}', '\u{109BD}'),
    ('\u{109C0}', '\u{109CF}'),
    ('\u{109D2}', '\u{109FF}'),
    ('\u{10A40}', '\u{10A48}'),
    ('\u{10A7D}', '\u{10A7E}'),
    ('\u{10A9D}', '\u{10A9F}'),
    ('\u{10AEB}', '\u{10AEF}'),
    ('\u{10B58}', '\u{10B5F}'),
    ('\u{10B78}', '\u{10B7F}'),
    ('\u{10BA9}', '\u{10BAF}'),
    ('\u{10CFA}', '\u{10CFF}'),
    ('\u{10D30}', '\u{10D39}'),
    ('\u{10E60}', '\u{10E7E}'),
    ('\u{10F1D}', '\u{10F26}'),
    ('\u{10F51}', '\u{10F54}'),
    ('\u{10FC5}', '\u{10FCB}'),
    ('\u{11052}', '\u{1106F}'),
    ('\u{110F0}', '\u{110F9}'),
    ('\u{11136}', '\u{1113F}'),
    ('\u{111D0}', '\u{111D9}'),
    ('\u{111E1}', '\u{111F4}'),
    ('\u{112F0}', '\u{112F9}'),
    ('\u{11450}', '\u{11459}'),
    ('\u{114D0}', '\u{114D9}'),
    ('\u{11650}', '\u{11659}'),
    ('\u{116C0}', '\u{116C9}'),
    ('\u{11730}', '\u{1173B}'),
    ('\u{118E0}', '\u{118F2}'),
    ('\u{11950}', '\u{11959}'),
    ('\u{11C50}', '\u{11C6C}'),
    ('\u{11D50}', '\u{11D59}'),
    ('\u{11DA0}', '\u{11DA9}'),
    ('\u{11FC0}', '\u{11FD4}'),
    ('\u{12400}', '\u{1246E}'),
    ('\u{16A60}', '\u{16A69}'),
    ('\u{16AC0}', '\u{16AC9}'),
    ('\u{16B50}', '\u{16B59}'),
    ('\u{16B5B}', '\u{16B61}'),
    ('\u{16E80}', '\u{16E96}'),
    ('\u{1D2E0}', '\u{1D2F3}'),
    ('\u{1D360}', '\u{1D378}'),
    ('\u{1D7CE}', '\u{1D7FF}'),
    ('\u{1E140}', '\u{1E149}'),
    ('\u{1E2F0}', '\u{1E2F9}'),
    ('\u{1E8C7}', '\u{1E8CF}'),
    ('\u{1E950}', '\u{1E959}'),
    ('\u{1EC71}', '\u{1ECAB}'),
    ('\u{1ECAD}', '\u{1ECAF}'),
    ('\u{1ECB1}', '\u{1ECB4}'),
    ('\u{1ED01}', '\u{1ED2D}'),
    ('\u{1ED2F}', '\u{1ED3D}'),
    ('\u{1F100}', '\u{1F10C}'),
    ('\u{1FBF0}', '\u{1FBF9}'),
];

pub use fold_table::FOLD;

/// Whether `c` lies in one of the (sorted, disjoint) `ranges`.
#[must_use]
fn in_ranges(ranges: &[(char, char)], c: char) -> bool {
    ranges
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                std::cmp::Ordering::Less
            } else if lo > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// A control or invisible formatting character ([`INVISIBLE`]).
#[must_use]
pub fn is_invisible(c: char) -> bool {
    in_ranges(INVISIBLE, c)
}

/// A digit or numeral other than ASCII `0`-`9` ([`NON_ASCII_DIGITS`]).
#[must_use]
pub fn is_non_ascii_digit(c: char) -> bool {
    in_ranges(NON_ASCII_DIGITS, c)
}

/// An ASCII letter or one of [`LETTERS`].
#[must_use]
pub fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || in_ranges(LETTERS, c)
}

/// A letter or an ASCII digit: what words are made of. Everything else separates.
#[must_use]
pub fn is_word_char(c: char) -> bool {
    c.is_ascii_digit() || is_letter(c)
}

/// `text` with combining marks removed and every character folded by [`FOLD`].
#[must_use]
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(|&c| !(COMBINING_MARKS.0..=COMBINING_MARKS.1).contains(&c))
        .map(|c| {
            FOLD.binary_search_by_key(&c, |&(from, _)| from)
                .map_or(c, |i| FOLD[i].1)
        })
        .collect()
}

/// The first characters of [`FOLD`], in order: `translate()`'s `from` argument.
#[must_use]
pub fn fold_from() -> String {
    FOLD.iter().map(|&(from, _)| from).collect()
}

/// The second characters of [`FOLD`], in order: `translate()`'s `to` argument.
#[must_use]
pub fn fold_to() -> String {
    FOLD.iter().map(|&(_, to)| to).collect()
}

/// The body of a PostgreSQL regular-expression bracket expression matching `ranges`
/// (`\uXXXX` escapes, `\UXXXXXXXX` beyond the BMP; U+0000, which text cannot hold, as
/// U+0001).
#[must_use]
pub fn sql_class(ranges: &[(char, char)]) -> String {
    fn escape(c: char) -> String {
        let cp = u32::from(c).max(1);
        if cp > 0xFFFF {
            format!("\\U{cp:08x}")
        } else {
            format!("\\u{cp:04x}")
        }
    }
    ranges
        .iter()
        .map(|&(lo, hi)| {
            if lo == hi {
                escape(lo)
            } else {
                format!("{}-{}", escape(lo), escape(hi))
            }
        })
        .collect()
}

mod fold_table;

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted_and_disjoint(ranges: &[(char, char)]) -> bool {
        ranges.iter().all(|(lo, hi)| lo <= hi) && ranges.windows(2).all(|w| w[0].1 < w[1].0)
    }

    #[test]
    fn the_tables_are_sorted_and_disjoint() {
        assert!(sorted_and_disjoint(INVISIBLE));
        assert!(sorted_and_disjoint(NON_ASCII_DIGITS));
        assert!(sorted_and_disjoint(LETTERS));
        assert!(FOLD.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn whitespace_is_exactly_what_trim_trims() {
        let all: Vec<char> = (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
            .collect();
        assert_eq!(all, WHITESPACE);
    }

    #[test]
    fn every_control_character_is_invisible_and_every_ascii_digit_is_a_plain_digit() {
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if c.is_control() {
                assert!(is_invisible(c), "{c:?}");
            }
        }
        for c in '0'..='9' {
            assert!(!is_non_ascii_digit(c));
        }
    }

    #[test]
    fn every_decimal_digit_the_standard_library_knows_is_covered() {
        // char::is_numeric may know newer Unicode than the table: only digits of scripts
        // encoded by Unicode 14 are required.
        for c in ['٣', '۳', '३', '৩', '３', '𝟑', '²', '①', 'Ⅻ', '½', '᠓', '๓'] {
            assert!(is_non_ascii_digit(c), "{c:?}");
        }
    }

    #[test]
    fn folding_removes_case_and_accents_but_keeps_the_norwegian_letters() {
        assert_eq!(fold("KRÉFT Kre\u{301}ft ＫＲＥＦＴ"), "kreft kreft kreft");
        assert_eq!(fold("UFØRE Ærlig Åpen"), "uføre ærlig åpen");
        assert_eq!(fold("Ünïcødé"), "unicøde");
        assert_eq!(fold_from().chars().count(), fold_to().chars().count());
    }

    #[test]
    fn a_sql_class_escapes_every_range() {
        assert_eq!(
            sql_class(&[
                ('\u{0}', '\u{1F}'),
                ('\u{AD}', '\u{AD}'),
                ('\u{1D173}', '\u{1D17A}')
            ]),
            "\\u0001-\\u001f\\u00ad\\U0001d173-\\U0001d17a"
        );
    }
}
