//! How a file is sent to PostgreSQL: the Supabase CLI 2.117's rules, measured with the real CLI
//! (`tests/cli-corpus/` holds the files and what the CLI did with each).
//!
//! - **Batched** (the usual case): after `RESET ALL`, the statements and the history change go
//!   as one implicit transaction — except statements PostgreSQL cannot run in a pipeline
//!   (`CREATE [UNIQUE] INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX … CONCURRENTLY`,
//!   `VACUUM`, `CLUSTER`, `ALTER SYSTEM`), which run alone: the statements before one commit
//!   first, the history change goes with the last group. A failure keeps what already
//!   committed, as the CLI does.
//! - **Statement by statement**: a file whose first line is [`NO_TRANSACTION_MARKER`], or one
//!   with its own transaction control (`BEGIN`, `START TRANSACTION`, `COMMIT`, `END`,
//!   `ROLLBACK`, `ABORT`), runs each statement on its own, then the history change.
//!
//! The CLI sends statements with the extended query protocol, so the runner does too: a
//! "statement" holding several commands (the CLI's splitter left them together) fails as it
//! fails for the CLI. Where the CLI's pipeline refuses something a transaction block would
//! accept (`SAVEPOINT`, `RELEASE`), the runner refuses it at the same point.

use std::ops::Range;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;

use super::{MigrationError, StatementFailed};
use crate::{Context as _, DbError};

/// A first line that makes the CLI (and the runner) apply a file statement by statement,
/// outside any transaction: for `CREATE INDEX CONCURRENTLY` with other statements that must
/// not be rolled back with it. The CLI matches the line exactly.
pub const NO_TRANSACTION_MARKER: &str = "-- pg-delta: transaction=false";

/// How a file's statements are grouped into transactions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApplyMode {
    /// Implicit transactions, split around statements that must run alone.
    Batched,
    /// Each statement on its own: the first line is [`NO_TRANSACTION_MARKER`].
    NoTransactionMarker,
    /// Each statement on its own: the file has its own `BEGIN`/`COMMIT`.
    OwnTransactionControl,
}

impl ApplyMode {
    /// The mode the Supabase CLI uses for a file with this text and these statements.
    #[must_use]
    pub fn of(text: &str, statements: &[String]) -> Self {
        let first_line = text.split('\n').next().unwrap_or("");
        if first_line.strip_suffix('\r').unwrap_or(first_line) == NO_TRANSACTION_MARKER {
            Self::NoTransactionMarker
        } else if statements.iter().any(|s| is_transaction_control(s)) {
            Self::OwnTransactionControl
        } else {
            Self::Batched
        }
    }
}

/// One unit of work: statements sent together in one transaction, or one statement alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    /// These statements in one transaction; `history` when the history change goes with them.
    Transaction {
        statements: Range<usize>,
        history: bool,
    },
    /// This statement alone, committed on its own.
    Alone(usize),
    /// The history change alone.
    History,
}

/// The steps for a file, in order.
pub(crate) fn plan(mode: ApplyMode, statements: &[String]) -> Vec<Step> {
    if mode != ApplyMode::Batched {
        let mut steps: Vec<Step> = (0..statements.len()).map(Step::Alone).collect();
        steps.push(Step::History);
        return steps;
    }
    let mut steps = Vec::new();
    let mut start = 0;
    for (index, statement) in statements.iter().enumerate() {
        if is_pipeline_incompatible(statement) {
            if start < index {
                steps.push(Step::Transaction {
                    statements: start..index,
                    history: false,
                });
            }
            steps.push(Step::Alone(index));
            start = index + 1;
        }
    }
    steps.push(Step::Transaction {
        statements: start..statements.len(),
        history: true,
    });
    steps
}

/// Whether every statement and the history change run in one transaction (nothing of the file
/// can stay behind when it fails).
#[must_use]
pub fn is_atomic(mode: ApplyMode, statements: &[String]) -> bool {
    mode == ApplyMode::Batched && !statements.iter().any(|s| is_pipeline_incompatible(s))
}

