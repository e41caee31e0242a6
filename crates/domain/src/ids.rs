//! The UUID ids the rules work with — [`ChapterId`], [`UserId`] — and [`uuid_id!`], which
//! makes such an id type (storage's `MentorId` too): distinct types, so one is never passed
//! where another is meant.

/// Defines `pub struct $name(Uuid)` with `new`, `as_uuid`, `From<Uuid>` and `Display` (the
/// UUID's hyphenated form). `$what` names what the UUID belongs to, for the docs.
#[macro_export]
macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident, $what:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name($crate::__private::Uuid);

        impl $name {
            #[doc = concat!("Wraps ", $what, "'s UUID.")]
            #[must_use]
            pub const fn new(id: $crate::__private::Uuid) -> $name {
                $name(id)
            }

            /// The UUID.
            #[must_use]
            pub const fn as_uuid(&self) -> &$crate::__private::Uuid {
                &self.0
            }
        }

        impl ::core::convert::From<$crate::__private::Uuid> for $name {
            fn from(id: $crate::__private::Uuid) -> $name {
                $name(id)
            }
        }

        impl ::core::fmt::Display for $name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

uuid_id!(
    /// The id of a local chapter.
    ChapterId,
    "a chapter"
);

uuid_id!(
    /// The id of a user, as in `auth.users.id`.
    UserId,
    "a user"
);

/// Small ids for the unit tests: user `n` and chapter `n` (the chapters counted from
/// 0xC000, so that no chapter shares a UUID with a user).
#[cfg(test)]
pub(crate) mod test_ids {
    use uuid::Uuid;

    use super::{ChapterId, UserId};

    pub(crate) fn user(n: u128) -> UserId {
        UserId::new(Uuid::from_u128(n))
    }

    pub(crate) fn chapter(n: u128) -> ChapterId {
        ChapterId::new(Uuid::from_u128(0xC000 + n))
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;

    #[test]
    fn an_id_shows_and_gives_back_its_uuid() {
        let uuid = Uuid::from_u128(0x1234);
        let id = UserId::new(uuid);
        assert_eq!(id.as_uuid(), &uuid);
        assert_eq!(id.to_string(), uuid.to_string());
        assert_eq!(ChapterId::from(uuid).as_uuid(), &uuid);
    }
}
