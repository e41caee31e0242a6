//! How a writer talks to the database: a reconnecting [`Session`], and requests run as
//! PostgREST runs them.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use uuid::Uuid;

use crate::outcome::{DOCUMENTED_SQLSTATES, Outcome, classify_sqlstate, from_diesel};

/// A connection that is (re)opened on demand, with the writer's session settings.
pub(super) struct Session {
    url: String,
    setup: String,
    conn: Option<PgConnection>,
}

impl Session {
    pub(super) fn new(url: &str, application: &str, lock_timeout: Duration) -> Session {
        Session {
            url: url.to_owned(),
            setup: format!(
                "set application_name = '{application}'; set lock_timeout = '{}ms'; set statement_timeout = '5s';",
                lock_timeout.as_millis()
            ),
            conn: None,
        }
    }

    pub(super) fn get(&mut self) -> Result<&mut PgConnection, Outcome> {
        if self.conn.is_none() {
            let mut conn = PgConnection::establish(&self.url).map_err(|e| {
                std::thread::sleep(Duration::from_millis(50));
                crate::outcome::classify_message(&e.to_string()).map_or_else(
                    || Outcome::Failure(format!("connecting: {e}")),
                    Outcome::Retryable,
                )
            })?;
            conn.batch_execute(&self.setup)
                .map_err(|e| from_diesel(&e))?;
            self.conn = Some(conn);
        }
        self.conn
            .as_mut()
            .ok_or_else(|| Outcome::Failure("no connection".to_owned()))
    }

    /// Drops the connection after an error (the next operation reconnects).
    pub(super) fn reset(&mut self) {
        self.conn = None;
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Text)]
    v: String,
}

/// The single text value `v` of `sql`.
pub(crate) fn text(conn: &mut PgConnection, sql: &str) -> QueryResult<String> {
    diesel::sql_query(sql)
        .get_result::<Value>(conn)
        .map(|r| r.v)
}

/// Who a request runs as, as PostgREST sets it.
#[derive(Debug, Clone, Copy)]
pub(super) enum Caller {
    User(Uuid),
    ServiceRole,
}

impl Caller {
    fn preamble(self) -> String {
        match self {
            Caller::User(id) => format!(
                "set local role authenticated; select set_config('request.jwt.claims', '{{\"sub\": \"{id}\", \"role\": \"authenticated\"}}', true);"
            ),
            Caller::ServiceRole => "set local role service_role; select set_config('request.jwt.claims', '{\"role\": \"service_role\"}', true);".to_owned(),
        }
    }
}

/// Runs `body` (PL/pgSQL that sets `s` status, `p` pause_at micros, `n` rows) as `caller`
/// in one transaction, as PostgREST runs a request; commits when it succeeded.
pub(super) fn api_request(
    session: &mut Session,
    caller: Caller,
    body: &str,
) -> (Outcome, Option<(String, Option<i64>)>) {
    let conn = match session.get() {
        Ok(conn) => conn,
        Err(outcome) => {
            session.reset();
            return (outcome, None);
        }
    };
    let block = format!(
        "begin; {preamble}
         do $chaos$
         declare
           s pg_catalog.text;
           p pg_catalog.int8;
           n pg_catalog.int8 := 0;
         begin
           {body}
           perform pg_catalog.set_config('chaos.outcome', 'done' || chr(31) || coalesce(s, '') || chr(31) || coalesce(p::pg_catalog.text, '') || chr(31) || n, true);
         exception when others then
           perform pg_catalog.set_config('chaos.outcome', 'failed' || chr(31) || sqlstate || chr(31) || sqlerrm, true);
         end
         $chaos$;",
        preamble = caller.preamble()
    );
    let recorded = conn
        .batch_execute(&block)
        .and_then(|()| text(conn, "select current_setting('chaos.outcome') as v"));
    let recorded = match recorded {
        Ok(r) => r,
        Err(e) => {
            session.reset();
            return (from_diesel(&e), None);
        }
    };
    let parts: Vec<&str> = recorded.splitn(4, '\u{1f}').collect();
    match parts.as_slice() {
        ["failed", sqlstate, message, ..] => {
            let outcome = if DOCUMENTED_SQLSTATES.contains(sqlstate) {
                Outcome::Refused((*sqlstate).to_owned())
            } else {
                classify_sqlstate(sqlstate).map_or_else(
                    || Outcome::Failure(format!("{sqlstate}: {message}")),
                    Outcome::Retryable,
                )
            };
            if conn.batch_execute("rollback").is_err() {
                session.reset();
            }
            (outcome, None)
        }
        ["done", status, pause_at, rows] => {
            if let Err(e) = conn.batch_execute("commit") {
                // A lost COMMIT is ambiguous: the audit trail is the truth.
                session.reset();
                return (from_diesel(&e), None);
            }
            if *rows == "0" {
                (Outcome::NoChange, None)
            } else {
                (
                    Outcome::Committed,
                    Some(((*status).to_owned(), pause_at.parse().ok())),
                )
            }
        }
        _ => {
            session.reset();
            (
                Outcome::Failure(format!("unexpected outcome record {recorded:?}")),
                None,
            )
        }
    }
}

pub(super) const RETURNING: &str =
    "t.status::pg_catalog.text, (extract(epoch from t.pause_at) * 1000000)::pg_catalog.int8";

pub(super) fn rpc_body(function: &str, mentor: Uuid, reason: Option<&str>) -> String {
    let args = match (function, reason) {
        ("pause_mentor", Some(r)) => format!("'{mentor}'::uuid, '{r}'"),
        _ => format!("'{mentor}'::uuid"),
    };
    format!("select {RETURNING} into s, p from public.{function}({args}) as t; n := 1;")
}
