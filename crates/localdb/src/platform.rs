//! What a Supabase image provides before any migration runs, for a plain PostgreSQL.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use crate::LocalDbError;

/// The platform baseline: roles `anon`, `authenticated`, `service_role`, `authenticator`;
/// schema `auth` with `auth.users`, `auth.uid()`, `auth.role()`, `auth.jwt()`; Supabase's
/// default grants. Idempotent.
pub const PLATFORM_SQL: &str = include_str!("../sql/supabase_platform.sql");

/// Whether the server is a real Supabase stack (its image creates `supabase_admin`), in which
/// case the baseline must not be applied.
pub fn is_supabase_stack(conn: &mut PgConnection) -> Result<bool, LocalDbError> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = Bool)]
        found: bool,
    }
    let row: Found = diesel::sql_query(
        "select exists (select 1 from pg_roles where rolname = 'supabase_admin') as found",
    )
    .get_result(conn)
    .map_err(LocalDbError::query("looking for the supabase_admin role"))?;
    Ok(row.found)
}

/// Applies [`PLATFORM_SQL`] in one transaction unless the server is a Supabase stack.
/// Returns whether it was applied.
pub fn apply(conn: &mut PgConnection) -> Result<bool, LocalDbError> {
    if is_supabase_stack(conn)? {
        return Ok(false);
    }
    conn.transaction(|conn| conn.batch_execute(PLATFORM_SQL))
        .map_err(LocalDbError::query(
            "applying the Supabase platform baseline (crates/localdb/sql/supabase_platform.sql)",
        ))?;
    Ok(true)
}
