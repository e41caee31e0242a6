//! The local cluster as the Supabase platform, and the pgTAP suites on it.

mod baseline;
mod pgtap;
