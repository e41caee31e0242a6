//! One-value queries, for the checks and benchmarks (each query selects one row, column `v`).

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// The text value of `sql`.
pub fn text(conn: &mut PgConnection, sql: &str) -> Result<String> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Text)]
        v: String,
    }
    Ok(diesel::sql_query(sql)
        .get_result::<V>(conn)
        .with_context(|| format!("query failed: {sql}"))?
        .v)
}

/// The bigint value of `sql`.
pub fn int(conn: &mut PgConnection, sql: &str) -> Result<i64> {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = BigInt)]
        v: i64,
    }
    Ok(diesel::sql_query(sql)
        .get_result::<V>(conn)
        .with_context(|| format!("query failed: {sql}"))?
        .v)
}
