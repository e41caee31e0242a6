//! [`ChaosError`]: why a chaos run could not be carried out (as opposed to a run whose
//! checks failed, which is a [`Report`](crate::Report)).

use mentor_status_localdb::LocalDbError;
use mentor_status_storage::migrations::MigrationError;
use mentor_status_storage::{DbError, PoolError};

/// The run could not be set up or carried out.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChaosError {
    /// The cluster, a database or the platform baseline failed.
    #[error(transparent)]
    LocalDb(#[from] LocalDbError),
    /// The migration runner failed.
    #[error(transparent)]
    Migration(#[from] MigrationError),
    /// A pool could not be built.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// A query of the harness itself failed (setup or checks, not a writer).
    #[error(transparent)]
    Database(#[from] DbError),
    /// Something else about the run went wrong.
    #[error("{0}")]
    Run(String),
}
