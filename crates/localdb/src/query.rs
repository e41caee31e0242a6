//! One-value queries, for checks, benchmarks and tests: `sql` selects one row with one
//! column named `v`.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::LocalDbError;
use mentor_status_storage::Context as _;

/// The text value of `sql`.
pub fn text(conn: &mut PgConnection, sql: &str) -> Result<String, LocalDbError> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Text)]
        v: String,
    }
    diesel::sql_query(sql)
        .get_result::<V>(conn)
        .map(|row| row.v)
        .with_context(|| format!("query failed: {sql}"))
        .map_err(Into::into)
}

/// The bigint value of `sql`.
pub fn int(conn: &mut PgConnection, sql: &str) -> Result<i64, LocalDbError> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = BigInt)]
        v: i64,
    }
    diesel::sql_query(sql)
        .get_result::<V>(conn)
        .map(|row| row.v)
        .with_context(|| format!("query failed: {sql}"))
        .map_err(Into::into)
}
