//! What the runner reports: a failing statement with what PostgreSQL said and a hint that
//! says what to do, and every reason it refuses.

use diesel::prelude::*;

use crate::DbError;
use diesel::sql_types::Text;

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
    #[error(transparent)]
    Database(#[from] DbError),
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
    /// Recovers our own error from diesel's boxed migration error.
    pub(crate) fn from_boxed(error: Box<dyn std::error::Error + Send + Sync>) -> Self {
        match error.downcast::<MigrationError>() {
            Ok(own) => *own,
            Err(error) => match error.downcast::<StatementFailed>() {
                Ok(statement) => Self::Statement(*statement),
                Err(error) => match error.downcast::<diesel::result::Error>() {
                    Ok(source) => {
                        Self::Database(DbError::new("recording migration history", *source))
                    }
                    Err(other) => Self::Diesel(other),
                },
            },
        }
    }
}

/// Turns a lock timeout into [`MigrationError::LockTimeout`] naming the blockers.
pub(crate) fn explain(conn: &mut PgConnection, error: MigrationError) -> MigrationError {
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
                .load::<Line>(conn)
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
