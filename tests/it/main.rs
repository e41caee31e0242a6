//! The workspace's integration tests: one binary, a fresh database per test
//! (see `mentor_status_tests::TestDb`), one folder per area.

// Test helpers outside #[test] functions fail the test by panicking, like the tests do.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod access;
mod chaos;
mod faults;
mod migrations;
mod notify;
mod platform;
mod protect;
mod seed_ids;
mod storage;
mod support;
