//! `db-reset`: what `supabase db reset` does, without Docker.

use std::path::Path;

use anyhow::{Context, Result};
use mentor_status_localdb::{admin, platform, seed};
use mentor_status_storage::migrations::Migrator;

#[derive(clap::Args)]
pub struct Args {
    /// Apply migrations up to and including this version only
    #[arg(long)]
    version: Option<String>,
    /// Do not load the seed files
    #[arg(long)]
    no_seed: bool,
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    let url = crate::db::database_url(root)?;
    println!("database: {}", crate::db::describe(&url));
    reset(root, &url, args.version.as_deref(), !args.no_seed)
}

/// Recreates the database at `url` and brings it to `version` (all when `None`).
pub fn reset(root: &Path, url: &str, version: Option<&str>, load_seed: bool) -> Result<()> {
    if let Some(version) = version {
        // Refuse an unknown version before dropping anything.
        if mentor_status_storage::migrations::Migrations::embedded()
            .get(version)
            .is_none()
        {
            anyhow::bail!(
                "no migration has version {version}: `cargo xtask migrate status` lists the versions"
            );
        }
    }
    // Connect first: an unreachable server or a wrong password is said as such, before anything
    // else can be blamed.
    let mut maintenance = admin::connect(&admin::maintenance_url(url))?;
    if platform::is_supabase_stack(&mut maintenance)? {
        anyhow::bail!(
            "{} is a real Supabase server: db-reset never drops a database there. Use \
             `supabase db reset` (local stack) or `supabase db reset --db-url …`, which wipe \
             the user schemas in place, or `cargo xtask migrate up` to apply pending migrations",
            mentor_status_localdb::url::redact(url)
        );
    }
    let name = mentor_status_localdb::url::database(url);
    crate::step("recreate the database", || {
        admin::drop_database(&mut maintenance, &name)
            .and_then(|()| admin::create_database(&mut maintenance, &name, None))
            .with_context(|| {
                format!(
                    "recreating database {name} (the role needs CREATEDB, and must own the database to drop it)"
                )
            })
    })?;
    crate::step(
        "Supabase platform baseline (roles, extensions, auth)",
        || {
            platform::apply_to(url)?;
            println!("    applied crates/localdb/sql/supabase_platform.sql");
            Ok(())
        },
    )?;
    let mut conn = admin::connect(url)?;
    crate::step("migrations", || {
        let applied = Migrator::new(&mut conn).up(version)?;
        for version in &applied {
            println!("    applied {version}");
        }
        Ok(())
    })?;
    let latest = mentor_status_storage::migrations::Migrations::embedded()
        .latest()
        .map(|m| m.version().to_owned());
    if load_seed && version.is_some() && version.map(str::to_owned) != latest {
        // Seed files are written for the full schema (supabase/seed.sql sets statuses); loading
        // them into an older schema would fail half-way through the reset.
        println!(
            "==> seed files skipped: --version stops before the latest migration, and seeds target the latest schema"
        );
    } else if load_seed {
        crate::step("seed files", || {
            for file in seed::seed_files(root)? {
                seed::apply(&mut conn, &file)?;
                println!("    loaded {}", file.path);
            }
            Ok(())
        })?;
    }
    Ok(())
}
