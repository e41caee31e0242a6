//! What a refused input must leave alone: every row of every table of the project's schemas
//! and the migration history, read as the owner.

use diesel::PgConnection;
use mentor_status_localdb::query;

/// The schemas whose tables a command or a fault could touch: the application's, its
/// protected side, and the Supabase CLI's migration history.
const SCHEMAS: &str = "'public', 'private', 'supabase_migrations'";

/// Per table of the schemas `public`, `private` and `supabase_migrations` (from the catalog,
/// so a new table cannot escape): its row count and a digest of its full rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot(Vec<String>);

/// Reads the [`Snapshot`] of the database `conn` is connected to.
///
/// # Panics
///
/// When a query fails: the test cannot tell what changed then.
#[must_use]
pub fn snapshot(conn: &mut PgConnection) -> Snapshot {
    let tables = query::text(
        conn,
        &format!(
            "select coalesce(string_agg(format('%I.%I', n.nspname, c.relname), ',' order by n.nspname, c.relname), '') as v
               from pg_catalog.pg_class as c
               join pg_catalog.pg_namespace as n on n.oid = c.relnamespace
              where c.relkind in ('r', 'p') and n.nspname in ({SCHEMAS})"
        ),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    Snapshot(
        tables
            .split(',')
            .filter(|table| !table.is_empty())
            .map(|table| {
                query::text(
                    conn,
                    &format!(
                        "select '{table}: ' || count(*) || ' rows ' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '-') as v
                           from {table} as t"
                    ),
                )
                .unwrap_or_else(|e| panic!("{e}"))
            })
            .collect(),
    )
}
