//! The Supabase CLI's history table, `supabase_migrations.schema_migrations (version, name,
//! statements)`: created as the CLI creates it, read, and changed with each file.

use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Nullable, Text};

use super::MigrationError;
use crate::Context as _;

/// The Supabase CLI's history tables, created exactly as the CLI creates them.
const CREATE_HISTORY_TABLES: &str = "\
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (version text not null primary key);
alter table supabase_migrations.schema_migrations add column if not exists statements text[];
alter table supabase_migrations.schema_migrations add column if not exists name text;
create table if not exists supabase_migrations.seed_files (path text not null primary key, hash text not null);";

/// A history row.
#[derive(Debug, Clone, PartialEq, Eq, QueryableByName)]
pub struct HistoryRow {
    /// The version.
    #[diesel(sql_type = Text)]
    pub version: String,
    /// The name, as the CLI records it.
    #[diesel(sql_type = Nullable<Text>)]
    pub name: Option<String>,
    /// The statements as applied.
    #[diesel(sql_type = Nullable<Array<Text>>)]
    pub statements: Option<Vec<String>>,
}

pub(crate) fn ensure_history_tables(conn: &mut PgConnection) -> Result<(), MigrationError> {
    Ok(conn
        .batch_execute(CREATE_HISTORY_TABLES)
        .context("creating supabase_migrations.schema_migrations")?)
}

/// The history rows, oldest first.
pub(crate) fn rows(conn: &mut PgConnection) -> Result<Vec<HistoryRow>, MigrationError> {
    ensure_history_tables(conn)?;
    diesel::sql_query(
        "select version, name, statements from supabase_migrations.schema_migrations order by version",
    )
    .load(conn)
    .context("reading supabase_migrations.schema_migrations")
    .map_err(Into::into)
}

/// Records an applied file, as the CLI's INSERT does.
pub(crate) fn record(
    conn: &mut PgConnection,
    version: &str,
    name: &str,
    statements: &[String],
) -> QueryResult<()> {
    diesel::sql_query(
        "insert into supabase_migrations.schema_migrations (version, name, statements) values ($1, $2, $3)",
    )
    .bind::<Text, _>(version)
    .bind::<Text, _>(name)
    .bind::<Array<Text>, _>(statements)
    .execute(conn)
    .map(|_| ())
}

/// Forgets a reverted file.
pub(crate) fn forget(conn: &mut PgConnection, version: &str) -> QueryResult<()> {
    diesel::sql_query("delete from supabase_migrations.schema_migrations where version = $1")
        .bind::<Text, _>(version)
        .execute(conn)
        .map(|_| ())
}

/// Replaces the recorded statements of an applied file (`migrate up --force`).
pub(crate) fn rewrite_statements(
    conn: &mut PgConnection,
    version: &str,
    statements: &[String],
) -> Result<(), MigrationError> {
    diesel::sql_query(
        "update supabase_migrations.schema_migrations set statements = $2 where version = $1",
    )
    .bind::<Text, _>(version)
    .bind::<Array<Text>, _>(statements)
    .execute(conn)
    .context("recording the edited text of a migration (--force)")?;
    Ok(())
}
