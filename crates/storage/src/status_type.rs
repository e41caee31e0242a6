//! [`DbMentorStatus`]: the diesel mapping of the PostgreSQL enum `public.mentor_status`.
//!
//! The domain's [`MentorStatus`] stays free of diesel; this twin derives
//! [`DbEnum`](diesel_derive_enum::DbEnum) against the SQL type that `diesel print-schema`
//! generated (`schema::sql_types::MentorStatus`), and converts both ways.

use mentor_status_domain::MentorStatus;

/// The `mentor_status` enum as diesel reads and writes it; convert with [`From`].
///
/// The labels are the domain's ([`MentorStatus::as_str`]); a test checks that every value
/// round-trips through the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, diesel_derive_enum::DbEnum)]
#[ExistingTypePath = "crate::schema::sql_types::MentorStatus"]
#[DbValueStyle = "snake_case"]
pub enum DbMentorStatus {
    /// `active`.
    Active,
    /// `paused`.
    Paused,
    /// `inactive`.
    Inactive,
}

impl From<MentorStatus> for DbMentorStatus {
    fn from(status: MentorStatus) -> DbMentorStatus {
        match status {
            MentorStatus::Active => DbMentorStatus::Active,
            MentorStatus::Paused => DbMentorStatus::Paused,
            MentorStatus::Inactive => DbMentorStatus::Inactive,
        }
    }
}

impl From<DbMentorStatus> for MentorStatus {
    fn from(status: DbMentorStatus) -> MentorStatus {
        match status {
            DbMentorStatus::Active => MentorStatus::Active,
            DbMentorStatus::Paused => MentorStatus::Paused,
            DbMentorStatus::Inactive => MentorStatus::Inactive,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_domain_status_converts_to_and_from_its_diesel_twin() {
        for status in MentorStatus::ALL {
            assert_eq!(MentorStatus::from(DbMentorStatus::from(status)), status);
        }
    }
}
