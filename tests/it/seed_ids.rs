//! The ids of the fixture cast in `supabase/seed.sql`, in one place: auth users
//! `a0000000-0000-4000-8000-0000000000NN`, mentors `b0000000-…-0000000000NN` (mentor NN
//! belongs to user NN) and chapters `c0000000-…-0000000000NN`.
//!
//! Every test under `tests/it/` names a seeded row through these constants; a test that
//! inserts rows of its own may use [`user`], [`mentor`] and [`chapter`] with a number the
//! seed does not use.

use uuid::Uuid;

/// The auth user `a0000000-0000-4000-8000-0000000000NN` (`n` written in hex: `0x11` is
/// `…011`).
pub const fn user(n: u128) -> Uuid {
    Uuid::from_u128(0xa000_0000_0000_4000_8000_0000_0000_0000 + n)
}

/// The mentor `b0000000-0000-4000-8000-0000000000NN` (of user NN).
pub const fn mentor(n: u128) -> Uuid {
    Uuid::from_u128(0xb000_0000_0000_4000_8000_0000_0000_0000 + n)
}

/// The chapter `c0000000-0000-4000-8000-0000000000NN`.
pub const fn chapter(n: u128) -> Uuid {
    Uuid::from_u128(0xc000_0000_0000_4000_8000_0000_0000_0000 + n)
}

/// The seeded auth users, by first name.
pub mod users {
    use super::user;
    use uuid::Uuid;

    /// Ada Hansen, mentor in Oslo.
    pub const ADA: Uuid = user(0x01);
    /// Bjørn Olsen, mentor in Oslo and Bergen.
    pub const BJORN: Uuid = user(0x02);
    /// Camilla Berg, mentor in Bergen.
    pub const CAMILLA: Uuid = user(0x03);
    /// Fredrik Dahl, mentor in Tromsø.
    pub const FREDRIK: Uuid = user(0x06);
    /// Henrik Strand, mentor in Bergen.
    pub const HENRIK: Uuid = user(0x08);
    /// Kari Koordinator, coordinator of Oslo and Bergen.
    pub const KARI: Uuid = user(0x11);
    /// Trond Koordinator, coordinator of Trondheim.
    pub const TROND: Uuid = user(0x12);
    /// Ingrid Tidligere, a former coordinator of Oslo (inactive).
    pub const INGRID: Uuid = user(0x13);
    /// Ola Utenfor: a user who is neither mentor nor coordinator.
    pub const OLA: Uuid = user(0x99);
}

/// The seeded mentors (`peer_mentors.id`): mentor NN is user NN's row.
pub mod mentors {
    use super::{mentor, users};
    use uuid::Uuid;

    /// The mentor row of the seeded `user`.
    const fn of(user: Uuid) -> Uuid {
        mentor(user.as_u128() - super::user(0).as_u128())
    }

    pub const ADA: Uuid = of(users::ADA); // active, Oslo
    pub const BJORN: Uuid = of(users::BJORN); // active, Oslo and Bergen
    pub const CAMILLA: Uuid = of(users::CAMILLA); // paused since 2026-11-01 08:00Z, `vacation`, Bergen
    pub const FREDRIK: Uuid = of(users::FREDRIK); // active, Tromsø
    pub const HENRIK: Uuid = of(users::HENRIK); // inactive, Bergen

    /// An id no seeded mentor has.
    pub const NOBODY: Uuid = mentor(0xff);
}

/// The seeded chapters, with their members and coordinators.
pub mod chapters {
    use super::chapter;
    use uuid::Uuid;

    pub const OSLO: Uuid = chapter(0x01); // Ada, Bjørn, Guro; Kari (Ingrid formerly)
    pub const BERGEN: Uuid = chapter(0x02); // Bjørn, Camilla, Henrik (Guro left); Kari
    pub const TRONDHEIM: Uuid = chapter(0x03); // Daniel, Eva; Trond
    pub const TROMSO: Uuid = chapter(0x04); // Eva, Fredrik; no coordinator
}

