//! `lint`: squawk over the forward migrations (with its default rules), then what
//! `supabase db lint` checks — plpgsql_check on the functions of a migrated database — with
//! every warning class on, trigger functions included (the CLI skips those).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Nullable, Text};
use mentor_status_localdb::{BOOTSTRAP_SUPERUSER, admin, url};

/// Every finding of plpgsql_check for the PL/pgSQL functions in the project's schemas; a
/// trigger function is checked against a table it is attached to.
const PLPGSQL_CHECK: &str = "
select p.oid::regprocedure::text as function, r.level, r.message, r.lineno
  from pg_catalog.pg_proc p
  join pg_catalog.pg_namespace n on n.oid = p.pronamespace
  join pg_catalog.pg_language l on l.oid = p.prolang
  left join lateral (select t.tgrelid from pg_catalog.pg_trigger t where t.tgfoid = p.oid limit 1) t on true
 cross join lateral extensions.plpgsql_check_function_tb(
         p.oid, coalesce(t.tgrelid, 0), fatal_errors => false, other_warnings => true,
         extra_warnings => true, performance_warnings => true, security_warnings => true) r
 where l.lanname = 'plpgsql'
   and n.nspname not in ('pg_catalog', 'information_schema', 'extensions', 'auth', 'pgbouncer',
                         'supabase_migrations', 'tests')
   and n.nspname not like 'pg\\_%'
 order by 1, 4";

pub fn run(root: &Path) -> Result<()> {
    squawk(root)?;
    plpgsql_check(root)
}

fn plpgsql_check(root: &Path) -> Result<()> {
    let server_url = crate::db::database_url(root)?;
    let findings = crate::db::with_scratch_database(&server_url, "lint", |scratch_url| {
        crate::reset::reset(root, scratch_url, None, false)?;
        crate::step("plpgsql_check over the migrated functions", || {
            findings(scratch_url)
        })
    })?;
    for f in &findings {
        println!(
            "{}: line {}: {}: {}",
            f.function,
            f.lineno.map_or("-".to_owned(), |l| l.to_string()),
            f.level.as_deref().unwrap_or("?"),
            f.message.as_deref().unwrap_or("")
        );
    }
    println!("plpgsql_check: {} finding(s)", findings.len());
    if !findings.is_empty() {
        bail!("plpgsql_check found problems in the functions (above)");
    }
    Ok(())
}

#[derive(QueryableByName)]
struct Finding {
    #[diesel(sql_type = Text)]
    function: String,
    #[diesel(sql_type = Nullable<Text>)]
    level: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    message: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    lineno: Option<i32>,
}

fn findings(scratch_url: &str) -> Result<Vec<Finding>> {
    // As on the platform, where supautils lets postgres create it, the extension is created by
    // the superuser; the check itself runs as postgres.
    admin::connect(&url::with_user(scratch_url, BOOTSTRAP_SUPERUSER))?
        .batch_execute("create extension if not exists plpgsql_check with schema extensions")
        .context("creating extension plpgsql_check (Debian: apt-get install postgresql-15-plpgsql-check)")?;
    Ok(diesel::sql_query(PLPGSQL_CHECK).load(&mut admin::connect(scratch_url)?)?)
}

fn squawk(root: &Path) -> Result<()> {
    let mut files: Vec<_> = std::fs::read_dir(root.join("supabase/migrations"))
        .context("reading supabase/migrations")?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    crate::step(
        &format!("squawk over {} migration files", files.len()),
        || {
            let status = Command::new("squawk")
                .args(["--pg-version", "15.0", "--assume-in-transaction"])
                .args(&files)
                .current_dir(root)
                .status();
            match status {
                Ok(s) if s.success() => Ok(()),
                Ok(_) => bail!(
                    "squawk found problems in the migrations (above): fix them, or explain in the file why a rule does not apply"
                ),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    bail!(
                        "squawk is not installed: `pip install squawk-cli==2.70.0` (or npm's squawk-cli) puts it on PATH"
                    )
                }
                Err(e) => Err(e).context("running squawk"),
            }
        },
    )
}
