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
use std::time::{Duration, Instant};

use mentor_status_domain::ReasonCode;
use uuid::Uuid;

use crate::SplitMix64;
use crate::fixture::Fixture;
use crate::outcome::Tally;

mod churner;
mod paths;
mod session;

pub use churner::{ChurnResult, churner};
pub use paths::{repository, rpc_coordinator, rpc_mentor, service_role};
pub(crate) use session::text;

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
