//! The workspace's integration tests: one binary, a fresh database per test
//! (see `mentor_status_tests::TestDb`).

// Test helpers outside #[test] functions fail the test by panicking, like the tests do.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod access_details;
mod access_matrix;
mod access_property;
mod access_repository;
mod access_support;
mod access_truncate;
mod chaos;
mod check_definitions;
mod cli_corpus;
mod client_privileges;
mod compat_select_star;
mod faults;
mod faults_input;
mod label_guard;
mod no_echo;
mod notify_delivery;
mod notify_differential;
mod notify_recipients;
mod notify_rls;
mod notify_support;
mod pgtap;
mod platform;
mod protect_migration;
mod reason_side_channels;
mod rehearse;
mod runner;
mod smoke;
mod status_migration;
mod storage_differential;
mod storage_legacy;
mod storage_pool;
mod storage_race;
mod storage_repository;
mod storage_schema;
mod storage_support;
mod support;
mod temp_objects;