/// Every named id, as `module::NAME`, for [`fill`].
const NAMED: [(&str, Uuid); 19] = [
    ("users::ADA", users::ADA),
    ("users::BJORN", users::BJORN),
    ("users::CAMILLA", users::CAMILLA),
    ("users::FREDRIK", users::FREDRIK),
    ("users::HENRIK", users::HENRIK),
    ("users::KARI", users::KARI),
    ("users::TROND", users::TROND),
    ("users::INGRID", users::INGRID),
    ("users::OLA", users::OLA),
    ("mentors::ADA", mentors::ADA),
    ("mentors::BJORN", mentors::BJORN),
    ("mentors::CAMILLA", mentors::CAMILLA),
    ("mentors::FREDRIK", mentors::FREDRIK),
    ("mentors::HENRIK", mentors::HENRIK),
    ("mentors::NOBODY", mentors::NOBODY),
    ("chapters::OSLO", chapters::OSLO),
    ("chapters::BERGEN", chapters::BERGEN),
    ("chapters::TRONDHEIM", chapters::TRONDHEIM),
    ("chapters::TROMSO", chapters::TROMSO),
];

/// `template` (SQL, usually) with every `{users::NAME}`, `{mentors::NAME}` and
/// `{chapters::NAME}` replaced by that id; a placeholder with another name is a test bug.
pub fn fill(template: &str) -> String {
    let filled = NAMED.iter().fold(template.to_owned(), |text, (name, id)| {
        text.replace(&format!("{{{name}}}"), &id.to_string())
    });
    for module in ["{users::", "{mentors::", "{chapters::"] {
        assert!(!filled.contains(module), "an unknown seeded id in {filled}");
    }
    filled
}

#[cfg(test)]
mod tests {
    use mentor_status_tests::TestDb;
    use uuid::Uuid;

    use super::{chapters, mentors, users};
    use crate::support::{int, text};

    #[test]
    fn the_seeded_ids_used_here_exist_and_the_unknown_one_does_not() {
        // Guards the tests that name these rows against a seed change turning them vacuous.
        let db = TestDb::seeded();
        let mut conn = db.conn();
        let count = |conn: &mut diesel::PgConnection, table: &str, id: Uuid| {
            int(
                conn,
                &format!("select count(*) as v from {table} where id = '{id}'"),
            )
        };
        // Each row by its id: a mentor's name and status, a chapter's name.
        let mentor = "select full_name || ' ' || status as v from public.peer_mentors";
        let chapter = "select name as v from public.chapters";
        for (select, id, expected) in [
            (mentor, mentors::ADA, "Ada Hansen active"),
            (mentor, mentors::BJORN, "Bjørn Olsen active"),
            (mentor, mentors::CAMILLA, "Camilla Berg paused"),
            (mentor, mentors::FREDRIK, "Fredrik Dahl active"),
            (mentor, mentors::HENRIK, "Henrik Strand inactive"),
            (chapter, chapters::OSLO, "Oslo"),
            (chapter, chapters::BERGEN, "Bergen"),
            (chapter, chapters::TRONDHEIM, "Trondheim"),
            (chapter, chapters::TROMSO, "Tromsø"),
        ] {
            assert_eq!(
                text(&mut conn, &format!("{select} where id = '{id}'")),
                expected,
                "{id}"
            );
        }
        for id in [mentors::NOBODY, Uuid::nil()] {
            assert_eq!(count(&mut conn, "public.peer_mentors", id), 0, "{id}");
        }
        for id in [
            users::ADA,
            users::BJORN,
            users::CAMILLA,
            users::FREDRIK,
            users::HENRIK,
            users::KARI,
            users::TROND,
            users::INGRID,
            users::OLA,
        ] {
            assert_eq!(count(&mut conn, "auth.users", id), 1, "{id}");
        }
    }
}
