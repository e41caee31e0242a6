//! Which database a command works on, and the local cluster commands.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use mentor_status_localdb::{LocalCluster, PgBinaries, Running, admin, url};

/// The cargo target folder (honours `CARGO_TARGET_DIR`).
pub fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from)
}

/// The project-local cluster, for the binaries `PgBinaries::locate` finds.
pub fn local_cluster(root: &Path) -> Result<LocalCluster> {
    let binaries = PgBinaries::locate()?;
    Ok(LocalCluster::for_target_dir(&target_dir(root), binaries)?)
}

/// `DATABASE_URL` when it is set and not blank.
pub fn database_url_from_env() -> Option<String> {
    std::env::var("DATABASE_URL")
        .ok()
        .filter(|url| !url.trim().is_empty())
}

/// The database every command works on: `DATABASE_URL`, or database `postgres` of the local
/// cluster (started if needed).
pub fn database_url(root: &Path) -> Result<String> {
    if let Some(url) = database_url_from_env() {
        return Ok(url);
    }
    let cluster = local_cluster(root)
        .context("DATABASE_URL is not set, so the project-local PostgreSQL is used")?;
    let running = cluster
        .start()
        .context("starting the project-local PostgreSQL")?;
    say_what_happened(&cluster, running);
    Ok(LocalCluster::url(running.port, "postgres"))
}

/// The server the commands use, when that is the running project-local cluster (`None`
/// under `DATABASE_URL`): its processes are ours to manage.
pub fn local_server(root: &Path) -> Result<Option<crate::bench::cpus::LocalServer>> {
    if database_url_from_env().is_some() {
        return Ok(None);
    }
    let cluster = local_cluster(root)?;
    Ok(cluster
        .postmaster_pid()?
        .map(|postmaster| crate::bench::cpus::LocalServer {
            postmaster,
            record: cluster.root().join("cpus-pinned"),
        }))
}

/// On stderr, so that stdout keeps only what a command prints (e.g. `db-url`'s URL).
fn say_what_happened(cluster: &LocalCluster, running: Running) {
    if let Some(kept) = running.moved_from {
        eprintln!(
            "note: port {kept}, kept for the project-local PostgreSQL, is taken by another program; \
             it now listens on {} (kept in {}): URLs saved with the old port must change",
            running.port,
            cluster.root().join("port").display()
        );
    }
    if running.started {
        eprintln!(
            "note: started the project-local PostgreSQL {} on port {} (it keeps running; `cargo xtask db-stop` stops it)",
            cluster.binaries().major(),
            running.port
        );
    }
}

/// Where the commands connect, for messages.
pub fn describe(database_url: &str) -> String {
    let from = if database_url_from_env().is_some() {
        "DATABASE_URL"
    } else {
        "local cluster"
    };
    format!("{} ({from})", url::redact(database_url))
}

pub fn start(root: &Path) -> Result<()> {
    let cluster = local_cluster(root)?;
    let running = crate::step(
        "start the project-local PostgreSQL",
        || Ok(cluster.start()?),
    )?;
    if !running.started {
        println!("    it was already running");
    }
    say_what_happened(
        &cluster,
        Running {
            started: false,
            ..running
        },
    );
    let port = running.port;
    println!(
        "PostgreSQL {} running from {} (data in {}, log {})",
        cluster.binaries().major(),
        cluster.binaries().dir().display(),
        cluster.root().display(),
        cluster.log_file().display()
    );
    println!("{}", LocalCluster::url(port, "postgres"));
    if let Some(other) = database_url_from_env() {
        println!(
            "note: DATABASE_URL is set, so the other commands use {}, not this local cluster (unset it to use this one)",
            url::redact(&other)
        );
    }
    Ok(())
}

pub fn stop(root: &Path) -> Result<()> {
    let cluster = local_cluster(root)?;
    let was_running = crate::step("stop the project-local PostgreSQL", || Ok(cluster.stop()?))?;
    println!(
        "{}",
        if was_running {
            "stopped"
        } else {
            "it was not running"
        }
    );
    Ok(())
}

pub fn print_url(root: &Path) -> Result<()> {
    let url = database_url(root)?;
    println!("{url}");
    Ok(())
}

/// Runs `f` on a new empty database `<prefix>_<pid>_<time>` on the server of `server_url`, and
/// drops it afterwards, also when `f` fails (its error wins over a failed drop).
pub fn with_scratch_database<T>(
    server_url: &str,
    prefix: &str,
    f: impl FnOnce(&str) -> Result<T>,
) -> Result<T> {
    let name = format!(
        "{prefix}_{}_{}",
        std::process::id(),
        chrono::Utc::now().format("%H%M%S%3f")
    );
    let scratch_url = url::with_database(server_url, &name);
    // The maintenance database of the scratch one (`postgres`): never template1, which
    // CREATE DATABASE copies and so must have no other session.
    let mut maintenance = admin::connect(&admin::maintenance_url(&scratch_url))?;
    admin::create_database(&mut maintenance, &name, None)?;
    let outcome = f(&scratch_url);
    let dropped = admin::drop_database(&mut maintenance, &name)
        .with_context(|| format!("dropping the scratch database {name}"));
    let value = outcome?;
    dropped?;
    Ok(value)
}