/// Runs the file's statements by [`plan`]; `history` is the history change (insert or delete),
/// run where the CLI runs it. `label` names the file in errors.
pub(crate) fn run(
    conn: &mut PgConnection,
    label: &str,
    mode: ApplyMode,
    statements: &[String],
    history: &mut dyn FnMut(&mut PgConnection) -> QueryResult<()>,
) -> Result<(), MigrationError> {
    let mut committed = 0;
    for step in plan(mode, statements) {
        match step {
            Step::Transaction {
                statements: range,
                history: with_history,
            } => {
                let count = range.len();
                conn.transaction(|conn| {
                    for index in range {
                        execute(conn, label, statements, index, committed, mode)
                            .map_err(InTransaction::Migration)?;
                    }
                    if with_history {
                        history(conn)
                            .context("recording migration history")
                            .map_err(|e| InTransaction::Migration(e.into()))?;
                    }
                    Ok(())
                })
                .map_err(|e| match e {
                    InTransaction::Migration(e) => e,
                    InTransaction::Control(e) => {
                        DbError::new("beginning or committing the file's transaction", e).into()
                    }
                })?;
                committed += count;
            }
            Step::Alone(index) => {
                if let Err(e) = execute(conn, label, statements, index, committed, mode) {
                    if mode != ApplyMode::Batched {
                        // A failure after the file's own BEGIN leaves an aborted transaction;
                        // end it (a warning only when none is open).
                        let _ = conn.batch_execute("rollback");
                    }
                    return Err(e);
                }
                committed += 1;
            }
            Step::History => {
                refuse_open_transaction(conn, label)?;
                history(conn).context("recording migration history")?;
            }
        }
    }
    Ok(())
}

/// What can end a file's transaction: our error, or BEGIN/COMMIT itself failing.
enum InTransaction {
    Migration(MigrationError),
    Control(diesel::result::Error),
}

impl From<diesel::result::Error> for InTransaction {
    fn from(e: diesel::result::Error) -> Self {
        Self::Control(e)
    }
}

fn execute(
    conn: &mut PgConnection,
    label: &str,
    statements: &[String],
    index: usize,
    committed: usize,
    mode: ApplyMode,
) -> Result<(), MigrationError> {
    let statement = &statements[index];
    let failed = |source| StatementFailed {
        migration: label.to_owned(),
        index: index + 1,
        count: statements.len(),
        statement: statement.clone(),
        committed,
        source,
    };
    if is_only_comments(statement) {
        // The CLI sends it; PostgreSQL answers an empty query, which changes nothing.
        return Ok(());
    }
    if mode == ApplyMode::Batched
        && let Some(keyword) = savepoint_keyword(statement)
    {
        return Err(MigrationError::RefusedAsTheCli {
            migration: label.to_owned(),
            index: index + 1,
            committed,
            reason: format!(
                "{keyword} cannot run here: the Supabase CLI sends the file as one implicit transaction, \
                 where PostgreSQL refuses savepoints (SQLSTATE 25P01). Remove it, or give the file \
                 its own BEGIN/COMMIT"
            ),
        });
    }
    diesel::sql_query(statement.as_str())
        .execute(conn)
        .map(|_| ())
        .map_err(|source| MigrationError::Statement(failed(source)))
}

/// After a statement-by-statement file: a `BEGIN` without `COMMIT` would leave the history
/// change inside a transaction nobody commits (the CLI then reports success and records
/// nothing). Refuse instead, rolling it back.
fn refuse_open_transaction(conn: &mut PgConnection, label: &str) -> Result<(), MigrationError> {
    // A savepoint is refused outside a transaction block (and, refused, changes nothing):
    // the cheapest exact test of whether one is open.
    if conn
        .batch_execute("savepoint mentor_status_open_check")
        .is_err()
    {
        return Ok(());
    }
    conn.batch_execute("rollback")
        .context("rolling back a transaction left open")?;
    Err(MigrationError::RefusedAsTheCli {
        migration: label.to_owned(),
        index: 0,
        committed: 0,
        reason: "the file leaves a transaction open (BEGIN without COMMIT); it was rolled back \
                 and no history was recorded. The Supabase CLI would report success, record \
                 nothing and lose those statements when it disconnects: add the COMMIT"
            .to_owned(),
    })
}

/// The statement's words after its leading comments, upper-cased.
fn leading_words(statement: &str) -> Vec<String> {
    without_leading_comments(statement)
        .split_whitespace()
        .take(4)
        .map(str::to_ascii_uppercase)
        .collect()
}

fn without_leading_comments(mut s: &str) -> &str {
    loop {
        s = s.trim_start();
        if let Some(rest) = s.strip_prefix("--") {
            s = rest.split_once('\n').map_or("", |(_, after)| after);
        } else if let Some(rest) = s.strip_prefix("/*") {
            s = rest.split_once("*/").map_or("", |(_, after)| after);
        } else {
            return s;
        }
    }
}

fn is_only_comments(statement: &str) -> bool {
    without_leading_comments(statement).is_empty()
}

/// Whether `word` is `keyword`, alone or followed by something that is not part of a name
/// (`VACUUM(ANALYZE)`).
fn starts_with_keyword(word: &str, keyword: &str) -> bool {
    word.strip_prefix(keyword).is_some_and(|rest| {
        !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$')
    })
}

