//! The connection pool: [`PoolConfig`] builds a [`PgPool`] whose connections all carry a
//! `statement_timeout`.
//!
//! The pool does not ping a connection on checkout (r2d2's `test_on_check_out`): that is a
//! round trip per request. A connection whose server went away (a terminated backend, a
//! restart) is still never handed out twice: the first query on it fails, diesel then finds
//! libpq's transaction status unknown and marks the connection broken, and the pool drops it
//! when it comes back (tested in `tests/it/storage/pool.rs`).

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};

use crate::redact::{passwords, redact_url, scrub};

/// The pool type the repository uses.
pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// A connection checked out of a [`PgPool`].
pub(crate) type PooledPgConnection =
    diesel::r2d2::PooledConnection<ConnectionManager<PgConnection>>;

/// A connection from `pool`, or [`PoolTimeout`](crate::PoolTimeout) when none came in time:
/// what the repository and the notification service do before every call.
pub(crate) fn checkout(pool: &PgPool) -> Result<PooledPgConnection, crate::PoolTimeout> {
    Ok(pool.get()?)
}

/// How to build a [`PgPool`]; [`PoolConfig::default`] has the values below.
///
/// ```no_run
/// use std::time::Duration;
/// use mentor_status_storage::PoolConfig;
///
/// let pool = PoolConfig {
///     max_size: 4,
///     ..PoolConfig::default()
/// }
/// .build("postgres://app:secret@localhost:5432/app")?;
/// # Ok::<(), mentor_status_storage::PoolError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolConfig {
    /// Most connections open at once (default 10).
    pub max_size: u32,
    /// How long [`PoolConfig::build`] and each checkout wait for a connection before
    /// giving up (default 5 s).
    pub connection_timeout: Duration,
    /// `statement_timeout` set on every new connection (default 5 s): a query stuck behind
    /// a lock or a bad plan fails instead of holding a connection forever. Whole
    /// milliseconds; zero disables it (PostgreSQL's meaning of 0).
    pub statement_timeout: Duration,
}

impl Default for PoolConfig {
    fn default() -> Self {
        PoolConfig {
            max_size: 10,
            connection_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
        }
    }
}

/// The pool or a connection could not be set up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PoolError {
    /// The pool got no working connection to `url` within its connection timeout.
    #[error(
        "could not open a pooled connection to {url} within {timeout_ms} ms: {message}; check that the server runs and that the URL's host, port, database, user and password are right"
    )]
    Pool {
        /// The URL with its password replaced by `***`.
        url: String,
        /// The connection timeout, in milliseconds.
        timeout_ms: u128,
        /// What the driver said (password scrubbed).
        message: String,
    },
    /// A single connection to `url` failed.
    #[error(
        "could not connect to {url}: {message}; check that the server runs and that the URL's host, port, database, user and password are right"
    )]
    Connect {
        /// The URL with its password replaced by `***`.
        url: String,
        /// What the driver said (password scrubbed).
        message: String,
    },
}

/// Sets the session settings on each connection the pool opens.
#[derive(Debug, Clone, Copy)]
struct SessionSettings {
    statement_timeout_ms: u128,
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSettings {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&format!(
            "set statement_timeout = {}",
            self.statement_timeout_ms
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

impl PoolConfig {
    /// Builds the pool and opens its first connection, so a wrong URL fails here, at
    /// start-up, rather than at the first request.
    ///
    /// # Errors
    ///
    /// [`PoolError::Connect`] at once when the server cannot be reached or refuses the
    /// login, [`PoolError::Pool`] when the pool gets no connection within its timeout; both
    /// name the URL (password redacted) and the driver's message.
    pub fn build(&self, database_url: &str) -> Result<PgPool, PoolError> {
        // One direct attempt first: an unreachable server or a wrong password fails at once,
        // with the driver's reason, instead of after the pool's connection timeout.
        drop(connect(database_url)?);
        let manager = ConnectionManager::<PgConnection>::new(database_url);
        let secrets = passwords(database_url);
        Pool::builder()
            .max_size(self.max_size)
            .min_idle(Some(1))
            .connection_timeout(self.connection_timeout)
            // No ping per checkout; see the module docs for how a dead connection goes.
            .test_on_check_out(false)
            .connection_customizer(Box::new(SessionSettings {
                statement_timeout_ms: self.statement_timeout.as_millis(),
            }))
            // r2d2 would log each failed attempt to stderr; the error we return says it all.
            .error_handler(Box::new(diesel::r2d2::NopErrorHandler))
            .build(manager)
            .map_err(|e| PoolError::Pool {
                url: redact_url(database_url),
                timeout_ms: self.connection_timeout.as_millis(),
                message: scrub(e.to_string().trim(), &secrets),
            })
    }
}

/// Opens one connection outside any pool, e.g. for [`run_pending_migrations`] at start-up
/// (the runner resets session settings, which must not happen to pooled connections).
///
/// [`run_pending_migrations`]: crate::migrations::run_pending_migrations
///
/// # Errors
///
/// [`PoolError::Connect`] naming the URL (password redacted) and the driver's message.
pub fn connect(database_url: &str) -> Result<PgConnection, PoolError> {
    PgConnection::establish(database_url).map_err(|e| PoolError::Connect {
        url: redact_url(database_url),
        message: scrub(e.to_string().trim(), &passwords(database_url)),
    })
}
