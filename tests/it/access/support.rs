//! Running statements the way Supabase's Data API (PostgREST) does, for the access tests.
//!
//! PostgREST runs each request in one transaction: `set local role <role>`, the verified JWT
//! claims into `request.jwt.claims` (transaction-local), then the query. [`attempt`] does
//! exactly that inside the caller's transaction and then switches back to the owner, so the
//! caller can check as `postgres` what the attempt did (or did not) change.
//!
//! diesel reports no SQLSTATE, so the statement runs inside a `DO` block that records either
//! its row count and values or the SQLSTATE and message of its error in a transaction-local
//! setting. The statement itself runs unchanged, as the same role with the same claims; the
//! `DO` block only adds a subtransaction around it, which also means a failed attempt does
//! not abort the caller's transaction.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::support::{int, text};

/// Who a request runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    /// `anon` with the anon key's claims (no `sub`).
    Anon,
    /// `authenticated`, signed in as this Auth user.
    User(Uuid),
    /// `service_role` with the service key's claims (no `sub`).
    ServiceRole,
}

impl Caller {
    /// The statements PostgREST runs before the query.
    pub fn preamble(self) -> String {
        let (role, claims) = match self {
            Caller::Anon => ("anon", r#"{"role":"anon"}"#.to_owned()),
            Caller::User(id) => (
                "authenticated",
                format!(r#"{{"sub":"{id}","role":"authenticated"}}"#),
            ),
            Caller::ServiceRole => ("service_role", r#"{"role":"service_role"}"#.to_owned()),
        };
        format!("set local role {role}; select set_config('request.jwt.claims', '{claims}', true);")
    }

    /// The `changed_by` an audit row written for this caller must have.
    pub fn audit_user(self) -> Option<Uuid> {
        match self {
            Caller::User(id) => Some(id),
            Caller::Anon | Caller::ServiceRole => None,
        }
    }

    /// The `actor_role` an audit row written for this caller must have.
    pub fn audit_role(self) -> &'static str {
        match self {
            Caller::Anon => "anon",
            Caller::User(_) => "authenticated",
            Caller::ServiceRole => "service_role",
        }
    }
}

/// What a statement did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It succeeded: the rows it returned (a query) or changed (a command), and for a query
    /// the text of its first column over all rows, sorted and joined with `,`.
    Done { rows: i64, values: String },
    /// It failed with this SQLSTATE and message.
    Failed { sqlstate: String, message: String },
}

impl Outcome {
    /// The SQLSTATE, if it failed.
    pub fn sqlstate(&self) -> Option<&str> {
        match self {
            Outcome::Done { .. } => None,
            Outcome::Failed { sqlstate, .. } => Some(sqlstate),
        }
    }
}

/// A statement to attempt.
#[derive(Debug, Clone, Copy)]
pub enum Stmt<'a> {
    /// A query; its rows are counted and its first column collected.
    Query(&'a str),
    /// An INSERT, UPDATE, DELETE or TRUNCATE; the rows it changed are counted.
    Command(&'a str),
}

/// Runs `stmt` as `caller`, exactly as PostgREST would, inside the caller's open
/// transaction, then returns to the owner (`postgres`, no claims).
pub fn attempt(conn: &mut PgConnection, caller: Caller, stmt: Stmt<'_>) -> Outcome {
    let body = match stmt {
        Stmt::Query(sql) => {
            assert!(!sql.contains("$attempt_sql$"), "{sql}");
            format!(
                "execute $attempt_sql$ select count(*), coalesce(string_agg(t.v::pg_catalog.text, ',' order by t.v::pg_catalog.text), '')
                                        from ({sql}) as t(v) $attempt_sql$ into n, v;"
            )
        }
        Stmt::Command(sql) => {
            assert!(!sql.contains("$attempt_sql$"), "{sql}");
            format!(
                "execute $attempt_sql$ {sql} $attempt_sql$; get diagnostics n = row_count; v := '';"
            )
        }
    };
    let block = format!(
        "do $attempt$
         declare
           -- Qualified: a test may shadow type names with temporary objects.
           n pg_catalog.int8;
           v pg_catalog.text;
         begin
           {body}
           perform set_config('access_test.outcome', 'done' || chr(31) || n || chr(31) || v, true);
         exception when others then
           perform set_config('access_test.outcome', 'failed' || chr(31) || sqlstate || chr(31) || sqlerrm, true);
         end
         $attempt$;"
    );
    // `set local role` outside a transaction does nothing (with a warning): the statement
    // would run as the owner and prove nothing.
    conn.batch_execute("select set_config('access_test.in_transaction', 'yes', true)")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        text(
            conn,
            "select coalesce(current_setting('access_test.in_transaction', true), '') as v"
        ),
        "yes",
        "attempt() must run inside a transaction"
    );
    conn.batch_execute(&caller.preamble())
        .unwrap_or_else(|e| panic!("switching to {caller:?}: {e}"));
    conn.batch_execute(&block)
        .unwrap_or_else(|e| panic!("running the attempt block for {stmt:?}: {e}"));
    conn.batch_execute("reset role; select set_config('request.jwt.claims', '', true);")
        .unwrap_or_else(|e| panic!("switching back to the owner: {e}"));
    let recorded = text(conn, "select current_setting('access_test.outcome') as v");
    let parts: Vec<&str> = recorded.splitn(3, '\u{1f}').collect();
    match parts.as_slice() {
        ["done", rows, values] => Outcome::Done {
            rows: rows.parse().unwrap_or_else(|e| panic!("{recorded}: {e}")),
            values: (*values).to_owned(),
        },
        ["failed", sqlstate, message] => Outcome::Failed {
            sqlstate: (*sqlstate).to_owned(),
            message: (*message).to_owned(),
        },
        _ => panic!("unexpected outcome record {recorded:?}"),
    }
}

/// Pauses `mentor` with `reason` through the RPC as `caller`, inside the open transaction
/// (as [`attempt`]), and asserts it returned the one row `paused`.
pub fn pause_by_rpc(conn: &mut PgConnection, caller: Caller, mentor: Uuid, reason: &str) {
    let sql = format!("select status from public.pause_mentor('{mentor}', '{reason}')");
    assert_eq!(
        attempt(conn, caller, Stmt::Query(&sql)),
        Outcome::Done {
            rows: 1,
            values: "paused".into()
        },
        "{caller:?}: {sql}"
    );
}

/// Runs `body` in a transaction that is always rolled back, so every attempt starts from the
/// same data.
pub fn rolled_back<T>(conn: &mut PgConnection, body: impl FnOnce(&mut PgConnection) -> T) -> T {
    let mut result = None;
    let outcome = conn.transaction::<(), diesel::result::Error, _>(|conn| {
        result = Some(body(conn));
        Err(diesel::result::Error::RollbackTransaction)
    });
    assert!(
        matches!(outcome, Err(diesel::result::Error::RollbackTransaction)),
        "{outcome:?}"
    );
    result.expect("the body ran")
}

/// One Data API request: `stmt` as `caller` ([`attempt`]) in a transaction of its own that
/// is rolled back, so every request starts from the same data.
pub fn request(conn: &mut PgConnection, caller: Caller, stmt: Stmt<'_>) -> Outcome {
    rolled_back(conn, |conn| attempt(conn, caller, stmt))
}

/// Everything a denied attempt must leave alone, read as the owner: every mentor row and
/// every audit row.
pub fn data_snapshot(conn: &mut PgConnection) -> String {
    text(
        conn,
        "select (select coalesce(md5(string_agg(m::text, '|' order by m.id)), '') from public.peer_mentors as m)
                || ' ' ||
                (select coalesce(md5(string_agg(c::text, '|' order by c.id)), '') from public.mentor_status_changes as c) as v",
    )
}

/// The number of audit rows.
pub fn audit_count(conn: &mut PgConnection) -> i64 {
    int(
        conn,
        "select count(*) as v from public.mentor_status_changes",
    )
}

/// The newest audit row, as `mentor_id from_status->to_status changed_by actor_role reason`.
pub fn last_audit_row(conn: &mut PgConnection) -> String {
    text(
        conn,
        "select concat_ws(' ', mentor_id, from_status || '->' || to_status, coalesce(changed_by::text, '-'),
                          actor_role, coalesce(r.reason, '-')) as v
           from public.mentor_status_changes as c
           left join private.mentor_status_change_reasons as r on r.change_id = c.id
          order by c.id desc limit 1",
    )
}

