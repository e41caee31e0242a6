//! A rehearsal of pending migrations on a copy of a database (`cargo xtask rehearse`).
//!
//! 1. The source is read read-only (`default_transaction_read_only`) and must have the
//!    Supabase CLI's history table; its size is checked against the scratch server's free
//!    space.
//! 2. `pg_dump -Fc` / `pg_restore --jobs 2` copy it into a scratch database, restored as a
//!    superuser so every object keeps its owner; the copy's catalog fingerprint must equal the
//!    source's.
//! 3. The caller's [`Runner`] (the project's one migration runner) says what is pending on the
//!    copy; a history that differs from the files (edited or unknown versions) is refused.
//! 4. Each pending file is applied while a [`probe`](crate::probe) reads and writes every
//!    table of `public` with a primary key and a sampler polls the runner's locks; the probe's
//!    idle floor is measured just before each file.
//! 5. The files are rolled back newest first, the catalog compared with the pre-migration copy,
//!    the files applied again, and the scratch database dropped (unless kept) — also on error
//!    and on cancellation.
//!
//! **Architecture Invariant:** nothing here applies a migration: the caller's [`Runner`] does.

mod copy;
mod locks;
mod report;
mod run;

use std::path::PathBuf;
use std::time::Duration;

use diesel::PgConnection;

pub use copy::{check_room, read_only};
pub use locks::{BLOCKING_MODES, LockUse, StatementLocks};
pub use report::{Check, FileReport, Finding, Rehearsal};
pub use run::rehearse;

use crate::{LocalDbError, PgBinaries};

/// Where to copy from and to, and the thresholds.
#[derive(Debug, Clone)]
pub struct Options {
    /// The source database (production, staging): only ever read.
    pub source_url: String,
    /// Any database on the scratch server, as the role that applies migrations (`postgres`).
    pub scratch_url: String,
    /// Any database on the scratch server, as a superuser: restores the copy with its owners.
    pub restore_url: String,
    /// `pg_dump` and `pg_restore` (of a version that can read the source).
    pub binaries: PgBinaries,
    /// A folder for the dump archive (removed afterwards).
    pub work_dir: PathBuf,
    /// A file blocking the probe longer than this fails the rehearsal.
    pub max_block: Duration,
    /// Keep the scratch database afterwards.
    pub keep: bool,
    /// How long the probe runs alone before each file (its idle floor).
    pub idle_window: Duration,
    /// How often the locks are polled.
    pub sample_every: Duration,
    /// The scratch database is named `<prefix>_<pid>_<time>_<n>`.
    pub scratch_prefix: String,
}

impl Options {
    /// Options with the defaults: 50 ms `max_block`, 300 ms idle window, locks polled every
    /// 2 ms, the scratch database (`rehearse_…`) dropped.
    #[must_use]
    pub fn new(
        source_url: &str,
        scratch_url: &str,
        restore_url: &str,
        binaries: PgBinaries,
        work_dir: PathBuf,
    ) -> Self {
        Self {
            source_url: source_url.to_owned(),
            scratch_url: scratch_url.to_owned(),
            restore_url: restore_url.to_owned(),
            binaries,
            work_dir,
            max_block: Duration::from_millis(50),
            keep: false,
            idle_window: Duration::from_millis(300),
            sample_every: Duration::from_millis(2),
            scratch_prefix: "rehearse".to_owned(),
        }
    }
}

/// How an applied or known version compares with the files, as the runner reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum History {
    /// Not applied, or applied from the same statements.
    Matches,
    /// Applied, and the file's statements differ from those recorded.
    Edited,
    /// Applied, and no file has this version.
    Unknown,
}

/// One version in the runner's status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatus {
    /// The version.
    pub version: String,
    /// The name.
    pub name: String,
    /// Whether the database's history has it.
    pub applied: bool,
    /// How it compares with the files.
    pub history: History,
    /// The file's statements as the runner splits them (none when no file has the version).
    pub statements: Vec<String>,
}

