//! The one migration runner: the application, the xtask and the tests all apply
//! `supabase/migrations` through [`Migrator`].
//!
//! It is a diesel [`MigrationHarness`] that keeps history where the Supabase CLI keeps it,
//! `supabase_migrations.schema_migrations (version, name, statements)`, so `supabase migration
//! list` and `supabase db push` agree with what we applied. It splits and applies each file
//! exactly as the CLI 2.117 does (see [`ApplyMode`]): after `RESET ALL`, the statements and the
//! history row in one transaction, so a failing file leaves neither schema change nor history
//! row — except statements that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`, …),
//! which run alone, and files that opt out ([`NO_TRANSACTION_MARKER`]) or bring their own
//! `BEGIN`/`COMMIT`, which run statement by statement.
//! Every [`Migrator`] operation holds a PostgreSQL advisory lock, so two processes never
//! migrate the same database at once.

mod apply;
mod error;
mod files;
mod harness;
mod history;
mod lock;
mod source;
mod split;

use std::collections::{BTreeMap, BTreeSet};

use diesel::migration::Migration;
use diesel::pg::{Pg, PgConnection};
use diesel_migrations::MigrationHarness;

pub use apply::{ApplyMode, NO_TRANSACTION_MARKER};
pub use error::{MigrationError, StatementFailed};
pub use history::HistoryRow;
pub use lock::MIGRATION_LOCK_KEY;
pub use source::{Migrations, SqlMigration, SqlScript, StatusMigration};
pub use split::split_statements;

/// One row of `migrate status`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationStatus {
    /// The version.
    pub version: String,
    /// The name, from the file or (for [`FileState::Missing`]) from history.
    pub name: String,
    /// Whether the database has it.
    pub applied: bool,
    /// Whether `supabase/rollbacks/` has its rollback file.
    pub has_rollback: bool,
    /// How the file compares with what was recorded when it was applied.
    pub file: FileState,
}

/// How a migration file compares with the database's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// Not applied, or applied from this exact text.
    Unchanged,
    /// Applied, and the file's statements differ from those recorded.
    Edited,
    /// Applied, but no file has this version.
    Missing,
}

/// What [`Migrator::down`] reverts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DownTarget {
    /// Everything applied after this version (which stays applied).
    To(String),
    /// The newest N applied migrations (at least one: reverting nothing is no request).
    Last(std::num::NonZeroUsize),
}

impl DownTarget {
    /// The newest applied migration.
    pub const LAST_ONE: Self = Self::Last(std::num::NonZeroUsize::MIN);
}

/// Applies and reverts [`Migrations`] on one connection, recording history as the Supabase CLI
/// does. See the [module docs](self).
pub struct Migrator<'c> {
    conn: &'c mut PgConnection,
    migrations: Migrations,
    force: bool,
}

impl std::fmt::Debug for Migrator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Migrator")
            .field("migrations", &self.migrations)
            .field("force", &self.force)
            .finish_non_exhaustive()
    }
}

impl<'c> Migrator<'c> {
    /// A runner for the project's embedded migrations.
    pub fn new(conn: &'c mut PgConnection) -> Self {
        Self::with_migrations(conn, Migrations::embedded())
    }

    /// A runner for any set of migrations.
    pub fn with_migrations(conn: &'c mut PgConnection, migrations: Migrations) -> Self {
        Self {
            conn,
            migrations,
            force: false,
        }
    }

    /// With `force`, [`Migrator::up`] applies pending files even when applied ones were
    /// edited, and records the edited text as applied.
    #[must_use]
    pub fn force(mut self, force: bool) -> Self {
        self.force = force;
        self
    }

    /// The migrations this runner knows.
    #[must_use]
    pub fn migrations(&self) -> &Migrations {
        &self.migrations
    }

    /// Applies pending migrations in version order, up to and including `to` (all when `None`).
    /// Returns the versions applied.
    pub fn up(&mut self, to: Option<&str>) -> Result<Vec<String>, MigrationError> {
        if let Some(version) = to {
            self.require_known(version)?;
        }
        self.locked(|this| {
            let status = this.status_unlocked()?;
            let edited: Vec<String> = status
                .iter()
                .filter(|s| s.file == FileState::Edited)
                .map(|s| format!("{}_{}", s.version, s.name))
                .collect();
            if !edited.is_empty() && !this.force {
                return Err(MigrationError::Edited { versions: edited });
            }
            let pending: Vec<String> = status
                .iter()
                .filter(|s| !s.applied && s.file != FileState::Missing)
                .filter(|s| to.is_none_or(|to| s.version.as_str() <= to))
                .map(|s| s.version.clone())
                .collect();
            if this.force {
                for s in status.iter().filter(|s| s.file == FileState::Edited) {
                    this.record_edited_text(&s.version)?;
                }
            }
            for version in &pending {
                let migration = this.diesel_migration(version)?;
                this.run_migration(migration.as_ref())
                    .map_err(|e| this.explain(MigrationError::from_boxed(e)))?;
            }
            Ok(pending)
        })
    }

