//! One-value queries, for checks, benchmarks and tests: `sql` selects one row with one
//! column (by convention named `v`).

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::LocalDbError;
use mentor_status_storage::Context as _;

/// The text value of `sql`.
pub fn text(conn: &mut PgConnection, sql: &str) -> Result<String, LocalDbError> {
    one::<Text, String>(conn, sql)
}

/// The bigint value of `sql`.
pub fn int(conn: &mut PgConnection, sql: &str) -> Result<i64, LocalDbError> {
    one::<BigInt, i64>(conn, sql)
}

/// The value of `sql`'s one column, of SQL type `ST`.
fn one<ST, T>(conn: &mut PgConnection, sql: &str) -> Result<T, LocalDbError>
where
    ST: diesel::sql_types::SingleValue,
    diesel::pg::Pg: diesel::sql_types::HasSqlType<ST>,
    T: diesel::deserialize::FromSqlRow<ST, diesel::pg::Pg> + 'static,
{
    diesel::dsl::sql::<ST>(sql)
        .get_result::<T>(conn)
        .with_context(|| format!("query failed: {sql}"))
        .map_err(Into::into)
}
