//! Who may do what to a mentor, as real Supabase roles: every actor × every operation, each
//! cell run in its own rolled-back transaction exactly as PostgREST runs a request.
//!
//! The target is Bjørn Olsen (mentor b…02, user a…02) from `supabase/seed.sql`: member of
//! Oslo and Bergen (both active). The test adds a coordinator of Bergen only (Berit), a
//! membership of Bjørn in Tromsø that he has left (inactive), and a coordinator of Tromsø
//! (Tove), so every kind of actor the plan names is present.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use mentor_status_tests::TestDb;
use uuid::Uuid;

use crate::access::support::{
    Caller, Outcome, Stmt, attempt, audit_count, data_snapshot, last_audit_row, mentor_state,
    rolled_back,
};
use crate::seed_ids::{chapters, user, users};
use crate::support::int;

/// Bjørn's mentor id.
const TARGET: Uuid = crate::seed_ids::mentors::BJORN;

const BJORN: Caller = Caller::User(user(0x02));
const ADA: Caller = Caller::User(user(0x01));
const KARI: Caller = Caller::User(user(0x11));
const BERIT: Caller = Caller::User(user(0x14));
const TROND: Caller = Caller::User(user(0x12));
const INGRID: Caller = Caller::User(user(0x13));
const TOVE: Caller = Caller::User(user(0x15));
const OLA: Caller = Caller::User(user(0x99));

/// Additions to the seed for this test (committed: the database is this test's own).
/// `sql` with the ids filled in: `{target}` (Bjørn's mentor row), `{bjorn}` (his user),
/// `{berit}` and `{tove}` (this test's coordinators), `{bergen}` and `{tromso}`. (Leaked: a
/// statement is a `&'static str`, and the test makes a few dozen.)
fn with_ids(sql: &str) -> &'static str {
    sql.replace("{target}", &TARGET.to_string())
        .replace("{bjorn}", &users::BJORN.to_string())
        .replace("{berit}", &user(0x14).to_string())
        .replace("{tove}", &user(0x15).to_string())
        .replace("{bergen}", &chapters::BERGEN.to_string())
        .replace("{tromso}", &chapters::TROMSO.to_string())
        .leak()
}

/// The pgTAP matrix file, whose fixture this test runs too.
const PGTAP_MATRIX: &str = "supabase/tests/02_access_matrix.test.sql";

/// The text of [`PGTAP_MATRIX`].
fn pgtap_matrix_text() -> String {
    std::fs::read_to_string(mentor_status_tests::project_root().join(PGTAP_MATRIX)).unwrap()
}

/// The fixture both matrices start from (Berit and Tove, Bjørn's left Tromsø membership, two
/// history rows): the lines of the pgTAP file between its `-- fixture: begin` and
/// `-- fixture: end` markers, so the two never drift apart.
fn pgtap_fixture() -> String {
    let text = pgtap_matrix_text();
    let between = text
        .split_once("-- fixture: begin")
        .and_then(|(_, rest)| rest.split_once("-- fixture: end"))
        .unwrap_or_else(|| panic!("no `-- fixture: begin` … `-- fixture: end` in {PGTAP_MATRIX}"));
    // Past the rest of the marker's line.
    between
        .0
        .split_once('\n')
        .map_or("", |(_, sql)| sql)
        .to_owned()
}

/// The expected outcome of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// A read returns the target's rows.
    Rows,
    /// A read is allowed but row-level security shows no row.
    None,
    /// A read of the pause reason returns it.
    Reason,
    /// A read succeeds but returns no value: the column reads NULL for everyone (the reason
    /// lives in `private.mentor_pause_reasons`, since 20261201120000).
    Null,
    /// The change is made and exactly one audit row names the caller.
    Changed,
    /// 42501 insufficient_privilege, and nothing changes.
    Denied,
}

use Expect::{
    Changed as CHANGE, Denied as DENY, None as NONE, Null as NULL, Reason as REASON, Rows as ROWS,
};

