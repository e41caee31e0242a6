//! diesel's [`MigrationHarness`] for [`Migrator`]: each file applied or reverted as the CLI
//! applies it, with its history change where the CLI makes it.

use diesel::connection::SimpleConnection;
use diesel::migration::{Migration, MigrationVersion};
use diesel::pg::{Pg, PgConnection};
use diesel_migrations::MigrationHarness;

use super::{MigrationError, Migrator, SqlMigration, SqlScript, history};

/// What diesel's harness returns for one file: its version, applied or reverted.
type Done = diesel::migration::Result<MigrationVersion<'static>>;

fn reset_all(conn: &mut PgConnection) -> diesel::QueryResult<()> {
    // The CLI resets session settings before each file; we also reset after, so a file's
    // `SET lock_timeout` never leaks into whatever uses this connection next.
    conn.batch_execute("RESET ALL")
}

impl Migrator<'_> {
    /// Runs `script` of `file` as the CLI would (after `RESET ALL`, and resets after it too, so
    /// a file's `SET` never leaks into whatever uses the connection next), with `history`
    /// where the CLI changes history.
    fn run_script(
        &mut self,
        file: &SqlMigration,
        script: &SqlScript,
        label: &str,
        history: &mut dyn FnMut(&mut PgConnection) -> diesel::QueryResult<()>,
    ) -> Done {
        reset_all(self.conn)?;
        let result = script.run(self.conn, label, history);
        reset_all(self.conn)?;
        result?;
        Ok(MigrationVersion::from(file.version().to_owned()))
    }

    /// The file of `migration` (a clone: the harness borrows `self` mutably to run it), or
    /// `missing(version)`.
    fn file_of(
        &self,
        migration: &dyn Migration<Pg>,
        missing: fn(String) -> MigrationError,
    ) -> Result<SqlMigration, MigrationError> {
        let version = migration.name().version().to_string();
        match self.migrations.get(&version) {
            Some(file) => Ok(file.clone()),
            None => Err(missing(version)),
        }
    }
}

impl MigrationHarness<Pg> for Migrator<'_> {
    fn run_migration(&mut self, migration: &dyn Migration<Pg>) -> Done {
        let file = self.file_of(migration, |version| MigrationError::UnknownVersion {
            version,
        })?;
        let mut record = |conn: &mut PgConnection| {
            history::record(conn, file.version(), file.name(), file.up().statements())
        };
        self.run_script(&file, file.up(), &file.to_string(), &mut record)
    }

    fn revert_migration(&mut self, migration: &dyn Migration<Pg>) -> Done {
        let file = self.file_of(migration, |version| MigrationError::AppliedWithoutFile {
            version,
        })?;
        let down = file.down().ok_or_else(|| MigrationError::MissingRollback {
            migration: file.to_string(),
        })?;
        let mut forget = |conn: &mut PgConnection| history::forget(conn, file.version());
        self.run_script(&file, down, &format!("rollback of {file}"), &mut forget)
    }

    fn applied_migrations(&mut self) -> diesel::migration::Result<Vec<MigrationVersion<'static>>> {
        Ok(self
            .applied_versions()?
            .into_iter()
            .map(MigrationVersion::from)
            .collect())
    }
}
