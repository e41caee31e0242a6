//! The workspace's integration tests: one binary, a fresh database per test
//! (see `mentor_status_tests::TestDb`).

mod runner;
mod status_migration;
mod support;
