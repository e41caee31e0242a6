//! Coordinator notifications: the outbox's recipients, its row-level security and delivery.

mod delivery;
mod differential;
mod recipients;
mod rls;
pub mod support;
