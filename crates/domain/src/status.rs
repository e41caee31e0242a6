//! [`MentorStatus`]: the Rust name of the PostgreSQL enum `mentor_status`.

/// The value of the `status` column: the Rust name of the database enum `mentor_status`.
///
/// The text forms are exactly the enum labels `active`, `paused` and `inactive`.
/// A status alone says nothing about the pause columns; [`MentorState`](crate::MentorState)
/// is the type that keeps them consistent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MentorStatus {
    /// The mentor takes part normally (`active`).
    Active,
    /// The mentor has paused for a while (`paused`).
    Paused,
    /// The mentor has left the programme (`inactive`).
    Inactive,
}

// In the order of the database enum labels (`ALL` follows it).
crate::text_labels::text_labels!(MentorStatus, "The database enum label." {
    Active => "active",
    Paused => "paused",
    Inactive => "inactive",
}, parse: UnknownMentorStatus);

/// A text that is not one of the `mentor_status` enum labels.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown mentor status (expected one of: active, paused, inactive)")]
pub struct UnknownMentorStatus;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_exactly_the_database_enum_labels() {
        let labels: Vec<_> = MentorStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(labels, ["active", "paused", "inactive"]);
    }

    #[test]
    fn labels_are_case_sensitive_and_untrimmed() {
        assert_eq!("Active".parse::<MentorStatus>(), Err(UnknownMentorStatus));
        assert_eq!(" paused".parse::<MentorStatus>(), Err(UnknownMentorStatus));
        assert_eq!("".parse::<MentorStatus>(), Err(UnknownMentorStatus));
    }
}
