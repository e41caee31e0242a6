//! Small helpers shared by the integration tests.

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

/// The single text value of `sql` (which must select one row with a column `v`).
pub fn text(conn: &mut PgConnection, sql: &str) -> String {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = Text)]
        v: String,
    }
    diesel::sql_query(sql)
        .get_result::<V>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .v
}

/// The single bigint value of `sql` (one row, column `v`).
pub fn int(conn: &mut PgConnection, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct V {
        #[diesel(sql_type = BigInt)]
        v: i64,
    }
    diesel::sql_query(sql)
        .get_result::<V>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .v
}

/// Whether a relation exists (`to_regclass`).
pub fn relation_exists(conn: &mut PgConnection, name: &str) -> bool {
    !text(
        conn,
        &format!("select coalesce(to_regclass('{name}')::text, '') as v"),
    )
    .is_empty()
}