/// The status columns of one mentor, as `status pause_at-set? reason`.
pub fn mentor_state(conn: &mut PgConnection, mentor: Uuid) -> String {
    text(
        conn,
        &format!(
            "select concat_ws(' ', status, case when pause_at is null then 'no-pause-at' else 'pause-at' end,
                              coalesce(r.reason, '-')) as v
               from public.peer_mentors as m
               left join private.mentor_pause_reasons as r on r.mentor_id = m.id
              where m.id = '{mentor}'"
        ),
    )
}

/// Every field of an error a client or a log sees (PostgREST passes code, message, details
/// and hint on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorFields {
    pub sqlstate: String,
    pub message: String,
    pub detail: String,
    pub hint: String,
    pub constraint: String,
}

impl ErrorFields {
    /// Message, detail and hint: what must never repeat a row's values.
    pub fn said(&self) -> String {
        format!("{} | {} | {}", self.message, self.detail, self.hint)
    }
}

impl ErrorFields {
    /// Asserts the SQLSTATE and that the message contains every fragment.
    #[track_caller]
    pub fn assert(&self, sqlstate: &str, fragments: &[&str]) {
        assert_eq!(self.sqlstate, sqlstate, "{self:?}");
        for fragment in fragments {
            assert!(
                self.message.contains(fragment),
                "message lacks {fragment:?}: {self:?}"
            );
        }
    }
}