/// The operations, in the column order of [`MATRIX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `select id from peer_mentors where id = T`.
    ReadRow,
    /// `select pause_reason from peer_mentors where id = T` (the mentor is paused).
    ReadReasonColumn,
    /// `select public.mentor_pause_reason(T)` (the mentor is paused).
    ReadReasonFunction,
    /// `public.pause_mentor(T, 'vacation')` on an active mentor.
    Pause,
    /// `public.resume_mentor(T)` on a paused mentor.
    Resume,
    /// `public.deactivate_mentor(T)` on an active mentor.
    Deactivate,
    /// `public.reactivate_mentor(T)` on an inactive mentor.
    Reactivate,
    /// `update peer_mentors set status = 'inactive' where id = T` on an active mentor.
    UpdateStatus,
    /// `select to_status from mentor_status_changes where mentor_id = T` (without the reason).
    ReadAudit,
    /// `select to_status from public.mentor_status_history(T)` (rows with the reason).
    ReadHistory,
    /// INSERT, UPDATE, DELETE and TRUNCATE on mentor_status_changes: each must match.
    WriteAudit,
}

const OPS: [Op; 11] = [
    Op::ReadRow,
    Op::ReadReasonColumn,
    Op::ReadReasonFunction,
    Op::Pause,
    Op::Resume,
    Op::Deactivate,
    Op::Reactivate,
    Op::UpdateStatus,
    Op::ReadAudit,
    Op::ReadHistory,
    Op::WriteAudit,
];

/// Every cell, as a reviewer reads it. Columns:
/// read row | pause_reason column | mentor_pause_reason() | pause | resume | deactivate |
/// reactivate | UPDATE status directly | read audit rows | mentor_status_history() |
/// insert/update/delete/truncate audit rows.
#[rustfmt::skip]
const MATRIX: [(&str, Caller, [Expect; 11]); 10] = [
    //                                                                  row   column  function pause   resume  deact.  react.  UPDATE  audit  history audit
    //                                                                        reason  reason                                   status  read           write
    ("the mentor (Bjørn)",                                  BJORN,     [ROWS, NULL, DENY, CHANGE, CHANGE, DENY, DENY, DENY, ROWS, DENY, DENY]),
    ("another mentor of the same chapter (Ada)",            ADA,       [NONE, NULL, DENY, DENY, DENY, DENY, DENY, DENY, NONE, DENY, DENY]),
    ("coordinator of both his chapters (Kari)",             KARI,      [ROWS, NULL, REASON, CHANGE, CHANGE, CHANGE, CHANGE, DENY, ROWS, ROWS, DENY]),
    ("coordinator sharing one of his two chapters (Berit)", BERIT,     [ROWS, NULL, REASON, CHANGE, CHANGE, CHANGE, CHANGE, DENY, ROWS, ROWS, DENY]),
    ("coordinator of another chapter (Trond)",              TROND,     [NONE, NULL, DENY, DENY, DENY, DENY, DENY, DENY, NONE, DENY, DENY]),
    ("former coordinator of his chapter (Ingrid)",          INGRID,    [NONE, NULL, DENY, DENY, DENY, DENY, DENY, DENY, NONE, DENY, DENY]),
    ("coordinator of a chapter he left (Tove)",             TOVE,      [NONE, NULL, DENY, DENY, DENY, DENY, DENY, DENY, NONE, DENY, DENY]),
    ("signed-in user with no role (Ola)",                   OLA,       [NONE, NULL, DENY, DENY, DENY, DENY, DENY, DENY, NONE, DENY, DENY]),
    ("anon",                                                Caller::Anon,        [NONE, NULL, DENY, DENY, DENY, DENY, DENY, DENY, NONE, DENY, DENY]),
    ("service_role",                                        Caller::ServiceRole, [ROWS, NULL, REASON, CHANGE, CHANGE, CHANGE, CHANGE, CHANGE, ROWS, ROWS, DENY]),
];

/// The state the target is put in (as the owner) before the attempt.
fn precondition(op: Op) -> Option<&'static str> {
    match op {
        Op::ReadReasonColumn | Op::ReadReasonFunction | Op::Resume => Some(with_ids(
            "update public.peer_mentors set status = 'paused', pause_at = now(), pause_reason = 'capacity' where id = '{target}'",
        )),
        Op::Reactivate => Some(with_ids(
            "update public.peer_mentors set status = 'inactive' where id = '{target}'",
        )),
        _ => None,
    }
}

