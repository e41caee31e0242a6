//! diesel's [`MigrationHarness`] for [`Migrator`]: each file applied or reverted as the CLI
//! applies it, with its history change where the CLI makes it.

use diesel::connection::SimpleConnection;
use diesel::migration::{Migration, MigrationVersion};
use diesel::pg::{Pg, PgConnection};
use diesel_migrations::MigrationHarness;

use super::{MigrationError, Migrator, history};

fn reset_all(conn: &mut PgConnection) -> diesel::QueryResult<()> {
    // The CLI resets session settings before each file; we also reset after, so a file's
    // `SET lock_timeout` never leaks into whatever uses this connection next.
    conn.batch_execute("RESET ALL")
}

impl MigrationHarness<Pg> for Migrator<'_> {
    fn run_migration(
        &mut self,
        migration: &dyn Migration<Pg>,
    ) -> diesel::migration::Result<MigrationVersion<'static>> {
        let version = migration.name().version().as_owned();
        let file = self
            .migrations
            .get(&version.to_string())
            .cloned()
            .ok_or_else(|| MigrationError::UnknownVersion {
                version: version.to_string(),
            })?;
        let mut record = |conn: &mut PgConnection| {
            history::record(conn, file.version(), file.name(), file.up().statements())
        };
        reset_all(self.conn)?;
        let result = file.up().run(self.conn, &file.to_string(), &mut record);
        reset_all(self.conn)?;
        result?;
        Ok(version)
    }

    fn revert_migration(
        &mut self,
        migration: &dyn Migration<Pg>,
    ) -> diesel::migration::Result<MigrationVersion<'static>> {
        let version = migration.name().version().as_owned();
        let file = self
            .migrations
            .get(&version.to_string())
            .cloned()
            .ok_or_else(|| MigrationError::AppliedWithoutFile {
                version: version.to_string(),
            })?;
        let down = file.down().ok_or_else(|| MigrationError::MissingRollback {
            migration: file.to_string(),
        })?;
        let mut forget = |conn: &mut PgConnection| history::forget(conn, file.version());
        reset_all(self.conn)?;
        let result = down.run(self.conn, &format!("rollback of {file}"), &mut forget);
        reset_all(self.conn)?;
        result?;
        Ok(version)
    }

    fn applied_migrations(&mut self) -> diesel::migration::Result<Vec<MigrationVersion<'static>>> {
        Ok(self
            .applied_versions()?
            .into_iter()
            .map(MigrationVersion::from)
            .collect())
    }
}
