//! Faults: failures while migrating, and bad input at every entry point (by layer).

mod input;
mod migrating;
