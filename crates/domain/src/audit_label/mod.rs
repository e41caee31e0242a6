//! [`AuditLabel`]: a short free-text pause reason that is checked for personal data.

use std::fmt;

use crate::label_rules::{fold, is_invisible, is_letter, is_non_ascii_digit, is_word_char};
use crate::{ReasonCode, checks, national_id};

/// The longest label accepted, in Unicode scalar values after trimming (PostgreSQL's
/// `char_length`).
pub const MAX_CHARS: usize = checks::PAUSE_REASON_MAX_CHARS;

/// The shortest run of consecutive digits that is rejected (account numbers, organisation
/// numbers, identity numbers without check digits).
pub const MIN_REJECTED_DIGIT_RUN: usize = 9;

pub use crate::health_words::{HEALTH_STEMS, HEALTH_WORDS};

/// A short free-text audit label recorded as a pause reason.
///
/// The text is trimmed, at most [`MAX_CHARS`] characters, and free of personal data as far
/// as the rules below can tell.
/// The field is private; the only way to get one is [`AuditLabel::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AuditLabel(String);

/// Why a text is not an acceptable [`AuditLabel`].
///
/// The messages name the rule and never repeat the rejected text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum AuditLabelError {
    /// Nothing is left after trimming whitespace.
    #[error("an audit label must not be empty")]
    Empty,
    /// More than [`MAX_CHARS`] characters after trimming.
    #[error("an audit label must be at most 200 characters, this one has {chars}")]
    TooLong {
        /// The number of characters after trimming.
        chars: usize,
    },
    /// A control character (line breaks, tabs, …) or an invisible formatting character
    /// (zero-width space, bidirectional override, soft hyphen, …) that could hide digits.
    #[error("an audit label must not contain control or invisible formatting characters")]
    ControlCharacter,
    /// A digit other than ASCII `0`–`9` (full-width, Arabic-Indic, superscript, …), which
    /// could otherwise slip a number past the digit rules.
    #[error("an audit label must not contain digits other than ASCII 0-9")]
    NonAsciiDigit,
    /// The text is the name of a reason code (ignoring ASCII case); the code must be used
    /// instead, so that a stored text always parses back to the same [`PauseReason`](crate::PauseReason).
    #[error("the text is the reason code `{code}`: use the code instead of a free-text label")]
    IsReasonCode {
        /// The code with that name.
        code: ReasonCode,
    },
    /// A Norwegian national identity number or D-number (valid check digits), possibly
    /// written with spaces, dots or dashes between the digits.
    #[error("an audit label must not contain a national identity number or D-number")]
    NationalIdentityNumber,
    /// Six digits, an optional space, dot or dash, and five digits: the pattern the database
    /// constraint `chk_pause_reason_no_national_id` rejects, whatever the check digits.
    #[error(
        "an audit label must not contain six digits followed by five digits (database pattern {pattern})",
        pattern = checks::PAUSE_REASON_FORBIDDEN_PATTERN
    )]
    DatabaseNumberPattern,
    /// [`MIN_REJECTED_DIGIT_RUN`] or more digits in a row.
    #[error("an audit label must not contain a run of 9 or more digits")]
    LongDigitRun,
    /// Something shaped like `name@domain.tld`.
    #[error("an audit label must not contain an e-mail address")]
    EmailAddress,
    /// Something shaped like a phone number (see [`AuditLabel::parse`]).
    #[error("an audit label must not contain a phone number")]
    PhoneNumber,
    /// A term from [`HEALTH_STEMS`] or [`HEALTH_WORDS`].
    #[error(
        "an audit label must not contain health information (a term from the health word list)"
    )]
    HealthTerm,
}

