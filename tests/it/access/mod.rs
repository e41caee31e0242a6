//! Who may do what to a mentor as the Data API's roles: the access migrations, the matrix,
//! the differential property, the repository's audit trail and TRUNCATE.

mod audit;
mod details;
mod matrix;
mod property;
mod repository;
pub mod support;
mod truncate;
