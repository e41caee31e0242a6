//! What a Supabase image provides before any migration runs, for a plain PostgreSQL.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::{BOOTSTRAP_SUPERUSER, LocalDbError, admin, url};
use mentor_status_storage::Context as _;

/// The platform baseline (see the file's header for what it emulates and what not): the
/// platform's roles with their attributes and settings, `postgres` without superuser, schemas
/// `extensions`, `auth` and `pgbouncer`, Supabase's grants and default privileges. Idempotent;
/// must run as a superuser.
pub const PLATFORM_SQL: &str = include_str!("../sql/supabase_platform.sql");

/// Extensions that only Supabase's Postgres image ships (none has a Debian or upstream
/// package), so our baseline cannot fake them: their presence marks a real Supabase server.
const SUPABASE_ONLY_EXTENSIONS: &str = "array['supabase_vault', 'pgsodium', 'pg_graphql']";

/// Whether the server is a real Supabase server (a `supabase start` stack or a hosted
/// project): it offers extensions only Supabase's image has. Our own baseline creates the
/// same roles, so roles prove nothing.
pub fn is_supabase_stack(conn: &mut PgConnection) -> Result<bool, LocalDbError> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = Bool)]
        found: bool,
    }
    let row: Found = diesel::sql_query(format!(
        "select exists (select 1 from pg_catalog.pg_available_extensions \
         where name = any ({SUPABASE_ONLY_EXTENSIONS})) as found"
    ))
    .get_result(conn)
    .context("looking for Supabase's own extensions in pg_available_extensions")?;
    Ok(row.found)
}

/// Applies [`PLATFORM_SQL`] in one transaction on `conn`, which must be a superuser's.
pub fn apply(conn: &mut PgConnection) -> Result<(), LocalDbError> {
    conn.transaction(|conn| conn.batch_execute(PLATFORM_SQL))
        .context(
            "applying the Supabase platform baseline (crates/localdb/sql/supabase_platform.sql)",
        )
        .map_err(Into::into)
}

/// What [`apply_to`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Baseline {
    /// The baseline was applied.
    Applied,
    /// The server is a real Supabase server, whose image provides the platform itself.
    SupabaseServer,
}

/// Applies the baseline to the database `database_url` names, unless it is on a real Supabase
/// server. The URL's user is usually `postgres`, which is not a superuser (as on the
/// platform); the baseline then runs as [`BOOTSTRAP_SUPERUSER`] with the same host and
/// password.
pub fn apply_to(database_url: &str) -> Result<Baseline, LocalDbError> {
    let mut conn = admin::connect(database_url)?;
    if is_supabase_stack(&mut conn)? {
        return Ok(Baseline::SupabaseServer);
    }
    #[derive(QueryableByName)]
    struct Me {
        #[diesel(sql_type = Text)]
        name: String,
        #[diesel(sql_type = Bool)]
        superuser: bool,
    }
    let me: Me = diesel::sql_query(
        "select current_user::text as name, rolsuper as superuser from pg_catalog.pg_roles where rolname = current_user",
    )
    .get_result(&mut conn)
    .context("reading the connecting role")?;
    if me.superuser {
        apply(&mut conn)?;
        return Ok(Baseline::Applied);
    }
    let admin_url = url::with_user(database_url, BOOTSTRAP_SUPERUSER);
    let mut admin_conn = admin::connect(&admin_url).map_err(|e| {
        LocalDbError::Config(format!(
            "the Supabase platform baseline must be applied by a superuser, and {} is not one \
             (as on hosted Supabase); connecting as {BOOTSTRAP_SUPERUSER} failed too: {e}",
            me.name
        ))
    })?;
    apply(&mut admin_conn)?;
    Ok(Baseline::Applied)
}
