//! [`ReasonCode`]: the closed list of predefined pause reasons.

/// A predefined pause reason: the primary way to record why a mentor paused.
///
/// The list is closed, and no code is itself health information; a mentor who is ill
/// chooses [`ReasonCode::Personal`] or no reason at all.
/// The text form (`as_str`, `Display`, `FromStr`) is the snake_case name stored in
/// `pause_reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReasonCode {
    /// Holiday or travel (`vacation`).
    Vacation,
    /// A personal reason the mentor does not want to state (`personal`).
    Personal,
    /// No time or energy for mentoring right now (`capacity`).
    Capacity,
    /// Taking part in training or studies (`training`).
    Training,
    /// Moving to another place (`relocation`).
    Relocation,
    /// Anything else (`other`).
    Other,
}

impl ReasonCode {
    /// The code whose name equals `text` ignoring ASCII case, if any.
    #[must_use]
    pub fn find_ignoring_case(text: &str) -> Option<ReasonCode> {
        ReasonCode::ALL
            .into_iter()
            .find(|code| code.as_str().eq_ignore_ascii_case(text))
    }
}

crate::text_labels::text_labels!(ReasonCode, "The text stored in `pause_reason`." {
    Vacation => "vacation",
    Personal => "personal",
    Capacity => "capacity",
    Training => "training",
    Relocation => "relocation",
    Other => "other",
}, parse: UnknownReasonCode);

/// A text that is not exactly the name of a [`ReasonCode`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown reason code (expected one of: vacation, personal, capacity, training, relocation, other)"
)]
pub struct UnknownReasonCode;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_case_sensitive() {
        assert_eq!("Vacation".parse::<ReasonCode>(), Err(UnknownReasonCode));
        assert_eq!(
            ReasonCode::find_ignoring_case("VACATION"),
            Some(ReasonCode::Vacation)
        );
    }
}
