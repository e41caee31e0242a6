//! The migration runner, the status migration, the rehearsal and the Supabase CLI corpus.

mod cli_corpus;
mod rehearse;
mod runner;
mod status_migration;
