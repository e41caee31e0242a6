//! The writers: one thread per writer, each with its own connection(s), looping until the
//! deadline on one path — the RPCs as PostgREST runs them (coordinators, mentors), the Rust
//! repository, the service role's direct UPDATEs — and the churner that changes
//! memberships and coordinator roles underneath them.
//!
//! The RPC and service-role paths log in as `authenticator` and run each request as
//! PostgREST does: one transaction with `set local role …`, the JWT claims in
//! `request.jwt.claims`, then the statement. diesel reports no SQLSTATE, so the statement
//! runs in a `DO` block that records its SQLSTATE (or its result) in a transaction-local
//! setting; `OTHERS` does not catch a cancel (57014), which reaches the client as such.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;
use mentor_status_domain::{Actor, Command, MentorState, PauseReason, ReasonCode, UserId};
use mentor_status_storage::{MentorId, MentorStatusRepository, RepositoryError};
use uuid::Uuid;

use crate::SplitMix64;
use crate::fixture::{Fixture, LABELS};
use crate::outcome::{DOCUMENTED_SQLSTATES, Outcome, Tally, classify_sqlstate, from_diesel};

/// The paths a change can take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Path {
    /// `pause_mentor` & co. as a signed-in coordinator (of the mentor's chapters or not).
    RpcCoordinator,
    /// The RPCs as the mentor, on themselves (or, refused, on someone else).
    RpcMentor,
    /// `MentorStatusRepository::change_status` as a coordinator or the service role.
    Repository,
    /// The service role: direct UPDATEs of `peer_mentors` (and RPCs on unknown ids).
    ServiceRole,
    /// Memberships and coordinator roles (de)activated.
    Churner,
    /// Notification workers.
    Workers,
}

impl Path {
    /// Every path, in report order.
    pub const ALL: [Path; 6] = [
        Path::RpcCoordinator,
        Path::RpcMentor,
        Path::Repository,
        Path::ServiceRole,
        Path::Churner,
        Path::Workers,
    ];
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Path::RpcCoordinator => "rpc as coordinator",
            Path::RpcMentor => "rpc as mentor",
            Path::Repository => "repository",
            Path::ServiceRole => "service_role UPDATE",
            Path::Churner => "membership churn",
            Path::Workers => "notify workers",
        })
    }
}

/// A change the client saw commit: mentor, new status, new `pause_at` (microseconds).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Ack {
    /// The mentor.
    pub mentor: Uuid,
    /// The status after the change.
    pub to_status: String,
    /// `pause_at` after the change, in microseconds since the epoch.
    pub to_pause_at: Option<i64>,
}

/// What one writer thread did.
#[derive(Debug, Clone)]
pub struct WriterResult {
    /// Its path.
    pub path: Path,
    /// Its counts.
    pub tally: Tally,
    /// The changes it saw commit.
    pub acks: Vec<Ack>,
}

/// What every writer needs.
#[derive(Debug)]
pub struct Context {
    /// The organisation.
    pub fixture: Fixture,
    /// URL as `postgres` (owner).
    pub owner_url: String,
    /// URL as `authenticator` (PostgREST's login).
    pub api_url: String,
    /// When to stop.
    pub deadline: Instant,
    /// `lock_timeout` of the writers' sessions, so a lock holder trips them quickly.
    pub lock_timeout: Duration,
    /// Per coordinator (by user id): the indexes of the mentors in their chapters.
    pub mentors_of: HashMap<Uuid, Vec<usize>>,
}

impl Context {
    /// A context; computes who coordinates whom.
    #[must_use]
    pub fn new(
        fixture: Fixture,
        owner_url: String,
        api_url: String,
        deadline: Instant,
        lock_timeout: Duration,
    ) -> Context {
        let mut mentors_of: HashMap<Uuid, Vec<usize>> = HashMap::new();
        for c in fixture.coordinators() {
            let list = fixture
                .mentors
                .iter()
                .enumerate()
                .filter(|(_, m)| m.chapters.iter().any(|ch| c.chapters.contains(ch)))
                .map(|(i, _)| i)
                .collect();
            mentors_of.insert(c.user_id, list);
        }
        Context {
            fixture,
            owner_url,
            api_url,
            deadline,
            lock_timeout,
            mentors_of,
        }
    }

    fn running(&self) -> bool {
        Instant::now() < self.deadline
    }