    /// Reverts applied migrations newest first, each with its rollback file and the removal of
    /// its history row in one transaction. Refuses before changing anything when one of them
    /// has no rollback file. Returns the versions reverted.
    pub fn down(&mut self, target: &DownTarget) -> Result<Vec<String>, MigrationError> {
        if let DownTarget::To(version) = target {
            self.require_known(version)?;
        }
        self.locked(|this| {
            let applied = this.applied_versions()?;
            let to_revert: Vec<String> = match target {
                DownTarget::To(version) => applied
                    .iter()
                    .filter(|v| v.as_str() > version.as_str())
                    .cloned()
                    .collect(),
                DownTarget::Last(n) => applied.iter().take(n.get()).cloned().collect(),
            };
            for version in &to_revert {
                let migration = this.migrations.get(version).ok_or_else(|| {
                    MigrationError::AppliedWithoutFile {
                        version: version.clone(),
                    }
                })?;
                if migration.down().is_none() {
                    return Err(MigrationError::MissingRollback {
                        migration: migration.to_string(),
                    });
                }
            }
            for version in &to_revert {
                let migration = this.diesel_migration(version)?;
                this.revert_migration(migration.as_ref())
                    .map_err(|e| this.explain(MigrationError::from_boxed(e)))?;
            }
            Ok(to_revert)
        })
    }

    /// Every known or applied version, in order, with how it stands.
    pub fn status(&mut self) -> Result<Vec<MigrationStatus>, MigrationError> {
        self.locked(Self::status_unlocked)
    }

    /// The history rows, oldest first.
    pub fn history(&mut self) -> Result<Vec<HistoryRow>, MigrationError> {
        history::rows(self.conn)
    }

    fn status_unlocked(&mut self) -> Result<Vec<MigrationStatus>, MigrationError> {
        let history: BTreeMap<String, HistoryRow> = self
            .history()?
            .into_iter()
            .map(|row| (row.version.clone(), row))
            .collect();
        let versions: BTreeSet<&str> = self
            .migrations
            .iter()
            .map(SqlMigration::version)
            .chain(history.keys().map(String::as_str))
            .collect();
        Ok(versions
            .into_iter()
            .map(|version| {
                let file = self.migrations.get(version);
                let row = history.get(version);
                let state = match (file, row) {
                    (None, _) => FileState::Missing,
                    (
                        Some(file),
                        Some(HistoryRow {
                            statements: Some(recorded),
                            ..
                        }),
                    ) if recorded.as_slice() != file.up().statements() => FileState::Edited,
                    _ => FileState::Unchanged,
                };
                MigrationStatus {
                    version: version.to_owned(),
                    name: file
                        .map(|f| f.name().to_owned())
                        .or_else(|| row.and_then(|r| r.name.clone()))
                        .unwrap_or_default(),
                    applied: row.is_some(),
                    has_rollback: file.is_some_and(|f| f.down().is_some()),
                    file: state,
                }
            })
            .collect())
    }

    fn explain(&mut self, error: MigrationError) -> MigrationError {
        error::explain(self.conn, error)
    }

    fn record_edited_text(&mut self, version: &str) -> Result<(), MigrationError> {
        match self.migrations.get(version) {
            Some(migration) => {
                history::rewrite_statements(self.conn, version, migration.up().statements())
            }
            None => Ok(()),
        }
    }

    fn require_known(&self, version: &str) -> Result<(), MigrationError> {
        match self.migrations.get(version) {
            Some(_) => Ok(()),
            None => Err(MigrationError::UnknownVersion {
                version: version.to_owned(),
            }),
        }
    }

    fn diesel_migration(&self, version: &str) -> Result<Box<dyn Migration<Pg>>, MigrationError> {
        self.migrations
            .diesel_migration(version)
            .ok_or_else(|| MigrationError::UnknownVersion {
                version: version.to_owned(),
            })
    }

    fn locked<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, MigrationError>,
    ) -> Result<T, MigrationError> {
        lock::locked(self, |this| &mut *this.conn, f)
    }

    /// Applied versions, newest first (the order diesel's harness expects).
    fn applied_versions(&mut self) -> Result<Vec<String>, MigrationError> {
        let mut versions: Vec<String> =
            self.history()?.into_iter().map(|row| row.version).collect();
        versions.reverse();
        Ok(versions)
    }
}

/// Applies every pending embedded migration; what the application calls at start-up.
/// Returns the versions applied (none when the database is up to date).
pub fn run_pending_migrations(conn: &mut PgConnection) -> Result<Vec<String>, MigrationError> {
    Migrator::new(conn).up(None)
}
