//! Faults: failures while migrating, and bad input at every entry point, one file per layer
//! (see `input_support.rs`).

mod input_domain;
mod input_repository;
mod input_rpc;
mod input_sql;
mod input_support;
mod migrating;
