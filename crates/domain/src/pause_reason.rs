//! [`PauseReason`]: what is stored in `pause_reason`, either a code or a checked label.

use std::fmt;

use crate::{AuditLabel, AuditLabelError, ReasonCode};

/// Why a mentor paused: a predefined [`ReasonCode`] (preferred) or a short [`AuditLabel`].
///
/// Never a national identity number or health information: codes are a closed list of
/// harmless values, and labels are checked by [`AuditLabel::parse`].
///
/// Text round trip: `PauseReason::parse(r.as_str()) == Ok(r)` for every reason.
/// This holds because [`AuditLabel::parse`] refuses any text that names a code (ignoring
/// ASCII case) with [`AuditLabelError::IsReasonCode`], so a label can never be mistaken for
/// a code when it is read back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PauseReason {
    /// One of the predefined codes.
    Code(ReasonCode),
    /// A short free-text audit label.
    Label(AuditLabel),
}

impl PauseReason {
    /// Reads the text stored in `pause_reason`.
    ///
    /// After trimming, a text that is exactly a code name (lowercase, as
    /// [`ReasonCode::as_str`] writes it) is that code; anything else must be a valid
    /// [`AuditLabel`].
    ///
    /// # Errors
    ///
    /// The [`AuditLabelError`] for a text that is neither a code nor a valid label
    /// (including [`AuditLabelError::IsReasonCode`] for a code name in other letter case).
    pub fn parse(text: &str) -> Result<PauseReason, AuditLabelError> {
        match text.trim().parse::<ReasonCode>() {
            Ok(code) => Ok(PauseReason::Code(code)),
            Err(_) => AuditLabel::parse(text).map(PauseReason::Label),
        }
    }

    /// The text stored in `pause_reason`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            PauseReason::Code(code) => code.as_str(),
            PauseReason::Label(label) => label.as_str(),
        }
    }

    /// Whether this is a free-text label rather than a code.
    #[must_use]
    pub fn is_label(&self) -> bool {
        matches!(self, PauseReason::Label(_))
    }
}

impl From<ReasonCode> for PauseReason {
    fn from(code: ReasonCode) -> PauseReason {
        PauseReason::Code(code)
    }
}

impl From<AuditLabel> for PauseReason {
    fn from(label: AuditLabel) -> PauseReason {
        PauseReason::Label(label)
    }
}

impl AsRef<str> for PauseReason {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Display for PauseReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_name_parses_as_the_code() {
        for code in ReasonCode::ALL {
            assert_eq!(
                PauseReason::parse(code.as_str()),
                Ok(PauseReason::Code(code))
            );
        }
        assert_eq!(
            PauseReason::parse(" capacity "),
            Ok(PauseReason::Code(ReasonCode::Capacity))
        );
    }

    #[test]
    fn a_code_name_in_other_case_is_rejected_with_a_hint_to_use_the_code() {
        assert_eq!(
            PauseReason::parse("Capacity"),
            Err(AuditLabelError::IsReasonCode {
                code: ReasonCode::Capacity
            })
        );
    }

    #[test]
    fn any_other_text_is_parsed_as_a_label() {
        let reason = PauseReason::parse("Flytter til Tromsø").unwrap();
        assert!(reason.is_label());
        assert_eq!(reason.as_str(), "Flytter til Tromsø");
        assert_eq!(PauseReason::parse(reason.as_str()), Ok(reason));
    }
}
