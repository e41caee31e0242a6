//! The workspace's integration tests: one binary, a fresh database per test
//! (see `mentor_status_tests::TestDb`).

// Test helpers outside #[test] functions fail the test by panicking, like the tests do.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod runner;
mod status_migration;
mod support;
