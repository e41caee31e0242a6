//! Norwegian national identity numbers (fødselsnummer) and D-numbers.
//!
//! A number is 11 digits: six digits of birth date, three individual digits and two
//! check digits computed modulo 11.
//! A D-number adds 4 to the first digit; the check digits are computed over the digits as
//! written, so the same check covers both.
//! This module only checks the check digits, never the date: every 11-digit sequence whose
//! two check digits are valid is treated as an identity number.
//!
//! It exists so that [`AuditLabel`](crate::AuditLabel) can refuse texts that contain one;
//! the crate never stores or returns such numbers.

/// Weights of the first check digit (k1), applied to digits 1–9.
const K1_WEIGHTS: [u32; 9] = [3, 7, 6, 1, 8, 9, 4, 5, 2];
/// Weights of the second check digit (k2), applied to digits 1–9 and k1.
const K2_WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

/// `11 - (sum mod 11)`, where 11 becomes 0 and 10 means "no valid check digit".
fn mod11_check_digit(digits: &[u8], weights: &[u32]) -> Option<u8> {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(&digit, &weight)| u32::from(digit) * weight)
        .sum();
    match 11 - (sum % 11) {
        11 => Some(0),
        10 => None,
        check => u8::try_from(check).ok(),
    }
}

/// The two check digits (k1, k2) for the first nine digits, or `None` when no valid number
/// starts with these digits (a check digit would be 10).
///
/// Each element of `first_nine` must be a digit value `0..=9`.
#[must_use]
pub fn check_digits(first_nine: [u8; 9]) -> Option<[u8; 2]> {
    let k1 = mod11_check_digit(&first_nine, &K1_WEIGHTS)?;
    let mut first_ten = [0u8; 10];
    first_ten[..9].copy_from_slice(&first_nine);
    first_ten[9] = k1;
    let k2 = mod11_check_digit(&first_ten, &K2_WEIGHTS)?;
    Some([k1, k2])
}

/// Whether eleven digit values form a national identity number or D-number, judged by the
/// two check digits only.
#[must_use]
pub fn is_valid(digits: &[u8; 11]) -> bool {
    if digits.iter().any(|&d| d > 9) {
        return false;
    }
    let mut first_nine = [0u8; 9];
    first_nine.copy_from_slice(&digits[..9]);
    check_digits(first_nine) == Some([digits[9], digits[10]])
}

/// Characters that may stand between the digits of a written number: anything that is not
/// an ASCII digit or a letter (whitespace, any punctuation or dash, symbols; see
/// [`label_rules::is_word_char`](crate::label_rules::is_word_char)).
fn is_separator(c: char) -> bool {
    !crate::label_rules::is_word_char(c)
}

/// How many separator characters in a row may stand between two digits of one number.
const MAX_GAP: usize = 3;

/// Whether `text` contains a national identity number or D-number.
///
/// Digits count as one number while at most three separator characters (anything but a
/// letter or a digit: whitespace, `.`, `-`, `_`, `/`, a Unicode dash, …) stand between
/// them, so `01019012345`,
/// `010190 12345`, `01.01.90-123 45` and `0 1 0 1 9 0 1 2 3 4 5` are all found.
/// Every window of 11 consecutive digits in such a group is checked, so a number glued to
/// other digits is found too.
/// Only ASCII digits are considered; [`AuditLabel`](crate::AuditLabel) rejects other digits
/// separately.
#[must_use]
pub fn contains_national_id(text: &str) -> bool {
    let mut group: Vec<u8> = Vec::new();
    let mut gap = 0usize;
    for c in text.chars() {
        if let Some(digit) = c.to_digit(10) {
            if gap > MAX_GAP && group_has_national_id(&group) {
                return true;
            }
            if gap > MAX_GAP {
                group.clear();
            }
            // `to_digit(10)` only yields 0..=9.
            group.push(u8::try_from(digit).unwrap_or(u8::MAX));
            gap = 0;
        } else if is_separator(c) && !group.is_empty() {
            gap += 1;
        } else {
            if group_has_national_id(&group) {
                return true;
            }
            group.clear();
            gap = 0;
        }
    }
    group_has_national_id(&group)
}

