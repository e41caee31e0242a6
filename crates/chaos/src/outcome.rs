//! What one operation of a writer ended with ([`Outcome`]), how client-visible errors are
//! classified ([`classify_message`]), and the per-path counts ([`Tally`]).

use std::collections::BTreeMap;

/// The SQLSTATEs the RPCs document (ARCHITECTURE.md, "Who may do what"): refused by rule.
pub const DOCUMENTED_SQLSTATES: [&str; 4] = ["42501", "PT409", "PT404", "22023"];

/// How one operation ended, as the client saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The client saw the change commit.
    Committed,
    /// The command did not apply (refused by a rule): a documented SQLSTATE or one of the
    /// repository's typed answers.
    Refused(String),
    /// A conditional write found nothing to change (the status had moved on).
    NoChange,
    /// The repository's bounded compare-and-set gave up: `Conflict`.
    Conflict,
    /// A connection, cancel or lock-timeout error the caller may retry; if it came during
    /// COMMIT the change may or may not have committed (the audit trail says).
    Retryable(&'static str),
    /// Anything else: a failure of the run.
    Failure(String),
}

/// The retryable kind of an error message (PostgreSQL's or libpq's), or `None` when the
/// error is not one a caller may simply retry.
///
/// diesel reports no SQLSTATE, so the server's (C locale) primary messages are matched; the
/// RPC paths capture the SQLSTATE itself inside the transaction (see `writers`).
#[must_use]
pub fn classify_message(message: &str) -> Option<&'static str> {
    let m = message.to_lowercase();
    let kinds: [(&[&str], &'static str); 7] = [
        (&["lock timeout"], "55P03 lock timeout"),
        (
            &["canceling statement due to user request"],
            "57014 canceled",
        ),
        (
            &["canceling statement due to statement timeout"],
            "57014 statement timeout",
        ),
        (
            &["terminating connection due to administrator command"],
            "57P01 terminated",
        ),
        (
            &[
                "terminating connection because of crash",
                "the database system is",
            ],
            "57P03 server restarting",
        ),
        (
            &[
                "server closed the connection",
                "connection refused",
                "no connection to the server",
                "could not connect",
                "connection to server",
                "could not receive data",
                "could not send data",
                "broken pipe",
                "connection reset",
                "eof detected",
                "closed the connection",
            ],
            "08xxx connection lost",
        ),
        (
            &[
                "timed out waiting for connection",
                "no database connection available",
            ],
            "08xxx no connection (pool)",
        ),
    ];
    kinds
        .iter()
        .find(|(needles, _)| needles.iter().any(|n| m.contains(n)))
        .map(|(_, kind)| *kind)
}

/// The retryable kind of an SQLSTATE captured inside a transaction.
#[must_use]
pub fn classify_sqlstate(sqlstate: &str) -> Option<&'static str> {
    match sqlstate {
        "55P03" => Some("55P03 lock timeout"),
        "57014" => Some("57014 canceled"),
        "57P01" => Some("57P01 terminated"),
        "57P02" | "57P03" => Some("57P03 server restarting"),
        s if s.starts_with("08") => Some("08xxx connection lost"),
        _ => None,
    }
}

/// A diesel error as an [`Outcome`]: retryable when its message (or a closed connection,
/// or diesel's broken transaction manager after a lost connection) says so, else a failure.
#[must_use]
pub fn from_diesel(error: &diesel::result::Error) -> Outcome {
    use diesel::result::{DatabaseErrorKind, Error};
    match error {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
            Outcome::Retryable("08xxx connection lost")
        }
        Error::BrokenTransactionManager => Outcome::Retryable("08xxx connection lost"),
        other => {
            let message = other.to_string();
            classify_message(&message).map_or(Outcome::Failure(message), Outcome::Retryable)
        }
    }
}

/// The counts of one path.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    /// Operations tried.
    pub attempts: u64,
    /// Seen committed by the client.
    pub committed: u64,
    /// Refused by rule, by SQLSTATE or typed error.
    pub refused: BTreeMap<String, u64>,
    /// Conditional writes that found nothing to change.
    pub no_change: u64,
    /// The repository's `Conflict`.
    pub conflicts: u64,
    /// Retryable errors by kind.
    pub retryable: BTreeMap<&'static str, u64>,
    /// Failures (anything else): how many, and the first few messages.
    pub failures: u64,
    /// The first few failure messages.
    pub failure_examples: Vec<String>,
}

impl Tally {
    /// Counts `outcome`.
    pub fn record(&mut self, outcome: Outcome) {
        self.attempts += 1;
        match outcome {
            Outcome::Committed => self.committed += 1,
            Outcome::Refused(code) => *self.refused.entry(code).or_default() += 1,
            Outcome::NoChange => self.no_change += 1,
            Outcome::Conflict => self.conflicts += 1,
            Outcome::Retryable(kind) => *self.retryable.entry(kind).or_default() += 1,
            Outcome::Failure(message) => {
                self.failures += 1;
                if self.failure_examples.len() < 5 {
                    self.failure_examples.push(message);
                }
            }
        }
    }

    /// Adds `other`'s counts.
    pub fn merge(&mut self, other: &Tally) {
        self.attempts += other.attempts;
        self.committed += other.committed;
        for (k, v) in &other.refused {
            *self.refused.entry(k.clone()).or_default() += v;
        }
        self.no_change += other.no_change;
        self.conflicts += other.conflicts;
        for (k, v) in &other.retryable {
            *self.retryable.entry(k).or_default() += v;
        }
        self.failures += other.failures;
        for m in &other.failure_examples {
            if self.failure_examples.len() < 5 {
                self.failure_examples.push(m.clone());
            }
        }
    }

    /// Refused operations in all.
    #[must_use]
    pub fn refused_total(&self) -> u64 {
        self.refused.values().sum()
    }

    /// Retryable errors in all.
    #[must_use]
    pub fn retryable_total(&self) -> u64 {
        self.retryable.values().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_and_libpq_messages_are_classified_and_others_are_not() {
        assert_eq!(
            classify_message("canceling statement due to lock timeout"),
            Some("55P03 lock timeout")
        );
        assert_eq!(
            classify_message("terminating connection due to administrator command"),
            Some("57P01 terminated")
        );
        assert_eq!(
            classify_message("FATAL:  the database system is starting up"),
            Some("57P03 server restarting")
        );
        assert_eq!(
            classify_message("server closed the connection unexpectedly\n\tThis probably means"),
            Some("08xxx connection lost")
        );
        assert_eq!(
            classify_message(
                "connection to server at \"127.0.0.1\", port 5 failed: Connection refused"
            ),
            Some("08xxx connection lost")
        );
        assert_eq!(
            classify_message("duplicate key value violates unique constraint"),
            None
        );
        assert_eq!(classify_sqlstate("55P03"), Some("55P03 lock timeout"));
        assert_eq!(classify_sqlstate("23514"), None);
    }
}
