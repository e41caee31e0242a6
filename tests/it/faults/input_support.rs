//! Shared by the bad-input fault tests (issue 7, fault test 4): bad input at every entry
//! point gets a clear error and changes nothing.
//!
//! The entry points, outside in, one file each:
//! - `input_domain.rs`: the domain parsers (`MentorStatus::from_str`, `PauseReason::parse`,
//!   `AuditLabel::parse`, `MentorState::from_row`): pure, so "nothing changed" is trivially
//!   true; timestamps reach them already typed (`DateTime<Utc>`), so a malformed one cannot
//!   get that far;
//! - `input_repository.rs`: the Rust repository (`MentorStatusRepository`);
//! - `input_rpc.rs`: the database as clients reach it, the status RPCs as `authenticated` and
//!   `service_role` (set up as PostgREST does);
//! - `input_sql.rs`: direct SQL as the service role and as the owner;
//! - `xtask_cli.rs`: the `cargo xtask` commands that take a version or a name.
//!
//! Every database case compares, read as the owner `postgres`, the mentor rows, the audit
//! trail, the outbox and the migration history before and after (see `mentor_status_tests::snapshot`).

use diesel::prelude::*;
use mentor_status_storage::MentorId;

use crate::access::support::{Caller, ErrorFields, run_recorded};
use crate::storage::support::user;

/// A mentor id no seeded row has.
pub const NOBODY: MentorId = MentorId::new(crate::seed_ids::mentors::NOBODY);

/// The status RPCs (20261126140300), all called with only a mentor id.
pub const RPCS: [&str; 4] = [
    "pause_mentor",
    "resume_mentor",
    "deactivate_mentor",
    "reactivate_mentor",
];

pub fn ada_user() -> Caller {
    Caller::User(*user(1).as_uuid())
}

pub fn kari_user() -> Caller {
    Caller::User(*user(0x11).as_uuid())
}

// ---------------------------------------------------------------------------------------
// What must not change.
// ---------------------------------------------------------------------------------------

pub use mentor_status_tests::snapshot::snapshot;

// ---------------------------------------------------------------------------------------
// Running SQL as a Data API role or as the owner, keeping SQLSTATE, message, hint.
// ---------------------------------------------------------------------------------------

/// Who runs a statement.
#[derive(Debug, Clone, Copy)]
pub enum Who {
    /// The table owner `postgres` (migrations, the SQL console).
    Owner,
    /// A Data API role with its JWT claims, as PostgREST sets them up.
    Api(Caller),
}

/// A statement's error, with the fields a client sees (PostgREST passes code, message,
/// details and hint on).
pub type SqlError = ErrorFields;

/// Runs `sql` as `who` in its own committed transaction (a failing statement is caught in a
/// subtransaction, as its own request would be rolled back). Returns the rows it returned or
/// changed, or its error.
pub fn run_sql(conn: &mut PgConnection, who: Who, sql: &str) -> Result<i64, SqlError> {
    let caller = match who {
        Who::Owner => None,
        Who::Api(caller) => Some(caller),
    };
    conn.transaction::<_, diesel::result::Error, _>(|conn| Ok(run_recorded(conn, caller, sql)))
        .unwrap_or_else(|e| panic!("running {sql} as {who:?}: {e}"))
}

/// Runs `sql` as `who`, expecting an error, and checks that nothing changed.
#[track_caller]
pub fn refused(conn: &mut PgConnection, who: Who, sql: &str) -> SqlError {
    let before = snapshot(conn);
    let error = match run_sql(conn, who, sql) {
        Ok(rows) => panic!("{sql} as {who:?} succeeded ({rows} rows), expected an error"),
        Err(error) => error,
    };
    assert_eq!(snapshot(conn), before, "{sql} as {who:?} changed data");
    error
}

pub fn rpc(function: &str, mentor_id: &str) -> String {
    format!("select * from public.{function}(mentor_id => {mentor_id})")
}

pub fn quoted(id: impl std::fmt::Display) -> String {
    format!("'{id}'")
}
