//! [`Fixture`]: the generated organisation the writers work on — chapters, mentors with
//! memberships in one to three chapters, chapter coordinators (some of several chapters,
//! one chapter without any), organisation coordinators — and the run's own log table.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use mentor_status_storage::Context as _;
use uuid::Uuid;

use crate::{ChaosError, SplitMix64};

/// Free-text pause labels the repository and the service role use (each passes
/// `PauseReason::parse`; a unit test checks).
pub const LABELS: [&str; 4] = [
    "exam period",
    "moving house",
    "busy season at work",
    "travelling abroad",
];

/// A mentor of the fixture.
#[derive(Debug, Clone)]
pub struct Mentor {
    /// `peer_mentors.id`.
    pub id: Uuid,
    /// Their Auth user.
    pub user_id: Uuid,
    /// The chapters they have a membership in (active or not, the churner toggles it).
    pub chapters: Vec<Uuid>,
}

/// A chapter coordinator of the fixture.
#[derive(Debug, Clone)]
pub struct Coordinator {
    /// Their Auth user.
    pub user_id: Uuid,
    /// The chapters they have a coordinator row for (active or not).
    pub chapters: Vec<Uuid>,
}

/// The generated organisation.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Every chapter.
    pub chapters: Vec<Uuid>,
    /// Every mentor.
    pub mentors: Vec<Mentor>,
    /// Coordinators who act through the RPCs.
    pub rpc_coordinators: Vec<Coordinator>,
    /// Coordinators who act through the Rust repository (so the audit trail tells the
    /// paths apart by `changed_by`).
    pub repository_coordinators: Vec<Coordinator>,
    /// Organisation coordinators (the fallback recipients).
    pub organisation_coordinators: Vec<Uuid>,
}

impl Fixture {
    /// A fixture of `mentors` mentors, from `rng`.
    #[must_use]
    pub fn generate(mentors: usize, rng: &mut SplitMix64) -> Fixture {
        let mentors = mentors.max(2);
        let chapter_count = (mentors / 8).clamp(3, 40);
        let chapters: Vec<Uuid> = (0..chapter_count).map(|_| rng.uuid()).collect();
        let mentors: Vec<Mentor> = (0..mentors)
            .map(|_| {
                let wanted = 1 + rng.index(3);
                let mut set = BTreeSet::new();
                while set.len() < wanted.min(chapters.len()) {
                    set.insert(chapters[rng.index(chapters.len())]);
                }
                Mentor {
                    id: rng.uuid(),
                    user_id: rng.uuid(),
                    chapters: set.into_iter().collect(),
                }
            })
            .collect();
        // Every chapter but the last has coordinators: one or two of its own, and every
        // third coordinator also coordinates the next chapter. The last chapter has none,
        // so its mentors' changes fall back to the organisation coordinators.
        let mut coordinators = Vec::new();
        for (i, chapter) in chapters.iter().enumerate().take(chapters.len() - 1) {
            for _ in 0..(1 + rng.index(2)) {
                let mut own = vec![*chapter];
                if coordinators.len() % 3 == 2 && i + 2 < chapters.len() {
                    own.push(chapters[i + 1]);
                }
                coordinators.push(Coordinator {
                    user_id: rng.uuid(),
                    chapters: own,
                });
            }
        }
        let (rpc, repository): (Vec<_>, Vec<_>) = coordinators
            .into_iter()
            .enumerate()
            .partition(|(i, _)| i % 2 == 0);
        Fixture {
            chapters,
            mentors,
            rpc_coordinators: rpc.into_iter().map(|(_, c)| c).collect(),
            repository_coordinators: repository.into_iter().map(|(_, c)| c).collect(),
            organisation_coordinators: (0..2).map(|_| rng.uuid()).collect(),
        }
    }

    /// Every chapter coordinator, RPC and repository ones.
    pub fn coordinators(&self) -> impl Iterator<Item = &Coordinator> {
        self.rpc_coordinators
            .iter()
            .chain(&self.repository_coordinators)
    }

