//! One shape for "a database operation failed": [`DbError`] (what was being done, and what
//! PostgreSQL or the driver said) and [`PoolTimeout`]. Every crate's error enum wraps them
//! instead of restating them; [`Context`] adds the context only when the operation failed.

use std::borrow::Cow;

/// A query or statement failed while doing [`DbError::context`].
#[derive(Debug, thiserror::Error)]
#[error("{context}: {source}")]
pub struct DbError {
    context: Cow<'static, str>,
    #[source]
    source: diesel::result::Error,
}

impl DbError {
    /// What was being done, e.g. `reading mentor … and who may change it`.
    #[must_use]
    pub fn context(&self) -> &str {
        &self.context
    }

    /// What PostgreSQL or the driver said.
    #[must_use]
    pub fn cause(&self) -> &diesel::result::Error {
        &self.source
    }

    /// `source`, while doing `context`.
    pub fn new(context: impl Into<Cow<'static, str>>, source: diesel::result::Error) -> Self {
        Self {
            context: context.into(),
            source,
        }
    }
}

/// No pooled connection became available within the pool's connection timeout.
#[derive(Debug, thiserror::Error)]
#[error(
    "no database connection available: {0}; the database may be down or every pooled connection busy"
)]
pub struct PoolTimeout(#[from] pub diesel::r2d2::PoolError);

/// Context for a failed database operation, built only when it failed.
pub trait Context<T> {
    /// On error, a [`DbError`] saying what was being done (a constant).
    ///
    /// # Errors
    ///
    /// The operation's error, with `context`.
    fn context(self, context: &'static str) -> Result<T, DbError>;

    /// On error, a [`DbError`] saying what was being done (built by `context`, only then).
    ///
    /// # Errors
    ///
    /// The operation's error, with the context `context` builds.
    fn with_context<C: Into<Cow<'static, str>>>(
        self,
        context: impl FnOnce() -> C,
    ) -> Result<T, DbError>;
}

impl<T> Context<T> for diesel::QueryResult<T> {
    fn context(self, context: &'static str) -> Result<T, DbError> {
        self.map_err(|source| DbError::new(context, source))
    }

    fn with_context<C: Into<Cow<'static, str>>>(
        self,
        context: impl FnOnce() -> C,
    ) -> Result<T, DbError> {
        self.map_err(|source| DbError::new(context(), source))
    }
}
