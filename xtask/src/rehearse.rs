//! `rehearse --from URL`: the pending migrations on a copy of a database (production, staging),
//! with a probe of ordinary traffic, before they go live. The rehearsal itself is
//! `mentor_status_localdb::rehearsal`; this command supplies the runner, the scratch server,
//! Ctrl-C, progress, the table and the JSON.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use mentor_status_localdb::rehearsal::{self, Event, Options};
use mentor_status_localdb::{LocalCluster, PgBinaries, admin, url};
use mentor_status_storage::migrations::Migrations;
use mentor_status_tests::rehearsal::ProjectRunner;

use crate::bench::Progress;

#[derive(clap::Args)]
pub struct Args {
    /// The database to rehearse against; only read (default_transaction_read_only)
    #[arg(long, value_name = "URL")]
    from: String,
    /// A server for the scratch copy (any database on it; default: the project-local cluster)
    #[arg(long, value_name = "URL")]
    to: Option<String>,
    /// Fail when a file blocks the probe longer than this
    #[arg(long, default_value_t = 50)]
    max_block_ms: u64,
    /// Write every figure as JSON to this file
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Keep the scratch copy
    #[arg(long)]
    keep: bool,
}

pub fn run(root: &Path, args: &Args) -> Result<()> {
    let (scratch_url, restore_url, binaries) = match &args.to {
        Some(to) => {
            let restore = superuser_url(to)?;
            (to.clone(), restore, PgBinaries::locate()?)
        }
        None => {
            let cluster = crate::db::local_cluster(root)?;
            let port = cluster
                .ensure_running()
                .context("starting the project-local PostgreSQL")?;
            (
                LocalCluster::url(port, "postgres"),
                LocalCluster::admin_url(port, "postgres"),
                cluster.binaries().clone(),
            )
        }
    };
    println!("source:  {} (read-only)", url::redact(&args.from));
    println!("scratch: {}", url::redact(&scratch_url));
    let mut options = Options::new(
        &args.from,
        &scratch_url,
        &restore_url,
        binaries,
        crate::db::target_dir(root).join("rehearse"),
    );
    options.max_block = Duration::from_millis(args.max_block_ms);
    options.keep = args.keep;

    let cancel = Arc::new(AtomicBool::new(false));
    {
        let cancel = Arc::clone(&cancel);
        ctrlc::set_handler(move || {
            eprintln!("\ninterrupted: stopping and dropping the scratch copy");
            cancel.store(true, Ordering::Relaxed);
        })
        .context("installing the Ctrl-C handler")?;
    }
    let mut runner = ProjectRunner::new(Migrations::embedded());
    let mut bar: Option<Progress> = None;
    let mut on = |event: Event<'_>| match event {
        Event::Step(step) => {
            if bar.take().is_some() {
                println!();
            }
            println!("==> {step}");
        }
        Event::Dumping { archive_bytes } => {
            print!("\r    pg_dump: {:.1} MB archived", mb(archive_bytes));
            let _ = std::io::Write::flush(&mut std::io::stdout());
        }
        Event::Restoring {
            copied_bytes,
            source_bytes,
        } => {
            let bar = bar.get_or_insert_with(|| {
                println!();
                Progress::new("pg_restore (bytes)", source_bytes)
            });
            bar.show(copied_bytes);
        }
        Event::Applying { version, name } => println!("==> apply {version}_{name}"),
        _ => {}
    };
    let outcome = rehearsal::rehearse(&options, &mut runner, &cancel, &mut on);
    let rehearsal = outcome?;
    println!(
        "\ncopied {:.1} MB (source {:.1} MB, PostgreSQL {}) in {}; {} applied on the source; free space: {}",
        mb(rehearsal.copied_bytes),
        mb(rehearsal.source_bytes),
        rehearsal.source_version,
        crate::human(rehearsal.copy_took),
        rehearsal.applied_before,
        rehearsal.free_bytes.map_or(
            "not checked (the scratch server's data directory is not readable from here)"
                .to_owned(),
            |b| format!("{:.1} GB", b as f64 / 1e9)
        )
    );
    println!(
        "probe: reads and writes {}",
        rehearsal.probed_tables.join(", ")
    );
    if rehearsal.files.is_empty() {
        println!("nothing pending: the source is up to date with supabase/migrations");
    }
    println!("\n{}", rehearsal.table());
    if let Some(path) = &args.json {
        std::fs::write(path, rehearsal.json())
            .with_context(|| format!("writing {}", path.display()))?;
        println!("wrote {}", path.display());
    }
    if rehearsal.kept {
        println!(
            "kept the scratch copy: {}",
            url::redact(&url::with_database(
                &scratch_url,
                &rehearsal.scratch_database
            ))
        );
    }
    println!("verdict: {}", rehearsal.verdict());
    if !rehearsal.passed() {
        bail!(
            "the rehearsal failed (a file blocks the probe longer than --max-block-ms {} or rewrites a table, or a rollback is not exact)",
            args.max_block_ms
        );
    }
    Ok(())
}

/// The `--to` URL when its user is a superuser, else the same server as `supabase_admin`
/// (the restore gives every object its source owner, which only a superuser may).
fn superuser_url(to: &str) -> Result<String> {
    let mut conn = admin::connect(to)?;
    let superuser = crate::sql::text(
        &mut conn,
        "select rolsuper::text as v from pg_roles where rolname = current_user",
    )?;
    Ok(if superuser == "true" {
        to.to_owned()
    } else {
        url::with_user(to, mentor_status_localdb::BOOTSTRAP_SUPERUSER)
    })
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}
