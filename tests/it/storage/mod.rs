//! The storage crate against a real PostgreSQL: the repository, its races, the pool, the
//! schema file and the CHECK constraints against the domain.

mod check_definitions;
mod differential;
mod legacy;
mod list;
mod pool;
mod race;
mod repository;
mod schema;
pub mod support;
