//! One-value queries (each selects one row, column `v`): the shared ones of the localdb crate.

pub use mentor_status_localdb::query::{int, text};
