//! The one runner, as the rehearsal engine of `mentor-status-localdb` takes it: `cargo xtask
//! rehearse` and the rehearse tests both pass this adapter over `Migrator`.

use diesel::pg::PgConnection;
use mentor_status_localdb::rehearsal::{FileStatus, History, Runner};
use mentor_status_storage::migrations::{DownTarget, FileState, Migrations, Migrator};

/// The project's runner, as the rehearsal sees it.
#[derive(Debug)]
pub struct ProjectRunner {
    migrations: Migrations,
}

impl ProjectRunner {
    /// A runner for `migrations`.
    #[must_use]
    pub fn new(migrations: Migrations) -> Self {
        Self { migrations }
    }

    fn migrator<'c>(&self, conn: &'c mut PgConnection) -> Migrator<'c> {
        Migrator::with_migrations(conn, self.migrations.clone())
    }
}

impl Runner for ProjectRunner {
    fn status(&mut self, conn: &mut PgConnection) -> Result<Vec<FileStatus>, String> {
        let status = self.migrator(conn).status().map_err(|e| e.to_string())?;
        Ok(status
            .into_iter()
            .map(|s| FileStatus {
                history: match s.file {
                    FileState::Unchanged => History::Matches,
                    FileState::Edited => History::Edited,
                    FileState::Missing => History::Unknown,
                },
                statements: self
                    .migrations
                    .get(&s.version)
                    .map(|m| m.up().statements().to_vec())
                    .unwrap_or_default(),
                version: s.version,
                name: s.name,
                applied: s.applied,
            })
            .collect())
    }

    fn up_to(&mut self, conn: &mut PgConnection, version: &str) -> Result<(), String> {
        self.migrator(conn)
            .up(Some(version))
            .map(drop)
            .map_err(|e| e.to_string())
    }

    fn down_last(&mut self, conn: &mut PgConnection) -> Result<(), String> {
        self.migrator(conn)
            .down(&DownTarget::LAST_ONE)
            .map(drop)
            .map_err(|e| e.to_string())
    }
}