/// Runs the statement `sql` as `caller` (`None`: the owner, no role switch) inside the
/// caller's open transaction, in a subtransaction that catches its error; then returns to the
/// owner. Returns the rows it returned or changed, or every field of its error.
pub fn run_recorded(
    conn: &mut PgConnection,
    caller: Option<Caller>,
    sql: &str,
) -> Result<i64, ErrorFields> {
    assert!(!sql.contains("$recorded_sql$"), "{sql}");
    if let Some(caller) = caller {
        conn.batch_execute(&caller.preamble())
            .unwrap_or_else(|e| panic!("switching to {caller:?}: {e}"));
    }
    conn.batch_execute(&format!(
        "do $recorded$
         declare n pg_catalog.int8; st text; msg text; det text; hin text; con text;
         begin
           execute $recorded_sql$ {sql} $recorded_sql$;
           get diagnostics n = row_count;
           perform set_config('access_test.recorded', 'done' || chr(31) || n, true);
         exception when others then
           get stacked diagnostics st = returned_sqlstate, msg = message_text,
                                   det = pg_exception_detail, hin = pg_exception_hint,
                                   con = constraint_name;
           perform set_config('access_test.recorded',
                              concat_ws(chr(31), 'failed', st, coalesce(msg, ''), coalesce(det, ''),
                                        coalesce(hin, ''), coalesce(con, '')), true);
         end
         $recorded$;"
    ))
    .unwrap_or_else(|e| panic!("running the recording block for {sql}: {e}"));
    conn.batch_execute("reset role; select set_config('request.jwt.claims', '', true);")
        .unwrap_or_else(|e| panic!("switching back to the owner: {e}"));
    let recorded = text(conn, "select current_setting('access_test.recorded') as v");
    let parts: Vec<&str> = recorded.split('\u{1f}').collect();
    match parts.as_slice() {
        ["done", rows] => Ok(rows.parse().unwrap_or_else(|e| panic!("{recorded}: {e}"))),
        ["failed", sqlstate, message, detail, hint, constraint] => Err(ErrorFields {
            sqlstate: (*sqlstate).to_owned(),
            message: (*message).to_owned(),
            detail: (*detail).to_owned(),
            hint: (*hint).to_owned(),
            constraint: (*constraint).to_owned(),
        }),
        _ => panic!("unexpected record {recorded:?}"),
    }
}

/// Runs the command `sql` as `caller` (`None`: the owner, no role switch) in a rolled-back
/// transaction and returns its error, or `None` if it succeeded.
pub fn error_of(conn: &mut PgConnection, caller: Option<Caller>, sql: &str) -> Option<ErrorFields> {
    rolled_back(conn, |conn| run_recorded(conn, caller, sql).err())
}
