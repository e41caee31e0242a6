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
mod files;
mod source;
mod split;

use std::collections::{BTreeMap, BTreeSet};

use diesel::connection::SimpleConnection;
use diesel::migration::{Migration, MigrationVersion};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text};
use diesel_migrations::MigrationHarness;

pub use apply::{ApplyMode, NO_TRANSACTION_MARKER};
pub use source::{Migrations, SqlMigration, SqlScript};
pub use split::split_statements;

/// Key of the session-level advisory lock held while migrating: `hashtext('supabase_migrations')`
/// would do too, but a constant is greppable and needs no round trip.
pub const MIGRATION_LOCK_KEY: i64 = 0x6d65_6e74_6f72_5f6d; // "mentor_m"

/// The Supabase CLI's history tables, created exactly as the CLI creates them.
const CREATE_HISTORY_TABLES: &str = "\
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;
create table if not exists supabase_migrations.seed_files (path text not null primary key, hash text not null);";

/// A statement of a migration file that PostgreSQL rejected.
#[derive(Debug, thiserror::Error)]
#[error(
    "{migration} failed at statement {index} of {count}: {}\n{}\n  statement: {}",
    database_message(source),
    hint(source, *committed),
    excerpt(statement)
)]
pub struct StatementFailed {
    /// `<version>_<name>` (or "rollback of …").
    pub migration: String,
    /// 1-based position of the statement in the file.
    pub index: usize,
    /// Number of statements in the file.
    pub count: usize,
    /// The statement as sent.
    pub statement: String,
    /// How many of the file's statements had committed before this one (statements that run
    /// alone, or files applied statement by statement): they stay applied, as with the CLI.
    pub committed: usize,
    /// What PostgreSQL said.
    #[source]
    pub source: diesel::result::Error,
}

fn database_message(error: &diesel::result::Error) -> String {
    match error {
        diesel::result::Error::DatabaseError(_, info) => {
            let mut message = info.message().to_owned();
            if let Some(detail) = info.details() {
                message.push_str(&format!(" (detail: {detail})"));
            }
            message
        }
        other => other.to_string(),
    }
}

fn hint(error: &diesel::result::Error, committed: usize) -> String {
    let message = database_message(error);
    let hint = cause_hint(&message);
    if committed == 0 {
        return hint;
    }
    format!(
        "{hint}\n  note: statements 1–{committed} of this file had already committed (they ran outside the \
         file's transaction, as the Supabase CLI runs them) and stay applied; no history row was recorded"
    )
}

fn cause_hint(message: &str) -> String {
    if message.contains("cannot insert multiple commands into a prepared statement") {
        "  hint: the Supabase CLI sent this as one statement: its splitter found no `;` it could split at. \
         A `$name$` inside an identifier (a$b$c) or an unclosed quote swallows the rest of the file; \
         rename the identifier or close the quote. Nothing of this statement was applied"
            .to_owned()
    } else if message.contains("syntax error at end of input") {
        "  hint: the Supabase CLI ended this statement early: one `)` closes every open parenthesis for its splitter, \
         so a `;` after a nested `(…)` splits (e.g. in CREATE RULE … DO ALSO (…; …)); write one rule per action, \
         or put the actions in a function"
            .to_owned()
    } else if message.contains("lock timeout") {
        "  hint: another transaction holds a lock on a table this migration alters; it was not applied and nothing changed. \
         End the long-running transaction (see pg_stat_activity) and run it again"
            .to_owned()
    } else if message.contains("statement timeout") {
        "  hint: the statement ran longer than the file's statement_timeout; nothing changed"
            .to_owned()
    } else {
        "  hint: nothing of this file was applied; fix the file (or the data it meets) and run it again".to_owned()
    }
}

fn committed_note(committed: usize) -> String {
    if committed == 0 {
        String::new()
    } else {
        format!(" (statements 1–{committed} had already committed and stay applied)")
    }
}

fn blocked_by(blockers: &[String]) -> String {
    if blockers.is_empty() {
        "(the blocking session ended before it could be named)".to_owned()
    } else {
        blockers.join("\n              ")
    }
}

/// Sessions of the current database holding relation locks inside an open transaction:
/// whoever made a migration's `lock_timeout` expire.
const BLOCKERS: &str = "\
select format('pid %s (user %s, application %s, %s, transaction open for %s s): %s',
              a.pid, a.usename, coalesce(nullif(a.application_name, ''), '-'), a.state,
              round(extract(epoch from now() - a.xact_start)::numeric, 1),
              left(regexp_replace(a.query, '\\s+', ' ', 'g'), 100)) as line
  from pg_stat_activity a
 where a.datname = current_database() and a.pid <> pg_backend_pid() and a.xact_start is not null
   and a.backend_type = 'client backend'
   and exists (select 1 from pg_locks l where l.pid = a.pid and l.granted and l.locktype = 'relation')
 order by a.xact_start
 limit 5";

