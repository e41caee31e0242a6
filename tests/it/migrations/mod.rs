//! The migration runner, the status migration, the rehearsal and the Supabase CLI corpus.

mod cli_corpus;
mod rehearse;
mod rollbacks;
mod runner;
mod runner_support;
mod smoke;
mod status_migration;
mod transactions;