/// The migration runner, provided by the caller (this crate never applies migrations).
/// Each method gets the scratch copy's connection; errors are the runner's messages.
pub trait Runner {
    /// Every known or applied version with how it stands (`Migrator::status`).
    fn status(&mut self, conn: &mut PgConnection) -> Result<Vec<FileStatus>, String>;
    /// Applies pending files up to and including `version`.
    fn up_to(&mut self, conn: &mut PgConnection, version: &str) -> Result<(), String>;
    /// Reverts the newest applied file with its rollback.
    fn down_last(&mut self, conn: &mut PgConnection) -> Result<(), String>;
}

/// Progress, for a progress bar or a log.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// A step starts.
    Step(&'a str),
    /// `pg_dump` has written this much of the archive.
    Dumping {
        /// Archive size so far.
        archive_bytes: u64,
    },
    /// `pg_restore` has filled the scratch database this far.
    Restoring {
        /// `pg_database_size` of the copy.
        copied_bytes: u64,
        /// `pg_database_size` of the source.
        source_bytes: u64,
    },
    /// A pending file is about to be applied.
    Applying {
        /// Its version.
        version: &'a str,
        /// Its name.
        name: &'a str,
    },
}

/// Why a rehearsal could not run. Each leaves the source untouched and drops the scratch copy.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RehearsalError {
    /// The source cannot be reached or refused the login.
    #[error("cannot read the source (--from): {source}")]
    Unreachable {
        /// The connection error: the URL, password hidden, and what libpq said.
        #[source]
        source: mentor_status_storage::PoolError,
    },
    /// The source has no `supabase_migrations.schema_migrations`.
    #[error(
        "{source_url} has no supabase_migrations.schema_migrations, so what is pending cannot be known. \
         Point --from at the project's database; if its migrations were applied by hand, record them \
         first (`supabase migration repair <version> --status applied`)"
    )]
    NoHistory {
        /// The URL, password redacted.
        source_url: String,
    },
    /// The source's applied history differs from the local files.
    #[error(
        "the source's applied history differs from supabase/migrations, so `db push` would not apply what this rehearsal would:{}{}",
        list("\n  edited since applied (statements differ): ", edited),
        list(
            "\n  applied on the source but not in the local files (the source is ahead of this checkout, or a file was deleted): ",
            unknown
        )
    )]
    Diverged {
        /// Versions whose recorded statements differ from the file.
        edited: Vec<String>,
        /// Applied versions no file has.
        unknown: Vec<String>,
    },
    /// Not enough free space for the copy.
    #[error(
        "not enough free space for the copy on {place}: need {} MB (the source's size and a quarter more), {} MB free. \
         Free space there or pass --to another server",
        needed / 1_000_000,
        available / 1_000_000
    )]
    NoRoom {
        /// The file system checked.
        place: String,
        /// Bytes needed.
        needed: u64,
        /// Bytes free.
        available: u64,
    },
    /// `pg_dump`/`pg_restore` failed, or the copy differs from the source.
    #[error("copying the source: {0}")]
    Copy(String),
    /// The runner failed on the copy.
    #[error("{0}")]
    Runner(String),
    /// Stopped by the caller (Ctrl-C); the scratch copy was dropped.
    #[error("cancelled; the scratch copy was dropped")]
    Cancelled,
    /// Something else is wrong with the input.
    #[error("{0}")]
    Config(String),
    /// A database operation failed.
    #[error(transparent)]
    Db(#[from] LocalDbError),
}

impl From<mentor_status_storage::DbError> for RehearsalError {
    fn from(error: mentor_status_storage::DbError) -> Self {
        Self::Db(error.into())
    }
}

fn list(label: &str, versions: &[String]) -> String {
    if versions.is_empty() {
        String::new()
    } else {
        format!("{label}{}", versions.join(", "))
    }
}