fn excerpt(statement: &str) -> String {
    let code: Vec<&str> = statement
        .lines()
        .filter(|line| !line.trim_start().starts_with("--") && !line.trim().is_empty())
        .collect();
    let shown = code
        .iter()
        .take(3)
        .copied()
        .collect::<Vec<_>>()
        .join("\n             ");
    if code.len() > 3 {
        format!("{shown}\n             …")
    } else {
        shown
    }
}

/// Why the runner refused or failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MigrationError {
    /// A statement failed; the file's transaction was rolled back.
    #[error(transparent)]
    Statement(#[from] StatementFailed),
    /// A statement waited longer than its file's `lock_timeout` for a lock another session
    /// holds; the file's transaction was rolled back. Retry once the blockers are gone.
    #[error("{failed}\n  blocked by: {}", blocked_by(blockers))]
    LockTimeout {
        /// The statement that gave up.
        failed: Box<StatementFailed>,
        /// The sessions of this database that held relation locks in an open transaction when
        /// it gave up (pid, user, application, state, age, query).
        blockers: Vec<String>,
    },
    /// A migration to revert has no file in `supabase/rollbacks/`.
    #[error(
        "{migration} has no rollback file: write supabase/rollbacks/{migration}.sql, or use `db-reset --version` to replay up to an earlier version"
    )]
    MissingRollback {
        /// `<version>_<name>`.
        migration: String,
    },
    /// A target version that no migration file has.
    #[error("no migration has version {version}: `migrate status` lists the versions")]
    UnknownVersion {
        /// The version asked for.
        version: String,
    },
    /// The database records a version that no migration file has, so it cannot be reverted.
    #[error(
        "the database has applied version {version}, which no file in supabase/migrations has: restore the file, or fix the history with `supabase migration repair {version} --status reverted`"
    )]
    AppliedWithoutFile {
        /// The applied version.
        version: String,
    },
    /// Applied files whose text changed since they were applied.
    #[error(
        "applied migrations were edited after they were applied: {}. Restore them and put the change in a new migration (`cargo xtask new <name>`), or pass --force to accept the edited text as applied",
        versions.join(", ")
    )]
    Edited {
        /// `<version>_<name>` of each edited file.
        versions: Vec<String>,
    },
    /// Any other database error, with what the runner was doing.
    #[error("{context}: {source}")]
    Database {
        /// What the runner was doing.
        context: &'static str,
        /// What PostgreSQL said.
        #[source]
        source: diesel::result::Error,
    },
    /// A statement the Supabase CLI would fail on (or mishandle) at this point; the runner
    /// refuses it there rather than apply the file differently.
    #[error("{migration} refused at statement {index}: {reason}{}", committed_note(*committed))]
    RefusedAsTheCli {
        /// `<version>_<name>` (or "rollback of …").
        migration: String,
        /// 1-based position of the statement (0: the file as a whole).
        index: usize,
        /// Statements of the file that had committed before (they stay applied).
        committed: usize,
        /// Why.
        reason: String,
    },
    /// The migration files could not be read or paired.
    #[error("{0}")]
    Files(String),
    /// An error raised through diesel's migration traits.
    #[error("{0}")]
    Diesel(Box<dyn std::error::Error + Send + Sync>),
}

impl MigrationError {
    fn database(context: &'static str) -> impl FnOnce(diesel::result::Error) -> Self {
        move |source| Self::Database { context, source }
    }

    /// Recovers our own error from diesel's boxed migration error.
    fn from_boxed(error: Box<dyn std::error::Error + Send + Sync>) -> Self {
        match error.downcast::<MigrationError>() {
            Ok(own) => *own,
            Err(error) => match error.downcast::<StatementFailed>() {
                Ok(statement) => Self::Statement(*statement),
                Err(error) => match error.downcast::<diesel::result::Error>() {
                    Ok(source) => Self::Database {
                        context: "recording migration history",
                        source: *source,
                    },
                    Err(other) => Self::Diesel(other),
                },
            },
        }
    }
}

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
    /// The newest N applied migrations.
    Last(usize),
}

