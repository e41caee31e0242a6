use std::path::PathBuf;

use mentor_status_storage::{DbError, PoolError};

/// What went wrong with the local database.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LocalDbError {
    /// No PostgreSQL server binaries were found.
    #[error(
        "no PostgreSQL server binaries (initdb, pg_ctl, postgres; version 15 or newer) were found. \
         Install them (Debian: `apt-get install postgresql-15`), or point PG_BIN at their folder, \
         or set DATABASE_URL to use a running PostgreSQL instead{searched}"
    )]
    NoBinaries {
        /// Where we looked, for the message.
        searched: String,
    },
    /// A command we ran failed.
    #[error("`{command}` failed: {output}")]
    Command {
        /// The command line.
        command: String,
        /// Its stderr/stdout, or the spawn error.
        output: String,
    },
    /// A file system operation failed.
    #[error("{action} {}: {source}", path.display())]
    Io {
        /// What we were doing.
        action: &'static str,
        /// On which path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Connecting failed (storage's [`PoolError::Connect`]: the URL with its password
    /// hidden, and what libpq said).
    #[error(transparent)]
    Connect(#[from] PoolError),
    /// A query failed.
    #[error(transparent)]
    Query(#[from] DbError),
    /// `supabase/config.toml` or a seed path is wrong.
    #[error("{0}")]
    Config(String),
}

impl LocalDbError {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}