/// What each operation runs (`{target}` and the other ids as in [`with_ids`]).
#[rustfmt::skip]
const STATEMENTS: [(Op, &[Stmt<'static>]); 11] = [
    (Op::ReadRow,            &[Stmt::Query("select id from public.peer_mentors where id = '{target}'")]),
    (Op::ReadReasonColumn,   &[Stmt::Query("select pause_reason from public.peer_mentors where id = '{target}'")]),
    (Op::ReadReasonFunction, &[Stmt::Query("select public.mentor_pause_reason('{target}')")]),
    (Op::Pause,              &[Stmt::Query("select status from public.pause_mentor('{target}', 'vacation')")]),
    (Op::Resume,             &[Stmt::Query("select status from public.resume_mentor('{target}')")]),
    (Op::Deactivate,         &[Stmt::Query("select status from public.deactivate_mentor('{target}')")]),
    (Op::Reactivate,         &[Stmt::Query("select status from public.reactivate_mentor('{target}')")]),
    (Op::UpdateStatus,       &[Stmt::Command("update public.peer_mentors set status = 'inactive' where id = '{target}'")]),
    (Op::ReadAudit,          &[Stmt::Query("select to_status from public.mentor_status_changes where mentor_id = '{target}'")]),
    (Op::ReadHistory,        &[Stmt::Query("select to_status from public.mentor_status_history('{target}')")]),
    (Op::WriteAudit, &[
        Stmt::Command("insert into public.mentor_status_changes (mentor_id, from_status, to_status, changed_by, actor_role)
                       values ('{target}', 'active', 'inactive', '{bjorn}', 'authenticated')"),
        Stmt::Command("update public.mentor_status_changes set to_status = 'inactive' where mentor_id = '{target}'"),
        Stmt::Command("delete from public.mentor_status_changes where mentor_id = '{target}'"),
        Stmt::Command("truncate public.mentor_status_changes"),
    ]),
];

fn statements(op: Op) -> Vec<Stmt<'static>> {
    let (_, stmts) = STATEMENTS
        .iter()
        .find(|(of, _)| *of == op)
        .unwrap_or_else(|| panic!("no statements for {op:?}"));
    stmts
        .iter()
        .map(|stmt| match *stmt {
            Stmt::Query(sql) => Stmt::Query(with_ids(sql)),
            Stmt::Command(sql) => Stmt::Command(with_ids(sql)),
        })
        .collect()
}

/// For a change: the target's status columns and the audit transition afterwards.
fn change_result(op: Op) -> (&'static str, &'static str, &'static str) {
    match op {
        Op::Pause => ("paused pause-at vacation", "active->paused", "vacation"),
        Op::Resume => ("active no-pause-at -", "paused->active", "capacity"),
        Op::Deactivate | Op::UpdateStatus => ("inactive no-pause-at -", "active->inactive", "-"),
        Op::Reactivate => ("active no-pause-at -", "inactive->active", "-"),
        _ => panic!("{op:?} is not a change"),
    }
}

/// Runs one cell; `Err` describes how it differs from `expect`.
fn run_cell(conn: &mut PgConnection, caller: Caller, op: Op, expect: Expect) -> Result<(), String> {
    rolled_back(conn, |conn| {
        if let Some(sql) = precondition(op) {
            conn.batch_execute(sql).unwrap();
        }
        let history_rows = int(
            conn,
            &format!(
                "select count(*) as v from public.mentor_status_changes where mentor_id = '{TARGET}'"
            ),
        );
        for stmt in statements(op) {
            let before = data_snapshot(conn);
            let audit_before = audit_count(conn);
            let outcome = attempt(conn, caller, stmt);
            let after = data_snapshot(conn);
            let unchanged = before == after;
            let fail = |what: &str| {
                Err(format!(
                    "{stmt:?}: expected {expect:?}, {what}: {outcome:?}"
                ))
            };
            match expect {
                Expect::Denied => {
                    if outcome.sqlstate() != Some("42501") {
                        return fail("not denied with 42501");
                    }
                    if !unchanged {
                        return fail("denied but the data changed");
                    }
                }
                Expect::None => {
                    if outcome
                        != (Outcome::Done {
                            rows: 0,
                            values: String::new(),
                        })
                        || !unchanged
                    {
                        return fail("not an empty read");
                    }
                }
                Expect::Rows => {
                    let Outcome::Done { rows, .. } = &outcome else {
                        return fail("the read failed");
                    };
                    let wanted = if op == Op::ReadRow { 1 } else { history_rows };
                    if *rows != wanted || wanted == 0 || !unchanged {
                        return fail(&format!("not the {wanted} rows"));
                    }
                }
                Expect::Null => {
                    let Outcome::Done { values, .. } = &outcome else {
                        return fail("the read failed");
                    };
                    if !values.is_empty() || !unchanged {
                        return fail("a value came back");
                    }
                }
                Expect::Reason => {
                    if outcome
                        != (Outcome::Done {
                            rows: 1,
                            values: "capacity".into(),
                        })
                        || !unchanged
                    {
                        return fail("not the reason");
                    }
                }
                Expect::Changed => {
                    let (state, transition, reason) = change_result(op);
                    if !matches!(outcome, Outcome::Done { rows: 1, .. }) {
                        return fail("the change failed");
                    }
                    if mentor_state(conn, TARGET) != state {
                        return fail(&format!("the mentor is not {state}"));
                    }
                    if audit_count(conn) != audit_before + 1 {
                        return fail("not exactly one new audit row");
                    }
                    let who = caller
                        .audit_user()
                        .map_or_else(|| "-".to_owned(), |u| u.to_string());
                    let row = format!(
                        "{TARGET} {transition} {who} {} {reason}",
                        caller.audit_role()
                    );
                    if last_audit_row(conn) != row {
                        return fail(&format!(
                            "the audit row is not `{row}` but `{}`",
                            last_audit_row(conn)
                        ));
                    }
                }
            }
        }
        Ok(())
    })
}

#[test]
fn every_actor_may_do_exactly_what_the_matrix_says_and_denials_change_nothing() {
    let db = TestDb::seeded();
    let mut conn = db.conn();
    conn.batch_execute(&pgtap_fixture()).unwrap();

    let mut failures = Vec::new();
    for (name, caller, expected) in MATRIX {
        for (op, expect) in OPS.into_iter().zip(expected) {
            if let Err(why) = run_cell(&mut conn, caller, op, expect) {
                failures.push(format!("{name} × {op:?}: {why}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} cell(s) differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The cells of the pgTAP matrix (`supabase/tests/02_access_matrix.test.sql`), read from its
/// two tables: `matrix_ops` (an operation's position in OPS and its name) and `matrix_actors`
/// (an actor and its expected outcomes, one per position).
fn pgtap_cells() -> std::collections::BTreeSet<(String, String, String)> {
    let text = pgtap_matrix_text();
    // The rows of `insert into <table> …values`: its lines up to the one ending in `;`.
    let rows = |table: &str| -> Vec<&str> {
        let at = text
            .find(&format!("insert into {table} "))
            .unwrap_or_else(|| panic!("no `insert into {table}` in {PGTAP_MATRIX}"));
        let mut rows = Vec::new();
        for line in text[at..].lines().skip(1) {
            rows.push(line.trim());
            if line.ends_with(';') {
                break;
            }
        }
        rows
    };
    // The quoted strings of a row, in order.
    let strings = |row: &str| -> Vec<String> {
        row.split('\'')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    let position = |row: &str| -> usize {
        row.trim_start_matches('(')
            .split(',')
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    };
    let ops: std::collections::BTreeMap<usize, String> = rows("matrix_ops")
        .into_iter()
        .map(|row| (position(row), strings(row)[0].clone()))
        .collect();
    let mut cells = std::collections::BTreeSet::new();
    for row in rows("matrix_actors") {
        let fields = strings(row);
        let (actor, expected) = (&fields[0], &fields[2..]);
        assert_eq!(
            expected.len(),
            ops.len(),
            "one outcome per operation: {row}"
        );
        for (n, expect) in expected.iter().enumerate() {
            cells.insert((actor.clone(), ops[&(n + 1)].clone(), expect.clone()));
        }
    }
    cells
}

#[test]
fn the_pgtap_matrix_and_the_rust_matrix_cover_the_same_cells() {
    let rust: std::collections::BTreeSet<(String, String, String)> = MATRIX
        .iter()
        .flat_map(|(name, _, expected)| {
            OPS.iter()
                .zip(expected)
                .map(|(op, expect)| ((*name).to_owned(), format!("{op:?}"), format!("{expect:?}")))
        })
        .collect();
    let pgtap = pgtap_cells();
    let only_rust: Vec<_> = rust.difference(&pgtap).collect();
    let only_pgtap: Vec<_> = pgtap.difference(&rust).collect();
    assert!(
        only_rust.is_empty() && only_pgtap.is_empty(),
        "cells only in the Rust matrix: {only_rust:#?}\ncells only in the pgTAP matrix: {only_pgtap:#?}"
    );
    assert_eq!(rust.len(), MATRIX.len() * OPS.len());
}