    /// Inserts the fixture (and the log table `chaos.churn_log`) as the table owner; the
    /// mentors start active, paused (with a code, a label or no reason) or inactive.
    ///
    /// # Errors
    ///
    /// When an insert fails.
    pub fn insert(&self, conn: &mut PgConnection, rng: &mut SplitMix64) -> Result<(), ChaosError> {
        let mut sql = String::from(
            "create schema if not exists chaos;
             create table if not exists chaos.churn_log (
               id bigint generated always as identity primary key,
               kind text not null check (kind in ('membership', 'coordinator')),
               subject uuid not null,
               chapter_id uuid not null,
               active boolean not null
             );\n",
        );
        let mut users = Vec::new();
        users.extend(self.mentors.iter().map(|m| m.user_id));
        users.extend(self.coordinators().map(|c| c.user_id));
        users.extend(self.organisation_coordinators.iter().copied());
        insert_values(
            &mut sql,
            "auth.users (id, aud, role, email)",
            users.iter().map(|u| {
                format!("('{u}', 'authenticated', 'authenticated', 'chaos-{u}@example.org')")
            }),
        );
        insert_values(
            &mut sql,
            "public.chapters (id, name)",
            self.chapters
                .iter()
                .enumerate()
                .map(|(i, c)| format!("('{c}', 'Chaos chapter {i:03}')")),
        );
        let mentors: Vec<String> = self
            .mentors
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let (status, pause_at, reason) = match rng.below(10) {
                    0..=5 => ("active", "null".to_owned(), "null".to_owned()),
                    6..=8 => {
                        let reason = match rng.below(3) {
                            0 => "null".to_owned(),
                            1 => format!("'{}'", crate::writers::random_code(rng)),
                            _ => format!("'{}'", LABELS[rng.index(LABELS.len())]),
                        };
                        (
                            "paused",
                            format!("now() - interval '{} hours'", 1 + rng.below(500)),
                            reason,
                        )
                    }
                    _ => ("inactive", "null".to_owned(), "null".to_owned()),
                };
                format!(
                    "('{}', '{}', 'Chaos Mentor {i:05}', 'chaos-{}@example.org', '{status}', {pause_at}, {reason})",
                    m.id, m.user_id, m.user_id
                )
            })
            .collect();
        insert_values(
            &mut sql,
            "public.peer_mentors (id, user_id, full_name, email, status, pause_at, pause_reason)",
            mentors.into_iter(),
        );
        insert_values(
            &mut sql,
            "public.chapter_memberships (mentor_id, chapter_id)",
            self.mentors.iter().flat_map(|m| {
                m.chapters
                    .iter()
                    .map(move |c| format!("('{}', '{c}')", m.id))
            }),
        );
        insert_values(
            &mut sql,
            "public.chapter_coordinators (user_id, chapter_id)",
            self.coordinators().flat_map(|k| {
                k.chapters
                    .iter()
                    .map(move |c| format!("('{}', '{c}')", k.user_id))
            }),
        );
        insert_values(
            &mut sql,
            "public.organisation_coordinators (user_id)",
            self.organisation_coordinators
                .iter()
                .map(|u| format!("('{u}')")),
        );
        Ok(conn
            .batch_execute(&sql)
            .context("inserting the chaos fixture")?)
    }
}

/// Appends `insert into <table> values <rows>;` to `sql` (nothing for no rows).
fn insert_values(sql: &mut String, table: &str, rows: impl Iterator<Item = String>) {
    let rows: Vec<String> = rows.collect();
    if !rows.is_empty() {
        let _ = writeln!(sql, "insert into {table} values\n{};", rows.join(",\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_labels_are_valid_pause_reasons_and_not_codes() {
        for label in LABELS {
            let reason = mentor_status_domain::PauseReason::parse(label)
                .unwrap_or_else(|e| panic!("{label}: {e}"));
            assert!(reason.is_label(), "{label}");
        }
    }

    #[test]
    fn a_fixture_has_multi_chapter_mentors_and_a_chapter_without_coordinators() {
        let fixture = Fixture::generate(50, &mut SplitMix64::new(1));
        assert_eq!(fixture.mentors.len(), 50);
        assert!(fixture.mentors.iter().any(|m| m.chapters.len() > 1));
        let last = fixture.chapters.last().copied();
        assert!(
            fixture
                .coordinators()
                .all(|c| !c.chapters.contains(&last.unwrap_or_default()))
        );
        assert!(!fixture.rpc_coordinators.is_empty());
        assert!(!fixture.repository_coordinators.is_empty());
    }
}
