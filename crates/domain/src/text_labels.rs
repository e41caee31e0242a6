//! [`text_labels!`]: the text form of an enum whose variants each have one fixed name.

/// For `$ty`, an enum of unit variants: `ALL` (every variant, in the order given), `as_str`
/// (the variant's text, documented as `$doc`) and `Display` (the same text); with `parse: $err`, also `FromStr`: the variant
/// whose text equals the input exactly (case-sensitive), else `$err` (a unit struct). The
/// `FromStr` form looks through `$ty::ALL`.
macro_rules! text_labels {
    (@count) => { 0 };
    (@count $head:ident $($tail:ident)*) => { 1 + $crate::text_labels::text_labels!(@count $($tail)*) };
    ($ty:ident, $doc:literal { $($variant:ident => $text:literal),+ $(,)? } $(, parse: $err:ident)?) => {
        impl $ty {
            /// Every value, in declaration order.
            pub const ALL: [$ty; $crate::text_labels::text_labels!(@count $($variant)+)] = [$($ty::$variant),+];

            #[doc = $doc]
            #[must_use]
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($ty::$variant => $text,)+
                }
            }
        }

        impl ::core::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        $(
            impl ::core::str::FromStr for $ty {
                type Err = $err;

                fn from_str(s: &str) -> Result<Self, Self::Err> {
                    $ty::ALL
                        .into_iter()
                        .find(|value| value.as_str() == s)
                        .ok_or($err)
                }
            }
        )?
    };
}

pub(crate) use text_labels;

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use crate::{CommandKind, MentorStatus, ReasonCode};

    /// Distinct texts, `Display` equal to `as_str`, and (where given) `parse` giving back
    /// the value.
    fn check<T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display>(
        all: &[T],
        as_str: fn(T) -> &'static str,
        parse: Option<fn(&str) -> Option<T>>,
    ) {
        let texts: BTreeSet<&str> = all.iter().map(|v| as_str(*v)).collect();
        assert_eq!(texts.len(), all.len(), "{all:?}");
        for value in all {
            assert_eq!(value.to_string(), as_str(*value));
            if let Some(parse) = parse {
                assert_eq!(parse(as_str(*value)), Some(*value));
            }
        }
    }

    #[test]
    fn every_value_has_its_own_text_and_parses_back_from_it() {
        check(
            &MentorStatus::ALL,
            MentorStatus::as_str,
            Some(|s| s.parse().ok()),
        );
        check(
            &ReasonCode::ALL,
            ReasonCode::as_str,
            Some(|s| s.parse().ok()),
        );
        check(&CommandKind::ALL, CommandKind::as_str, None);
    }
}