/// A history row.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct HistoryRow {
    /// The version.
    #[diesel(sql_type = Text)]
    pub version: String,
    /// The name, as the CLI records it.
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    /// The statements as applied.
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub statements: Option<Vec<String>>,
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
                DownTarget::Last(n) => applied.iter().take(*n).cloned().collect(),
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
        ensure_history_tables(self.conn)?;
        diesel::sql_query(
            "select version, name, statements from supabase_migrations.schema_migrations order by version",
        )
        .load(self.conn)
        .map_err(MigrationError::database("reading supabase_migrations.schema_migrations"))
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

    /// Turns a lock timeout into [`MigrationError::LockTimeout`] naming the blockers.
    fn explain(&mut self, error: MigrationError) -> MigrationError {
        match error {
            MigrationError::Statement(failed)
                if database_message(&failed.source).contains("lock timeout") =>
            {
                #[derive(QueryableByName)]
                struct Line {
                    #[diesel(sql_type = Text)]
                    line: String,
                }
                let blockers = diesel::sql_query(BLOCKERS)
                    .load::<Line>(self.conn)
                    .map(|lines| lines.into_iter().map(|l| l.line).collect())
                    .unwrap_or_else(|e| vec![format!("(could not read pg_stat_activity: {e})")]);
                MigrationError::LockTimeout {
                    failed: Box::new(failed),
                    blockers,
                }
            }
            other => other,
        }
    }

    fn record_edited_text(&mut self, version: &str) -> Result<(), MigrationError> {
        let Some(migration) = self.migrations.get(version) else {
            return Ok(());
        };
        diesel::sql_query(
            "update supabase_migrations.schema_migrations set statements = $2 where version = $1",
        )
        .bind::<Text, _>(version)
        .bind::<Array<Text>, _>(migration.up().statements())
        .execute(self.conn)
        .map_err(MigrationError::database(
            "recording the edited text of a migration (--force)",
        ))?;
        Ok(())
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

    /// Applied versions, newest first (the order diesel's harness expects).
    fn applied_versions(&mut self) -> Result<Vec<String>, MigrationError> {
        let mut versions: Vec<String> =
            self.history()?.into_iter().map(|row| row.version).collect();
        versions.reverse();
        Ok(versions)
    }

    /// Runs `f` holding the migration advisory lock (session level, so it spans the
    /// per-file transactions), and releases it whether `f` succeeded or not.
    ///
    /// The lock is polled with `pg_try_advisory_lock`, not awaited with `pg_advisory_lock`:
    /// a statement waiting for the lock holds a snapshot, and `CREATE INDEX CONCURRENTLY` in
    /// the lock holder's migration waits for every older snapshot — the two would deadlock.
    fn locked<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, MigrationError>,
    ) -> Result<T, MigrationError> {
        #[derive(QueryableByName)]
        struct Locked {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            locked: bool,
        }
        let mut backoff = std::time::Duration::from_millis(5);
        loop {
            let attempt: Locked = diesel::sql_query("select pg_try_advisory_lock($1) as locked")
                .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
                .get_result(self.conn)
                .map_err(MigrationError::database(
                    "taking the migration advisory lock",
                ))?;
            if attempt.locked {
                break;
            }
            // Another process is migrating this database; wait for it, without a snapshot.
            std::thread::sleep(backoff);
            backoff = (backoff * 2).min(std::time::Duration::from_millis(200));
        }
        let result = ensure_history_tables(self.conn).and_then(|()| f(self));
        let unlocked = diesel::sql_query("select pg_advisory_unlock($1)")
            .bind::<diesel::sql_types::BigInt, _>(MIGRATION_LOCK_KEY)
            .execute(self.conn)
            .map_err(MigrationError::database(
                "releasing the migration advisory lock",
            ));
        let value = result?;
        unlocked?;
        Ok(value)
    }
}

fn ensure_history_tables(conn: &mut PgConnection) -> Result<(), MigrationError> {
    conn.batch_execute(CREATE_HISTORY_TABLES)
        .map_err(MigrationError::database(
            "creating supabase_migrations.schema_migrations",
        ))
}

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
        let statements = file.up().statements().to_vec();
        let mut record = |conn: &mut PgConnection| {
            diesel::sql_query(
                "insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)",
            )
            .bind::<Text, _>(file.version())
            .bind::<Text, _>(file.name())
            .bind::<Array<Text>, _>(&statements)
            .execute(conn)
            .map(|_| ())
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
        let mut forget = |conn: &mut PgConnection| {
            diesel::sql_query(
                "delete from supabase_migrations.schema_migrations where version = $1",
            )
            .bind::<Text, _>(file.version())
            .execute(conn)
            .map(|_| ())
        };
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

/// Applies every pending embedded migration; what the application calls at start-up.
/// Returns the versions applied (none when the database is up to date).
pub fn run_pending_migrations(conn: &mut PgConnection) -> Result<Vec<String>, MigrationError> {
    Migrator::new(conn).up(None)
}