fn group_has_national_id(digits: &[u8]) -> bool {
    digits.windows(11).any(|window| {
        let mut eleven = [0u8; 11];
        eleven.copy_from_slice(window);
        is_valid(&eleven)
    })
}

/// National identity numbers for the tests, built with [`check_digits`]; none belongs to a
/// real person as far as the tests care.
#[cfg(test)]
pub(crate) mod test_numbers {
    /// The number whose first nine digits are `first_nine`, with its check digits.
    pub(crate) fn synthetic(first_nine: &str) -> String {
        let nine: Vec<u8> = first_nine.bytes().map(|b| b - b'0').collect();
        let [k1, k2] = super::check_digits(nine.try_into().unwrap()).unwrap();
        format!("{first_nine}{k1}{k2}")
    }

    /// `number` as people write it: as is, `ddmmyy nnnnn`, `ddmmyy-nnnnn`, `ddmmyy - nnnnn`
    /// and `dd.mm.yy nnnnn`.
    pub(crate) fn written_forms(number: &str) -> [String; 5] {
        let (date, personal) = number.split_at(6);
        let (day, month, year) = (&date[..2], &date[2..4], &date[4..]);
        [
            number.to_owned(),
            format!("{date} {personal}"),
            format!("{date}-{personal}"),
            format!("{date} - {personal}"),
            format!("{day}.{month}.{year} {personal}"),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::test_numbers::{synthetic, written_forms};
    use super::*;

    fn digits(s: &str) -> [u8; 11] {
        let v: Vec<u8> = s.bytes().map(|b| b - b'0').collect();
        v.try_into().unwrap()
    }

    #[test]
    fn check_digits_follow_the_published_weights() {
        // k1 = 11 - (3*0+7*1+6*0+1*1+8*9+9*0+4*1+5*2+2*3) mod 11 = 11 - (100 mod 11) = 10 -> invalid
        assert_eq!(check_digits([0, 1, 0, 1, 9, 0, 1, 2, 3]), None);
        // A fully computed example: 010190 124 -> sum k1 = 0+7+0+1+72+0+4+10+8 = 102, 102 mod 11 = 3, k1 = 8
        // k2 sum = 0+4+0+2+63+0+5+8+12+16 = 110, 110 mod 11 = 0, k2 = 11 -> 0
        assert_eq!(check_digits([0, 1, 0, 1, 9, 0, 1, 2, 4]), Some([8, 0]));
        assert!(is_valid(&digits("01019012480")));
    }

    #[test]
    fn a_wrong_check_digit_is_not_a_national_id() {
        assert!(!is_valid(&digits("01019012481")));
        assert!(!is_valid(&digits("01019012490")));
    }

    #[test]
    fn a_d_number_is_recognised_by_the_same_check_digits() {
        let d_number = synthetic("410190124");
        assert!(is_valid(&digits(&d_number)));
        assert!(contains_national_id(&format!("ref {d_number}")));
    }

    #[test]
    fn numbers_are_found_with_common_separators() {
        let number = synthetic("010190124");
        for form in written_forms(&number) {
            for text in [format!("x {form} y"), format!("x {form}")] {
                assert!(contains_national_id(&text), "{text}");
            }
        }
        for text in [format!("x{number}x"), format!("7{number}3")] {
            assert!(contains_national_id(&text), "{text}");
        }
    }

    #[test]
    fn digits_far_apart_are_not_joined_into_one_number() {
        let number = synthetic("010190124");
        let (date, personal) = number.split_at(6);
        assert!(!contains_national_id(&format!("{date}    {personal}")));
        assert!(!contains_national_id(&format!("{date} and {personal}")));
    }
}