impl AuditLabel {
    /// Trims `text` and checks it; the rules are tried in the order of the
    /// [`AuditLabelError`] variants and the first that fails is reported.
    ///
    /// Rejected:
    /// - empty, or over [`MAX_CHARS`] characters (Unicode scalar values) after trimming;
    /// - control or invisible formatting characters, and non-ASCII digits;
    /// - a reason code name, ignoring ASCII case (use [`PauseReason::Code`](crate::PauseReason::Code));
    /// - a national identity number or D-number: 11 digits with valid mod-11 check digits,
    ///   with up to three spaces, dots, dashes or similar separators between digits;
    /// - anything the database pattern `[0-9]{6}[ .-]?[0-9]{5}` matches;
    /// - [`MIN_REJECTED_DIGIT_RUN`] or more consecutive digits;
    /// - an e-mail address: `@` between a name character and a domain with a dot and an
    ///   alphabetic top-level part of at least two letters;
    /// - a phone number: digits directly after `+` totalling 7 or more; 8 or more digits in
    ///   groups separated by single spaces (or not at all); or the Norwegian groupings
    ///   `123-45-678`, `12.34.56.78`, `1234-5678` with one repeated dash or dot (a pair of
    ///   years such as `2023-2024` excepted). Dates such as `2024-01-15` or `15.01.2024`
    ///   and times such as `12.00-14.00` are allowed;
    /// - a health term from [`HEALTH_STEMS`] (anywhere) or [`HEALTH_WORDS`] (whole words).
    ///
    /// The health list is best effort; [`ReasonCode`] is the primary control.
    ///
    /// # Errors
    ///
    /// The first rule the text breaks, as an [`AuditLabelError`].
    pub fn parse(text: &str) -> Result<AuditLabel, AuditLabelError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(AuditLabelError::Empty);
        }
        let chars = text.chars().count();
        if chars > MAX_CHARS {
            return Err(AuditLabelError::TooLong { chars });
        }
        if text.chars().any(is_invisible) {
            return Err(AuditLabelError::ControlCharacter);
        }
        if text.chars().any(is_non_ascii_digit) {
            return Err(AuditLabelError::NonAsciiDigit);
        }
        if let Some(code) = ReasonCode::find_ignoring_case(text) {
            return Err(AuditLabelError::IsReasonCode { code });
        }
        if national_id::contains_national_id(text) {
            return Err(AuditLabelError::NationalIdentityNumber);
        }
        if checks::matches_forbidden_pattern(text) {
            return Err(AuditLabelError::DatabaseNumberPattern);
        }
        if longest_digit_run(text) >= MIN_REJECTED_DIGIT_RUN {
            return Err(AuditLabelError::LongDigitRun);
        }
        if contains_email(text) {
            return Err(AuditLabelError::EmailAddress);
        }
        if contains_phone_number(text) {
            return Err(AuditLabelError::PhoneNumber);
        }
        if contains_health_term(text) {
            return Err(AuditLabelError::HealthTerm);
        }
        Ok(AuditLabel(text.to_owned()))
    }

    /// The label text, as stored in `pause_reason`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for AuditLabel {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AuditLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<AuditLabel> for String {
    fn from(label: AuditLabel) -> String {
        label.0
    }
}

fn longest_digit_run(text: &str) -> usize {
    let mut longest = 0;
    let mut current = 0;
    for c in text.chars() {
        if c.is_ascii_digit() {
            current += 1;
            longest = longest.max(current);
        } else {
            current = 0;
        }
    }
    longest
}

fn contains_email(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        if c != '@' {
            return false;
        }
        let name_before = i
            .checked_sub(1)
            .and_then(|j| chars.get(j))
            .is_some_and(|&b| is_word_char(b) || "._%+-'".contains(b));
        let domain: String = chars
            .iter()
            .skip(i + 1)
            .take_while(|&&d| is_word_char(d) || matches!(d, '.' | '-'))
            .collect();
        let domain = domain.trim_end_matches(['.', '-']);
        let top_level_ok = domain.rsplit_once('.').is_some_and(|(rest, tld)| {
            !rest.is_empty() && tld.chars().count() >= 2 && tld.chars().all(is_letter)
        });
        name_before && top_level_ok
    })
}

/// One run of digit groups joined by single separator characters.
struct DigitChain {
    groups: Vec<String>,
    separators: Vec<char>,
    after_plus: bool,
}

fn digit_chains(text: &str) -> Vec<DigitChain> {
    let chars: Vec<char> = text.chars().collect();
    let mut chains = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let after_plus = i > 0 && chars[i - 1] == '+';
        let mut chain = DigitChain {
            groups: Vec::new(),
            separators: Vec::new(),
            after_plus,
        };
        loop {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            chain.groups.push(chars[start..i].iter().collect());
            let joins = i + 1 < chars.len()
                && matches!(chars[i], ' ' | '-' | '.')
                && chars[i + 1].is_ascii_digit();
            if !joins {
                break;
            }
            chain.separators.push(chars[i]);
            i += 1;
        }
        chains.push(chain);
    }
    chains
}

fn looks_like_year(group: &str) -> bool {
    group.len() == 4 && (group.starts_with("19") || group.starts_with("20"))
}

fn is_phone_number(chain: &DigitChain) -> bool {
    let digits: usize = chain.groups.iter().map(String::len).sum();
    let lengths: Vec<usize> = chain.groups.iter().map(String::len).collect();
    let year_pair =
        matches!(chain.groups.as_slice(), [a, b] if looks_like_year(a) && looks_like_year(b));
    if chain.after_plus && digits >= 7 {
        return true;
    }
    if chain.separators.iter().all(|&s| s == ' ') && digits >= 8 && !year_pair {
        return true;
    }
    let one_separator = chain
        .separators
        .first()
        .is_some_and(|&first| chain.separators.iter().all(|&s| s == first));
    one_separator
        && match lengths.as_slice() {
            [3, 2, 3] | [2, 2, 2, 2] => true,
            [4, 4] => !year_pair,
            _ => false,
        }
}

fn contains_phone_number(text: &str) -> bool {
    digit_chains(text).iter().any(is_phone_number)
}

fn contains_health_term(text: &str) -> bool {
    let folded = fold(text);
    HEALTH_STEMS.iter().any(|stem| folded.contains(stem))
        || folded
            .split(|c: char| !is_word_char(c))
            .any(|word| HEALTH_WORDS.contains(&word))
}

#[cfg(test)]
mod tests;