    /// A mentor of `coordinator`'s chapters with `percent` chance, else any mentor.
    fn mentor_for(&self, coordinator: Uuid, percent: u64, rng: &mut SplitMix64) -> usize {
        let own = self
            .mentors_of
            .get(&coordinator)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        if !own.is_empty() && rng.chance(percent) {
            own[rng.index(own.len())]
        } else {
            rng.index(self.fixture.mentors.len())
        }
    }
}

/// A random reason code.
pub fn random_code(rng: &mut SplitMix64) -> &'static str {
    ReasonCode::ALL[rng.index(ReasonCode::ALL.len())].as_str()
}

/// A connection that is (re)opened on demand, with the writer's session settings.
struct Session {
    url: String,
    setup: String,
    conn: Option<PgConnection>,
}

impl Session {
    fn new(url: &str, application: &str, lock_timeout: Duration) -> Session {
        Session {
            url: url.to_owned(),
            setup: format!(
                "set application_name = '{application}'; set lock_timeout = '{}ms'; set statement_timeout = '5s';",
                lock_timeout.as_millis()
            ),
            conn: None,
        }
    }

    fn get(&mut self) -> Result<&mut PgConnection, Outcome> {
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
    fn reset(&mut self) {
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
enum Caller {
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
fn api_request(
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

const RETURNING: &str =
    "t.status::pg_catalog.text, (extract(epoch from t.pause_at) * 1000000)::pg_catalog.int8";

fn rpc_body(function: &str, mentor: Uuid, reason: Option<&str>) -> String {
    let args = match (function, reason) {
        ("pause_mentor", Some(r)) => format!("'{mentor}'::uuid, '{r}'"),
        _ => format!("'{mentor}'::uuid"),
    };
    format!("select {RETURNING} into s, p from public.{function}({args}) as t; n := 1;")
}

fn ack(mentor: Uuid, result: Option<(String, Option<i64>)>) -> Option<Ack> {
    result.map(|(to_status, to_pause_at)| Ack {
        mentor,
        to_status,
        to_pause_at,
    })
}

fn finish(path: Path, tally: Tally, acks: Vec<Ack>) -> WriterResult {
    WriterResult { path, tally, acks }
}

/// RPCs as coordinators: of the mentor's chapters mostly, of other chapters sometimes
/// (42501), now and then a pause with a free-text reason (22023).
pub fn rpc_coordinator(ctx: &Arc<Context>, mut rng: SplitMix64, n: usize) -> WriterResult {
    let mut session = Session::new(
        &ctx.api_url,
        &format!("chaos-rpc-coordinator-{n}"),
        ctx.lock_timeout,
    );
    let (mut tally, mut acks) = (Tally::default(), Vec::new());
    let coordinators = &ctx.fixture.rpc_coordinators;
    while ctx.running() {
        let Some(coordinator) = rng.pick(coordinators) else {
            break;
        };
        let mentor = ctx.fixture.mentors[ctx.mentor_for(coordinator.user_id, 80, &mut rng)].id;
        let body = match rng.below(20) {
            0..=6 => {
                let reason = match rng.below(8) {
                    0..=2 => None,
                    3..=6 => Some(random_code(&mut rng)),
                    _ => Some(LABELS[rng.index(LABELS.len())]),
                };
                rpc_body("pause_mentor", mentor, reason)
            }
            7..=11 => rpc_body("resume_mentor", mentor, None),
            12..=14 => rpc_body("deactivate_mentor", mentor, None),
            _ => rpc_body("reactivate_mentor", mentor, None),
        };
        let (outcome, result) = api_request(&mut session, Caller::User(coordinator.user_id), &body);
        acks.extend(ack(mentor, result));
        tally.record(outcome);
    }
    finish(Path::RpcCoordinator, tally, acks)
}

/// RPCs as mentors on themselves (pause with a code or none, resume), sometimes what a
/// mentor may not do (deactivate themselves, change someone else: 42501).
pub fn rpc_mentor(ctx: &Arc<Context>, mut rng: SplitMix64, n: usize) -> WriterResult {
    let mut session = Session::new(
        &ctx.api_url,
        &format!("chaos-rpc-mentor-{n}"),
        ctx.lock_timeout,
    );
    let (mut tally, mut acks) = (Tally::default(), Vec::new());
    let mentors = &ctx.fixture.mentors;
    while ctx.running() {
        let me = &mentors[rng.index(mentors.len())];
        let target = if rng.chance(90) {
            me.id
        } else {
            mentors[rng.index(mentors.len())].id
        };
        let body = match rng.below(20) {
            0..=8 => {
                let reason = if rng.chance(50) {
                    Some(random_code(&mut rng))
                } else {
                    None
                };
                rpc_body("pause_mentor", target, reason)
            }
            9..=17 => rpc_body("resume_mentor", target, None),
            18 => rpc_body("deactivate_mentor", target, None),
            _ => rpc_body("reactivate_mentor", target, None),
        };
        let (outcome, result) = api_request(&mut session, Caller::User(me.user_id), &body);
        acks.extend(ack(target, result));
        tally.record(outcome);
    }
    finish(Path::RpcMentor, tally, acks)
}

fn random_command(rng: &mut SplitMix64, labels: bool) -> Command {
    match rng.below(20) {
        0..=7 => {
            let reason = match rng.below(4) {
                0 => None,
                1 if labels => PauseReason::parse(LABELS[rng.index(LABELS.len())]).ok(),
                _ => PauseReason::parse(random_code(rng)).ok(),
            };
            Command::Pause { reason }
        }
        8..=12 => Command::Resume,
        13..=15 => Command::Deactivate,
        _ => Command::Reactivate,
    }
}

fn state_ack(mentor: Uuid, state: &MentorState) -> Ack {
    Ack {
        mentor,
        to_status: state.status().as_str().to_owned(),
        to_pause_at: state.pause_at().map(|t| t.timestamp_micros()),
    }
}

/// The repository from one thread: as a repository coordinator (mostly on mentors of
/// their chapters) or as the service role, with codes, labels or no reason.
pub fn repository(
    ctx: &Arc<Context>,
    repository: &MentorStatusRepository,
    mut rng: SplitMix64,
) -> WriterResult {
    let (mut tally, mut acks) = (Tally::default(), Vec::new());
    let coordinators = &ctx.fixture.repository_coordinators;
    while ctx.running() {
        let (actor, index) = match rng.pick(coordinators) {
            Some(c) if rng.chance(70) => (
                Actor::Coordinator {
                    user_id: UserId::new(c.user_id),
                },
                ctx.mentor_for(c.user_id, 85, &mut rng),
            ),
            _ => (Actor::ServiceRole, rng.index(ctx.fixture.mentors.len())),
        };
        let mentor = ctx.fixture.mentors[index].id;
        let command = random_command(&mut rng, true);
        let outcome =
            match repository.change_status(&actor, MentorId::new(mentor), command, Utc::now()) {
                Ok(transition) => {
                    acks.push(state_ack(mentor, transition.to()));
                    Outcome::Committed
                }
                Err(RepositoryError::Denied(_)) => Outcome::Refused("Denied".to_owned()),
                Err(RepositoryError::Transition(_)) => Outcome::Refused("Transition".to_owned()),
                Err(RepositoryError::NotFound { .. }) => Outcome::Refused("NotFound".to_owned()),
                Err(RepositoryError::Conflict { .. }) => Outcome::Conflict,
                Err(RepositoryError::Pool(e)) => {
                    std::thread::sleep(Duration::from_millis(50));
                    crate::outcome::classify_message(&format!(
                        "no database connection available: {e}"
                    ))
                    .map_or_else(|| Outcome::Failure(e.to_string()), Outcome::Retryable)
                }
                Err(RepositoryError::Database(e)) => match from_diesel(e.cause()) {
                    Outcome::Failure(m) => Outcome::Failure(format!("{}: {m}", e.context())),
                    other => {
                        std::thread::sleep(Duration::from_millis(10));
                        other
                    }
                },
                Err(other) => Outcome::Failure(other.to_string()),
            };
        tally.record(outcome);
    }
    finish(Path::Repository, tally, acks)
}

/// The service role: direct UPDATEs of the status columns (conditional on the current
/// status, so each is a transition of the state machine), and RPCs on unknown ids (PT404).
pub fn service_role(ctx: &Arc<Context>, mut rng: SplitMix64, n: usize) -> WriterResult {
    let mut session = Session::new(
        &ctx.api_url,
        &format!("chaos-service-role-{n}"),
        ctx.lock_timeout,
    );
    let (mut tally, mut acks) = (Tally::default(), Vec::new());
    while ctx.running() {
        let mentor = if rng.chance(5) {
            rng.uuid()
        } else {
            ctx.fixture.mentors[rng.index(ctx.fixture.mentors.len())].id
        };
        let body = if rng.chance(5) {
            // An id nobody has: PT404, which only the service role gets.
            rpc_body("resume_mentor", rng.uuid(), None)
        } else {
            let set = match rng.below(10) {
                0..=3 => {
                    let reason = match rng.below(3) {
                        0 => "null".to_owned(),
                        1 => format!("'{}'", random_code(&mut rng)),
                        _ => format!("'{}'", LABELS[rng.index(LABELS.len())]),
                    };
                    format!(
                        "status = 'paused', pause_at = now(), pause_reason = {reason} where t.id = '{mentor}' and t.status = 'active'"
                    )
                }
                4..=6 => format!(
                    "status = 'active', pause_at = null, pause_reason = null where t.id = '{mentor}' and t.status = 'paused'"
                ),
                7 => format!(
                    "status = 'inactive', pause_at = null, pause_reason = null where t.id = '{mentor}' and t.status <> 'inactive'"
                ),
                _ => format!("status = 'active' where t.id = '{mentor}' and t.status = 'inactive'"),
            };
            format!(
                "update public.peer_mentors as t set {set} returning {RETURNING} into s, p; get diagnostics n = row_count;"
            )
        };
        let (outcome, result) = api_request(&mut session, Caller::ServiceRole, &body);
        acks.extend(ack(mentor, result));
        tally.record(outcome);
    }
    finish(Path::ServiceRole, tally, acks)
}

/// What the churner did: its counts, and when each of its statements was answered.
#[derive(Debug, Clone)]
pub struct ChurnResult {
    /// Its counts (path [`Path::Churner`]).
    pub writer: WriterResult,
    /// When each statement returned to the churner, committed or not (µs since the epoch,
    /// ascending). The churner runs one statement at a time, so a logged change committed
    /// at `t` was answered at the first of these at or after `t`, and was visible to every
    /// snapshot taken after that answer (see `check::recipients`).
    pub answered: Vec<i64>,
}

/// Microseconds since the epoch on this machine's clock (the server's clock too: the
/// cluster runs here).
fn now_micros() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Toggles memberships and coordinator roles (as the owner), logging each change in
/// `chaos.churn_log` in the same statement, so the checker knows when it committed, and
/// noting when each statement was answered, so the checker knows by when it was visible.
pub fn churner(ctx: &Arc<Context>, mut rng: SplitMix64) -> ChurnResult {
    let mut session = Session::new(&ctx.owner_url, "chaos-churner", ctx.lock_timeout);
    let mut tally = Tally::default();
    let mut answered = Vec::new();
    let coordinators: Vec<_> = ctx.fixture.coordinators().collect();
    while ctx.running() {
        let sql = if rng.chance(50) {
            let m = &ctx.fixture.mentors[rng.index(ctx.fixture.mentors.len())];
            let chapter = m.chapters[rng.index(m.chapters.len())];
            format!(
                "with t as (update public.chapter_memberships set active = not active
                             where mentor_id = '{id}' and chapter_id = '{chapter}' returning active)
                 insert into chaos.churn_log (kind, subject, chapter_id, active)
                 select 'membership', '{id}', '{chapter}', t.active from t",
                id = m.id
            )
        } else {
            let Some(c) = rng.pick(&coordinators) else {
                break;
            };
            let chapter = c.chapters[rng.index(c.chapters.len())];
            format!(
                "with t as (update public.chapter_coordinators set active = not active
                             where user_id = '{id}' and chapter_id = '{chapter}' returning active)
                 insert into chaos.churn_log (kind, subject, chapter_id, active)
                 select 'coordinator', '{id}', '{chapter}', t.active from t",
                id = c.user_id
            )
        };
        let outcome = match session.get() {
            Ok(conn) => match conn.batch_execute(&sql) {
                Ok(()) => Outcome::Committed,
                Err(e) => {
                    session.reset();
                    from_diesel(&e)
                }
            },
            Err(outcome) => {
                session.reset();
                outcome
            }
        };
        answered.push(now_micros());
        tally.record(outcome);
        std::thread::sleep(Duration::from_millis(15));
    }
    ChurnResult {
        writer: finish(Path::Churner, tally, Vec::new()),
        answered,
    }
}
