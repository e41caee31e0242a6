//! Connecting, and creating, cloning and dropping databases.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};

use crate::{LocalDbError, url};
use mentor_status_storage::Context as _;

/// Connects to `url` ([`mentor_status_storage::connect`]); the error names the URL without
/// its password.
pub fn connect(database_url: &str) -> Result<PgConnection, LocalDbError> {
    Ok(mentor_status_storage::connect(database_url)?)
}

/// A database to run `CREATE/DROP DATABASE` from, on the same server as `database_url`:
/// `postgres`, or `template1` when `database_url` is itself `postgres`.
#[must_use]
pub fn maintenance_url(database_url: &str) -> String {
    let maintenance = if url::database(database_url) == "postgres" {
        "template1"
    } else {
        "postgres"
    };
    url::with_database(database_url, maintenance)
}

/// Quotes an identifier for SQL.
#[must_use]
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Whether `name` exists on the server of `conn`.
pub fn database_exists(conn: &mut PgConnection, name: &str) -> Result<bool, LocalDbError> {
    #[derive(QueryableByName)]
    struct Exists {
        #[diesel(sql_type = Bool)]
        exists: bool,
    }
    let row: Exists =
        diesel::sql_query("select exists (select 1 from pg_database where datname = $1) as exists")
            .bind::<Text, _>(name)
            .get_result(conn)
            .with_context(|| format!("checking whether database {name} exists"))?;
    Ok(row.exists)
}

/// `CREATE DATABASE name [TEMPLATE template]`.
pub fn create_database(
    conn: &mut PgConnection,
    name: &str,
    template: Option<&str>,
) -> Result<(), LocalDbError> {
    let mut sql = format!("create database {}", quote_ident(name));
    if let Some(template) = template {
        sql.push_str(&format!(" template {}", quote_ident(template)));
    }
    conn.batch_execute(&sql)
        .with_context(|| format!("creating database {name}"))
        .map_err(Into::into)
}

/// `DROP DATABASE IF EXISTS name WITH (FORCE)`: other sessions on it are ended first.
pub fn drop_database(conn: &mut PgConnection, name: &str) -> Result<(), LocalDbError> {
    conn.batch_execute(&format!(
        "drop database if exists {} with (force)",
        quote_ident(name)
    ))
    .with_context(|| format!("dropping database {name}"))
    .map_err(Into::into)
}

/// Drops and creates the database `database_url` names, from the maintenance database; what
/// `supabase db reset` does first. Cluster-wide roles stay.
pub fn recreate_database(database_url: &str) -> Result<(), LocalDbError> {
    let name = url::database(database_url);
    let mut admin = connect(&maintenance_url(database_url))?;
    drop_database(&mut admin, &name)?;
    create_database(&mut admin, &name, None)
}
