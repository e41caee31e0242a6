//! `cargo xtask` — the project's developer commands, in Rust instead of shell scripts
//! (the convention from rust-analyzer: `.cargo/config.toml` aliases `xtask` to this binary).
//!
//! Every command works on one database: `DATABASE_URL` when set (a `supabase start` stack on
//! port 54322, a hosted project, any PostgreSQL ≥ 15), else the project-local cluster under
//! `target/`, started on demand. Migrations always go through `mentor-status-storage`'s runner,
//! the same one the application and the tests use.

mod bench;
mod chaos;
mod cli_compat;
mod db;
mod install_pg;
mod lint;
mod migrate;
mod new;
mod notify_worker;
mod rehearse;
mod report;
mod reset;
mod schema;
mod smoke;
mod sql;
mod test_db;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Developer commands for mentor-status",
    version
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start the project-local PostgreSQL (under target/) if it is not running
    DbStart,
    /// Stop the project-local PostgreSQL
    DbStop,
    /// Print the connection URL (alone on the last line)
    DbUrl,
    /// Recreate the database, apply the Supabase platform baseline, migrations and seeds (like `supabase db reset`)
    DbReset(reset::Args),
    /// Apply, revert or list migrations
    Migrate {
        #[command(subcommand)]
        command: migrate::Command,
    },
    /// Create supabase/migrations/TIMESTAMP_NAME.sql (UTC timestamp) and its rollback stub
    New(new::Args),
    /// Benchmarks (tables, CSV and SVG under target/bench/)
    Bench {
        #[command(subcommand)]
        command: bench::Command,
    },
    /// Install PostgreSQL server binaries of another major version under target/ (from npm)
    InstallPostgres(install_pg::Args),
    /// Lint the forward migrations with squawk
    Lint,
    /// Migration smoke test on a scratch database: up, checks, down, up
    Smoke,
    /// Regenerate crates/storage/src/schema.rs with diesel print-schema (--check: compare only)
    Schema(schema::Args),
    /// Run the pgTAP suites in supabase/tests/ with pg_prove (like `supabase test db`)
    TestDb,
    /// Check the runner and the platform baseline against the real Supabase CLI (pinned version)
    CliCompat(cli_compat::Args),
    /// Rehearse the pending migrations on a copy of a database, with a probe of ordinary traffic
    Rehearse(rehearse::Args),
    /// Deliver coordinator notifications from the outbox (logging notifier), in a loop
    NotifyWorker(notify_worker::Args),
    /// Chaos: writers on every path, killed backends and server crashes, then the audit trail must replay exactly
    Chaos(chaos::Args),
}

fn main() -> std::process::ExitCode {
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", report::render(&error));
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    let cli = Cli::parse();
    let root = project_root();
    let started = Instant::now();
    let result = dispatch(&root, cli.command);
    // On stderr: stdout's last line stays what the command promises (e.g. db-url's URL).
    eprintln!(
        "{} after {}",
        if result.is_ok() { "finished" } else { "failed" },
        human(started.elapsed())
    );
    result
}

fn dispatch(root: &std::path::Path, command: Command) -> Result<()> {
    let root = root.to_path_buf();
    match command {
        Command::DbStart => db::start(&root),
        Command::DbStop => db::stop(&root),
        Command::DbUrl => db::print_url(&root),
        Command::DbReset(args) => reset::run(&root, &args),
        Command::Migrate { command } => migrate::run(&root, command),
        Command::New(args) => new::run(&root, &args),
        Command::Bench { command } => bench::run(&root, command),
        Command::InstallPostgres(args) => install_pg::run(&root, &args),
        Command::Lint => lint::run(&root),
        Command::Smoke => smoke::run(&root),
        Command::Schema(args) => schema::run(&root, &args),
        Command::NotifyWorker(args) => notify_worker::run(&root, &args),
        Command::CliCompat(args) => cli_compat::run(&root, &args),
        Command::TestDb => test_db::run(&root),
        Command::Rehearse(args) => rehearse::run(&root, &args),
        Command::Chaos(args) => chaos::run(&root, &args),
    }
}

/// The workspace root (this crate's parent folder).
fn project_root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map_or(manifest.clone(), std::path::Path::to_path_buf)
}

thread_local! {
    /// How many [`step`]s are running on this thread, for indentation.
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Runs one step, printing its name before and its duration after; a step inside a step is
/// indented under it, and the outer step's closing line names it again.
fn step<T>(name: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    let depth = DEPTH.with(|d| d.replace(d.get() + 1));
    let indent = "    ".repeat(depth);
    if depth == 0 {
        println!("==> {name}");
    } else {
        println!("{indent}--> {name}");
    }
    let started = Instant::now();
    let result = f();
    let took = started.elapsed();
    DEPTH.with(|d| d.set(depth));
    match &result {
        Ok(_) => println!("{indent}    done in {} ({name})", human(took)),
        Err(_) => println!("{indent}    failed after {} ({name})", human(took)),
    }
    result
}

fn human(d: std::time::Duration) -> String {
    if d.as_secs() >= 1 {
        format!("{:.2} s", d.as_secs_f64())
    } else {
        format!("{:.1} ms", d.as_secs_f64() * 1000.0)
    }
}
