//! PostgreSQL storage for mentor statuses.
//!
//! - [`migrations`]: the one migration runner (Supabase CLI compatible history), used by the
//!   application at start-up, by `cargo xtask` and by the tests.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod migrations;
