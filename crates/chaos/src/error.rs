//! [`ChaosError`]: why a chaos run could not be carried out (as opposed to a run whose
//! checks failed, which is a [`Report`](crate::Report)).

use mentor_status_localdb::LocalDbError;
use mentor_status_storage::PoolError;
use mentor_status_storage::migrations::MigrationError;

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
    #[error("{context}: {source}")]
    Query {
        /// What the harness was doing.
        context: String,
        /// What PostgreSQL or the driver said.
        #[source]
        source: diesel::result::Error,
    },
    /// Something else about the run went wrong.
    #[error("{0}")]
    Run(String),
}

impl ChaosError {
    /// A closure turning a diesel error into [`ChaosError::Query`] with `context`.
    pub(crate) fn query(
        context: impl Into<String>,
    ) -> impl FnOnce(diesel::result::Error) -> ChaosError {
        let context = context.into();
        move |source| ChaosError::Query { context, source }
    }
}
