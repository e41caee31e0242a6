//! Chaos for mentor statuses: every write path at once, faults injected, then global
//! checks — nothing lost.
//!
//! [`run`] creates a database `chaos` on a [`ChaosCluster`] of the run's own (never the
//! project-local cluster other tests share: the injector crashes the server), migrates it,
//! inserts a generated [`Fixture`] and then, for the configured time:
//!
//! - writers on every path ([`writers`]): the RPCs as PostgREST runs them (coordinators and
//!   mentors, as `authenticator` with `set local role` and JWT claims), the Rust repository
//!   from several threads, the service role's direct UPDATEs, and a churner that toggles
//!   memberships and coordinator roles;
//! - notification workers ([`workers`]) running the real service and `run_once` into a
//!   [`CountingNotifier`];
//! - a seeded fault injector ([`faults`]): `pg_terminate_backend`, `pg_cancel_backend`,
//!   lock holders that trip `lock_timeout`, and server crashes (immediate stop, restart).
//!
//! Then the checks ([`check`]): the audit trail replays to every mentor's current row; every
//! change notifies exactly whom `resolve_recipients` names for the graph at the time, and
//! every notification is delivered at least once; no row breaks a status rule; nothing is
//! stuck; every client-visible error was documented or retryable. [`Report::render`] prints
//! the table and the last line `N changes, M faults, K lost`.
//!
//! [`migration_crash`] crashes the server during the status migration's VALIDATE.
//!
//! Used by `cargo xtask chaos` and by the integration test `chaos` (a small run).
//!
//! **Architecture invariant:** the checker believes only the database: a change counts as
//! committed when the audit trail has it, never because a client saw success alone.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod check;
mod cluster;
mod error;
pub mod faults;
pub mod fixture;
mod migration_crash;
pub mod outcome;
mod report;
mod rng;
mod run;
pub mod snapshot;
pub mod workers;
pub mod writers;

pub use cluster::ChaosCluster;
pub use error::ChaosError;
pub use fixture::Fixture;
pub use migration_crash::{MigrationCrashReport, migration_crash};
pub use report::{Check, Report};
pub use rng::{SplitMix64, seed_from_clock};
pub use run::{Config, Sabotage, Threads, run};
pub use workers::CountingNotifier;