/// Statements PostgreSQL refuses in a pipeline, which the CLI therefore runs alone.
fn is_pipeline_incompatible(statement: &str) -> bool {
    let words = leading_words(statement);
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    match words.as_slice() {
        ["CREATE", "INDEX", "CONCURRENTLY", ..]
        | ["CREATE", "UNIQUE", "INDEX", "CONCURRENTLY", ..]
        | ["DROP", "INDEX", "CONCURRENTLY", ..]
        | ["ALTER", "SYSTEM", ..] => true,
        [first, ..]
            if starts_with_keyword(first, "VACUUM") || starts_with_keyword(first, "CLUSTER") =>
        {
            true
        }
        [first, ..] if starts_with_keyword(first, "REINDEX") => without_leading_comments(statement)
            .split(|c: char| !c.is_alphanumeric() && c != '_')
            .any(|w| w.eq_ignore_ascii_case("CONCURRENTLY")),
        _ => false,
    }
}

/// Statements that make the CLI apply the file statement by statement.
fn is_transaction_control(statement: &str) -> bool {
    let words = leading_words(statement);
    match words.first().map(String::as_str) {
        Some(first) => {
            ["BEGIN", "COMMIT", "END", "ROLLBACK", "ABORT"]
                .iter()
                .any(|k| starts_with_keyword(first, k))
                || (first == "START" && words.get(1).is_some_and(|w| w == "TRANSACTION"))
        }
        None => false,
    }
}

fn savepoint_keyword(statement: &str) -> Option<&'static str> {
    let words = leading_words(statement);
    let first = words.first()?;
    ["SAVEPOINT", "RELEASE"]
        .into_iter()
        .find(|k| starts_with_keyword(first, k))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statements(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn statements_that_cannot_run_in_a_pipeline_run_alone_between_transactions() {
        let s = statements(&[
            "create table t (n int)",
            "-- why\ncreate unique index  concurrently i on t (n)",
            "insert into t values (1)",
            "VACUUM(ANALYZE) t",
        ]);
        assert_eq!(
            plan(ApplyMode::of("", &s), &s),
            vec![
                Step::Transaction {
                    statements: 0..1,
                    history: false
                },
                Step::Alone(1),
                Step::Transaction {
                    statements: 2..3,
                    history: false
                },
                Step::Alone(3),
                Step::Transaction {
                    statements: 4..4,
                    history: true
                },
            ]
        );
        assert!(!is_atomic(ApplyMode::Batched, &s));
    }

    #[test]
    fn only_whole_words_separated_by_white_space_count_as_the_cli_reads_them() {
        for not_alone in [
            "create /* x */ index concurrently i on t (n)",
            "create index i on t (n)",
            "analyze t",
            "reindex index i",
            "create table clusterx (n int)",
            "refresh materialized view concurrently v",
        ] {
            assert!(!is_pipeline_incompatible(not_alone), "{not_alone}");
        }
        for alone in [
            "reindex (verbose) table concurrently t",
            "drop index concurrently i",
            "alter system set work_mem = '5MB'",
            "cluster",
            "/* c */ -- d\nvacuum t",
        ] {
            assert!(is_pipeline_incompatible(alone), "{alone}");
        }
    }

    #[test]
    fn the_marker_must_be_the_exact_first_line() {
        let s = statements(&["select 1"]);
        assert_eq!(
            ApplyMode::of("-- pg-delta: transaction=false\nselect 1", &s),
            ApplyMode::NoTransactionMarker
        );
        assert_eq!(
            ApplyMode::of("-- pg-delta: transaction=false\r\nselect 1", &s),
            ApplyMode::NoTransactionMarker
        );
        for other in [
            "\n-- pg-delta: transaction=false\n",
            "-- pg-delta: transaction=false \n",
            "-- PG-DELTA: TRANSACTION=FALSE\n",
            "--pg-delta: transaction=false\n",
            "-- migrate:no-transaction\n",
        ] {
            assert_eq!(ApplyMode::of(other, &s), ApplyMode::Batched, "{other:?}");
        }
    }

    #[test]
    fn transaction_control_anywhere_makes_the_file_run_statement_by_statement() {
        for control in [
            "begin",
            "BEGIN WORK",
            "start transaction",
            "commit",
            "end",
            "rollback",
            "abort",
            "/* x */ begin",
        ] {
            let s = statements(&["create table t (n int)", control]);
            assert_eq!(
                ApplyMode::of("", &s),
                ApplyMode::OwnTransactionControl,
                "{control}"
            );
        }
        let s = statements(&[
            "create function f() returns int language sql begin atomic select 1; end",
            "select 1 as begin",
            "beginx",
        ]);
        assert_eq!(ApplyMode::of("", &s), ApplyMode::Batched);
        assert_eq!(
            plan(ApplyMode::OwnTransactionControl, &s),
            vec![
                Step::Alone(0),
                Step::Alone(1),
                Step::Alone(2),
                Step::History
            ]
        );
    }
}
