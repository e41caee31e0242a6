//! A local, Supabase-shaped PostgreSQL for development and tests.
//!
//! - [`PgBinaries`] finds the machine's PostgreSQL server binaries (≥ 15).
//! - [`LocalCluster`] keeps one project-local cluster under `target/`, started on demand on a kept
//!   free port and reused; as root it runs the server as the `postgres` user.
//! - [`platform`] applies what a Supabase image provides before migrations (roles, `auth`),
//!   [`seed`] loads `supabase/seed.sql` as `supabase db reset` does.
//! - [`admin`] creates, clones and drops databases; [`fingerprint`] summarises a schema so two
//!   databases can be compared.
//!
//! **Architecture Invariant:** nothing here knows the project's tables; migrations are applied
//! by `mentor-status-storage`'s runner, never from here.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod admin;
mod binaries;
mod cluster;
mod error;
pub mod fingerprint;
pub mod observed;
pub mod pgtap;
pub mod platform;
pub mod probe;
pub mod query;
pub mod rehearsal;
pub mod seed;
pub mod supabase_cli;
pub mod url;
mod worker;

pub use binaries::PgBinaries;
pub use cluster::{APP_USER, BOOTSTRAP_SUPERUSER, LocalCluster, Running};
pub use error::LocalDbError;
